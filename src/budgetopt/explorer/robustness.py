"""The explorer's Robustness tab: the robustness analysis of the scenario on screen, on request.

It runs in a background thread so the app stays responsive, shows its progress as the draws
are solved, and can be cancelled between batches of draws; a cancelled run shows what the draws
solved so far say, marked as such. Every figure comes from
:func:`budgetopt.robust.analysis.analyse`, as ``budgetopt robust`` computes it.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from html import escape

import ipywidgets as w

from budgetopt.data.inputs import ModelInputs
from budgetopt.data.scenario import Robustness
from budgetopt.paper import charts
from budgetopt.robust.analysis import RobustnessReport, analyse, summary_lines

DRAWS = 200  # default draws on screen: a few seconds on the default dataset


class RobustnessTab:
    """The tab's controls and views; ``inputs_now`` gives the scenario on screen."""

    def __init__(self, inputs_now: Callable[[], ModelInputs | None],
                 schemes: dict[str, str]) -> None:
        self.inputs_now, self.schemes = inputs_now, schemes
        self.draws = w.BoundedIntText(value=DRAWS, min=10, max=10_000, step=50,
                                      description="Draws")
        self.seed = w.BoundedIntText(value=1, min=0, max=2**31 - 1, description="Seed")
        self.start_button = w.Button(description="Run", icon="play", button_style="primary")
        self.cancel_button = w.Button(description="Cancel", icon="stop", disabled=True)
        self.progress = w.IntProgress(value=0, min=0, max=DRAWS, description="Draws solved")
        self.status = w.HTML("<p>Run the analysis to see which recommendations hold across "
                             "draws of the uncertain evidence.</p>")
        self.view = w.HTML()
        self.start_button.on_click(lambda _: self.start())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.widget = w.VBox([w.HBox([self.draws, self.seed]),
                              w.HBox([self.start_button, self.cancel_button]), self.progress,
                              self.status, self.view])
        self.report: RobustnessReport | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Run the analysis of the scenario on screen in the background."""
        inputs = self.inputs_now()
        if inputs is None:
            self.status.value = "<p>The scenario on screen cannot be met: nothing to test.</p>"
            return
        if self.running:
            return
        settings = (inputs.scenario.robustness or Robustness.model_validate({})).model_copy(
            update={"draws": int(self.draws.value), "seed": int(self.seed.value)})
        self._stop.clear()
        self.progress.max, self.progress.value = settings.draws, 0
        self.start_button.disabled, self.cancel_button.disabled = True, False
        self.status.value = f"<p>Solving {settings.draws:,} draws…</p>"
        self._thread = threading.Thread(target=self._run, args=(inputs, settings), daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop after the batch of draws being solved."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _advance(self, n: int) -> None:
        self.progress.value = min(self.progress.max, self.progress.value + n)

    def _run(self, inputs: ModelInputs, settings: Robustness) -> None:
        try:
            report = analyse(inputs, settings, progress=self._advance,
                             cancelled=self._stop.is_set)
            self.report = report
            done = report.draws
            head = (f"<p><b>Cancelled</b> after {done:,} of {settings.draws:,} draws: the "
                    "figures below are from those draws only.</p>" if done < settings.draws
                    else "")
            lines = summary_lines(report, inputs)
            self.status.value = head + "<ul>" + "".join(
                f"<li>{escape(line.strip())}</li>" for line in lines) + "</ul>"
            self.view.value = (charts.scheme_fans(report.schemes, self.schemes)
                               + charts.tornado(report.sensitivity))
        except Exception:  # noqa: BLE001 - a background run must never fail silently
            self.status.value = ("<pre>The robustness analysis failed:\n"
                                 + escape(traceback.format_exc(limit=3)) + "</pre>")
        finally:
            self.start_button.disabled, self.cancel_button.disabled = False, True

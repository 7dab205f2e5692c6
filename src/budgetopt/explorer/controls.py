"""The explorer's controls people can set: a slider with a number box beside it, both ways.

A slider is quick to drag but imprecise; the box beside it takes an exact value. A value typed
outside the control's range is refused with a sentence naming the control and its range — never
clamped in silence — and the box goes back to the value in force. Labels are plain words; a
tooltip gives the whole label and what the control does.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

LABEL = w.Layout(width="13em", min_width="13em")
SLIDER = w.Layout(width="9em", min_width="6em")
BOX = w.Layout(width="6em", min_width="6em")


class NumberSlider:
    """A labelled slider and number box that move together; ``value`` is the control's value."""

    def __init__(self, label: str, value: float, low: float, high: float, step: float,
                 tooltip: str, on_refused: Callable[[str], None], unit: str = "",
                 integer: bool = False, css: str = "") -> None:
        self.label, self.low, self.high, self.unit = label, low, high, unit
        self._refused = on_refused
        kind = w.IntSlider if integer else w.FloatSlider
        self.slider = kind(value=value, min=low, max=high, step=step, readout=False,
                           continuous_update=False, layout=SLIDER, tooltip=tooltip)
        self.box = (w.IntText if integer else w.FloatText)(value=value, step=step, layout=BOX,
                                                           tooltip=tooltip)
        self.name = w.HTML(f'<span title="{tooltip}">{label}</span>', layout=LABEL)
        self.widget = w.HBox([self.name, self.slider, self.box])
        if css:
            self.widget.add_class(css)
            self.box.add_class(f"{css}-box")
        self.slider.observe(self._from_slider, names="value")
        self.box.observe(self._from_box, names="value")

    @property
    def value(self) -> float:
        return self.slider.value

    @value.setter
    def value(self, v: float) -> None:
        self.slider.value = v

    def observe(self, handler: Callable, names: str = "value") -> None:
        self.slider.observe(handler, names=names)

    def _from_slider(self, change: dict) -> None:
        if self.box.value != change["new"]:
            self.box.value = change["new"]

    def _from_box(self, change: dict) -> None:
        v = change["new"]
        if v == self.slider.value:
            return
        if not self.low <= v <= self.high:
            self._refused(f"{self.label}: {v:g}{self.unit} is outside the range "
                          f"{self.low:g}{self.unit} to {self.high:g}{self.unit}; not applied.")
            self.box.value = self.slider.value
            return
        self.slider.value = v

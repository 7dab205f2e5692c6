"""The explorer's controls people can set: a slider with a number box beside it, both ways.

A slider is quick to drag but imprecise; the box beside it takes an exact value. The box is a
text box read here rather than a browser number field, so that whatever is typed gets an answer:
a value outside the control's range, or something that is not a number ("abc"), is refused
with a sentence naming the control and what it accepts — never clamped or dropped in silence —
and the box goes back to the value in force. "−5", "-5" and "-5%" all mean −5. Labels are plain
words; a tooltip gives the whole label and what the control does.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

LABEL = w.Layout(width="13em", min_width="13em")
SLIDER = w.Layout(width="9em", min_width="6em")
BOX = w.Layout(width="6em", min_width="6em")


def shown(v: float) -> str:
    """A control's value as the box shows it: no trailing zeros, and an ASCII minus, so what
    is shown can be typed back as it is."""
    return f"{v:g}"


def parse(text: str, integer: bool = False) -> float | None:
    """The number typed in a box, or None when it is not one (a whole number for ``integer``)."""
    cleaned = text.strip().replace("−", "-").replace(",", "").removesuffix("%").strip()
    try:
        v = float(cleaned)
    except ValueError:
        return None
    if v != v or v in (float("inf"), float("-inf")) or (integer and v != int(v)):
        return None
    return int(v) if integer else v


class NumberSlider:
    """A labelled slider and number box that move together; ``value`` is the control's value."""

    def __init__(self, label: str, value: float, low: float, high: float, step: float,
                 tooltip: str, on_refused: Callable[[str], None], unit: str = "",
                 integer: bool = False, css: str = "") -> None:
        self.label, self.low, self.high, self.unit = label, low, high, unit
        self.integer = integer
        self._refused = on_refused
        kind = w.IntSlider if integer else w.FloatSlider
        self.slider = kind(value=value, min=low, max=high, step=step, readout=False,
                           continuous_update=False, layout=SLIDER, tooltip=tooltip)
        self.box = w.Text(value=shown(value), continuous_update=False, layout=BOX,
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
        self.box.value = shown(change["new"])

    def _from_box(self, change: dict) -> None:
        text = change["new"]
        v = parse(text, self.integer)
        if v is not None and v == self.slider.value:
            return
        span = f"{shown(self.low)}{self.unit} to {shown(self.high)}{self.unit}"
        if v is None:
            kind = "a whole number" if self.integer else "a number"
            self._refused(f"{self.label}: “{text.strip()}” is not {kind}; type {kind} from "
                          f"{span}. Not applied.")
        elif not self.low <= v <= self.high:
            self._refused(f"{self.label}: {shown(v)}{self.unit} is outside the range {span}; "
                          "not applied.")
        else:
            self.slider.value = v
            return
        self.box.value = shown(self.slider.value)

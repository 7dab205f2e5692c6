"""Turn pydantic's validation errors into :class:`~budgetopt.errors.Problem` records.

Both YAML inputs (a dataset's ``dataset.yaml`` and a scenario's ``parameters/*.yaml``) are typed
pydantic models; this module is the one place that translates pydantic's error locations and
messages into the file/key/value/rule form every budgetopt message uses.
"""

from __future__ import annotations

from pydantic import ValidationError

from budgetopt.errors import Problem

_MESSAGES = {
    "extra_forbidden": "unknown key (check the spelling; see the documentation for valid keys)",
    "missing": "required key is missing",
}


def problems_from(error: ValidationError, file: str) -> list[Problem]:
    out = []
    for e in error.errors():
        key = ".".join(str(p) for p in e["loc"]) or None
        rule = _MESSAGES.get(e["type"], e["msg"].removeprefix("Value error, "))
        value = None if e["type"] == "missing" else e.get("input")
        if isinstance(value, dict | list):
            value = None
        out.append(Problem(file=file, rule=rule, key=key, value=value))
    return out

"""Turn pydantic's validation errors into :class:`~budgetopt.core.errors.Problem` records.

Both YAML inputs (a dataset's ``dataset.yaml`` and a scenario's ``parameters/*.yaml``) are typed
pydantic models; this module is the one place that translates pydantic's error locations and
messages into the file/key/value/rule form every budgetopt message uses.
"""

from __future__ import annotations

from pydantic import ValidationError

from budgetopt.core.errors import Problem

_MESSAGES = {
    "extra_forbidden": "unknown key (check the spelling; see the documentation for valid keys)",
    "missing": "required key is missing",
}


# Type tags pydantic inserts in error locations for union and constrained types.
_TYPE_TAGS = {"constrained-float", "float", "int", "str", "dict[int,constrained-float]",
              "function-before[_year(), constrained-int]", "dict", "list", "bool"}


def problems_from(error: ValidationError, file: str) -> list[Problem]:
    """One problem per key: pydantic reports each member of a union separately (an override
    may be an amount or a year -> amount mapping); keep the first, with the key cleaned."""
    out, seen = [], set()
    for e in error.errors():
        loc = [str(p) for p in e["loc"] if str(p) not in _TYPE_TAGS and "[" not in str(p)]
        key = ".".join(loc) or None
        if key in seen:
            continue
        seen.add(key)
        rule = _MESSAGES.get(e["type"], e["msg"].removeprefix("Value error, "))
        value = None if e["type"] == "missing" else e.get("input")
        if isinstance(value, dict | list):
            value = None
        out.append(Problem(file=file, rule=rule, key=key, value=value))
    return out

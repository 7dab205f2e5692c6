"""Turn pydantic's validation errors into :class:`~budgetopt.core.errors.Problem` records.

Both YAML inputs (a dataset's ``dataset.yaml`` and a scenario's ``parameters/*.yaml``) are typed
pydantic models; this module is the one place that translates pydantic's error locations and
messages into the file/key/value/rule form every budgetopt message uses.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from budgetopt.core.errors import Problem

_MESSAGES = {
    "extra_forbidden": "unknown key (check the spelling; see the documentation for valid keys)",
    "missing": "required key is missing",
}


def _plain_rule(e: Any) -> str:
    """pydantic's message in plain words for the common constraint errors (a limit, a length,
    a pattern, a type), else its own message."""
    ctx, kind = e.get("ctx") or {}, e["type"]
    if e.get("input") is None and kind.endswith(("_type", "_parsing")):
        return "is empty: fill it in"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} entr{'y' if n == 1 else 'ies'}"
    limits = {"greater_than_equal": "must be at least {ge}", "greater_than": "must be more "
              "than {gt}", "less_than_equal": "must be at most {le}", "less_than": "must be "
              "less than {lt}"}
    if kind in limits:
        return limits[kind].format(**{k: _number(v) for k, v in ctx.items()})
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"needs at least {n} characters"
    if kind == "string_too_long":
        return f"may have at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return ("may hold only letters, digits, '-', '_' and '.', starting with a letter or "
                "digit")
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type"):
        return "must be a number"
    return str(e["msg"]).removeprefix("Value error, ")


def _number(v: object) -> str:
    """1000000000.0 -> '1,000,000,000'; 0.5 -> '0.5'."""
    if isinstance(v, int | float) and float(v).is_integer():
        return f"{int(v):,}"
    return str(v)


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
        rule = _MESSAGES.get(e["type"]) or _plain_rule(e)
        value = None if e["type"] == "missing" else e.get("input")
        if isinstance(value, dict | list):
            value = None
        out.append(Problem(file=file, rule=rule, key=key, value=value))
    return out

"""Turn pydantic's validation errors into :class:`~budgetopt.core.errors.Problem` records.

Both YAML inputs (a dataset's ``dataset.yaml`` and a scenario's ``parameters/*.yaml``) are typed
pydantic models; this module is the one place that translates pydantic's error locations and
messages into the file/key/value/rule form every budgetopt message uses.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from budgetopt.core.errors import Problem
from budgetopt.data.schemas import figure

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
    if kind in ("float_parsing", "float_type"):
        return "must be a number"
    return str(e["msg"]).removeprefix("Value error, ")


_WHOLE = {"int_parsing", "int_parsing_size", "int_type", "int_from_float"}


def _whole_number(field: FieldInfo | None) -> str:
    """'must be a whole number from 1 to 5': an int field's rule, with its bounds when the
    field declares them."""
    low = high = None
    for m in field.metadata if field is not None else []:
        low = getattr(m, "ge", low)
        high = getattr(m, "le", high)
    if low is not None and high is not None:
        return f"must be a whole number from {figure(low)} to {figure(high)}"
    if low is not None:
        return f"must be a whole number, {figure(low)} or more"
    return "must be a whole number"


def _field(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> FieldInfo | None:
    """The field an error's location ends on, followed through nested models (``pins.0.year``
    is Pin's ``year``); None when the location ends inside a mapping or list of values."""
    info = None
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            info = info if _is_tag(part) else None
            continue
        info = model.model_fields[part]
        model = _model_in(info.annotation)
    return info


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, itself or in a list, a mapping or ``| None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for a in get_args(annotation) if (m := _model_in(a)) is not None), None)


def _number(v: object) -> str:
    """1000000000.0 -> '1,000,000,000'; 0.5 -> '0.5'."""
    if isinstance(v, int | float) and float(v).is_integer():
        return f"{int(v):,}"
    return str(v)


# Type tags pydantic inserts in error locations for union and constrained types.
_TYPE_TAGS = {"constrained-float", "float", "int", "str", "dict[int,constrained-float]",
              "function-before[_year(), constrained-int]", "dict", "list", "bool"}


def _is_tag(part: int | str) -> bool:
    return str(part) in _TYPE_TAGS or "[" in str(part)


def _key(e: Any) -> str:
    return ".".join(str(p) for p in e["loc"] if not _is_tag(p))


def _other_shape(errors: list[Any], keys: list[str], i: int) -> bool:
    """Whether an error is a union's member of the other shape than the value given: "must be
    a number" said of a mapping (or "a valid dictionary" of a number) while the member of the
    value's shape has its own error under this key, or one at it that is not about a type."""
    e, key = errors[i], keys[i]
    given = isinstance(e.get("input"), dict | list)
    wanted = e["type"] in ("dict_type", "list_type")
    if not e["type"].endswith("_type") or given == wanted:
        return False
    return any(j != i and (k.startswith(f"{key}.") or (
        k == key and not errors[j]["type"].endswith("_type"))) for j, k in enumerate(keys))


def problems_from(error: ValidationError, file: str,
                  model: type[BaseModel] | None = None) -> list[Problem]:
    """One problem per key, with the key cleaned: pydantic reports each member of a union
    separately (an override may be an amount or a year -> amount mapping); only the member of
    the value's shape is kept, else the first. ``model`` (the one validated) gives an int
    field's bounds to its message."""
    out, seen = [], set()
    errors = error.errors()
    keys = [_key(e) for e in errors]
    for i, e in enumerate(errors):
        key = keys[i] or None
        if key in seen or _other_shape(errors, keys, i):
            continue
        seen.add(key)
        whole = e["type"] in _WHOLE and e.get("input") is not None
        rule = _MESSAGES.get(e["type"]) or (
            _whole_number(_field(model, e["loc"])) if whole else _plain_rule(e))
        value = None if e["type"] == "missing" else e.get("input")
        if isinstance(value, dict | list):
            value = None
        out.append(Problem(file=file, rule=rule, key=key, value=value))
    return out

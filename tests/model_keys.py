"""The keys of a YAML model (a scenario, a grant round) as the documentation names them, each
with its default and the range of its numbers, read from the pydantic model itself so that a
test can hold the documentation to the model."""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class Key:
    path: str  # dotted field names: 'robustness.draws', 'pins.amount_gbp', 'grant.max_gbp'
    field: FieldInfo
    leaves: list[tuple[Any, list[Any]]]  # each scalar type the value may end in, its limits

    @property
    def numeric(self) -> bool:
        return any(t in (int, float) for t, _ in self.leaves)

    def bounds(self) -> list[tuple[float | None, float | None]]:
        """(lowest, highest) of each number the key may hold (a key may hold several: an
        amount, or an amount per year)."""
        out = []
        for t, limits in self.leaves:
            if t in (int, float):
                low = next((v for m in limits for v in (getattr(m, "ge", None),
                                                        getattr(m, "gt", None)) if v is not None),
                           None)
                high = next((v for m in limits for v in (getattr(m, "le", None),
                                                         getattr(m, "lt", None))
                             if v is not None), None)
                out.append((low, high))
        return out

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(c for t, _ in self.leaves if get_origin(t) is Literal for c in get_args(t))


def keys(model: type[BaseModel], prefix: str = "") -> Iterator[Key]:
    """Every key of ``model`` and of the models it holds, in the model's order."""
    for name, info in model.model_fields.items():
        found = _leaves(info.annotation, list(info.metadata))
        yield Key(prefix + name, info, found)
        for t, _ in found:
            if isinstance(t, type) and issubclass(t, BaseModel):
                yield from keys(t, f"{prefix}{name}.")


def _leaves(annotation: Any, limits: list[Any]) -> list[tuple[Any, list[Any]]]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        more = [m for x in args[1:] for m in (x.metadata if isinstance(x, FieldInfo) else [x])]
        return _leaves(args[0], limits + more)
    if origin in (Union, types.UnionType):
        return [leaf for a in args if a is not type(None) for leaf in _leaves(a, limits)]
    if origin is list:
        return _leaves(args[0], [])  # a list's own limits (its length) are not its items'
    if origin is dict:
        return _leaves(args[1], [])
    return [(annotation, limits)]


def mentions(text: str, number: str) -> bool:
    """Whether ``text`` gives ``number`` ('5', '1,000,000,000', '0.5') as a number of its own,
    not as part of another ('50', '0.55')."""
    return re.search(rf"(?<![\w.,]){re.escape(number)}(?!\w|[.,]\d)", text) is not None

"""Reading the project's YAML files (a dataset's manifest, a scenario's parameters) strictly,
and nothing that is not a regular file (reading a named pipe would wait for ever).

A key written twice is an error, not "the last one wins": a parameters file with two
``budget_change_pct`` lines would otherwise run one of them silently. A merge key (``<<: *b``)
is refused too: the keys it brings in are nowhere on the page, so a reader of the file (and of
its errors) could not see them. Every failure is one :class:`~budgetopt.core.errors.Problem`
naming the file and, where YAML knows it, the line.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from budgetopt.core.errors import Problem

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where PyYAML has it


_MERGE = "tag:yaml.org,2002:merge"


class Refused(yaml.constructor.ConstructorError):
    """YAML that parses but that budgetopt does not take: its sentence is the whole message."""


class StrictLoader(_BASE):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (libyaml's, where available) that refuses duplicate keys and merge
    keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                raise Refused(None, None, "merge keys (<<) are not supported: write the keys "
                              "out", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise Refused(None, None, f"found the key '{key}' twice (first on line "
                              f"{seen[key].start_mark.line + 1}): write each key once",
                              key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def not_a_file(path: Path) -> str | None:
    """What ``path`` is when it exists but is not a regular file (reading a named pipe would
    wait for a writer for ever); None for a regular file, or nothing (said when it is read)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device")


def read_yaml(path: Path, missing: str) -> tuple[Any, Problem | None]:
    """The document in ``path``, or the problem that stops it being read (``missing`` is the
    rule when the file does not exist)."""
    file = str(path)
    if (what := not_a_file(path)) is not None:
        return None, Problem(file, f"is {what}, not a file: give the path of a file")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader), None
    except FileNotFoundError:
        return None, Problem(file, missing)
    except (OSError, UnicodeDecodeError) as e:
        return None, Problem(file, f"cannot read the file ({e.__class__.__name__}: {e})")
    except Refused as e:
        mark = e.problem_mark
        return None, Problem(file, str(e.problem), row=mark.line + 1 if mark else None)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        why = str(getattr(e, "problem", e))
        hint = ("; a ': ' inside a value? put the value in double quotes, as in "
                'title: "Anyshire: commissioning"') if "mapping values are not allowed" in why \
            else ""
        return None, Problem(file, f"not valid YAML ({why}){hint}",
                             row=mark.line + 1 if mark else None)

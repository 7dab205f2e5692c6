"""Scenarios: the parameters a commissioner varies, as a typed model loaded from YAML.

A scenario names a dataset and says what differs from it: how many plan years, the money
available (stream overrides, or a change to the total that falls on the unrestricted core stream
because ring-fenced grants are set by their grantors), priority weights, the fairness tolerance τ,
the stability limit δ, pinned amounts and the solver. Everything is checked here, with the file and
the key named, before any data is read or any model is built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from budgetopt.core.errors import InputError, ProblemLog
from budgetopt.data.problems import problems_from
from budgetopt.data.schemas import MONEY_MAX, YEAR_TEXT
from budgetopt.data.yaml_files import read_yaml

Year = Annotated[int, Field(ge=2000, le=2100)]
Money = Annotated[float, Field(ge=0, le=MONEY_MAX, allow_inf_nan=False)]
RESERVED_NAMES = {
    "comparison": "reports/comparison/ is the comparison paper's folder",
    "index.html": "reports/index.html is the index of the run's papers",
    "grants": "reports/grants/ holds the grant rounds' papers (reports/grants/<round>/)",
    "readme.md": "reports/README.md is the reports folder's own README",
}
"""What the reports folder (``--out`` too) holds beside the scenarios' folders, by name in lower
case: no scenario takes one of these names, in any case, for its folder reports/<name>/ would be
where that is."""
NAME_LENGTH = 64
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def _year(value: Any) -> Any:
    """Accept 2025, '2025' or '2025/26' for the financial year starting in April 2025."""
    if isinstance(value, str):
        if not YEAR_TEXT.fullmatch(value.strip()):
            raise ValueError("not a year: write it as 2025 or 2025/26")
        return int(value.strip()[:4])
    return value  # a number: the model says which years may be


def _years_once(amounts: Any) -> Any:
    """A stream's year -> amount overrides with each year as the number it means; a year
    written two ways (2025 and '2025/26', or 2025 and '2025') is refused, not "the last wins"."""
    if not isinstance(amounts, dict):
        return amounts
    out: dict[Any, Any] = {}
    spelt: dict[Any, Any] = {}
    for written, amount in amounts.items():
        try:
            year = _year(written)
        except ValueError:
            raise ValueError(f"'{written}' is not a year: write it as 2025 or 2025/26") from None
        if year in out:
            raise ValueError(f"year {year} is written twice, as {spelt[year]!r} and as "
                             f"{written!r}: write each year once")
        out[year], spelt[year] = amount, written
    return out


YearAmounts = Annotated[dict[Year, Money], BeforeValidator(_years_once)]


class Pin(BaseModel):
    """An amount the commissioner fixes for a service in a year, with the reason why."""

    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1)
    year: Year
    amount_gbp: Money
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)] = Field(
        description="Why the amount is fixed, at least three characters besides spaces; shown "
        "in the paper.")

    _year = field_validator("year", mode="before")(_year)


class Robustness(BaseModel):
    """How the robustness analysis runs: its draws, seed and thresholds."""

    model_config = ConfigDict(extra="forbid")
    draws: int = Field(1000, ge=10, le=100_000, description="Monte Carlo draws of the "
                       "uncertain figures (default 1000).")
    seed: int = Field(1, ge=0, le=2**32 - 1, description="Random seed: the same seed gives the "
                      "same draws and results (default 1).")
    threshold: float = Field(0.9, gt=0.5, lt=1, description="A service is core when it is "
                             "funded above its minimum in at least this share of draws "
                             "(default 0.9).")
    plan_draws: int = Field(100, ge=1, le=2000, description="Draws the expected-value plan "
                            "is optimised over (objective: expected), and the value of perfect "
                            "information measured with (default 100).")


class Scenario(BaseModel):
    """One scenario of the Commissioning Intentions Plan."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, max_length=NAME_LENGTH,
                      description="Short identifier (letters, digits, '-', '_', '.'; at most "
                      f"{NAME_LENGTH}); names the output folder reports/<name>/.")
    title: str = Field(min_length=1, description="Title as the paper shows it.")
    description: str = Field("", description="What the scenario explores.")
    dataset: str = Field(description="Dataset folder, relative to the repository root.")
    plan_years: int = Field(3, ge=1, le=5, description="Number of plan years after the base "
                            "year, 1 to 5 (default 3).")
    budget_change_pct: float = Field(
        0.0, ge=-50, le=50, allow_inf_nan=False,
        description="Change to the total budget in every plan year, in % of the dataset's total "
        "for that year; it falls on the unrestricted core stream (default 0).",
    )
    stream_amounts: dict[str, Money | YearAmounts] = Field(
        default_factory=dict,
        description="Overrides: stream -> amount for every plan year, or year -> amount.",
    )
    priority_weights: dict[str, Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]] = (
        Field(default_factory=dict, description="Overrides of the priorities' default weights.")
    )
    fairness_tolerance: float = Field(
        0.10, ge=0, le=1, allow_inf_nan=False,
        description="τ: an area's share of an area-split scheme may differ from its need share "
        "by this fraction of that share (default 0.10: a 30% need share gets 27–33%).",
    )
    stability_limit: float = Field(
        0.10, ge=0, le=1, allow_inf_nan=False,
        description="δ: each year-on-year move of a continuing service is at most this fraction "
        "of its base-year amount (default 0.10).",
    )
    pins: list[Pin] = Field(
        default_factory=list,
        description="Fixed amounts: [{service, year, amount_gbp, reason}].")
    solver: Literal["highs", "cbc"] = Field("highs", description="Solver: highs (default) or "
                                            "cbc.")
    objective: Literal["point", "expected"] = Field(
        "point", description="point (default): the best plan on the dataset's figures; "
        "expected: the plan best on average over draws of its uncertain figures "
        "(uncertainty.csv, robustness.plan_draws).")
    robustness: Robustness | None = Field(
        None, description="Run the robustness analysis for the paper: {draws, seed, threshold, "
        "plan_draws} (default: none).")
    expected_status: Literal["optimal", "infeasible"] = Field(
        "optimal", description="What this scenario is meant to show (checked by the tests)."
    )

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with some parameters changed (unlike ``model_copy``, checked)."""
        return Scenario.model_validate({**self.model_dump(), **changes})

    @field_validator("name")
    @classmethod
    def _name_free(cls, name: str) -> str:
        what = RESERVED_NAMES.get(name.lower())
        if what:
            raise ValueError(f"'{name}' is reserved: {what}, beside the scenarios' folders; "
                             "choose another name (reserved, in any case: comparison, "
                             "index.html, grants, README.md)")
        return name

    @field_validator("pins")
    @classmethod
    def _pins_unique(cls, pins: list[Pin]) -> list[Pin]:
        seen = set()
        for pin in pins:
            if (pin.service, pin.year) in seen:
                raise ValueError(f"service '{pin.service}' is pinned twice in {pin.year}")
            seen.add((pin.service, pin.year))
        return pins


def scenario_fields(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's parameters out of a larger namespace (a notebook's globals, where
    papermill puts the parameters beside everything else); validate them with the model."""
    return {k: namespace[k] for k in Scenario.model_fields if k in namespace}


def repository_root(start: Path) -> Path:
    """The project a file belongs to: the nearest folder above it holding a ``parameters/``
    folder — the budgetopt repository (which also has a pyproject.toml), or a team's own
    project folder holding its ``data/`` and ``parameters/`` — of which the file is part, or
    which is ``start`` itself (a command run from the project folder).

    Scenario paths (``dataset: data/devon-cornwall``) are relative to this root so a scenario means
    the same thing from a terminal, a notebook kernel or a papermill worker, whatever the working
    directory; reports go to its ``reports/``.
    """
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / "parameters").is_dir() and (
                (folder / "pyproject.toml").is_file() or folder == start
                or start.is_relative_to(folder / "parameters")):
            return folder
    # no project folder: fall back to the package's own checkout, then cwd
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a parameters file; raise InputError naming the file and key."""
    path = Path(path)
    file = str(path)
    log = ProblemLog()
    raw, problem = read_yaml(path, "parameters file does not exist")
    if problem is not None:
        raise InputError([problem], f"Scenario '{path}'")
    if not isinstance(raw, dict):
        log.add(file, "a parameters file must be a mapping of keys (name, title, dataset, ...)")
        log.raise_if_any(f"Scenario '{path}'")
    try:
        return Scenario.model_validate(raw)
    except ValidationError as e:
        raise InputError(problems_from(e, file, Scenario), f"Scenario '{path}'") from None


def readable_name(path: str | Path) -> str | None:
    """The ``name`` of a parameters (or grant round) file that is not valid as a whole, when
    that key alone is a valid name — where an earlier run of the file left its outputs
    (``reports/<name>/``); else None."""
    raw, problem = read_yaml(Path(path), "does not exist")
    name = raw.get("name") if problem is None and isinstance(raw, dict) else None
    if isinstance(name, str) and len(name) <= NAME_LENGTH and re.fullmatch(NAME_PATTERN, name):
        return name
    return None


def scenario_dataset_path(scenario: Scenario, scenario_file: str | Path | None) -> Path:
    """Absolute dataset folder of a scenario (relative paths resolve from the repository root)."""
    p = Path(scenario.dataset)
    if p.is_absolute():
        return p
    start = Path(scenario_file).parent if scenario_file else Path.cwd()
    return repository_root(start) / p


def save_scenario(scenario: Scenario, path: str | Path, header: str = "") -> None:
    """Write a scenario as YAML that :func:`load_scenario` reads back to the same Scenario."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data = {"name": scenario.name, "title": scenario.title, "dataset": scenario.dataset, **data}
    text = "".join(f"# {line}\n" for line in header.splitlines())
    text += yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    Path(path).write_text(text, encoding="utf-8")

"""The outcome of a solve, typed (after linopy's ``constants``): never a bare string or code.

A solver failure is a :class:`Status`, never an exception; each status has the plain sentence a
paper or the terminal shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"


STATUS_SENTENCES = {
    Status.OPTIMAL: "An optimal allocation was found that meets every limit.",
    Status.INFEASIBLE: "No allocation meets every limit of this scenario: the floors, contracts, "
    "pins, stability and fairness limits ask for more than the funding allows, or contradict "
    "each other.",
    Status.UNBOUNDED: "The model is unbounded: some spending has no upper limit. This points to "
    "a fault in the model, not in the scenario.",
    Status.ERROR: "The solver failed to finish.",
}


@dataclass(frozen=True)
class SolveStatus:
    status: Status
    sentence: str
    solver: str

    @property
    def is_optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    @property
    def is_infeasible(self) -> bool:
        return self.status is Status.INFEASIBLE

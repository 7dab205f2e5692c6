"""The `budgetopt` command: thin wrappers that call the package and map outcomes to exit codes.

Exit codes: 0 done; 1 no optimal allocation (the reason is printed); 2 bad input (every problem
is printed; never a traceback).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from budgetopt.errors import InputError

EXIT_OK, EXIT_NOT_MET, EXIT_BAD_INPUT = 0, 1, 2


def _input_errors_exit_2(func: Callable[..., Any]) -> Callable[..., Any]:
    """Report bad input as a list of problems on stderr and exit 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as e:
            click.echo(e.report(), err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper


@click.group()
@click.version_option(package_name="budgetopt")
def cli() -> None:
    """budgetopt: exact, explainable commissioning budget allocation."""


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@_input_errors_exit_2
def validate(path: Path) -> None:
    """Check a dataset folder (or a parameters file and its dataset) and print a summary."""
    from budgetopt.dataset import load_dataset
    from budgetopt.inputs import load_inputs

    if path.is_file() and path.suffix in {".yaml", ".yml"} and path.name != "dataset.yaml":
        inputs = load_inputs(path)
        click.echo(inputs.dataset.summary())
        click.echo(f"\nScenario '{inputs.scenario.name}' is valid: {inputs.scenario.title}")
        return
    if path.name == "dataset.yaml":
        path = path.parent
    click.echo(load_dataset(path).summary())
    click.echo("\nThe dataset is valid.")


def main() -> None:
    cli(prog_name="budgetopt")


if __name__ == "__main__":  # pragma: no cover
    main()

"""The `budgetopt` command: thin wrappers that call the package and map outcomes to exit codes.

Each command is a few lines around one call: ``validate`` checks a dataset, a scenario or a
grant round, ``solve`` runs the pipeline and writes its files, ``run`` is the batch of papers,
``robust`` the analysis under uncertain evidence, ``grants`` a grant round's selection and
``explore`` serves the explorer.

Exit codes: 0 done; 1 no optimal allocation (the reason is printed); 2 bad input (every problem
is printed; never a traceback; the command's files are removed from its output folder, where
that is known, so an earlier run's result is not read as this one's); 3 an output cannot be
written (read-only, a file, under a file, a folder where a file goes, a full disk: one sentence
naming the path; none of the command's files is left); 130 interrupted (Ctrl+C or SIGTERM).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from budgetopt.core.errors import InputError
from budgetopt.core.files import OutputError

EXIT_OK, EXIT_NOT_MET, EXIT_BAD_INPUT, EXIT_OUTPUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _input_errors_exit_2(func: Callable[..., Any]) -> Callable[..., Any]:
    """Report bad input as a list of problems on stderr and exit 2; an output folder that cannot
    be written as one sentence, exit 3."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as e:
            click.echo(e.report(), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except OutputError as e:
            click.echo(str(e), err=True)
            sys.exit(EXIT_OUTPUT)

    return wrapper


@contextmanager
def _bad_input_clears(out: Path | None, source: Path, reports: Path,
                      names: tuple[str, ...]) -> Iterator[None]:
    """On bad input in ``source``, remove the command's files ``names`` from its output folder
    where that is known — ``--out``, or ``reports/<name>`` when the file's name can be read — so
    an earlier run's result is not read as this one's. Nothing else is removed."""
    from budgetopt.core.files import remove_outputs
    from budgetopt.data.scenario import readable_name

    try:
        yield
    except InputError:
        name = readable_name(source)
        folder = out or (reports / name if name else None)
        if folder is not None:
            remove_outputs(folder, names)
        raise


@click.group()
@click.version_option(package_name="budgetopt")
def cli() -> None:
    """budgetopt: exact, explainable commissioning budget allocation."""


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@_input_errors_exit_2
def validate(path: Path) -> None:
    """Check a dataset folder or workbook (or a parameters file and its dataset, or a grant
    round and its bids) and print a summary."""
    from budgetopt.data.dataset import load_dataset
    from budgetopt.data.grant_round import is_round
    from budgetopt.data.inputs import load_inputs

    if path.suffix in {".yaml", ".yml"} and path.name != "dataset.yaml" and not path.is_dir():
        if is_round(path):  # as budgetopt run tells a round from a scenario
            from budgetopt.grants.inputs import check_round

            grant_round, summary = check_round(path)
            click.echo(summary)
            click.echo(f"\nGrant round '{grant_round.name}' is valid: {grant_round.title}")
            return
        inputs = load_inputs(path)
        click.echo(inputs.dataset.summary())
        click.echo(f"\nScenario '{inputs.scenario.name}' is valid: {inputs.scenario.title}")
        return
    if path.name == "dataset.yaml":
        path = path.parent
    click.echo(load_dataset(path).summary())
    click.echo("\nThe dataset is valid.")


@cli.group()
def dataset() -> None:
    """Datasets as a folder of CSV files or as one Excel workbook."""


@dataset.command("export")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--to", "to", type=click.Path(path_type=Path), required=True,
              help="FILE.xlsx for a folder; a folder for a workbook.")
@_input_errors_exit_2
def dataset_export(source: Path, to: Path) -> None:
    """Write a dataset folder as one workbook, or a workbook as a folder of CSV files (checked
    first; nothing is written when it is not valid)."""
    from budgetopt.data.dataset import load_folder
    from budgetopt.data.workbook_writer import export_dataset

    for path in export_dataset(source, to, load_folder):
        click.echo(f"Written: {path}")


@dataset.command("new")
@click.argument("name")
@click.option("--xlsx", "as_workbook", is_flag=True,
              help="One Excel workbook (NAME.xlsx) instead of a folder of CSV files.")
@click.option("--to", "to", type=click.Path(path_type=Path), default=None,
              help="Where to write it (default: data/NAME, or data/NAME.xlsx).")
@_input_errors_exit_2
def dataset_new(name: str, as_workbook: bool, to: Path | None) -> None:
    """Write an empty dataset to fill in: every table's header, a guide to each column, and
    a manifest whose values to fill in are marked FILL IN. Never replaces anything."""
    from budgetopt.data.template import new_dataset

    to = to or Path("data") / (f"{name}.xlsx" if as_workbook else name)
    written = new_dataset(name, to, workbook=as_workbook)
    click.echo(f"Written: {to}" + ("" if as_workbook else f" ({len(written)} files)"))
    click.echo(f"Fill it in (the guide is {'its first sheet' if as_workbook else 'README.md'}), "
               f"then run: budgetopt validate {to}")


@cli.command()
@click.argument("params", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Folder for allocation.csv, flows.csv and result.json "
              "(default: reports/<scenario>/).")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default=None,
              help="Override the scenario's solver.")
@_input_errors_exit_2
def solve(params: Path, out: Path | None, solver: str | None) -> None:
    """Solve one scenario and write its allocation, flows and result summary."""
    from budgetopt.core.files import prepare_folder
    from budgetopt.data.scenario import load_scenario, repository_root
    from budgetopt.pipeline import run_scenario
    from budgetopt.reporting.outputs import SOLVE_FILES, write_outputs

    reports = repository_root(params.resolve().parent) / "reports"
    with _bad_input_clears(out, params, reports, SOLVE_FILES):
        name = load_scenario(params).name
    out = out or reports / name
    prepare_folder(out, SOLVE_FILES)  # before the solve: a folder that will not do is said now
    run = run_scenario(params, solver=solver)
    write_outputs(run, out, workbook=False, manifest=False)
    click.echo(run.result.text)
    _echo_diagnosis(run)
    click.echo(f"\nWritten to {out}/")
    if not run.is_met:
        sys.exit(EXIT_NOT_MET)


def _echo_diagnosis(run: Any) -> None:
    """The smallest fix of a scenario that cannot be met, indented under what was printed."""
    if run.diagnosis is not None:
        click.echo("")
        for sentence in run.diagnosis.sentences:
            click.echo(f"  {sentence}")


@cli.command()
@click.argument("params", nargs=-1, type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Scenarios to run in parallel processes.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Folder for the papers (default: reports/ in the repository).")
@click.option("--meeting-date", default="", help="Date of the Police and Crime Panel meeting.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Send the papers to a Dask scheduler (the cluster extra) instead of --jobs "
              "local processes.")
@_input_errors_exit_2
def run(params: tuple[Path, ...], jobs: int, out: Path | None, meeting_date: str,
        scheduler: str | None) -> None:
    """Render a budget-setting paper for each scenario (default: every parameters/*.yaml)."""
    from budgetopt.reporting.interrupted_run import BEFORE_ANY_PAPER
    from budgetopt.reporting.interrupts import Interrupted, signals_interrupt

    # from the command's first moment (the files are checked before any paper starts), and never
    # given back to the default handler: a late Ctrl+C must not end the exit with −2 instead of 130
    with signals_interrupt(restore=False):
        try:
            from budgetopt.reporting.batch import run as run_papers

            code = run_papers(list(params), out, jobs=jobs, echo=click.echo,
                              meeting_date=meeting_date, scheduler=scheduler)
        except Interrupted:
            click.echo(BEFORE_ANY_PAPER)
            code = EXIT_INTERRUPTED
    sys.exit(code)


@cli.command()
@click.argument("params", type=click.Path(path_type=Path))
@click.option("--draws", type=click.IntRange(10, 100_000), default=None,
              help="Monte Carlo draws (default: the scenario's robustness.draws, else 1000).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None,
              help="Random seed (default: the scenario's robustness.seed, else 1).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Folder for robustness.csv and robustness.json (default: "
              "reports/<scenario>/).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Send the draws to a Dask scheduler (the cluster extra) instead of --jobs "
              "local processes.")
@_input_errors_exit_2
def robust(params: Path, draws: int | None, seed: int | None, jobs: int,
           out: Path | None, scheduler: str | None) -> None:
    """How sure the plan is: which services hold across draws of the uncertain evidence,
    what the plan risks (regret, EVPI) and the plan best on average."""
    from budgetopt.core.files import prepare_folder
    from budgetopt.data.scenario import Robustness, load_scenario, repository_root
    from budgetopt.pipeline import run_scenario
    from budgetopt.reporting.robustness import FILES, write_robustness
    from budgetopt.robust.analysis import analyse, summary_lines

    reports = repository_root(params.resolve().parent) / "reports"
    with _bad_input_clears(out, params, reports, FILES):
        scenario = load_scenario(params)
    base = (scenario.robustness or Robustness.model_validate({})).model_dump()
    changes = {k: v for k, v in (("draws", draws), ("seed", seed)) if v is not None}
    settings = Robustness.model_validate({**base, **changes})
    out = out or reports / scenario.name
    prepare_folder(out, FILES)
    run = run_scenario(params)  # a scenario that cannot be met gets its diagnosis, no draws
    if not run.is_met:
        click.echo(run.result.text)
        _echo_diagnosis(run)
        sys.exit(EXIT_NOT_MET)
    inputs = run.inputs
    bar = _progress(settings.draws)
    try:
        report = analyse(inputs, settings, jobs=jobs, progress=bar.update if bar else None,
                         scheduler=scheduler)
    except ValueError as e:  # the scenario itself cannot be met
        click.echo(f"{e}.", err=True)
        sys.exit(EXIT_NOT_MET)
    finally:
        if bar:
            bar.close()
    for line in summary_lines(report, inputs):
        click.echo(line)
    for path in write_robustness(report, out):
        click.echo(f"Written: {path}")


@cli.command()
@click.argument("round_file", metavar="ROUND.yaml", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Folder for awards.csv, round.json and awards.xlsx (default: "
              "reports/grants/<round>/).")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs",
              show_default=True)
@click.option("--no-scores", is_flag=True, help="Skip each bid's margin and needed score "
              "(one solve per bid): the reasons and the reserve list only.")
@click.option("--pabulib", "pabulib", type=click.Path(path_type=Path), default=None,
              help="Also write the round as Pabulib .pb files (one per fund and area) here.")
@_input_errors_exit_2
def grants(round_file: Path, out: Path | None, solver: str, no_scores: bool,
           pabulib: Path | None) -> None:
    """Choose a grant round's bids exactly, explain every decision, and compare with funding
    down the ranked list. ROUND.yaml may also be a Pabulib .pb file (one budget)."""
    from budgetopt.core.files import prepare_folder
    from budgetopt.data.grant_round import load_round
    from budgetopt.data.scenario import repository_root
    from budgetopt.grants.pabulib import is_pabulib, write_pabulib
    from budgetopt.grants.result import run_round
    from budgetopt.reporting.grants import ROUND_FILES, write_round

    reports = repository_root(round_file.resolve().parent) / "reports" / "grants"
    with _bad_input_clears(out, round_file, reports, ROUND_FILES):
        name = round_file.stem if is_pabulib(round_file) else load_round(round_file).name
    out = out or reports / name
    prepare_folder(out, ROUND_FILES)
    result = run_round(round_file, solver=solver, scores=not no_scores)
    for line in result.marking:
        click.echo(line)
    click.echo(result.selection.sentence())
    if result.is_met:
        c = result.comparison()
        e, r, g = c["exact"], c["ranked_list"], c["gain"]
        click.echo(f"Exact selection: {e['bids_funded']} bids, score {e['score']:g}, "
                   f"£{e['awarded_gbp']:,} awarded, £{e['unspent_gbp']:,} unspent.")
        click.echo(f"Down the ranked list: {r['bids_funded']} bids, score {r['score']:g}, "
                   f"£{r['awarded_gbp']:,} awarded, £{r['unspent_gbp']:,} unspent.")
        click.echo(f"The exact selection gains {g['score']:g} points of score and "
                   f"{g['bids_funded']:+d} bids.")
    else:
        for fix in result.fixes:
            click.echo(f"  {fix.sentence(result.inputs)}")
    for path in write_round(result, out):
        click.echo(f"Written: {path}")
    for path in write_pabulib(result.inputs, pabulib) if pabulib else []:
        click.echo(f"Written: {path}")
    if not result.is_met:
        sys.exit(EXIT_NOT_MET)


def _progress(total: int) -> Any:
    """A progress bar on a terminal (tqdm), else None."""
    import os

    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="draw", desc="budgetopt robust")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8866, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--params", default="parameters/baseline.yaml", show_default=True,
              help="Scenario the explorer starts from.")
@_input_errors_exit_2
def explore(port: int, params: str) -> None:
    """Serve the scenario explorer with Voila on 127.0.0.1 and print its address."""
    from budgetopt.explorer.serve import serve

    sys.exit(serve(port=port, params=params, echo=click.echo))


def main() -> None:
    cli(prog_name="budgetopt")


if __name__ == "__main__":  # pragma: no cover
    main()

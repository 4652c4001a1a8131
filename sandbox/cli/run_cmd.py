"""``sandbox run``: score generations (or self-validate on canonical solutions) with a suite.

McEval and MultiPL-E run here (runners/multilang); HumanEval+/MBPP+/HumanEval/MBPP are scored
exactly as evalplus does by runners/evalplus_suite.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sandbox.errors import BadInputError


class SuiteChoice(StrEnum):
    MCEVAL = "mceval"
    MULTIPL_E = "multipl-e"
    HUMANEVAL_PLUS = "humaneval+"
    MBPP_PLUS = "mbpp+"
    HUMANEVAL = "humaneval"
    MBPP = "mbpp"


EVALPLUS_SUITES = {
    SuiteChoice.HUMANEVAL_PLUS,
    SuiteChoice.MBPP_PLUS,
    SuiteChoice.HUMANEVAL,
    SuiteChoice.MBPP,
}


class _Bar:
    """A progress bar on stderr (stdout stays clean for --json); callable as (done, total)."""

    def __init__(self, label: str, enabled: bool) -> None:
        self._progress = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled,
            transient=True,
        )
        self._task = self._progress.add_task(label, total=None)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start(self, total: int) -> None:
        self._progress.update(self._task, total=total, completed=0)
        if total:
            self._progress.start()

    def advance(self, *_: object) -> None:
        self._progress.advance(self._task)

    def __call__(self, done: int | None = None, total: int | None = None, *_: object) -> None:
        self._progress.start()
        if total is not None:
            self._progress.update(self._task, total=total)
        if done is not None:
            self._progress.update(self._task, completed=done)
        else:
            self._progress.advance(self._task)


def run(
    suite: SuiteChoice | None = typer.Option(
        None, "--suite", "-s", help="Suite; default mceval when --lang or --samples is given."
    ),
    lang: list[str] = typer.Option(
        [], "--lang", "-l", help="Language id/alias (repeatable) or 'all' (McEval/MultiPL-E)."
    ),
    samples: Path | None = typer.Option(
        None,
        "--samples",
        help="JSONL FILE or DIR: task_id, language, completion|solution (several per task). "
        "Without it the suite's canonical solutions run (self-validation).",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Results DIR (default under results/); a re-run resumes."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print summary.json on stdout."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1, help="Parallel runs."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="First N tasks per language."),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        "--dataset-path",
        help="Dataset folder (McEval/MultiPL-E; default ../shared/data beside the repo) or, "
        "for evalplus suites, the dataset JSONL file.",
    ),
    model: str | None = typer.Option(None, "--model", help="Model name for the summary."),
    timeout: float = typer.Option(
        15.0, "--timeout", min=0.001, help="Run time limit per program (x language factor)."
    ),
    k: list[int] = typer.Option([1, 10, 100], "--k", help="pass@k values (repeatable)."),
    base_only: bool = typer.Option(False, "--base-only", help="evalplus: base tests only."),
    min_time_limit: float = typer.Option(1.0, "--min-time-limit", help="evalplus: seconds."),
    gt_time_limit_factor: float = typer.Option(
        4.0, "--gt-time-limit-factor", help="evalplus: x ground-truth time."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar."),
    fix_known_data_bugs: bool = typer.Option(
        False,
        "--fix-known-data-bugs",
        help="McEval/MultiPL-E: apply the known upstream data fixes (`sandbox languages "
        "--issues`); off by default, so that scores compare with the papers.",
    ),
) -> None:
    """Evaluate a model's samples with a suite and print pass rates and pass@k per language.

    `sandbox run --lang all` runs McEval's canonical solutions in every language (a
    self-validation of the sandbox). Exit code: 1 when self-validation finds an unexplained
    failure, a sandbox error or unfinished work; 2 for bad input.
    """
    chosen = _choose_suite(suite, lang, samples)
    show_bar = progress and not json_output
    if chosen in EVALPLUS_SUITES:
        if lang:
            raise BadInputError(f"--lang does not apply to {chosen.value}", "drop --lang")
        if fix_known_data_bugs:
            raise BadInputError(
                f"--fix-known-data-bugs does not apply to {chosen.value}", "drop it"
            )
        summary = _run_evalplus(
            chosen, samples, output, workers, base_only, data_dir, limit,
            min_time_limit, gt_time_limit_factor, show_bar, model,
        )  # fmt: skip
        _print(summary, json_output, _print_evalplus)
        if not summary.get("complete", True):
            raise typer.Exit(1)
        return
    summary = _run_multilang(
        chosen, lang, samples, output, workers, limit, data_dir, model, timeout, k, show_bar,
        fix_known_data_bugs,
    )  # fmt: skip
    _print(summary, json_output, _print_multilang)
    from runners.multilang.aggregate import run_failed

    if summary["mode"] == "canonical" and run_failed(summary):
        raise typer.Exit(1)


def _choose_suite(suite: SuiteChoice | None, lang: list[str], samples: Path | None) -> SuiteChoice:
    if suite is not None:
        return suite
    if lang or samples is not None:
        return SuiteChoice.MCEVAL
    raise BadInputError(
        "nothing to run", "pass --lang all (McEval self-validation), --samples FILE or --suite"
    )


def _run_multilang(
    suite: SuiteChoice,
    lang: list[str],
    samples: Path | None,
    output: Path | None,
    workers: int | None,
    limit: int | None,
    data_dir: Path | None,
    model: str | None,
    timeout: float,
    k: list[int],
    show_bar: bool,
    fix_known_data_bugs: bool = False,
) -> dict[str, Any]:
    from runners.multilang.models import SuiteName
    from runners.multilang.plan import SuitePlan
    from runners.multilang.runner import SuiteRunSpec, run_suite

    spec = SuiteRunSpec(
        suite=SuiteName(suite.value),
        languages=tuple(lang),
        samples=samples,
        output=output,
        data_dir=data_dir,
        model=model,
        workers=workers,
        limit=limit,
        timeout_s=timeout,
        ks=tuple(sorted(set(k))),
        fix_known_data_bugs=fix_known_data_bugs,
    )
    with _Bar(f"{suite.value}", show_bar) as bar:

        def on_plan(plan: SuitePlan, pending: int) -> None:
            bar.start(pending)

        return run_suite(spec, on_plan=on_plan, on_record=bar.advance)


def _run_evalplus(
    suite: SuiteChoice,
    samples: Path | None,
    output: Path | None,
    workers: int | None,
    base_only: bool,
    data_dir: Path | None,
    limit: int | None,
    min_time_limit: float,
    gt_time_limit_factor: float,
    show_bar: bool,
    model_name: str | None = None,
) -> dict[str, Any]:
    # Imported here so that the rest of the CLI starts without evalplus's heavy imports.
    from runners.evalplus_suite import run_evalplus
    from runners.results import ResultsStore, default_output_dir

    model = model_name or (samples.stem if samples is not None else "canonical")
    directory = output or default_output_dir("run", suite.value, model)
    summary: dict[str, Any] = run_evalplus(
        suite=suite.value,
        samples=samples,
        output=directory,
        workers=workers,
        base_only=base_only,
        dataset_path=_evalplus_dataset(suite, data_dir),
        limit=limit,
        min_time_limit=min_time_limit,
        gt_time_limit_factor=gt_time_limit_factor,
        progress=show_bar,
    )
    if model_name and summary.get("model") != model_name:  # --model names the evaluated model
        summary["model"] = model_name
        ResultsStore(directory).write_summary(summary)
    return summary


EVALPLUS_FILES = {SuiteChoice.HUMANEVAL_PLUS: Path("humanevalplus", "HumanEvalPlus.jsonl.gz")}
"""Where a shared data folder (see shared/data/SOURCES.md) keeps an evalplus dataset."""


def _evalplus_dataset(suite: SuiteChoice, data_dir: Path | None) -> Path | None:
    """A data folder given for an evalplus suite stands for the dataset file inside it."""
    if data_dir is None or not data_dir.is_dir():
        return data_dir
    inside = data_dir / EVALPLUS_FILES[suite] if suite in EVALPLUS_FILES else None
    if inside is None or not inside.is_file():
        raise BadInputError(
            f"--data-dir {data_dir} is a folder; {suite.value} needs its dataset file",
            "pass the .jsonl/.jsonl.gz file itself",
        )
    return inside


def _print(summary: dict[str, Any], json_output: bool, printer: Any) -> None:
    if json_output:
        typer.echo(json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        printer(summary)


def _print_multilang(summary: dict[str, Any]) -> None:
    from runners.multilang.report import print_summary

    print_summary(Console(), summary)


def _print_evalplus(summary: dict[str, Any]) -> None:
    """pass@k of the base and plus tests, as evalplus prints them, plus the counts."""
    metrics: dict[str, dict[str, float]] = summary.get("metrics", {})
    ks = sorted({k for values in metrics.values() for k in values}, key=lambda k: int(k[5:]))
    table = Table(
        title=f"{summary.get('suite', '')}: {summary.get('model', '')}",
        box=box.SIMPLE_HEAD,
        min_width=48,
        caption=f"{summary.get('n_samples', 0)} samples over {summary.get('n_tasks', 0)} tasks",
    )
    table.add_column("tests")
    for k in ks:
        table.add_column(k, justify="right")
    for tests, values in metrics.items():
        table.add_row(tests, *(f"{100 * values[k]:.1f}%" if k in values else "-" for k in ks))
    console = Console()
    console.print(table)
    counts = summary.get("counts", {})
    for tests in ("base", "plus"):
        if tests in counts:
            console.print(f"{tests}: " + ", ".join(f"{v} {k}" for k, v in counts[tests].items()))
    for note in summary.get("deviations", []):
        console.print(f"note: {note}")
    if not summary.get("complete", True):
        console.print(
            f"[red]incomplete: {counts.get('errors', 0)} sandbox errors; re-run resumes[/]"
        )


def register(app: typer.Typer) -> None:
    """Add ``run`` to the main app."""
    app.command("run")(run)

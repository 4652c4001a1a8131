"""``sandbox run``: score generations (or self-validate on canonical solutions) with a suite.

Every suite is a registered plug-in (runners/suites); this command only builds the run's
spec from its options and prints what the suite returns.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from runners.cli.options import EXECUTOR_OPTION, RAY_ADDRESS_OPTION, print_notes
from runners.suites import get_suite, suite_names
from sandbox.errors import BadInputError
from sandbox.executors import ExecutorKind, make_executor
from sandbox.progress import ProgressReporter


def run(
    suite: str | None = typer.Option(
        None,
        "--suite",
        "-s",
        help="mceval, multipl-e, humaneval+, mbpp+, humaneval or mbpp; default mceval "
        "when --lang or --samples is given.",
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
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1, help="Parallel runs (per node with --executor ray)."
    ),
    executor: ExecutorKind = EXECUTOR_OPTION,
    ray_address: str | None = RAY_ADDRESS_OPTION,
    limit: int | None = typer.Option(None, "--limit", min=1, help="First N tasks per language."),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        "--dataset-path",
        help="Dataset folder (McEval/MultiPL-E) or file (evalplus suites) instead of the "
        "shipped datasets/.",
    ),
    model: str | None = typer.Option(None, "--model", help="Model name for records and summary."),
    timeout: float = typer.Option(
        15.0, "--timeout", min=0.001, help="Run time limit per program (x language factor)."
    ),
    k: list[int] = typer.Option([1, 10, 100], "--k", help="pass@k values (repeatable)."),
    base_only: bool = typer.Option(False, "--base-only", help="evalplus: base tests only."),
    min_time_limit: float = typer.Option(1.0, "--min-time-limit", help="evalplus: seconds."),
    gt_time_limit_factor: float = typer.Option(
        4.0, "--gt-time-limit-factor", help="evalplus: x ground-truth time."
    ),
    details: bool = typer.Option(
        False,
        "--details",
        help="evalplus: run every input and keep every failing one (evalplus --test-details); "
        "by default each split stops at its first failing input, as evalplus does.",
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress."),
    fix_known_data_bugs: bool = typer.Option(
        False,
        "--fix-known-data-bugs",
        help="McEval/MultiPL-E: apply the known upstream data fixes (`sandbox languages "
        "--issues`); off by default, so that scores compare with the papers.",
    ),
) -> None:
    """Score a model's samples with a suite: pass rates and pass@k (per language).

    `sandbox run --lang all` runs McEval's canonical solutions in every language (a
    self-validation of the sandbox). Exit code: 1 when self-validation finds an unexplained
    failure, a sandbox error or unfinished work; 2 for bad input.
    """
    from runners.suites.base import SuiteRunSpec
    from runners.suites.driver import run_suite

    name = _choose_suite(suite, lang, samples)
    chosen = get_suite(name)
    options = {
        "timeout_s": timeout,
        "ks": tuple(sorted(set(k))),
        "base_only": base_only,
        "min_time_limit": min_time_limit,
        "gt_time_limit_factor": gt_time_limit_factor,
        "test_details": details,
        "fix_known_data_bugs": fix_known_data_bugs,
    }
    if fix_known_data_bugs and "fix_known_data_bugs" not in chosen.Options.model_fields:
        raise BadInputError(f"--fix-known-data-bugs does not apply to {name}", "drop it")
    spec = SuiteRunSpec(
        suite=name,
        model=model,
        samples=samples,
        output=output,
        languages=tuple(lang),
        limit=limit,
        data=data_dir,
        workers=workers,
        options={
            key: value for key, value in options.items() if key in chosen.Options.model_fields
        },
    )
    with (
        make_executor(executor, ray_address, workers) as runner,
        ProgressReporter(enabled=progress and not json_output) as reporter,
    ):
        summary = run_suite(spec, executor=runner, progress=reporter)
    print_notes(runner.notes)
    if json_output:
        typer.echo(summary.model_dump_json(indent=2))
    else:
        Console().print(chosen.render(summary))
    if chosen.failed(summary):
        raise typer.Exit(1)


def _choose_suite(suite: str | None, lang: list[str], samples: Path | None) -> str:
    if suite is not None:
        return suite
    if lang or samples is not None:
        return "mceval"
    raise BadInputError(
        "nothing to run",
        f"pass --lang all (McEval self-validation), --samples FILE or --suite "
        f"({', '.join(suite_names())})",
    )


def register(app: typer.Typer) -> None:
    """Add ``run`` to the main app."""
    app.command("run", short_help="Score samples with a suite: pass rates, pass@k.")(run)

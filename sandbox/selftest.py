"""The self-test: every language's smoke programs, in its image, must give the expected verdict.

``smoke/`` of each language folder holds:
  hello.<ext>          prints exactly the spec's hello output        -> ok
  compile_error.<ext>  (compiled languages)                          -> compile_error
  runtime_error.<ext>                                                -> nonzero_exit
  timeout.<ext>        an endless loop                               -> timeout
  wrong.<ext>          a wrong solution under the suites' assertions -> nonzero_exit
The wrong solution must fail *at run time*: a compile error there would prove nothing about
the assertion style (the trap is an assertion that prints but exits 0). Languages whose image
needs a registry are skipped; an available language with no built image fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path

from sandbox.availability import LanguageState, LanguageStatusResult, StatusProbe
from sandbox.executor import Executor
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult, FrozenModel, LimitsSpec, Status

SMOKE_TIMEOUT_S = 2.0
"""Run limit for the endless loop (times the language's factor): long enough to start up."""
CHECKS = ("hello", "compile_error", "runtime_error", "timeout", "wrong")
EXPECTED = {
    "hello": Status.OK,
    "compile_error": Status.COMPILE_ERROR,
    "runtime_error": Status.NONZERO_EXIT,
    "timeout": Status.TIMEOUT,
    "wrong": Status.NONZERO_EXIT,
}


class SelftestState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class SmokeCheckResult(FrozenModel):
    """One smoke program's outcome against its expectation."""

    name: str
    expected: str
    got: str | None = None
    ok: bool
    detail: str = ""


class LanguageSelftestResult(FrozenModel):
    """A language's self-test: passed only if every required check did."""

    language: str
    state: SelftestState
    detail: str = ""
    toolchain: str | None = None
    image_id: str | None = None
    checks: tuple[SmokeCheckResult, ...] = ()


def find_smoke_files(spec: LanguageSpec) -> dict[str, Path]:
    """Smoke programs by check name (the file matching the source file's suffix wins)."""
    folder = spec.directory / "smoke"
    suffix = Path(spec.source_file).suffix
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        wanted = path.is_file() and path.stem in CHECKS
        if wanted and (path.stem not in found or path.suffix == suffix):
            found[path.stem] = path
    return found


def required_checks(spec: LanguageSpec) -> list[str]:
    """compile_error is required of compiled languages only."""
    return [name for name in CHECKS if name != "compile_error" or spec.is_compiled]


def smoke_request(spec: LanguageSpec, name: str, path: Path) -> ExecutionRequest:
    """The request running one smoke program the way the suites run programs."""
    limits = LimitsSpec(timeout_s=SMOKE_TIMEOUT_S) if name == "timeout" else LimitsSpec()
    return spec.make_request(
        path.read_text(encoding="utf-8"), limits=limits, tag=f"{spec.id}/{name}"
    )


def judge_smoke(spec: LanguageSpec, name: str, result: ExecutionResult) -> SmokeCheckResult:
    """Compare a smoke result with its expectation (hello also checks the exact output)."""
    expected = EXPECTED[name] if name != "compile_error" or spec.is_compiled else None
    got = result.status
    if got is Status.SANDBOX_ERROR:
        return _check(name, expected, got, False, f"sandbox error: {result.error or ''}"[:200])
    if expected is None:  # a compile_error file for an interpreted language: must not pass
        return _check(name, None, got, got is not Status.OK, "")
    if got is not expected:
        return _check(name, expected, got, False, _why(result))
    if name == "hello" and result.stdout not in _hello_outputs(spec):
        return _check(name, expected, got, False, f"printed {result.stdout[:60]!r}")
    return _check(name, expected, got, True, "")


def _hello_outputs(spec: LanguageSpec) -> set[str]:
    text = spec.smoke.hello_output
    return {text, text + "\n"}


def _why(result: ExecutionResult) -> str:
    text = (result.compile_output or result.stderr or result.stdout or result.error or "").strip()
    return text.splitlines()[-1][:200] if text else ""


def _check(
    name: str, expected: Status | None, got: Status | None, ok: bool, detail: str
) -> SmokeCheckResult:
    return SmokeCheckResult(
        name=name,
        expected=expected.value if expected is not None else "not ok",
        got=got.value if got is not None else None,
        ok=ok,
        detail=detail,
    )


def run_selftest(
    specs: Iterable[LanguageSpec],
    probe: StatusProbe,
    executor_factory: Callable[[], Executor],
    on_result: Callable[[LanguageSelftestResult], None] | None = None,
) -> list[LanguageSelftestResult]:
    """Self-test every language; all smoke programs run in parallel through one executor."""
    outcomes: dict[str, LanguageSelftestResult] = {}
    requests: list[ExecutionRequest] = []
    pending: dict[str, dict[str, SmokeCheckResult]] = {}
    ready: dict[str, tuple[LanguageSpec, LanguageStatusResult]] = {}
    to_run: dict[str, int] = {}
    for spec in specs:
        status = probe(spec)
        early = _not_runnable(spec, status)
        if early is not None:
            outcomes[spec.id] = early
            if on_result is not None:
                on_result(early)
            continue
        files = find_smoke_files(spec)
        ready[spec.id] = (spec, status)
        pending[spec.id] = {
            name: _check(name, EXPECTED[name], None, False, f"missing smoke/{name}.*")
            for name in required_checks(spec)
            if name not in files
        }
        requests += [smoke_request(spec, name, path) for name, path in files.items()]
        to_run[spec.id] = len(files)
    if requests:
        executor = executor_factory()
        try:
            for request, result in executor.run_many(requests):
                language, _, name = (request.tag or "").partition("/")
                spec, status = ready[language]
                pending[language][name] = judge_smoke(spec, name, result)
                to_run[language] -= 1
                if to_run[language] == 0:
                    outcomes[language] = _finish(spec, status, pending[language], on_result)
        finally:
            executor.close()
    for language, (spec, status) in ready.items():
        if language not in outcomes:  # no smoke files at all
            outcomes[language] = _finish(spec, status, pending[language], on_result)
    return [outcomes[spec_id] for spec_id in sorted(outcomes)]


def _not_runnable(
    spec: LanguageSpec, status: LanguageStatusResult
) -> LanguageSelftestResult | None:
    if status.ready:
        return None
    state = (
        SelftestState.SKIPPED if status.state is LanguageState.UNAVAILABLE else SelftestState.FAILED
    )
    return LanguageSelftestResult(language=spec.id, state=state, detail=status.detail)


def _finish(
    spec: LanguageSpec,
    status: LanguageStatusResult,
    checks: dict[str, SmokeCheckResult],
    on_result: Callable[[LanguageSelftestResult], None] | None,
) -> LanguageSelftestResult:
    ordered = tuple(checks[name] for name in CHECKS if name in checks)
    failed = [c for c in ordered if not c.ok]
    result = LanguageSelftestResult(
        language=spec.id,
        state=SelftestState.FAILED if failed else SelftestState.PASSED,
        detail="; ".join(f"{c.name}: got {c.got or 'nothing'} ({c.detail})" for c in failed),
        toolchain=status.toolchain,
        image_id=status.image_id,
        checks=ordered,
    )
    if on_result is not None:
        on_result(result)
    return result


def selftest_failed(results: Iterable[LanguageSelftestResult]) -> bool:
    """True if any language that could run (or should have) failed."""
    return any(r.state is SelftestState.FAILED for r in results)

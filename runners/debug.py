"""``sandbox debug``: re-create one sample's execution from its results record.

The record's ``request`` (an ``ExecutionRequest`` dump: image, files, commands, limits) is run
again through the engine, and shown next to what was recorded. ``--shell`` and ``--keep`` start
a container from the same image with the same limits and the files in /work, kept alive by
``sleep`` under the launcher, plus helper scripts in /work/.sandbox/ (compile.sh, run.sh).
"""

from __future__ import annotations

import shlex
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from runners.records import SampleRecord
from runners.report.loaders import LoadedSource, load_source
from runners.report.records import failing_case
from runners.report.schema import SourceKind
from runners.results import hydrate_request
from sandbox.engine import PROGRAM_USER, DockerEngine
from sandbox.errors import BadInputError
from sandbox.models import ExecutionRequest

HELPER_DIR = ".sandbox"
KEEP_DEFAULT_S = 3600.0
READY_WAIT_S = 30.0


class DebugInputError(BadInputError):
    """The results directory has no record (or no request) for the task and sample asked."""


@dataclass(frozen=True)
class DebugTarget:
    """The record to debug and the request it holds."""

    source: LoadedSource
    record: SampleRecord
    request: ExecutionRequest

    @property
    def label(self) -> str:
        return f"{self.record.task_id} sample {self.record.sample_index}"

    def failing_case(self) -> dict[str, str]:
        """Failing input, expected and actual output as the suite recorded them."""
        return failing_case(self.record)


def find_target(results_dir: Path, task_id: str, sample: int | None) -> DebugTarget:
    """The record of ``task_id`` (and ``sample``; the first failing one when not given)."""
    source = load_source(results_dir)
    if source.summary.kind is not SourceKind.SUITE:
        raise DebugInputError(
            f"{results_dir} holds judgments ({source.summary.name}), not executions",
            "debug works on the results of `sandbox run`",
        )
    records = source.sample_records()
    matches = [r for r in records if r.task_id == task_id]
    if not matches:
        known = sorted({r.task_id for r in records})
        hint = ", ".join(known[:8]) + (" ..." if len(known) > 8 else "")
        raise DebugInputError(
            f"{results_dir}: no record for task {task_id!r}", f"use one of: {hint or 'none'}"
        )
    if sample is not None:
        matches = [r for r in matches if r.sample_index == sample]
        if not matches:
            raise DebugInputError(
                f"{results_dir}: task {task_id!r} has no sample {sample}",
                "omit --sample or pass one the task has",
            )
    else:
        matches = [r for r in matches if not r.passed] or matches
    record = matches[0]
    if record.request is None:
        raise DebugInputError(
            f"{results_dir}: the record of {task_id!r} holds no execution request",
            "it was judged without running a program (a document comparison)",
        )
    try:
        request = ExecutionRequest.model_validate(hydrate_request(record.request, results_dir))
    except ValidationError as exc:
        raise DebugInputError(
            f"{results_dir}: the request of {task_id!r} does not parse "
            f"({exc.error_count()} errors)",
            "re-run the suite with this version of sandbox",
        ) from exc
    return DebugTarget(source=source, record=record, request=request)


def make_helper_files(request: ExecutionRequest) -> dict[str, str]:
    """Scripts that repeat the request's compile and run steps by hand inside the container."""
    env = "".join(
        f"export {k}={shlex.quote(v)}\n" for k, v in request.env.items() if k.isidentifier()
    )
    stdin = f" < /work/{HELPER_DIR}/stdin" if request.stdin is not None else " < /dev/null"
    files = {
        f"{HELPER_DIR}/env.sh": env,
        f"{HELPER_DIR}/compile.sh": (
            f". /work/{HELPER_DIR}/env.sh\ncd /work\n{request.compile or ':'}\n"
        ),
        f"{HELPER_DIR}/run.sh": (
            f". /work/{HELPER_DIR}/env.sh\ncd /work\n{{\n{request.run}\n}}{stdin}\n"
        ),
    }
    if request.stdin is not None:
        files[f"{HELPER_DIR}/stdin"] = request.stdin
    return files


def make_keeper_request(request: ExecutionRequest, keep_s: float) -> ExecutionRequest:
    """The same files, image and limits, but compile then sleep instead of running."""
    run = (
        f"sh {HELPER_DIR}/compile.sh > {HELPER_DIR}/compile.log 2>&1; "
        f": > {HELPER_DIR}/ready; exec sleep {int(keep_s)}"
    )
    limits = request.limits.model_copy(update={"timeout_s": keep_s})
    return request.model_copy(
        update={
            "files": {**request.files, **make_helper_files(request)},
            "compile": None,
            "run": run,
            "stdin": None,
            "limits": limits,
            "tag": f"debug:{request.tag or ''}",
        }
    )


@dataclass
class KeptContainer:
    """A debug container and the thread holding its launcher connection."""

    id: str
    thread: threading.Thread

    def exec_command(self, shell: str = "sh") -> list[str]:
        """The ``docker exec`` command line that opens a shell in /work."""
        return ["docker", "exec", "-it", "-u", PROGRAM_USER, "-w", "/work", self.id, shell]


def start_kept_container(
    engine: DockerEngine, request: ExecutionRequest, keep_s: float = KEEP_DEFAULT_S
) -> KeptContainer:
    """Start a container with the request's image, limits and files, alive for ``keep_s``.

    Returns once the files are in place and the compile step (if any) has finished.
    """
    keeper = make_keeper_request(request, keep_s)
    warm = engine.start_warm(keeper.image, keeper.limits, keep_until=time.time() + keep_s)
    thread = threading.Thread(target=engine.execute, args=(warm, keeper), daemon=True)
    thread.start()
    deadline = time.monotonic() + READY_WAIT_S + request.limits.compile_timeout_s
    while time.monotonic() < deadline:
        if _exec_ok(engine, warm.id, ["test", "-e", f"/work/{HELPER_DIR}/ready"]):
            return KeptContainer(id=warm.id, thread=thread)
        if not thread.is_alive():
            break
        time.sleep(0.2)
    engine.remove(warm.id)
    raise BadInputError(
        f"the debug container for {request.image} did not come up",
        "check `sandbox exec` works for this language, then retry",
    )


def _exec_ok(engine: DockerEngine, container_id: str, command: list[str]) -> bool:
    import docker.errors

    try:
        created = engine.api.exec_create(container_id, command, user=PROGRAM_USER)
        engine.api.exec_start(created["Id"])
        code = engine.api.exec_inspect(created["Id"]).get("ExitCode")
    except docker.errors.APIError:
        return False
    return bool(code == 0)

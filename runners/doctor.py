"""``sandbox doctor``: is this machine ready, and if not, what to do about it.

Each check returns a :class:`CheckResult`: ``ok``, ``warn`` (works, but something is worth
knowing) or ``fail`` (a command will not work), with the fix in one line. Checks never raise
for a problem they are meant to find.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from runners.data import shipped_data_dir
from sandbox.errors import SandboxError
from sandbox.models import FrozenModel

MIN_FREE_GIB = 10.0
"""Below this much free disk, image builds and large runs are at risk."""


class CheckState(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


class CheckResult(FrozenModel):
    """One line of the doctor's report."""

    name: str
    state: CheckState
    detail: str
    fix: str = ""


def _ok(name: str, detail: str) -> CheckResult:
    return CheckResult(name=name, state=CheckState.OK, detail=detail)


def _problem(name: str, state: CheckState, detail: str, fix: str) -> CheckResult:
    return CheckResult(name=name, state=state, detail=detail, fix=fix)


def check_engine() -> tuple[CheckResult, Any]:
    """The Docker engine answers; returns the engine too (None when it does not)."""
    from sandbox.engine import DockerEngine

    try:
        engine = DockerEngine()
        info = engine.api.info()
    except SandboxError as exc:
        return _problem("engine", CheckState.FAIL, exc.problem, exc.fix), None
    version = engine.api.version().get("Version", "?")
    detail = (
        f"Docker {version}, {info.get('Driver', '?')} storage, "
        f"cgroup v{info.get('CgroupVersion', '?')}, {info.get('NCPU', '?')} CPUs, "
        f"runtimes: {', '.join(sorted(info.get('Runtimes') or {})) or '?'}"
    )
    return _ok("engine", detail), engine


def check_base_images(engine: Any) -> CheckResult:
    """Every base image that an available language builds FROM is on the engine."""
    from sandbox.bases import base_image_exists
    from sandbox.languages import load_registry

    wanted = sorted({s.base_image for s in load_registry().values() if s.available})
    missing = [tag for tag in wanted if not base_image_exists(engine, tag)]
    if missing:
        return _problem(
            "base images",
            CheckState.FAIL,
            f"missing: {', '.join(missing)}",
            "run `sandbox images bootstrap` (debootstrap from this host's apt mirror)",
        )
    return _ok("base images", ", ".join(wanted))


def check_language_images(engine: Any) -> CheckResult:
    """Each language's image: built and current, stale, not built, or unavailable here."""
    from sandbox.availability import LanguageState, probe_with_engine
    from sandbox.languages import load_registry

    probe = probe_with_engine(engine)
    states: dict[str, list[str]] = {"current": [], "stale": [], "not built": [], "unavailable": []}
    for spec in load_registry().values():
        status = probe(spec)
        if status.state is LanguageState.UNAVAILABLE:
            states["unavailable"].append(spec.id)
        elif status.state is not LanguageState.READY:
            states["not built"].append(spec.id)
        elif status.up_to_date is False:
            states["stale"].append(spec.id)
        else:
            states["current"].append(spec.id)
    detail = ", ".join(f"{len(ids)} {name}" for name, ids in states.items() if ids)
    todo = states["not built"] + states["stale"]
    if todo:
        shown = " ".join(f"--lang {lang}" for lang in todo[:6]) + (" ..." if len(todo) > 6 else "")
        fix = f"run `sandbox images build {shown}` (or --lang all)"
        state = CheckState.FAIL if states["not built"] else CheckState.WARN
        return _problem("language images", state, f"{detail}: {', '.join(todo)}", fix)
    if states["unavailable"]:
        detail += f" ({', '.join(states['unavailable'])}: base image needs a registry)"
    return _ok("language images", detail)


def check_disk(engine: Any) -> CheckResult:
    """Free space where images live (the engine's data root) and where results go."""
    places = {"results": Path.cwd()}
    if engine is not None:
        root = engine.api.info().get("DockerRootDir")
        if root and Path(root).exists():
            places["images"] = Path(root)
    free = {name: shutil.disk_usage(path).free / 2**30 for name, path in places.items()}
    detail = ", ".join(f"{name}: {gib:.0f} GiB free" for name, gib in free.items())
    low = [name for name, gib in free.items() if gib < MIN_FREE_GIB]
    if low:
        return _problem(
            "disk",
            CheckState.WARN,
            detail,
            f"free space on the disk of {', '.join(low)} (all images need ~15 GiB)",
        )
    return _ok("disk", detail)


def check_data() -> CheckResult:
    """The shipped datasets are in this checkout (or ``SANDBOX_DATA_DIR`` names a folder)."""
    from runners.data import DATA_DIR_VARIABLE, default_data_root

    root = default_data_root()
    needed = ["mceval", "multipl-e-humaneval", "humanevalplus"]
    missing = [name for name in needed if not (root / name).is_dir()]
    if missing:
        where = f"${DATA_DIR_VARIABLE}" if os.environ.get(DATA_DIR_VARIABLE) else "this checkout"
        return _problem(
            "data",
            CheckState.FAIL,
            f"{root}: no {', '.join(missing)}",
            f"restore datasets/ from git (or fix {where})",
        )
    origin = "shipped" if root == shipped_data_dir() else "from $SANDBOX_DATA_DIR"
    return _ok("data", f"McEval, MultiPL-E, HumanEval+ ({origin}, {root})")


def check_evalplus() -> CheckResult:
    """The evalplus version the HumanEval+/MBPP+ suites are built against."""
    from runners.evalplus_suite.payload import check_evalplus_version

    try:
        version = check_evalplus_version()
    except SandboxError as exc:
        return _problem("evalplus", CheckState.FAIL, exc.problem, exc.fix)
    return _ok("evalplus", f"evalplus {version} (MBPP+ comes through its loader when online)")


def check_cache() -> CheckResult:
    """The cache root is writable."""
    from sandbox.files import cache_root

    root = cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / ".doctor"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return _problem(
            "cache", CheckState.FAIL, f"{root}: {exc.strerror}", "set SANDBOX_CACHE_DIR"
        )
    return _ok("cache", str(root))


def run_checks() -> list[CheckResult]:
    """Every check, engine first (the image checks need it)."""
    engine_result, engine = check_engine()
    results = [engine_result]
    if engine is not None:
        results += [check_base_images(engine), check_language_images(engine)]
    simple: list[Callable[[], CheckResult]] = [check_data, check_evalplus, check_cache]
    results += [check_disk(engine), *(check() for check in simple)]
    return results

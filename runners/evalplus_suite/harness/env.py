"""The harness's process environment: the result channel, evalplus importable in the image,
payload files, CPU measurements and short representations."""

from __future__ import annotations

import base64
import contextlib
import importlib
import json
import lzma
import multiprocessing.util
import os
import pickle
import reprlib
import sys
import time
import types
import zlib
from typing import Any

TEXT_LIMIT = 2000
SHARE_WINDOW_S = 0.1
_channel: dict[str, int] = {}


class _ForkHook:
    """Closes the result channel in every process multiprocessing forks (the sample's)."""

    def close_channel(self) -> None:
        fd = _channel.pop("fd", None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


_FORK_HOOK = _ForkHook()


def open_channel() -> None:
    """Keep private copies of stdout (results) and stderr (our diagnostics); everything else
    written to fds 1 and 2 goes to /dev/null, which, like evalplus's terminal, never fills up
    (Python-level output is swallowed by evalplus, and captured when a failure is re-run)."""
    _channel["fd"] = os.dup(1)
    diagnostics = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    sys.stderr = os.fdopen(diagnostics, "w", buffering=1)
    multiprocessing.util.register_after_fork(_FORK_HOOK, _ForkHook.close_channel)


def emit(event: str, **fields: Any) -> None:
    """Write one JSON line on the result channel."""
    data = (json.dumps({"event": event, **fields}) + "\n").encode()
    fd = _channel["fd"]
    while data:
        written = os.write(fd, data)
        data = data[written:]


def install_psutil_compat() -> None:
    """evalplus imports psutil only for the total RAM (``virtual_memory().total``, the kernel's
    MemTotal): a stand-in gives that same number without importing psutil, which costs ~25 ms
    of CPU per sample (and which Debian's image may lack)."""
    if "psutil" in sys.modules:
        return
    module = types.ModuleType("psutil")
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")

    def virtual_memory() -> types.SimpleNamespace:
        return types.SimpleNamespace(total=total)

    module.virtual_memory = virtual_memory  # type: ignore[attr-defined]
    sys.modules["psutil"] = module


class _ArrayCheck(type):
    """``isinstance(x, np.ndarray)`` without importing numpy: until something has imported
    numpy, nothing can be an array."""

    def __instancecheck__(cls, obj: object) -> bool:
        real = sys.modules.get("numpy")
        if real is None or isinstance(real, _NumpyOnDemand):
            return False
        return isinstance(obj, real.ndarray)


class _PendingArray(metaclass=_ArrayCheck):
    pass


class _NumpyOnDemand(types.ModuleType):
    """evalplus.eval's ``np`` until a sample needs numpy (importing it costs ~0.1 s of CPU
    per sample, and most never touch it); any other attribute imports the real numpy."""

    ndarray = _PendingArray

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module("numpy"), name)


def import_evalplus() -> Any:
    """evalplus's eval package, imported with numpy standing by rather than loaded."""
    if "evalplus.eval" in sys.modules:
        return sys.modules["evalplus.eval"]
    stand_in = "numpy" not in sys.modules
    if stand_in:
        sys.modules["numpy"] = _NumpyOnDemand("numpy")
    try:
        return importlib.import_module("evalplus.eval")
    finally:
        if stand_in:
            del sys.modules["numpy"]


def load_numpy_if_needed(payload: dict[str, Any], expected: dict[str, Any]) -> None:
    """Load numpy before the checks whenever evalplus or the sample may use it, so that the
    sample finds it already imported, as under evalplus: the sample names numpy, or the
    comparison can reach ``np.allclose`` (a tolerance, or float outputs)."""
    module = import_evalplus()
    splits = payload["splits"]
    floats = any(module.is_floats(value) for split in splits for value in expected[split])
    if "numpy" in payload["code"] or payload["atol"] != 0 or floats:
        module.np = importlib.import_module("numpy")


def read_payload(directory: str) -> Any:
    """The host's payload: base64(zlib(pickle)) in ``task.b64``."""
    with open(os.path.join(directory, "task.b64"), "rb") as handle:
        return pickle.loads(zlib.decompress(base64.b64decode(handle.read())))


def pack_outputs(outputs: bytes) -> bytes:
    """xz with a dictionary as large as the data (up to 64 MiB): expected outputs repeat
    across inputs far apart (HumanEval/15's 147 MB shrink to 0.2 MB; zlib leaves 45 MB)."""
    dictionary = max(1 << 16, min(64 << 20, 1 << max(len(outputs) - 1, 1).bit_length()))
    filters = [{"id": lzma.FILTER_LZMA2, "preset": 1, "dict_size": dictionary}]
    return lzma.compress(outputs, format=lzma.FORMAT_XZ, filters=filters)


def unpack_outputs(directory: str) -> Any:
    """The ground truth's outputs shipped in ``expected.b64`` (see ``pack_outputs``)."""
    with open(os.path.join(directory, "expected.b64"), "rb") as handle:
        return pickle.loads(lzma.decompress(base64.b64decode(handle.read())))


def read_schedstat() -> tuple[int, int] | None:
    """(ns on a CPU, ns waiting for one) of this thread, or None where the kernel hides it."""
    try:
        with open("/proc/thread-self/schedstat") as handle:
            on_cpu, waiting = handle.read().split()[:2]
        return int(on_cpu), int(waiting)
    except (OSError, ValueError):
        return None


def cpu_share() -> float:
    """Fraction of the time a busy thread gets the CPU right now (1.0 on an idle machine)."""
    before, started, cpu = read_schedstat(), time.perf_counter(), time.process_time()
    total = 0
    while time.perf_counter() - started < SHARE_WINDOW_S:
        total += 1
    after = read_schedstat()
    if before is not None and after is not None:
        on_cpu, waiting = after[0] - before[0], max(after[1] - before[1], 0)
        return on_cpu / (on_cpu + waiting) if on_cpu > 0 else 1.0
    return min(1.0, (time.process_time() - cpu) / (time.perf_counter() - started))


class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        try:
            return super().repr_int(x, level)
        except ValueError:  # more digits than str() allows (sys.get_int_max_str_digits)
            return f"<int of {x.bit_length()} bits>"


def short_repr(value: Any) -> str:
    """A bounded repr (long strings, deep or long containers and huge ints are cut)."""
    shortener = _ShortRepr()
    shortener.maxstring = shortener.maxother = shortener.maxlong = TEXT_LIMIT // 2
    shortener.maxlist = shortener.maxtuple = shortener.maxset = shortener.maxdict = 40
    shortener.maxlevel = 4
    try:
        return shortener.repr(value)[:TEXT_LIMIT]
    except Exception as exc:  # a sample's object whose __repr__ raises
        return f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"

"""Memory outside the limit and the limits we used to inherit: a program that fills every
writable mount still gets a report, nothing it leaves behind holds memory, and every rlimit is
ours (not the daemon's)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.confinement import size_mounts
from sandbox.languages import resolve_language
from sandbox.models import ExecutionResult, LimitsSpec, Status

pytestmark = pytest.mark.docker


def run_python(executor: Any, source: str, **limits: Any) -> ExecutionResult:
    request = resolve_language("python").make_request(
        source, limits=LimitsSpec(**{"timeout_s": 30.0, **limits})
    )
    result: ExecutionResult = executor.run(request)
    return result


FILL_EVERYTHING = """
import errno, os
total = 0
for folder in ["/work", "/tmp", "/dev/shm"]:
    written = 0
    try:
        with open(os.path.join(folder, "fill"), "wb") as handle:
            while True:
                handle.write(b"z" * (1 << 20))
                written += 1
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    total += written
    print(folder, written, flush=True)
print("total", total, flush=True)
"""


def test_filling_every_writable_mount_leaves_room_for_the_report(executor: Any) -> None:
    """Old: /work and /tmp (256 MiB each) and /dev/shm (64 MiB) exceeded the 512 MiB limit:
    the writer was OOM-killed (`oom`) and the launcher had no memory left to report with."""
    result = run_python(executor, FILL_EVERYTHING, memory_mb=512)
    assert result.status is Status.OK, (result.status, result.error, result.stderr[-300:])
    sizes = size_mounts(LimitsSpec(memory_mb=512))
    written = dict(line.split() for line in result.stdout.splitlines())
    assert int(written["/work"]) <= sizes.work_mb and int(written["/tmp"]) <= sizes.work_mb
    assert int(written["/dev/shm"]) <= sizes.shm_mb
    assert int(written["total"]) <= 512 * 5 // 8


def test_mounts_are_sized_from_the_memory_limit(executor: Any) -> None:
    source = (
        "import os\n"
        "for path in ['/work', '/tmp', '/dev/shm']:\n"
        "    st = os.statvfs(path)\n"
        "    print(path, st.f_blocks * st.f_frsize >> 20, st.f_files)\n"
    )
    result = run_python(executor, source, memory_mb=256, workdir_mb=256)
    assert result.status is Status.OK, (result.status, result.error)
    seen = {p: (int(mb), int(files)) for p, mb, files in map(str.split, result.stdout.splitlines())}
    sizes = size_mounts(LimitsSpec(memory_mb=256, workdir_mb=256))
    assert seen["/work"] == seen["/tmp"] == (sizes.work_mb, sizes.inodes) == (64, 256 * 64)
    assert seen["/dev/shm"][0] == sizes.shm_mb == 32


SYSV_LEFTOVER = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
pid = os.fork()
if pid == 0:  # a segment, touched, detached, never removed; then its creator exits
    shmid = libc.shmget(0, 32 << 20, 0o1600)
    address = libc.shmat(shmid, None, 0)
    ctypes.memset(address, 1, 32 << 20)
    libc.shmdt(ctypes.c_void_p(address))
    os._exit(0)
os.waitpid(pid, 0)
print(len(open("/proc/sysvipc/shm").read().splitlines()) - 1, flush=True)
"""


def test_system_v_segments_do_not_outlive_their_users(executor: Any) -> None:
    """Old: the segment stayed (charged to the container) after every user was gone."""
    result = run_python(executor, SYSV_LEFTOVER)
    assert result.status is Status.OK, (result.status, result.error, result.stderr[-300:])
    assert result.stdout == "0\n"


def test_every_rlimit_is_set_by_us(executor: Any) -> None:
    """Old: the daemon's open-file, process and locked-memory limits, and so on."""
    result = run_python(executor, "print(open('/proc/self/limits').read())", pids=128)
    assert result.status is Status.OK, (result.status, result.error)
    limits = {}
    for line in result.stdout.splitlines()[1:]:
        if line.strip():
            name, soft, hard = line[:26].strip(), *line[26:].split()[:2]
            limits[name] = (soft, hard)
    assert limits["Max open files"] == ("4096", "4096")
    assert limits["Max processes"] == ("128", "128")  # the program's own: limits.pids
    assert limits["Max core file size"] == ("0", "0")
    assert limits["Max pending signals"] == ("4096", "4096")
    assert limits["Max file locks"] == ("1024", "1024")
    assert limits["Max nice priority"] == ("0", "0")
    assert limits["Max realtime priority"] == ("0", "0")
    assert limits["Max realtime timeout"] == ("0", "0")
    assert limits["Max stack size"] == (str(8 << 20), str(512 << 20))
    assert limits["Max file size"][0] == str((size_mounts(LimitsSpec()).work_mb + 1) << 20)

"""A hostile program cannot forge its own verdict or output.

The program runs under a different uid from the in-container launcher, and the launcher keeps
its state in a root-owned tmpfs, so every route below must fail: rewriting the launcher's meta
file (exit code), replacing its captured stdout, writing a report straight into the launcher's
stdout, stopping or killing the launcher's helpers, or rewriting the launcher script. Nor can
it name its verdict with an exit code: ``timeout`` and ``oom`` come only from the launcher's
timer and the memory cgroup's OOM-kill counter.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.languages import resolve_language
from sandbox.models import ExecutionResult, LimitsSpec, Status

pytestmark = pytest.mark.docker

# Each attack is tried in every known state location (the current one and the old one); a
# success is printed on stdout as "FORGED <what>", so the captured stdout shows it.
ATTACK = r"""
import os, signal, sys

def attempt(what, action):
    try:
        action()
        print("FORGED", what, flush=True)
    except OSError as exc:
        print("refused", what, type(exc).__name__, file=sys.stderr)

def replace(path, text, mode=0o444):
    def action():
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        with open(path, "w") as handle:
            handle.write(text)
        os.chmod(path, mode)
    return action

def report():
    meta = "run_rc=0\nrun_ns=1000\n"
    body = "SBX1\nmeta %d\n%scompile 0\nstdout 5\nPASS\nstderr 0\n" % (len(meta), meta)
    with open("/proc/1/fd/1", "w") as handle:
        handle.write(body)

def ancestors():
    chain, pid = set(), os.getpid()
    while pid > 1:
        chain.add(pid)
        status = open("/proc/%d/status" % pid).read()
        pid = int(status.split("PPid:")[1].split()[0])
    return chain

def stop(pid):
    return lambda: os.kill(pid, signal.SIGSTOP)

how = sys.argv[1]
print("REAL", flush=True)
for state in ["/sbx", "/tmp/.sb"]:
    if not os.path.isdir(state):
        continue
    if how == "meta":  # the launcher appends the real exit code; a read-only file refuses it
        attempt(state + "/meta", replace(state + "/meta", "run_rc=0\ncompile_rc=0\n"))
    if how == "stdout":
        attempt(state + "/run.out", replace(state + "/run.out", "PASS\n"))
    if how == "script":
        attempt(state + "/launch.sh", replace(state + "/launch.sh", "printf 'SBX1\\n'\n", 0o755))
    if how == "rename":
        attempt(state + " rename", lambda: os.rename(state, state + ".old"))
if how == "report":
    attempt("/proc/1/fd/1", report)
if how == "stop":  # the launcher, its timeout and its output collectors
    mine = ancestors()
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in mine]:
        attempt("SIGSTOP %d" % pid, stop(pid))
sys.exit(3)
"""

ATTACKS = ["meta", "stdout", "script", "rename", "report", "stop"]


@pytest.mark.parametrize("how", ATTACKS)
def test_program_cannot_forge_its_verdict(executor: Any, how: str) -> None:
    spec = resolve_language("python")
    request = spec.make_request(ATTACK, limits=LimitsSpec(timeout_s=10.0))
    request = request.model_copy(update={"run": f"{request.run} {how}"})
    result: ExecutionResult = executor.run(request)
    assert result.stdout == "REAL\n", result.stderr
    assert result.status is Status.NONZERO_EXIT, result.error
    assert result.exit_code == 3


def test_program_runs_as_another_uid_than_the_launcher(executor: Any) -> None:
    source = (
        "import os\n"
        "def uid(pid):\n"
        "    for line in open(f'/proc/{pid}/status'):\n"
        "        if line.startswith('Uid:'):\n"
        "            return line.split()[1]\n"
        "print(uid('self'), uid(1))\n"
    )
    uids = set()
    for _ in range(2):
        result = executor.run(resolve_language("python").make_request(source))
        assert result.status is Status.OK, result.error
        mine, launcher = result.stdout.split()
        assert launcher == "0" and mine not in {"0", "65534"}
        uids.add(mine)
    assert len(uids) == 2, "each container's program gets a uid of its own"


def run_python(
    executor: Any, source: str, timeout_s: float = 5.0, **limits: Any
) -> ExecutionResult:
    request = resolve_language("python").make_request(
        source, limits=LimitsSpec(timeout_s=timeout_s, **limits)
    )
    result: ExecutionResult = executor.run(request)
    return result


def test_exit_124_is_an_exit_code_not_a_timeout(executor: Any) -> None:
    result = run_python(executor, "import sys, time\ntime.sleep(0.01)\nsys.exit(124)\n")
    assert (result.status, result.exit_code) == (Status.NONZERO_EXIT, 124), result.error
    assert result.wall_time_s is not None and result.wall_time_s < 5


# Kills itself with `how` at 98% of its limit, timed from the start of the run phase (its
# parent shell's start): the old launcher called any KILL after 97% of the limit a timeout.
NEAR_DEADLINE = """
import os, signal, sys, time
LIMIT = {limit}
def started(pid):
    fields = open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")
elapsed = float(open("/proc/uptime").read().split()[0]) - started(os.getppid())
time.sleep(max(0.0, LIMIT * 0.98 - elapsed))
{how}
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "how", ["os.kill(os.getpid(), signal.SIGKILL)", "os._exit(137)"], ids=["sigkill", "exit137"]
)
def test_dying_just_before_the_deadline_is_not_a_timeout(executor: Any, how: str) -> None:
    limit = 10.0
    for _ in range(3):  # on a loaded machine the program may really overrun: then try again
        result = run_python(executor, NEAR_DEADLINE.format(limit=limit, how=how), timeout_s=limit)
        assert result.wall_time_s is not None
        if result.wall_time_s < limit:
            break
        assert result.status is Status.TIMEOUT  # it did run past its limit: a true timeout
    assert result.wall_time_s < limit, "ran too late three times (machine too loaded)"
    assert result.status is Status.NONZERO_EXIT, (result.status, result.error)
    assert result.signal == 9  # the shell cannot tell exit(137) from a KILL: data, not verdict


# A child is OOM-killed; the main process then exits with `code`. The verdict is oom whatever
# the code: the cgroup counted the kill (the old launcher believed the exit code: 137 -> oom,
# 1 -> nonzero_exit, 0 -> ok).
CHILD_OOM = """
import os
pid = os.fork()
if pid == 0:
    chunks = []
    while True:
        chunks.append(bytearray(8 << 20))
os.waitpid(pid, 0)
print("child gone", flush=True)
os._exit({code})
"""


@pytest.mark.parametrize("code", [137, 1, 0])
def test_oom_comes_from_the_cgroup_not_the_exit_code(executor: Any, code: int) -> None:
    result = run_python(executor, CHILD_OOM.format(code=code), timeout_s=20.0, memory_mb=128)
    assert result.stdout == "child gone\n", (result.status, result.error, result.stderr)
    assert result.status is Status.OOM, (result.status, result.error)
    assert result.error and "OOM-killed" in result.error


def test_exit_137_without_an_oom_kill_is_not_oom(executor: Any) -> None:
    result = run_python(executor, "import os\nos._exit(137)\n", memory_mb=128)
    assert result.status is Status.NONZERO_EXIT, (result.status, result.error)

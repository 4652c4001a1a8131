"""A hostile program cannot forge its own verdict or output.

The program runs under a different uid from the in-container launcher, and the launcher keeps
its state in a root-owned tmpfs, so every route below must fail: rewriting the launcher's meta
file (exit code), replacing its captured stdout, writing a report straight into the launcher's
stdout, stopping or killing the launcher's helpers, or rewriting the launcher script.
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
    result = executor.run(resolve_language("python").make_request(source))
    assert result.status is Status.OK, result.error
    mine, launcher = result.stdout.split()
    assert mine == "65534" and launcher != mine

"""The kernel a program can reach: our seccomp profile (sandbox/seccomp.json), checked from
inside a real container, and the profile file checked against its generator."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from sandbox.languages import resolve_language
from sandbox.models import ExecutionResult, LimitsSpec, Status
from sandbox.seccomp import build_profile, render_profile

# Each probe makes one call and prints "<name> <result>": "ok" or the errno it failed with.
PROBES = r"""
import ctypes, errno, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
def syscall(number, *args):
    result = libc.syscall(number, *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]
def family(domain, kind=socket.SOCK_STREAM, proto=0):
    try:
        socket.socket(domain, kind, proto).close()
        return "ok"
    except OSError as exc:
        return errno.errorcode[exc.errno]
buf = ctypes.create_string_buffer(256)
probes = {
    "io_uring_setup": lambda: syscall(425, 8, buf),
    "io_uring_register": lambda: syscall(427, 0, 0, None, 0),
    "perf_event_open": lambda: syscall(298, buf, 0, -1, -1, 0),
    "userfaultfd": lambda: syscall(323, 0),
    "bpf": lambda: syscall(321, 0, buf, 64),
    "keyctl": lambda: syscall(250, 0, -3, 0),
    "add_key": lambda: syscall(248, b"user", b"k", b"v", 1, -3),
    "request_key": lambda: syscall(249, b"user", b"k", None, 0),
    "ptrace": lambda: syscall(101, 0, 0, 0, 0),  # PTRACE_TRACEME
    "process_vm_readv": lambda: syscall(310, os.getpid(), buf, 1, buf, 1, 0),
    "kcmp": lambda: syscall(312, os.getpid(), os.getpid(), 0, 0, 0),
    "unshare_user": lambda: syscall(272, 0x10000000),
    "clone_newns": lambda: syscall(56, 0x00020000 | 17, 0, 0, 0, 0),
    "mount": lambda: syscall(165, b"none", b"/tmp", b"tmpfs", 0, None),
    "personality_no_aslr": lambda: syscall(135, 0x0040000),
    "memfd_secret": lambda: syscall(447, 0),
    "vsock": lambda: family(40),
    "af_alg": lambda: family(38, socket.SOCK_SEQPACKET),
    "netlink_uevent": lambda: family(16, socket.SOCK_DGRAM, 15),
    # what programs need keeps working
    "netlink_route": lambda: family(16, socket.SOCK_DGRAM, 0),
    "tcp": lambda: family(socket.AF_INET),
    "unix": lambda: family(socket.AF_UNIX),
    "memfd_create": lambda: syscall(319, b"x", 0),
    "personality_query": lambda: syscall(135, 0xFFFFFFFF),
}
for name, probe in probes.items():
    print(name, probe(), flush=True)
"""

REFUSED = [
    "io_uring_setup",  # old: ok (Docker 20.10's default profile allows io_uring)
    "io_uring_register",
    "perf_event_open",
    "userfaultfd",
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "ptrace",  # old: ok
    "process_vm_readv",  # old: ok
    "kcmp",
    "unshare_user",
    "clone_newns",
    "mount",
    "personality_no_aslr",
    "memfd_secret",
    "vsock",  # old: ok; in a VM, vsock reaches the host side
    "af_alg",
    "netlink_uevent",
]
ALLOWED = ["netlink_route", "tcp", "unix", "memfd_create", "personality_query"]


@pytest.fixture(scope="module")
def probed(executor: Any) -> dict[str, str]:
    request = resolve_language("python").make_request(PROBES, limits=LimitsSpec(timeout_s=20))
    result: ExecutionResult = executor.run(request)
    assert result.status is Status.OK, (result.status, result.error, result.stderr)
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


@pytest.mark.docker
@pytest.mark.parametrize("call", REFUSED)
def test_calls_no_language_needs_are_refused(probed: dict[str, str], call: str) -> None:
    assert probed[call] in {"ENOSYS", "EPERM", "EAFNOSUPPORT", "EINVAL"}, probed[call]
    assert probed[call] != "ok"


@pytest.mark.docker
@pytest.mark.parametrize("call", ALLOWED)
def test_calls_programs_need_still_work(probed: dict[str, str], call: str) -> None:
    assert probed[call] == "ok"


@pytest.mark.docker
def test_io_uring_fails_as_not_implemented(probed: dict[str, str]) -> None:
    """ENOSYS, so that runtimes that try io_uring (libuv) fall back as on an older kernel."""
    assert probed["io_uring_setup"] == "ENOSYS"


def test_shipped_profile_is_the_generated_one() -> None:
    shipped = resources.files("sandbox").joinpath("seccomp.json").read_text(encoding="utf-8")
    assert shipped == render_profile(), "run: python -m sandbox.seccomp > sandbox/seccomp.json"
    assert json.loads(shipped) == build_profile()


def test_profile_leaves_out_what_no_language_needs() -> None:
    allowed = {
        name
        for rule in build_profile()["syscalls"]
        if rule["action"] == "SCMP_ACT_ALLOW"
        for name in rule["names"]
    }
    for name in [
        "io_uring_setup",
        "io_uring_enter",
        "io_uring_register",
        "perf_event_open",
        "userfaultfd",
        "bpf",
        "keyctl",
        "add_key",
        "request_key",
        "ptrace",
        "unshare",
        "setns",
        "mount",
        "clone3",
    ]:
        assert name not in allowed, name

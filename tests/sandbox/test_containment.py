"""Containment: hostile programs stay inside their container and get the right verdict."""

from __future__ import annotations

import os
import time
from typing import Any

import psutil
import pytest

from sandbox.executor import LocalExecutor
from sandbox.languages import resolve_language
from sandbox.models import ExecutionResult, LimitsSpec, Status

pytestmark = pytest.mark.docker


def run_python(executor: Any, source: str, **limits: Any) -> ExecutionResult:
    spec = resolve_language("python")
    request = spec.make_request(source, limits=LimitsSpec(**{"timeout_s": 5.0, **limits}))
    result: ExecutionResult = executor.run(request)
    return result


def test_hello_is_ok(executor: Any) -> None:
    result = run_python(executor, 'print("Hello, World!")')
    assert result.status is Status.OK
    assert result.stdout == "Hello, World!\n"
    assert result.exit_code == 0
    assert result.peak_memory_mb is not None and result.peak_memory_mb > 0


def test_nonzero_exit_is_data(executor: Any) -> None:
    result = run_python(executor, "import sys\nprint('partial')\nsys.exit(3)")
    assert result.status is Status.NONZERO_EXIT
    assert result.exit_code == 3
    assert result.stdout == "partial\n"


def test_fork_bomb_is_contained(executor: Any) -> None:
    source = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    started = time.monotonic()
    result = run_python(executor, source, timeout_s=3.0, pids=64)
    assert result.status in {Status.TIMEOUT, Status.NONZERO_EXIT, Status.OOM}
    assert time.monotonic() - started < 20
    assert run_python(executor, "print(1)").status is Status.OK  # the host still works


def test_memory_bomb_is_oom(executor: Any) -> None:
    source = "chunks = []\nwhile True:\n    chunks.append(b'x' * 10_000_000)\n"
    result = run_python(executor, source, memory_mb=128, timeout_s=20.0)
    assert result.status is Status.OOM
    assert result.peak_memory_mb is not None and result.peak_memory_mb <= 129


def test_busy_loop_times_out_and_nothing_keeps_running() -> None:
    import docker

    with LocalExecutor(workers=1) as private:
        result = run_python(private, "while True:\n    pass\n", timeout_s=1.5)
        created = list(private.pool.created)
    assert result.status is Status.TIMEOUT
    assert result.wall_time_s is not None and 1.4 <= result.wall_time_s < 4
    assert created, "the executor started no container"
    client = docker.from_env()
    for container_id in created:
        with pytest.raises(docker.errors.NotFound):
            client.containers.get(container_id)


def test_sigterm_ignored_is_still_stopped_on_time(executor: Any) -> None:
    source = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass\n"
    started = time.monotonic()
    result = run_python(executor, source, timeout_s=1.5)
    assert result.status is Status.TIMEOUT
    assert time.monotonic() - started < 6


def test_gigabyte_of_output_is_cut_and_harness_memory_stays_small(executor: Any) -> None:
    source = (
        "import sys\nblock = 'y' * 65536\nfor _ in range(16384):\n    sys.stdout.write(block)\n"
    )
    before = psutil.Process().memory_info().rss
    result = run_python(executor, source, timeout_s=30.0, stdout_bytes=100_000)
    grown = psutil.Process().memory_info().rss - before
    assert result.status is Status.OUTPUT_LIMIT
    assert result.stdout_truncated
    assert len(result.stdout) == 100_000
    assert grown < 50 * 2**20


def test_network_is_unreachable(executor: Any) -> None:
    source = (
        "import socket\n"
        "for target in [('1.1.1.1', 53), ('127.0.0.1', 2375)]:\n"
        "    try:\n"
        "        socket.create_connection(target, timeout=2)\n"
        "        print('CONNECTED', target)\n"
        "    except OSError as exc:\n"
        "        print('blocked', type(exc).__name__)\n"
        "try:\n"
        "    socket.getaddrinfo('deb.debian.org', 80)\n"
        "    print('RESOLVED')\n"
        "except OSError:\n"
        "    print('blocked dns')\n"
        "print(sorted(n for n in socket.if_nameindex()))\n"
    )
    result = run_python(executor, source)
    assert result.status is Status.OK
    assert "CONNECTED" not in result.stdout and "RESOLVED" not in result.stdout
    assert "'lo'" in result.stdout and "eth0" not in result.stdout


def test_writes_outside_the_work_dir_fail(executor: Any) -> None:
    source = (
        "for path in ['/etc/evil', '/usr/bin/evil', '/evil', '/root/evil', '/var/evil']:\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "        print('WROTE', path)\n"
        "    except OSError as exc:\n"
        "        print('refused', path, exc.errno)\n"
        "open('/work/ok.txt', 'w').write('fine')\n"
        "print('work ok')\n"
    )
    result = run_python(executor, source)
    assert result.status is Status.OK
    assert "WROTE" not in result.stdout
    assert "work ok" in result.stdout


def test_filling_the_work_dir_fails_cleanly(executor: Any) -> None:
    source = (
        "import errno\n"
        "try:\n"
        "    with open('/work/big', 'wb') as handle:\n"
        "        while True:\n"
        "            handle.write(b'z' * 1_000_000)\n"
        "except OSError as exc:\n"
        "    print('full', exc.errno == errno.ENOSPC)\n"
    )
    result = run_python(executor, source, workdir_mb=16)
    assert result.status is Status.OK
    assert result.stdout.strip() == "full True"


def test_detached_child_is_killed_when_the_run_ends(executor: Any) -> None:
    source = (
        "import subprocess, sys\n"
        "subprocess.Popen(['sh', '-c', 'sleep 60; echo LATE'], start_new_session=True)\n"
        "print('parent done')\n"
    )
    started = time.monotonic()
    result = run_python(executor, source, timeout_s=10.0)
    assert result.status is Status.OK
    assert "LATE" not in result.stdout
    assert time.monotonic() - started < 8  # the child did not hold the run open


def test_host_secrets_do_not_reach_the_container(executor: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-123")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret_456")
    source = "import os\nprint('\\n'.join(f'{k}={v}' for k, v in os.environ.items()))\n"
    result = run_python(executor, source)
    assert result.status is Status.OK
    assert "secret" not in result.stdout
    assert "OPENAI_API_KEY" not in result.stdout and "GITHUB_TOKEN" not in result.stdout
    assert os.environ["OPENAI_API_KEY"] == "sk-test-secret-123"


ALLOWED_MOUNTS = {
    "/",
    "/work",
    "/tmp",
    "/sbx",
    "/dev",
    "/dev/pts",
    "/dev/mqueue",
    "/dev/shm",
    "/proc",
    "/sys",
    "/sys/fs/cgroup",
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
}


def test_no_host_path_is_mounted(executor: Any) -> None:
    source = "print(open('/proc/self/mountinfo').read())"
    result = run_python(executor, source)
    assert result.status is Status.OK
    points = {line.split()[4] for line in result.stdout.splitlines() if line.strip()}
    unexpected = {
        p
        for p in points
        if p not in ALLOWED_MOUNTS and not p.startswith(("/proc/", "/sys/", "/dev/"))
    }
    assert unexpected == set()
    assert "docker.sock" not in result.stdout
    assert "/work/main" not in result.stdout


def test_user_is_not_root_and_has_no_privileges(executor: Any) -> None:
    source = (
        "import os\n"
        "lines = open('/proc/self/status').read().splitlines()\n"
        "status = dict(line.split(':\\t', 1) for line in lines if ':\\t' in line)\n"
        "caps = [status[k].strip() for k in ('CapEff', 'CapPrm', 'CapInh', 'CapBnd', 'CapAmb')]\n"
        "print(os.getuid(), os.getgid(), status['NoNewPrivs'].strip(), *caps)\n"
    )
    result = run_python(executor, source)
    assert result.status is Status.OK
    uid, gid, no_new_privs, *caps = result.stdout.split()
    assert uid != "0" and gid != "0"
    assert [int(c, 16) for c in caps] == [0, 0, 0, 0, 0]  # effective ... bounding, ambient
    assert no_new_privs == "1"


def test_undecodable_output_is_decoded_safely(executor: Any) -> None:
    result = run_python(executor, "import sys\nsys.stdout.buffer.write(b'ok \\xff\\xfe\\x00 end')")
    assert result.status is Status.OK
    assert result.stdout.startswith("ok ") and result.stdout.endswith(" end")
    assert "\ufffd" in result.stdout


def test_output_reopened_by_path_is_captured(executor: Any) -> None:
    """Programs that write to /dev/stdout or /dev/stderr by name (Vim's writefile, shell
    redirections) reach the same capture as their file descriptors."""
    source = (
        "import sys\n"
        "open('/dev/stdout', 'w').write('by path\\n')\n"
        "open('/proc/self/fd/2', 'w').write('err by path\\n')\n"
        "print(open('/dev/stdin').read().strip())\n"
    )
    spec = resolve_language("python")
    request = spec.make_request(source, stdin="from stdin\n", limits=LimitsSpec(timeout_s=5.0))
    result = executor.run(request)
    assert result.status is Status.OK, (result.error, result.stderr)
    assert result.stdout == "by path\nfrom stdin\n"
    assert result.stderr == "err by path\n"


def test_the_program_owns_its_files_and_folders(executor: Any) -> None:
    source = (
        "import os\n"
        "for path in ['main.py', 'data/deep/input.txt', 'data/deep', 'data']:\n"
        "    assert os.stat(path).st_uid == os.getuid(), path\n"
        "open('data/deep/input.txt', 'a').write('more')\n"
        "os.remove('data/deep/input.txt')\n"
        "os.mkdir('data/deep/new')\n"
        "print('ok')\n"
    )
    spec = resolve_language("python")
    request = spec.make_request(source, limits=LimitsSpec(timeout_s=5.0))
    request = request.model_copy(update={"files": {**request.files, "data/deep/input.txt": "x"}})
    result = executor.run(request)
    assert result.status is Status.OK, (result.error, result.stderr)
    assert result.stdout == "ok\n"

"""What a container may use, derived from its ``LimitsSpec``: mount sizes, rlimits, pids, the
program's uid and the kernel interface (seccomp, IPC sysctls).

Every value is set explicitly, never inherited from the daemon, and docs/security.md says why.
The design rule: whatever the program can hold after its processes die (tmpfs files, System V
segments and messages) fits in its memory limit with room to spare, and the launcher keeps a
few pids and most of the CPU of its own, so that it can always kill the program and write its
report.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import docker.types

from sandbox.models import LimitsSpec
from sandbox.seccomp import security_option

MIB = 1 << 20
STATE_DIR = "sbx"
"""The launcher's own tmpfs (/sbx), root-owned: the program can read its scripts, not write."""
LAUNCHER_PIDS = 8
"""Pids on top of the program's own: launcher, two output collectors, timer and its sleep,
the clean-up helper, one short command (date, cat)."""
RUNSC_PIDS_FACTOR = 4
RUNSC_PIDS_EXTRA = 256
UID_BASE = 1 << 20
UID_SPAN = 1 << 24
"""Program uids are drawn from [UID_BASE, UID_BASE + UID_SPAN): a uid of one container alone."""
SHM_MAX_MB = 64
INODES_PER_MIB = 64
"""Files per tmpfs, per MiB of memory limit: inodes and dentries are kernel memory charged to
the container; 64 per MiB keeps them under 1/8 of the limit per mount."""
IPC_SYSCTLS = {
    "kernel.shm_rmid_forced": "1",
    "kernel.msgmni": "32",
}
"""System V segments die with their last user; at most 32 message queues (16 KiB each by
default): neither outlives the program to starve the launcher of memory."""


@dataclass(frozen=True)
class MountSizes:
    """Sizes (MiB) of the program-writable tmpfs mounts, and files per mount."""

    work_mb: int
    shm_mb: int
    inodes: int


def size_mounts(limits: LimitsSpec) -> MountSizes:
    """/work and /tmp get at most a quarter of the memory limit each, /dev/shm an eighth (and at
    most 64 MiB): together at most 5/8 of it, so the launcher can report after a program filled
    them all."""
    quarter = max(1, limits.memory_mb // 4)
    return MountSizes(
        work_mb=min(limits.workdir_mb, quarter),
        shm_mb=min(SHM_MAX_MB, max(1, limits.memory_mb // 8)),
        inodes=max(1024, limits.memory_mb * INODES_PER_MIB),
    )


def pick_program_uid() -> int:
    """A fresh uid for one container's program: per-uid kernel counters (processes, inotify,
    pending signals, pipe buffers, message queues) are then the container's alone."""
    return UID_BASE + secrets.randbelow(UID_SPAN)


def container_pids(limits: LimitsSpec) -> int:
    """The container's pids cgroup limit: the program's own processes plus the launcher's."""
    return limits.pids + LAUNCHER_PIDS


def host_pids(limits: LimitsSpec) -> int:
    """The pids cgroup limit on the host side. Under runc it is the container's own; gVisor
    (runsc) counts host threads of its own kernel and of one stub process per address space
    there, and dies when it cannot create one, so it gets room on top and the program's
    process limit is the rlimit that gVisor enforces itself."""
    if limits.runtime == "runsc":
        return RUNSC_PIDS_FACTOR * container_pids(limits) + RUNSC_PIDS_EXTRA
    return container_pids(limits)


def make_ulimits(limits: LimitsSpec, sizes: MountSizes) -> list[docker.types.Ulimit]:
    """Every rlimit, explicitly. The program's own process limit (nproc = ``limits.pids``) is
    set by the launcher for the program alone; the container-wide value leaves the launcher's
    clean-up helper room to start when the program is at its limit."""
    unlimited = -1
    memory = limits.memory_mb * MIB
    largest_file = (max(sizes.work_mb, sizes.shm_mb) + 1) * MIB
    values = {
        "core": (0, 0),  # no core dumps
        "cpu": (unlimited, unlimited),  # the phase timers bound wall time
        "data": (unlimited, unlimited),  # the memory cgroup bounds memory ...
        "rss": (unlimited, unlimited),
        "as": (unlimited, unlimited),  # ... and JVMs, Go and V8 reserve large address space
        "stack": (8 * MIB, memory),  # the usual 8 MiB; a program may raise it within its memory
        "fsize": (largest_file, largest_file),
        "memlock": (8 * MIB, 8 * MIB),
        "nofile": (4096, 4096),
        "nproc": (container_pids(limits), container_pids(limits)),
        "sigpending": (4096, 4096),
        "msgqueue": (819200, 819200),  # POSIX message queue bytes per uid (kernel default)
        "locks": (1024, 1024),
        "nice": (0, 0),  # nobody can lower a nice value: the program stays at 19
        "rtprio": (0, 0),
        "rttime": (0, 0),
    }
    return [docker.types.Ulimit(name=k, soft=s, hard=h) for k, (s, h) in values.items()]


def make_host_config_options(limits: LimitsSpec, uid: int, state_mb: int) -> dict[str, Any]:
    """Keyword arguments for ``APIClient.create_host_config`` (beyond network and caps)."""
    sizes = size_mounts(limits)
    owner = f"uid={uid},gid={uid}"
    program_fs = (
        f"rw,exec,nosuid,nodev,size={sizes.work_mb}m,nr_inodes={sizes.inodes},mode=1777,{owner}"
    )
    state_fs = f"rw,noexec,nosuid,nodev,size={state_mb}m,mode=0755,uid=0,gid=0"
    options: dict[str, Any] = {
        "tmpfs": {"/work": program_fs, "/tmp": program_fs, f"/{STATE_DIR}": state_fs},
        "shm_size": sizes.shm_mb * MIB,
        "mem_limit": limits.memory_mb * MIB,
        "memswap_limit": limits.memory_mb * MIB,
        "nano_cpus": int(limits.cpus * 1e9),
        "pids_limit": host_pids(limits),
        "ulimits": make_ulimits(limits, sizes),
        "security_opt": ["no-new-privileges", security_option()],
        "sysctls": IPC_SYSCTLS,
    }
    if limits.runtime != "runc":
        options["runtime"] = limits.runtime
    return options

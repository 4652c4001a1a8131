"""The seccomp profile every sandbox container runs under, and how ``seccomp.json`` is made.

This module is the source of the profile: an allow-list of the system calls programs in our
~44 languages make (files, memory, processes, signals, time, sockets, System V and POSIX IPC),
grouped so that a reviewer can read it, plus a few calls allowed only with safe arguments.
Everything else fails: with ENOSYS where the daemon honours ``defaultErrnoRet`` (EPERM on
Docker 20.10, Debian 12's), and always with ENOSYS for the calls libraries fall back from when
the kernel lacks them (glibc's clone3, libuv's io_uring).

Left out on purpose, because no language needs them to compile or run a program and each is a
large kernel attack surface: io_uring (io_uring_setup/enter/register), perf_event_open,
userfaultfd, bpf, the key-management calls (add_key, request_key, keyctl), ptrace,
process_vm_readv/writev, kcmp, pidfd_getfd, process_madvise, memfd_secret, NUMA page moves,
fanotify, open_by_handle_at/name_to_handle_at, namespaces and mounts (unshare, setns, mount,
the new mount API, pivot_root, chroot), modules, kexec, reboot, swap, quotas, clock setting,
accounting, syslog, modify_ldt, iopl/ioperm, landlock, lsm_*, and the obsolete calls
(uselib, sysfs, ustat, _sysctl). Sockets are limited to the families a program can use without
a network (unix, IPv4/IPv6 loopback, routing netlink): never vsock (the host side of a VM),
AF_ALG, packet, or the other netlink families.

Regenerate the JSON after editing this file (a test checks that the two agree)::

    python -m sandbox.seccomp > sandbox/seccomp.json
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from typing import Any

ENOSYS = 38
ARCH_MAP = [
    {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []},
    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []},
]
"""Native 64-bit calls only: 32-bit compat entry points (int 0x80, x32) are not allowed."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ALLOWED: dict[str, tuple[str, ...]] = {
    "file descriptors and I/O": _words(
        "read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 lseek "
        "close close_range dup dup2 dup3 fcntl ioctl flock pipe pipe2 sendfile splice tee "
        "vmsplice copy_file_range poll ppoll select pselect6 epoll_create epoll_create1 "
        "epoll_ctl epoll_wait epoll_pwait epoll_pwait2 eventfd eventfd2 signalfd signalfd4 "
        "timerfd_create timerfd_settime timerfd_gettime inotify_init inotify_init1 "
        "inotify_add_watch inotify_rm_watch io_setup io_destroy io_submit io_cancel "
        "io_getevents io_pgetevents"
    ),
    "files and directories": _words(
        "open openat openat2 creat stat fstat lstat newfstatat statx statfs fstatfs access "
        "faccessat faccessat2 getdents getdents64 getcwd chdir fchdir mkdir mkdirat rmdir "
        "rename renameat renameat2 link linkat unlink unlinkat symlink symlinkat readlink "
        "readlinkat chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat umask utime "
        "utimes utimensat futimesat mknod mknodat truncate ftruncate fallocate fadvise64 "
        "readahead fsync fdatasync sync syncfs sync_file_range getxattr lgetxattr fgetxattr "
        "listxattr llistxattr flistxattr setxattr lsetxattr fsetxattr removexattr "
        "lremovexattr fremovexattr"
    ),
    "memory": _words(
        "brk mmap munmap mremap mprotect msync mincore madvise mlock mlock2 munlock mlockall "
        "munlockall membarrier memfd_create pkey_alloc pkey_free pkey_mprotect "
        "map_shadow_stack"
    ),
    "processes and threads": _words(
        "fork vfork execve execveat exit exit_group wait4 waitid getpid getppid gettid "
        "getpgid getpgrp setpgid getsid setsid set_tid_address set_robust_list "
        "get_robust_list rseq arch_prctl prctl uname sysinfo times getrusage getrlimit "
        "setrlimit prlimit64 getpriority setpriority getcpu ioprio_get ioprio_set "
        "sched_yield sched_getaffinity sched_setaffinity sched_getparam sched_setparam "
        "sched_getscheduler sched_setscheduler sched_getattr sched_setattr "
        "sched_get_priority_max sched_get_priority_min sched_rr_get_interval pidfd_open "
        "pidfd_send_signal seccomp restart_syscall futex futex_waitv futex_wake futex_wait "
        "futex_requeue getrandom"
    ),
    # the launcher drops to the program's uid with these; without capabilities they only let
    # a process give things up
    "credentials": _words(
        "getuid geteuid getgid getegid getresuid getresgid getgroups setuid setgid setreuid "
        "setregid setresuid setresgid setfsuid setfsgid setgroups capget capset"
    ),
    "signals": _words(
        "kill tkill tgkill rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending "
        "rt_sigtimedwait rt_sigqueueinfo rt_tgsigqueueinfo rt_sigsuspend sigaltstack pause"
    ),
    "time": _words(
        "nanosleep clock_nanosleep clock_gettime clock_getres gettimeofday time alarm "
        "getitimer setitimer timer_create timer_settime timer_gettime timer_getoverrun "
        "timer_delete adjtimex"
    ),
    "sockets (families are limited below)": _words(
        "connect accept accept4 bind listen shutdown getsockname getpeername setsockopt "
        "getsockopt sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg"
    ),
    "System V and POSIX IPC (private to the container)": _words(
        "shmget shmat shmdt shmctl semget semop semtimedop semctl msgget msgsnd msgrcv msgctl "
        "mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr"
    ),
}

CLONE_NAMESPACE_FLAGS = 0x7E020000
"""CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: threads and processes
yes, namespaces no. clone3 is not allowed (its flags are in memory, out of seccomp's reach);
glibc falls back to clone on ENOSYS."""
NOT_IMPLEMENTED = ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register")
"""Refused with ENOSYS whatever the daemon's default errno (Docker 20.10 ignores
``defaultErrnoRet`` and answers EPERM): glibc creates threads with clone3 and falls back to
clone only on ENOSYS; runtimes that try io_uring fall back to epoll and threads."""
PERSONALITIES = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)
"""Linux, 32-bit uname, UNAME26 and the query; never ADDR_NO_RANDOMIZE (SBCL asks for it and
carries on without it)."""
SOCKET_FAMILIES = {"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10}
AF_NETLINK, NETLINK_ROUTE = 16, 0
"""Routing netlink is how getifaddrs and if_nameindex list the (loopback) interfaces."""


def _rule(name: str, *args: tuple[int, int, int, str]) -> dict[str, Any]:
    rule: dict[str, Any] = {"names": [name], "action": "SCMP_ACT_ALLOW"}
    if args:
        rule["args"] = [
            {"index": index, "value": value, "valueTwo": two, "op": op}
            for index, value, two, op in args
        ]
    return rule


def _conditional_rules() -> list[dict[str, Any]]:
    rules = [_rule("clone", (0, CLONE_NAMESPACE_FLAGS, 0, "SCMP_CMP_MASKED_EQ"))]
    rules.append({"names": list(NOT_IMPLEMENTED), "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS})
    rules += [_rule("personality", (0, p, 0, "SCMP_CMP_EQ")) for p in PERSONALITIES]
    for family in SOCKET_FAMILIES.values():
        rules.append(_rule("socket", (0, family, 0, "SCMP_CMP_EQ")))
    rules.append(
        _rule("socket", (0, AF_NETLINK, 0, "SCMP_CMP_EQ"), (2, NETLINK_ROUTE, 0, "SCMP_CMP_EQ"))
    )
    rules.append(_rule("socketpair", (0, SOCKET_FAMILIES["AF_UNIX"], 0, "SCMP_CMP_EQ")))
    return rules


def build_profile() -> dict[str, Any]:
    """The profile as Docker's ``--security-opt seccomp=`` JSON expects it."""
    names = sorted({name for group in ALLOWED.values() for name in group})
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": ENOSYS,
        "archMap": ARCH_MAP,
        "syscalls": [
            {"names": names, "action": "SCMP_ACT_ALLOW"},
            *_conditional_rules(),
        ],
    }


def render_profile() -> str:
    """The text of ``sandbox/seccomp.json`` (stable: sorted names, fixed layout)."""
    return json.dumps(build_profile(), indent=1) + "\n"


@cache
def security_option() -> str:
    """``seccomp=<profile>`` for a container's security options (the shipped JSON, compact)."""
    text = resources.files("sandbox").joinpath("seccomp.json").read_text(encoding="utf-8")
    return "seccomp=" + json.dumps(json.loads(text), separators=(",", ":"))


if __name__ == "__main__":
    sys.stdout.write(render_profile())

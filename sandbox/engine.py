"""The Docker engine backend: one fresh container per execution, limits on, removed after.

A container is created and started ahead of need (see ``pool.py``): it blocks in ``tar -x``
reading its stdin. An execution streams a tar payload (program files, the launcher script and
its parameters) into that stdin over the attach socket, closes it, and reads the launcher's
framed report from stdout until the container exits. Containers are never reused.
"""

from __future__ import annotations

import io
import os
import shlex
import socket
import struct
import tarfile
import time
import uuid
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import docker
import docker.errors
import requests.exceptions

from sandbox.confinement import STATE_DIR, make_host_config_options, pick_program_uid
from sandbox.errors import EngineUnavailableError, ImageMissingError, RuntimeMissingError
from sandbox.models import ExecutionRequest, ExecutionResult, LimitsSpec
from sandbox.verdict import MAGIC, LauncherReport, decide_result, parse_launcher_output

LABEL_MANAGED = "sandbox.managed"
LABEL_OWNER = "sandbox.owner"
LABEL_SESSION = "sandbox.session"
LABEL_KEEP_UNTIL = "sandbox.keep-until"
SESSION_ID = uuid.uuid4().hex[:12]
CONTAINER_USER = "0:0"
"""The launcher's user: root with only the capabilities below, never the program's uid."""
LAUNCHER_CAPS = ["CHOWN", "SETUID", "SETGID", "SETPCAP", "KILL"]
"""Hand /work to the program, drop to its uid with an empty bounding set, kill what it leaves."""
PROGRAM_UID = 65534
"""The uid of a kept debug container's program (nobody), so that `docker exec -u` reaches it.
Any other container's program runs as a uid of its own (``confinement.pick_program_uid``)."""
PROGRAM_USER = f"{PROGRAM_UID}:{PROGRAM_UID}"
REAP_PASSES = 200
"""Clean-up passes before the launcher gives up on processes that will not die (none should:
each pass is a kill(-1) as the program's uid)."""
IDLE_LIMIT_S = 900
"""A warm container that never receives a payload exits on its own after this long."""
HOST_GRACE_S = 10.0
"""Slack on top of the in-container limits before the host kills the container itself."""
REPORT_SLACK_BYTES = 64 << 10
DOCKER_ENV = {"HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
PoolKey = tuple[str, tuple[float, int, int, int, str]]

_BOOT = (
    f"timeout -s KILL {IDLE_LIMIT_S} tar -x -C / -f - || exit 96; "
    f"exec /bin/sh /{STATE_DIR}/launch.sh"
)


def _launcher_source() -> bytes:
    return resources.files("sandbox").joinpath("launcher.sh").read_bytes()


def owner_label() -> str:
    """Identifies this process, so that leftovers of dead processes can be told apart."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class WarmContainer:
    """A started container waiting for its payload, with its attach socket open."""

    id: str
    image: str
    key: PoolKey
    sock: Any
    uid: int = PROGRAM_UID
    """The uid the program runs as in this container (its /work and /tmp belong to it)."""
    created: float = field(default_factory=time.monotonic)

    def raw_socket(self) -> socket.socket:
        raw: socket.socket = getattr(self.sock, "_sock", self.sock)
        return raw


class DockerEngine:
    """Thin, typed wrapper over the Docker API for one-shot sandboxed executions."""

    def __init__(self, base_url: str | None = None, max_pool_size: int = 32) -> None:
        try:
            kwargs: dict[str, Any] = {"version": "auto", "timeout": 120}
            if base_url:
                kwargs["base_url"] = base_url
            else:
                kwargs["base_url"] = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
            self.api = docker.APIClient(max_pool_size=max_pool_size, **kwargs)
            self.api.ping()
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise EngineUnavailableError(
                "cannot reach the Docker engine "
                f"({os.environ.get('DOCKER_HOST', 'unix:///var/run/docker.sock')})",
                "start it with `scripts/setup-engine.sh` (installs docker.io, runs dockerd)",
            ) from exc
        self._image_ids: dict[str, str] = {}
        self._runtimes: set[str] | None = None
        self._launcher = _launcher_source()

    # -- images -------------------------------------------------------------------------
    def image_id(self, image: str) -> str:
        """The local image's id; ImageMissingError if it has not been built (never pulls)."""
        if image not in self._image_ids:
            try:
                self._image_ids[image] = str(self.api.inspect_image(image)["Id"])
            except docker.errors.ImageNotFound as exc:
                lang = image.removeprefix("sandbox-lang-").split(":")[0]
                raise ImageMissingError(
                    f"image {image} is not built",
                    f"run `sandbox images build --lang {lang}`",
                ) from exc
        return self._image_ids[image]

    def forget_image_id(self, image: str) -> None:
        """Drop the cached id of ``image`` (it was just loaded or rebuilt under the same tag)."""
        self._image_ids.pop(image, None)

    def check_runtime(self, runtime: str) -> None:
        """RuntimeMissingError unless the daemon knows ``runtime`` (asked once per engine)."""
        if runtime == "runc":
            return
        if self._runtimes is None:
            self._runtimes = set(self.api.info().get("Runtimes", {}))
        if runtime not in self._runtimes:
            raise RuntimeMissingError(
                f"the Docker engine has no {runtime} runtime",
                "run `scripts/setup-engine.sh` (installs gVisor and registers runsc)",
            )

    # -- containers ---------------------------------------------------------------------
    def start_warm(
        self, image: str, limits: LimitsSpec, keep_until: float | None = None
    ) -> WarmContainer:
        """Create and start a container that waits for its payload on stdin.

        ``keep_until`` (epoch seconds) marks a container kept on purpose (``sandbox debug
        --keep``): leftover clean-up spares it until then.
        """
        self.image_id(image)
        uid = PROGRAM_UID if keep_until else pick_program_uid()
        # /sbx holds stdin (up to the work dir's size), the captured output and the scripts
        state_mb = limits.workdir_mb + (limits.stdout_bytes + 2 * limits.stderr_bytes >> 20) + 1
        host_config = self.api.create_host_config(
            network_mode="none",
            read_only=True,
            cap_drop=["ALL"],
            cap_add=LAUNCHER_CAPS,
            ipc_mode="private",
            log_config={"type": "none", "config": {}},
            init=False,
            **make_host_config_options(limits, uid, state_mb),
        )
        created = self.api.create_container(
            image,
            command=["/bin/sh", "-c", _BOOT],
            user=CONTAINER_USER,
            environment=DOCKER_ENV,
            stdin_open=True,
            tty=False,
            network_disabled=True,
            labels={
                LABEL_MANAGED: "1",
                LABEL_OWNER: owner_label(),
                LABEL_SESSION: SESSION_ID,
                **({LABEL_KEEP_UNTIL: str(int(keep_until))} if keep_until else {}),
            },
            host_config=host_config,
        )
        container_id = str(created["Id"])
        try:
            sock = self.api.attach_socket(
                container_id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            self.api.start(container_id)
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            self.remove(container_id)
            raise
        key = (image, limits.container_key())
        return WarmContainer(id=container_id, image=image, key=key, sock=sock, uid=uid)

    def remove(self, container_id: str) -> None:
        """Force-remove a container; a container that is already gone is fine."""
        try:
            self.api.remove_container(container_id, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            if "already in progress" not in str(exc):
                raise

    def list_managed(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Containers created by this tool (optionally by one owner process)."""
        filters = {"label": [f"{LABEL_MANAGED}=1"] + ([f"{LABEL_OWNER}={owner}"] if owner else [])}
        found: list[dict[str, Any]] = self.api.containers(all=True, filters=filters)
        return found

    # -- execution ----------------------------------------------------------------------
    def execute(self, warm: WarmContainer, request: ExecutionRequest) -> ExecutionResult:
        """Run one request in a warm container. Engine failures become ``sandbox_error``."""
        started = time.monotonic()
        try:
            raw = self._exchange(warm, request)
        except (
            OSError,
            docker.errors.DockerException,
            requests.exceptions.RequestException,
        ) as exc:
            return self._engine_failure(request, warm, started, f"{type(exc).__name__}: {exc}")
        report: LauncherReport | None = parse_launcher_output(raw.stdout)
        state = self._state(warm.id) if report is None or raw.timed_out else {}
        return decide_result(
            request,
            report,
            host_timed_out=raw.timed_out,
            overflow=raw.overflow,
            state=state,
            launcher_stderr=raw.stderr,
            total_time_s=time.monotonic() - started,
            image_id=self._image_ids.get(request.image),
        )

    def _exchange(self, warm: WarmContainer, request: ExecutionRequest) -> _RawExchange:
        sock = warm.raw_socket()
        payload = self._payload(request, warm.uid)
        limits = request.limits
        budget = (
            limits.timeout_s + HOST_GRACE_S + (limits.compile_timeout_s if request.compile else 0)
        )
        deadline = time.monotonic() + budget
        sock.settimeout(budget)
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        cap = limits.stdout_bytes + 2 * limits.stderr_bytes + REPORT_SLACK_BYTES
        return _read_frames(sock, deadline, cap)

    def _payload(self, request: ExecutionRequest, uid: int) -> bytes:
        limits = request.limits
        params = (
            f"TIMEOUT={limits.timeout_s:.3f}\nCOMPILE_TIMEOUT={limits.compile_timeout_s:.3f}\n"
            f"CAP_OUT={limits.stdout_bytes + 1}\nCAP_ERR={limits.stderr_bytes + 1}\n"
            f"PROGRAM_UID={uid}\nPROGRAM_NPROC={limits.pids}\nREAP_PASSES={REAP_PASSES}\n"
        )
        # The request's environment goes into the program's own scripts, run by the program's
        # shell: the launcher never sources it (names and values are validated in the model).
        env = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in request.env.items()).encode()
        entries: dict[str, bytes] = {
            f"{STATE_DIR}/launch.sh": self._launcher,
            f"{STATE_DIR}/params": params.encode(),
            f"{STATE_DIR}/run": env + request.run.encode() + b"\n",
        }
        if request.compile:
            entries[f"{STATE_DIR}/compile"] = env + request.compile.encode() + b"\n"
        if request.stdin is not None:
            entries[f"{STATE_DIR}/stdin"] = request.stdin.encode()
        for name, text in request.files.items():
            entries[f"work/{name.lstrip('/')}"] = text.encode()
        return _tar(entries)

    def _state(self, container_id: str) -> dict[str, Any]:
        try:
            state: dict[str, Any] = self.api.inspect_container(container_id)["State"]
            return state
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            return {}

    def _engine_failure(
        self, request: ExecutionRequest, warm: WarmContainer, started: float, message: str
    ) -> ExecutionResult:
        state = self._state(warm.id)
        return decide_result(
            request,
            None,
            host_timed_out=False,
            overflow=False,
            state=state,
            launcher_stderr=message.encode(),
            total_time_s=time.monotonic() - started,
            image_id=self._image_ids.get(request.image),
        )


@dataclass
class _RawExchange:
    stdout: bytes
    stderr: bytes
    timed_out: bool
    overflow: bool


REPORT_END = b"\nend 0\n"
"""The launcher's last line: the report is whole, whether or not the container has exited."""


class _Frames:
    """Docker's multiplexed stream (8-byte headers: stream, size), split as it arrives."""

    def __init__(self) -> None:
        self.pending = bytearray()
        self.streams = {1: bytearray(), 2: bytearray()}
        self.received = 0

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self.pending.extend(chunk)
        offset = 0
        while offset + 8 <= len(self.pending):
            kind, size = struct.unpack(">BxxxL", self.pending[offset : offset + 8])
            if offset + 8 + size > len(self.pending):
                break
            body = self.pending[offset + 8 : offset + 8 + size]
            self.streams.setdefault(kind, bytearray()).extend(body)
            offset += 8 + size
        del self.pending[:offset]

    def report_complete(self) -> bool:
        """The launcher's report ends with its ``end`` section (checked by parsing it whole,
        so that the same bytes inside a captured stream cannot end the read early)."""
        stdout = self.streams[1]
        return stdout.endswith(REPORT_END) and _last_section(bytes(stdout)) == "end"


def _last_section(report: bytes) -> str | None:
    """The name of the last whole section of a launcher report (``SBX1``, then ``name size``
    lines each followed by ``size`` bytes); None if the report is torn or malformed."""
    if not report.startswith(MAGIC):
        return None
    offset, name = len(MAGIC), None
    while offset < len(report):
        newline = report.find(b"\n", offset)
        header = report[offset:newline].split(b" ")
        if newline < 0 or len(header) != 2 or not header[1].isdigit():
            return None
        name, offset = header[0].decode(errors="replace"), newline + 1 + int(header[1])
    return name if offset == len(report) else None


def _read_frames(sock: socket.socket, deadline: float, cap: int) -> _RawExchange:
    """Read Docker's multiplexed stream until the launcher's report is whole (the container
    may still be exiting: the pool removes it), EOF, the deadline, or ``cap`` bytes."""
    frames = _Frames()
    timed_out = overflow = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(1 << 16)
        except TimeoutError:
            timed_out = True
            break
        if not chunk:
            break
        frames.feed(chunk)
        if frames.received > cap:
            overflow = True
            break
        if frames.report_complete():
            break
    return _RawExchange(
        stdout=bytes(frames.streams[1]),
        stderr=bytes(frames.streams[2]),
        timed_out=timed_out,
        overflow=overflow,
    )


def _tar(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()

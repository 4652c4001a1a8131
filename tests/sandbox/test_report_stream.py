"""The engine's reader of Docker's multiplexed stream stops at the launcher's closing ``end``
section, and only there (pure logic; the containment tests run the real launcher)."""

from __future__ import annotations

import struct

from sandbox.engine import _Frames, _last_section


def frame(stream: int, body: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(body)) + body


def report(stdout: bytes, end: bool = True) -> bytes:
    meta = b"run_rc=0\n"
    parts = [b"SBX1\n", b"meta %d\n" % len(meta), meta, b"compile 0\n"]
    parts += [b"stdout %d\n" % len(stdout), stdout, b"stderr 0\n"]
    return b"".join(parts) + (b"end 0\n" if end else b"")


def test_a_report_is_complete_only_with_its_end_section() -> None:
    assert _last_section(report(b"hi\n")) == "end"
    assert _last_section(report(b"hi\n", end=False)) == "stderr"
    assert _last_section(report(b"hi\n")[:-3]) is None  # torn
    assert _last_section(b"noise" + report(b"hi\n")) is None


def test_frames_split_across_chunks_are_reassembled() -> None:
    whole = report(b"x" * 100)
    data = frame(1, whole[:40]) + frame(2, b"warn\n") + frame(1, whole[40:])
    frames = _Frames()
    for i in range(0, len(data), 7):
        assert not frames.report_complete()
        frames.feed(data[i : i + 7])
    assert frames.report_complete()
    assert bytes(frames.streams[1]) == whole
    assert bytes(frames.streams[2]) == b"warn\n"


def test_the_end_marker_inside_captured_output_does_not_end_the_read() -> None:
    """A program that prints the closing line itself cannot cut its report short."""
    body = b"\nend 0\n"
    whole = report(body, end=False)
    frames = _Frames()
    frames.feed(frame(1, whole[: whole.index(body) + len(body)]))
    assert bytes(frames.streams[1]).endswith(b"\nend 0\n")
    assert not frames.report_complete()
    frames.feed(frame(1, whole[whole.index(body) + len(body) :] + b"end 0\n"))
    assert frames.report_complete()

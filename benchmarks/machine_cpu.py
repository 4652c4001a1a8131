"""CPU time the whole machine spent busy (every process: the tool, the Docker daemon,
containerd, shims, containers), read from /proc/stat. A tool's cost in core-seconds is the
difference across its run; on a machine shared with other jobs those jobs are counted too."""

from __future__ import annotations

import os
from pathlib import Path

BUSY_FIELDS = (0, 1, 2, 5, 6, 7)
"""user, nice, system, irq, softirq, steal: idle and iowait are not busy time."""


def busy_seconds() -> float:
    """Busy CPU seconds summed over every core since boot."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = sum(int(fields[i]) for i in BUSY_FIELDS)
    return ticks / os.sysconf("SC_CLK_TCK")

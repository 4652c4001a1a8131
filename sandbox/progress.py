"""Progress of long steps, one reporter for every command.

On a terminal it draws rich progress bars on stderr (stdout stays clean for ``--json``). When
stderr is not a terminal (a log file, CI), bars would print nothing until the end, so it writes
plain lines instead: one when a step starts, one at every tenth of the way or every
``interval_s`` seconds, whichever comes first, and one when the step ends::

    [mceval] 512/1706 (30%) in 3m02s, about 7m05s left; passed 509

A step is a :class:`ProgressTask` (``reporter.task("samples")``); callers only ever call
``start``, ``advance`` and ``note``.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

PLAIN_INTERVAL_S = 30.0


class ProgressTask:
    """One step: a count of done items out of a total, with an optional note."""

    def __init__(self, reporter: ProgressReporter, label: str) -> None:
        self._reporter = reporter
        self.label = label
        self.total: int | None = None
        self.done = 0
        self.text = ""
        self._started = time.monotonic()
        self._last_line = 0.0
        self._last_tenth = -1
        self._bar: TaskID | None = None
        self.printed = ""

    def start(self, total: int | None, done: int = 0) -> None:
        """Begin (or restart) the step with ``total`` items, ``done`` of them already done."""
        self.total, self.done = total, done
        self._started = time.monotonic()
        self._reporter.show(self, force=True)

    def advance(self, count: int = 1) -> None:
        """``count`` more items are done."""
        self.done += count
        self._reporter.show(self)

    def note(self, text: str) -> None:
        """A short live note (e.g. ``passed 12``), shown with the count."""
        self.text = text

    def finish(self) -> None:
        """The step is over: a last line (plain mode)."""
        self._reporter.show(self, force=True, final=True)

    def line(self) -> str:
        """The plain-text line for this step's current state."""
        elapsed = time.monotonic() - self._started
        parts = [f"[{self.label}] {self.done}"]
        if self.total:
            parts[0] += f"/{self.total} ({100 * self.done // self.total}%)"
        parts.append(f"in {_duration(elapsed)}")
        if self.total and 0 < self.done < self.total:
            left = elapsed / self.done * (self.total - self.done)
            parts[-1] += f", about {_duration(left)} left"
        text = " ".join(parts)
        return f"{text}; {self.text}" if self.text else text

    def due(self, now: float) -> bool:
        """Whether a plain line is due: a new tenth reached, or the interval passed."""
        tenth = 10 * self.done // self.total if self.total else -1
        if tenth != self._last_tenth or now - self._last_line >= self._reporter.interval_s:
            self._last_tenth, self._last_line = tenth, now
            return True
        return False


class ProgressReporter:
    """Bars on a terminal, plain periodic lines elsewhere, nothing when disabled."""

    def __init__(
        self,
        enabled: bool = True,
        *,
        stream: TextIO | None = None,
        interval_s: float = PLAIN_INTERVAL_S,
        plain: bool | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval_s = interval_s
        self.plain = (not self.stream.isatty()) if plain is None else plain
        self._lock = threading.Lock()
        self._bars: Progress | None = None
        if enabled and not self.plain:
            self._bars = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[note]}"),
                console=Console(file=self.stream),
                transient=True,
            )

    def __enter__(self) -> ProgressReporter:
        if self._bars is not None:
            self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop drawing (bars vanish; the command prints its own summary)."""
        if self._bars is not None:
            self._bars.stop()

    def task(self, label: str) -> ProgressTask:
        """A new step shown under ``label``."""
        return ProgressTask(self, label)

    def say(self, text: str) -> None:
        """A one-off line (a phase starting), in both modes unless disabled."""
        if not self.enabled:
            return
        with self._lock:
            if self._bars is not None:
                self._bars.console.print(text, markup=False, highlight=False)
            else:
                print(text, file=self.stream, flush=True)

    def show(self, task: ProgressTask, *, force: bool = False, final: bool = False) -> None:
        """Draw or print ``task``'s state (called by the task itself)."""
        if not self.enabled:
            return
        with self._lock:
            if self._bars is not None:
                self._draw(task)
            elif (force or task.due(time.monotonic())) and (task.total or final or force):
                line = task.line()
                if line != task.printed:
                    print(line, file=self.stream, flush=True)
                    task.printed = line

    def _draw(self, task: ProgressTask) -> None:
        if self._bars is None:
            return
        if task._bar is None:
            task._bar = self._bars.add_task(task.label, total=task.total, note="")
        self._bars.update(task._bar, total=task.total, completed=task.done, note=task.text)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"

"""A program under a pseudo-terminal, for the benchmarks: start it, read what it draws, stop it.

Only the standard library (pty, termios, select). The program gets a real 80x24 terminal (set with
TIOCSWINSZ before it starts) and TERM=xterm-256color; the benchmark reads the bytes it sends to the
terminal from the pty master, with the time each chunk arrived.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CTRL_Q = b"\x11"


@dataclass
class Burst:
    """What the program wrote after one stimulus: bytes, and when the first and last chunk came."""

    nbytes: int = 0
    first: float | None = None
    last: float | None = None
    data: bytearray = field(default_factory=bytearray)


class PtyProgram:
    """`argv` running on the slave side of a fresh pty of `cols` x `rows`."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int = 80,
        rows: int = 24,
        env: dict[str, str] | None = None,
    ) -> None:
        self.argv = list(argv)
        self.cols, self.rows = cols, rows
        base = {k: v for k, v in os.environ.items() if k not in {"SSH_CONNECTION", "NO_COLOR"}}
        base.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        base.pop("TEXTUAL", None)  # no devtools
        base.update(env or {})
        self.env = base
        self.master = -1
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.screen = bytearray()  # everything read so far

    def start(self) -> PtyProgram:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        return self

    # ---------------------------------------------------------------- reading
    def _read(self, timeout: float) -> bytes | None:
        """One chunk, b"" on timeout, None when the program closed the terminal."""
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0.0))
        if not ready:
            return b""
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:
            return None
        if not chunk:
            return None
        self.screen += chunk
        return chunk

    def read_burst(
        self,
        *,
        quiet: float = 0.05,
        timeout: float = 10.0,
        until: Sequence[bytes] = (),
        since: int = 0,
    ) -> Burst:
        """Read until something came, every marker in `until` has appeared in the output from offset
        `since`, and then nothing came for `quiet` seconds; or `timeout` passed.
        Times are perf_counter() values."""
        burst = Burst()
        deadline = time.perf_counter() + timeout
        seen = self._has_all(until, since)
        while True:
            now = time.perf_counter()
            if now >= deadline:
                return burst
            wait = deadline - now
            if seen and burst.last is not None:
                wait = min(wait, burst.last + quiet - now)
                if wait <= 0:
                    return burst
            chunk = self._read(wait)
            stamp = time.perf_counter()
            if chunk is None:
                return burst
            if not chunk:
                if seen and burst.last is not None and stamp - burst.last >= quiet:
                    return burst
                continue
            if burst.first is None:
                burst.first = stamp
            burst.last = stamp
            burst.nbytes += len(chunk)
            burst.data += chunk
            if not seen and self._has_all(until, since):
                seen = True

    def _has_all(self, markers: Sequence[bytes], since: int) -> bool:
        window = bytes(self.screen[since:])
        return all(marker in window for marker in markers)

    def count_for(self, seconds: float) -> int:
        """Bytes the program writes in the next `seconds` (nothing is sent to it)."""
        total = 0
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            chunk = self._read(left)
            if chunk is None:
                break
            total += len(chunk)
        return total

    def write(self, data: bytes) -> float:
        """Send keys; returns the time they were written."""
        stamp = time.perf_counter()
        os.write(self.master, data)
        return stamp

    # ---------------------------------------------------------------- stopping
    def stop(self, quit_keys: bytes = CTRL_Q, grace: float = 3.0) -> int | None:
        """Ask politely (quit key), then SIGTERM, then SIGKILL the group; always reaps."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None and quit_keys:
            with contextlib.suppress(OSError):
                os.write(self.master, quit_keys)
            self._drain_until_exit(proc, grace)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
            self._drain_until_exit(proc, grace)
        code = proc.wait()
        # The program's own children (none expected) go with its session.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        self.proc = None
        return code

    def _drain_until_exit(self, proc: subprocess.Popen[bytes], seconds: float) -> None:
        # Keep reading so the program never blocks on a full terminal while it restores it.
        deadline = time.perf_counter() + seconds
        while proc.poll() is None and time.perf_counter() < deadline:
            if self._read(0.05) is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=max(0.0, deadline - time.perf_counter()))
                break

    def __enter__(self) -> PtyProgram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    if not ordered:
        return float("nan")
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]

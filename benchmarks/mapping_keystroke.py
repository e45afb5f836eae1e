"""Typing in the mapping step, under a real 80x24 pty: echo and settle per key, bytes, idle.

Run: uv run python benchmarks/mapping_keystroke.py [--rows 100] [--keys 20]
The wizard runs as benchmarks/mapping_app.py (the real WizardApp opened at step 4 with N rows)
with SSH_CONNECTION set; the baseline is benchmarks/baseline_app.py (Header, Input, Footer),
started the same way. In each, the harness types letters at the end of a field, then deletes
them, one key at a time. In the wizard the field is row 1's context path (`From ->
call.from`), so every key also changes the preview and may change the row's findings. For each
key, from the pty master:
- echo: from writing the key to the first byte the program writes after it (the frame that
  echoes the key starts);
- settle: from writing the key to the last byte before the output has been quiet for 50 ms
  (the last frame that shows anything the key changed: preview, findings, summary, status
  line; the quiet time is not counted). Equal to echo's frame when everything lands in one;
- bytes sent to the terminal for that key.
Then (with --idle) it sends nothing for 5 s and counts the bytes: the wizard with
SSH_CONNECTION set (no cursor blink), against the baseline as Textual draws it by default.
It also reads how long the wizard took to open the mapping step (mapping_app --open-report).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import ROOT, PtyProgram, median, percentile
from _report import Row, markdown
from mapping_app import ready_marker

SSH = {"SSH_CONNECTION": "127.0.0.1 50000 127.0.0.1 22"}
BENCH = ROOT / "benchmarks"
BASELINE = [sys.executable, str(BENCH / "baseline_app.py")]
BASELINE_READY = (b"aseline ready", b"Quit")  # 1st letter sits under the cursor
ENTER, TAB, END, BACKSPACE = b"\r", b"\t", b"\x1b[F", b"\x7f"
IDLE_SECONDS = 5.0
QUIET = 0.05


@dataclass
class Typing:
    echo_ms: list[float]
    settle_ms: list[float]
    bytes_per_key: list[int]
    idle_bytes: int | None
    open_ms: float | None = None

    def figures(self, prefix: str) -> dict[str, float]:
        """Median and p90 of echo and settle, mean bytes per key, keyed by `prefix`."""
        figures = {
            f"{prefix}.echo.median": median(self.echo_ms),
            f"{prefix}.echo.p90": percentile(self.echo_ms, 90),
            f"{prefix}.settle.median": median(self.settle_ms),
            f"{prefix}.settle.p90": percentile(self.settle_ms, 90),
            f"{prefix}.bytes": statistics.mean(self.bytes_per_key),
        }
        if self.idle_bytes is not None:
            figures[f"{prefix}.idle_bytes"] = self.idle_bytes
        if self.open_ms is not None:
            figures[f"{prefix}.open_ms"] = self.open_ms
        return figures


def _ready(program: PtyProgram, markers: tuple[bytes, ...]) -> None:
    burst = program.read_burst(until=markers, quiet=0.3, timeout=60.0)
    if burst.last is None or not all(m in program.screen for m in markers):
        raise RuntimeError(f"{program.argv[-1]}: never showed {markers!r}")


def _key(program: PtyProgram, key: bytes) -> tuple[float, float, int]:
    sent = program.write(key)
    burst = program.read_burst(quiet=QUIET, timeout=3.0)
    if burst.first is None or burst.last is None:
        return float("nan"), float("nan"), 0
    return (burst.first - sent) * 1000, (burst.last - sent) * 1000, burst.nbytes


def type_keys(
    argv: list[str],
    ready: tuple[bytes, ...],
    setup: list[bytes],
    keys: int,
    env: dict[str, str],
    *,
    idle: bool,
) -> Typing:
    """Type `keys` letters then as many backspaces (then stay idle); the figures for each key."""
    program = PtyProgram(argv, env=env).start()
    try:
        _ready(program, ready)
        for key in setup:
            _key(program, key)
        echo: list[float] = []
        settle: list[float] = []
        sizes: list[int] = []
        letters = [bytes([ord("a") + i % 26]) for i in range(keys)]
        for key in [*letters, *[BACKSPACE] * keys]:
            first, last, size = _key(program, key)
            echo.append(first)
            settle.append(last)
            sizes.append(size)
        idle_bytes = None
        if idle:
            program.read_burst(quiet=0.3, timeout=2.0)  # anything late, before the idle window
            idle_bytes = program.count_for(IDLE_SECONDS)
        return Typing(echo, settle, sizes, idle_bytes)
    finally:
        program.stop()


def idle_only(argv: list[str], ready: tuple[bytes, ...], env: dict[str, str]) -> int:
    program = PtyProgram(argv, env=env).start()
    try:
        _ready(program, ready)
        return program.count_for(IDLE_SECONDS)
    finally:
        program.stop()


def wizard_typing(rows: int, keys: int, *, idle: bool = False) -> Typing:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "open-ms"
        argv = [
            sys.executable,
            str(BENCH / "mapping_app.py"),
            "--rows",
            str(rows),
            "--open-report",
            str(report),
        ]
        ready = (b"Context mapping", ready_marker(rows).encode())
        # Tab moves from row 1's field to its context path; End leaves any selection.
        typing = type_keys(argv, ready, [TAB, END], keys, SSH, idle=idle)
        typing.open_ms = float(report.read_text()) if report.exists() else None
        return typing


def run(keys: int = 20, sizes: tuple[int, ...] = (100, 500), idle: bool = True) -> dict[str, float]:
    """One run of everything this module measures, as named figures (ms, bytes)."""
    figures: dict[str, float] = {}
    for rows in sizes:
        figures |= wizard_typing(rows, keys, idle=idle and rows == sizes[0]).figures(f"w{rows}")
    base = type_keys([*BASELINE, "--no-blink"], BASELINE_READY, [END], keys, SSH, idle=idle)
    figures |= base.figures("base")
    if idle:
        figures["base.blink_idle_bytes"] = idle_only(BASELINE, BASELINE_READY, {})
    return figures


def rows_of(figures: dict[str, float], sizes: tuple[int, ...] = (100, 500)) -> list[Row]:
    """Table rows for one run (run_all.py prints the same across three runs)."""
    out: list[Row] = []
    for rows in sizes:
        for what in ("echo", "settle"):
            med, p90 = figures[f"w{rows}.{what}.median"], figures[f"w{rows}.{what}.p90"]
            base = (
                f"{figures[f'base.{what}.median']:.1f} ms (p90 {figures[f'base.{what}.p90']:.1f})"
            )
            verdict = "met" if med < 16 and p90 < 16 else "missed"
            out.append(
                Row(
                    f"mapping step, {rows} rows: keystroke {what}, median (p90)",
                    f"{med:.1f} ms (p90 {p90:.1f})",
                    base + " (Input in minimal app)",
                    f"target < 16 ms: {verdict}",
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=20, help="letters typed (then deleted)")
    parser.add_argument("--rows", type=int, action="append", help="rows (repeatable)")
    args = parser.parse_args()
    sizes = tuple(args.rows or (100, 500))
    figures = run(args.keys, sizes, idle=False)
    print(markdown(rows_of(figures, sizes)))
    for rows in sizes:
        print(f"opening the mapping step, {rows} rows: {figures.get(f'w{rows}.open_ms')} ms")


if __name__ == "__main__":
    main()

"""Typing in the mapping step with 100 rows, under a real 80x24 pty: repaint time and bytes.

Run: uv run python benchmarks/mapping_keystroke.py [--keys 20]
The wizard runs as benchmarks/mapping_app.py (the real WizardApp opened at step 4 with 100 rows)
with SSH_CONNECTION set; the baseline is benchmarks/baseline_app.py (Header, Input, Footer),
started the same way. In each, the harness types letters at the end of a field, then deletes
them, one key at a time, and for each key measures, from the pty master:
- keystroke to repaint: from writing the key to the last byte of the frame it caused (the frame
  is over when the output has been quiet for 50 ms; the quiet time is not counted);
- bytes sent to the terminal for that key.
Then it sends nothing for 5 s and counts the bytes: the wizard with SSH_CONNECTION set (no cursor
blink), against the baseline as Textual draws it by default (blinking cursor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import ROOT, PtyProgram, median, percentile
from _report import Row, markdown, ratio

SSH = {"SSH_CONNECTION": "127.0.0.1 50000 127.0.0.1 22"}
BENCH = ROOT / "benchmarks"
WIZARD = [sys.executable, str(BENCH / "mapping_app.py")]
WIZARD_READY = (b"Context mapping", b"100 fields mapped")
BASELINE = [sys.executable, str(BENCH / "baseline_app.py")]
BASELINE_READY = (b"aseline ready", b"Quit")  # 1st letter sits under the cursor
ENTER, END, BACKSPACE = b"\r", b"\x1b[F", b"\x7f"
IDLE_SECONDS = 5.0
QUIET = 0.05


@dataclass
class Typing:
    latencies_ms: list[float]
    bytes_per_key: list[int]
    idle_bytes: int


def _ready(program: PtyProgram, markers: tuple[bytes, ...]) -> None:
    burst = program.read_burst(until=markers, quiet=0.3, timeout=60.0)
    if burst.last is None or not all(m in program.screen for m in markers):
        raise RuntimeError(f"{program.argv[-1]}: never showed {markers!r}")


def _key(program: PtyProgram, key: bytes) -> tuple[float, int]:
    sent = program.write(key)
    burst = program.read_burst(quiet=QUIET, timeout=3.0)
    if burst.last is None:
        return float("nan"), 0
    return (burst.last - sent) * 1000, burst.nbytes


def type_and_idle(
    argv: list[str], ready: tuple[bytes, ...], setup: list[bytes], keys: int, env: dict[str, str]
) -> Typing:
    """Type `keys` letters then as many backspaces, then stay idle; the figures for each key."""
    program = PtyProgram(argv, env=env).start()
    try:
        _ready(program, ready)
        for key in setup:
            _key(program, key)
        latencies: list[float] = []
        sizes: list[int] = []
        letters = [bytes([ord("a") + i % 26]) for i in range(keys)]
        for key in [*letters, *[BACKSPACE] * keys]:
            ms, size = _key(program, key)
            latencies.append(ms)
            sizes.append(size)
        program.read_burst(quiet=0.3, timeout=2.0)  # anything late, before the idle window
        idle = program.count_for(IDLE_SECONDS)
        return Typing(latencies, sizes, idle)
    finally:
        program.stop()


def idle_only(argv: list[str], ready: tuple[bytes, ...], env: dict[str, str]) -> int:
    program = PtyProgram(argv, env=env).start()
    try:
        _ready(program, ready)
        return program.count_for(IDLE_SECONDS)
    finally:
        program.stop()


def measure(keys: int = 20) -> list[Row]:
    # Wizard: Enter moves from row 1's field to its context path, End leaves the selection.
    wizard = type_and_idle(WIZARD, WIZARD_READY, [ENTER, END], keys, SSH)
    base = type_and_idle([*BASELINE, "--no-blink"], BASELINE_READY, [END], keys, SSH)
    base_blink_idle = idle_only(BASELINE, BASELINE_READY, {})
    n = 2 * keys
    w_med, b_med = median(wizard.latencies_ms), median(base.latencies_ms)
    w_p90, b_p90 = percentile(wizard.latencies_ms, 90), percentile(base.latencies_ms, 90)
    w_bytes = statistics.mean(wizard.bytes_per_key)
    b_bytes = statistics.mean(base.bytes_per_key)
    w_max = max(wizard.bytes_per_key)
    return [
        Row(
            f"mapping step, 100 rows: keystroke to repaint, median of {n} keys",
            f"{w_med:.1f} ms (p90 {w_p90:.1f})",
            f"{b_med:.1f} ms (p90 {b_p90:.1f}) (Input in minimal app)",
            f"{ratio(w_med, b_med)}; target < 16 ms: {'met' if w_med < 16 else 'missed'}",
        ),
        Row(
            "mapping step: bytes to the terminal per keystroke, 80x24 (mean)",
            f"{w_bytes:,.0f} B (max {w_max:,})",
            f"{b_bytes:,.0f} B",
            f"{ratio(w_bytes, b_bytes)}; target <= 1,536 B: "
            f"{'met' if w_bytes <= 1536 else 'missed'}",
        ),
        Row(
            "mapping step: bytes while idle 5 s, SSH_CONNECTION set",
            f"{wizard.idle_bytes:,} B",
            f"{base.idle_bytes:,} B no blink; {base_blink_idle:,} B Textual default (blinking)",
            f"target 0: {'met' if wizard.idle_bytes == 0 else 'missed'}",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=20, help="letters typed (then deleted)")
    args = parser.parse_args()
    print(markdown(measure(args.keys)))


if __name__ == "__main__":
    main()

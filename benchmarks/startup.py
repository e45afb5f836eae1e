"""Time to the first full frame under a pseudo-terminal: the wizard against a minimal Textual app.

Run: uv run python benchmarks/startup.py [--runs 7]
Both programs start the same way: a fresh 80x24 pty, TERM=xterm-256color, the same Python. The
clock runs from spawning the process to the last byte of the first frame: every marker of the
first screen has appeared and then the output went quiet for 50 ms. The wizard is `python -m
wizard --demo` (so it also starts the in-process sandbox and checks the demo key in the
background; the frame counted is the first one, before the check returns). The baseline is
benchmarks/baseline_app.py (Header, Input, Footer). Prints the medians and their ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import ROOT, PtyProgram, median
from _report import Row, main_with_runs, ratio

WIZARD = ([sys.executable, "-m", "wizard", "--demo"], (b"Connect to Ultravox", b"Quit"))
BASELINE = (
    [sys.executable, str(ROOT / "benchmarks" / "baseline_app.py")],
    (b"aseline ready", b"Quit"),
)
QUIET = 0.05
TARGET = 1.1


def first_frame(argv: list[str], markers: tuple[bytes, ...]) -> float:
    """Seconds from spawn to the end of the first frame showing every marker."""
    program = PtyProgram(argv).start()
    try:
        burst = program.read_burst(until=markers, quiet=QUIET, timeout=30.0)
        if burst.last is None or not all(m in program.screen for m in markers):
            raise RuntimeError(f"{argv[-1]}: first screen never showed {markers!r}")
        return burst.last - program.started
    finally:
        program.stop()


def run(runs: int = 7) -> dict[str, float]:
    """Medians of `runs` interleaved starts (ms), for run_all.py."""
    first_frame(*BASELINE)  # warm the file cache (both share Textual's imports)
    first_frame(*WIZARD)
    wizard: list[float] = []
    baseline: list[float] = []
    for _ in range(runs):  # interleaved, so drift hits both alike
        baseline.append(first_frame(*BASELINE))
        wizard.append(first_frame(*WIZARD))
    w, b = median(wizard), median(baseline)
    return {"startup.wizard": w * 1000, "startup.base": b * 1000, "startup.ratio": w / b}


def measure(runs: int = 7) -> list[Row]:
    figures = run(runs)
    w, b = figures["startup.wizard"] / 1000, figures["startup.base"] / 1000
    verdict = f"{ratio(w, b)} (target <= {TARGET}x)"
    return [
        Row(
            f"time to first full frame, 80x24 pty (median of {runs})",
            f"{w * 1000:.0f} ms",
            f"{b * 1000:.0f} ms (Header+Input+Footer app)",
            verdict,
        )
    ]


if __name__ == "__main__":
    main_with_runs(__doc__, measure)

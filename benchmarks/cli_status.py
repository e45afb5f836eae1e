"""`ultravox-plivo status` against the sandbox on loopback: wall time against `python -c pass`.

Run: uv run python benchmarks/cli_status.py [--runs 7]
The sandbox runs in this process (a real HTTP server on loopback); the command runs as a user
runs it, `python -m wizard status`, with the sandbox's address and demo key in the environment,
interleaved with `python -c pass` (the interpreter's own start) so drift hits both alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import ROOT, median
from _report import Row, main_with_runs

from wizard.sandbox import Sandbox
from wizard.sandbox.seed import DEMO_API_KEY, DEMO_AUTH_ID

TARGET = 0.35


def _wall(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def run(runs: int = 7) -> dict[str, float]:
    """Medians of `runs` interleaved runs (ms), for run_all.py."""
    with Sandbox().start() as sandbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ULTRAVOX_", "PLIVO_"))}
        env.update(
            ULTRAVOX_API_BASE=sandbox.base_url,
            PLIVO_API_BASE=sandbox.base_url,
            ULTRAVOX_API_KEY=DEMO_API_KEY,
            PLIVO_AUTH_ID=DEMO_AUTH_ID,
        )
        status = [sys.executable, "-m", "wizard", "status"]
        bare = [sys.executable, "-c", "pass"]
        _wall(status, env)  # warm the file cache
        times, bases = [], []
        for _ in range(runs):
            bases.append(_wall(bare, env))
            times.append(_wall(status, env))
    return {"status.wizard": median(times) * 1000, "status.base": median(bases) * 1000}


def measure(runs: int = 7) -> list[Row]:
    figures = run(runs)
    w, b = figures["status.wizard"] / 1000, figures["status.base"] / 1000
    return [
        Row(
            f"CLI `status` against the sandbox on loopback, wall (median of {runs})",
            f"{w * 1000:.0f} ms",
            f"{b * 1000:.0f} ms (`python -c pass`)",
            f"+{(w - b) * 1000:.0f} ms; target < {TARGET * 1000:.0f} ms: "
            f"{'met' if w < TARGET else 'missed'}",
        )
    ]


if __name__ == "__main__":
    main_with_runs(__doc__, measure)

"""Run every wizard benchmark three times and print one markdown table, with the machine and load.

Run: uv run python benchmarks/run_all.py [--runs 3] [--quick]
Each benchmark runs `--runs` times (3 by default), interleaved with the others so a busy minute
does not fall on one figure only. Every figure is a median within its run (of 7 starts, of 40
keys...); the table gives the median of those medians and, in brackets, the lowest and highest
run, so one good run cannot stand for the rest. Baselines are measured in the same runs. The
load average is read before and after. Before the first run the project's package is compiled
to bytecode, as an install does (this machine sets PYTHONDONTWRITEBYTECODE, which would
otherwise make every start recompile whatever changed since the cache was last written).
No assertions: the table is for the README's performance section.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agents_10k
import cli_status
import mapping_keystroke
import startup
from _pty import ROOT
from _report import Row, machine, markdown

Figures = dict[str, float]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _spread(runs: list[Figures], key: str, fmt: str = "{:.1f}") -> str:
    """Median of the runs' figures, then [min-max] across runs."""
    values = [run[key] for run in runs]
    med = statistics.median(values)
    return f"{fmt.format(med)} [{fmt.format(min(values))}-{fmt.format(max(values))}]"


def _worst(runs: list[Figures], *keys: str) -> float:
    return max(run[key] for run in runs for key in keys)


def table(runs: list[Figures]) -> list[Row]:
    """One row per measure: median of the runs' medians [min-max across runs]."""
    n = len(runs)
    rows = [
        Row(
            "time to first full frame, 80x24 pty (median of 7 starts per run), ms",
            _spread(runs, "startup.wizard", "{:.0f}"),
            _spread(runs, "startup.base", "{:.0f}") + " (Header+Input+Footer app)",
            f"ratio {_spread(runs, 'startup.ratio', '{:.2f}')}x; target <= 1.1x in every run: "
            + ("met" if _worst(runs, "startup.ratio") <= 1.1 else "missed"),
        )
    ]
    for size in (100, 500):
        for what in ("echo", "settle"):
            keys = (f"w{size}.{what}.median", f"w{size}.{what}.p90")
            met = _worst(runs, *keys) < 16
            rows.append(
                Row(
                    f"mapping step, {size} rows: keystroke {what}, median / p90 of 40 keys, ms",
                    f"{_spread(runs, keys[0])} / {_spread(runs, keys[1])}",
                    f"{_spread(runs, f'base.{what}.median')} / "
                    f"{_spread(runs, f'base.{what}.p90')} (Input in minimal app)",
                    f"target < 16 ms, median and p90, in every run: {'met' if met else 'missed'}",
                )
            )
    for size in (100, 500):
        key = f"w{size}.open_ms"
        verdict = (
            f"target < 150 ms in every run: {'met' if _worst(runs, key) < 150 else 'missed'}"
            if size == 500
            else ""
        )
        rows.append(
            Row(
                f"opening the mapping step with {size} rows (ask -> first refresh), ms",
                _spread(runs, key, "{:.0f}"),
                "",
                verdict,
            )
        )
    rows += [
        Row(
            "mapping step: bytes to the terminal per keystroke, 100 rows (mean)",
            _spread(runs, "w100.bytes", "{:,.0f}"),
            _spread(runs, "base.bytes", "{:,.0f}"),
            "target <= 1,536 B in every run: "
            + ("met" if _worst(runs, "w100.bytes") <= 1536 else "missed"),
        ),
        Row(
            "mapping step: bytes while idle 5 s, SSH_CONNECTION set",
            _spread(runs, "w100.idle_bytes", "{:,.0f}"),
            _spread(runs, "base.idle_bytes", "{:,.0f}")
            + " no blink; "
            + _spread(runs, "base.blink_idle_bytes", "{:,.0f}")
            + " Textual default (blinking)",
            "target 0: " + ("met" if _worst(runs, "w100.idle_bytes") == 0 else "missed"),
        ),
        Row(
            "CLI `status` against the sandbox on loopback, wall (median of 7 per run), ms",
            _spread(runs, "status.wizard", "{:.0f}"),
            _spread(runs, "status.base", "{:.0f}") + " (`python -c pass`)",
            "target < 350 ms in every run: "
            + ("met" if _worst(runs, "status.wizard") < 350 else "missed"),
        ),
        Row(
            "agents step, 10,000 agents: first page visible, ms",
            _spread(runs, "agents.first_page", "{:.0f}"),
            _spread(runs, "agents.base.first_page", "{:.0f}") + " (25 agents)",
            "",
        ),
        Row(
            "agents step, 10,000 agents: all loaded, ms",
            _spread(runs, "agents.all_loaded", "{:.0f}"),
            _spread(runs, "agents.base.all_loaded", "{:.0f}") + " (25 agents)",
            "",
        ),
        Row(
            "agents step, 10,000 agents: filter keystroke to refresh (median), ms",
            _spread(runs, "agents.filter"),
            _spread(runs, "agents.base.filter") + " (25 agents)",
            "target < 30 ms in every run: "
            + ("met" if _worst(runs, "agents.filter") < 30 else "missed"),
        ),
        Row(
            "agents step, 10,000 agents: peak memory (maxrss), MiB",
            _spread(runs, "agents.maxrss", "{:.0f}"),
            _spread(runs, "agents.base.maxrss", "{:.0f}") + " (25 agents)",
            "",
        ),
    ]
    assert n == len(runs)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of every benchmark")
    parser.add_argument("--quick", action="store_true", help="fewer starts and keys (smoke)")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "wizard", quiet=1)
    compileall.compile_dir(ROOT / "benchmarks", quiet=1)
    starts, keys = (3, 5) if args.quick else (7, 20)
    steps: list[Callable[[], Figures]] = [
        lambda: startup.run(runs=starts),
        lambda: mapping_keystroke.run(keys=keys),
        lambda: cli_status.run(runs=starts),
        agents_10k.run,
    ]
    load_before = _load()
    runs: list[Figures] = []
    for index in range(args.runs):
        figures: Figures = {}
        for step in steps:
            figures |= step()
        runs.append(figures)
        print(f"run {index + 1}/{args.runs} done (load {_load()})", file=sys.stderr)
    print(markdown(table(runs)))
    print()
    print(
        f"{args.runs} runs; each cell: median of the runs' medians [lowest-highest run]. "
        f"Load average (1, 5, 15 min) before: {load_before}; after: {_load()}."
    )
    print(f"Machine: {machine()}")
    print()
    print("Per run (ms unless named):")
    for index, figures in enumerate(runs, 1):
        shown = ", ".join(
            f"{k} {v:.3f}" if k.endswith("ratio") else f"{k} {v:.1f}"
            for k, v in sorted(figures.items())
        )
        print(f"- run {index}: {shown}")


if __name__ == "__main__":
    main()

"""Rows of the benchmark table and how they print (markdown), plus the machine they ran on."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

HEADER = ("measure", "value", "baseline", "ratio / target")


@dataclass(frozen=True)
class Row:
    """One figure with the baseline measured in the same run."""

    measure: str
    value: str
    baseline: str
    verdict: str


def ratio(value: float, baseline: float) -> str:
    if baseline <= 0:
        return "n/a"
    return f"{value / baseline:.2f}x"


def markdown(rows: Iterable[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        lines.append(f"| {row.measure} | {row.value} | {row.baseline} | {row.verdict} |")
    return "\n".join(lines)


def main_with_runs(doc: str, measure: Callable[[int], list[Row]]) -> None:
    """A benchmark's command line: `--runs N` (default 7), then its table."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(markdown(measure(args.runs)))


def machine() -> str:
    """CPU model, cores, OS, Python and Textual versions, one line."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        from importlib.metadata import version

        textual = version("textual")
    except Exception:
        textual = "?"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}, Textual {textual}"
    )

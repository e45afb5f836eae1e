"""Run every wizard benchmark and print one markdown table, with the machine it ran on.

Run: uv run python benchmarks/run_all.py [--quick]
Each figure is measured side by side with its baseline in the same run (see each script's
docstring for what exactly is timed). No assertions: the table is for the README's performance
section. --quick uses fewer runs and keys (for a smoke check, not for publishing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agents_10k
import mapping_keystroke
import startup
from _report import Row, machine, markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (smoke check)")
    args = parser.parse_args()
    rows: list[Row] = []
    rows += startup.measure(runs=3 if args.quick else 7)
    rows += mapping_keystroke.measure(keys=5 if args.quick else 20)
    rows += agents_10k.measure()
    print(markdown(rows))
    print()
    print(f"Machine: {machine()}")


if __name__ == "__main__":
    main()

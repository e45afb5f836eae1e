"""How long context-mapping analysis takes for 100 rows, against trivial work on the same rows.

Run: uv run python benchmarks/mapping_analysis.py
Prints mean time per call and the ratio to a baseline measured in the same run, so the
figure means something on any machine. No assertions: the tests do not time anything.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from wizard.core.mapping import (
    PLIVO_REQUEST_FIELDS,
    MappingRow,
    analyse_mapping,
    mapping_from_rows,
    render_context,
)

ROWS = 100


def clean_rows(count: int = ROWS) -> list[MappingRow]:
    """`count` valid rows: Plivo's six fields and SIP headers, nested a few levels deep."""
    rows = [MappingRow(name, f"call.{name.lower()}") for name in PLIVO_REQUEST_FIELDS]
    rows += [
        MappingRow(f"X-PH-Header{i}", f"sip.group{i % 7}.header_{i}")
        for i in range(count - len(rows))
    ]
    return rows


def messy_rows() -> list[MappingRow]:
    """100 rows where about a third carry an error or warning (the worst typing moment)."""
    rows = clean_rows()
    for i in range(0, ROWS, 3):
        kind = i % 4
        if kind == 0:
            rows[i] = MappingRow(rows[i].request_field, f"sip..h{i}")
        elif kind == 1:
            rows[i] = MappingRow(f"Unknown{i}", "sip")  # unknown field + prefix conflict
        elif kind == 2:
            rows[i] = MappingRow("From", rows[i].context_path)  # mapped twice
        else:
            rows[i] = MappingRow(rows[i].request_field, "call.from")  # shared target
    return rows


def mean_seconds(func: Callable[[], object], number: int) -> float:
    best = min(timeit.repeat(func, number=number, repeat=5))
    return best / number


def main() -> None:
    clean, messy = clean_rows(), messy_rows()
    number = 2000
    cases: list[tuple[str, Callable[[], object]]] = [
        ("baseline: rows -> dict (trivial loop)", lambda: mapping_from_rows(clean)),
        ("analyse_mapping, 100 clean rows", lambda: analyse_mapping(clean)),
        ("analyse_mapping, 100 messy rows", lambda: analyse_mapping(messy)),
        ("render_context, 100 clean rows", lambda: render_context(clean)),
    ]
    results = [(name, mean_seconds(func, number)) for name, func in cases]
    baseline = results[0][1]
    print(f"{'case':<40} {'mean/call':>12} {'x baseline':>11}")
    for name, seconds in results:
        print(f"{name:<40} {seconds * 1e6:>9.1f} µs {seconds / baseline:>10.1f}x")
    print(f"(best of 5 runs of {number} calls each; budget: well under 1000 µs per analysis)")


if __name__ == "__main__":
    main()

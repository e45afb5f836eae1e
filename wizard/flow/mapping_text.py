"""What the mapping step says, as plain text (no Textual): findings, summary, preview and notes.

Everything here runs on every keystroke over up to 100 rows, so each function is one pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Literal

from wizard.core.mapping import MappingFinding, MappingReport, MappingRow, render_context

Level = Literal["error", "warning", ""]

_ERROR_LABEL = "✗ Error:"
_WARNING_LABEL = "! Warning:"
_ABSENT_SHOWN = 3
"""Fields named one per line in the left-out note; more are counted on one last line."""


def finding_line(finding: MappingFinding) -> str:
    """A finding as text that says error or warning in words, not only in colour."""
    return f"{_ERROR_LABEL if finding.is_error else _WARNING_LABEL} {finding.message}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _rows_text(indexes: Sequence[int]) -> str:
    numbers = [str(i + 1) for i in indexes]
    if len(numbers) > 4:
        numbers = [*numbers[:4], "…"]
    return ("row " if len(numbers) == 1 else "rows ") + ", ".join(numbers)


def summary_text(rows: Sequence[MappingRow], report: MappingReport) -> tuple[str, Level]:
    """The line under the rows (errors and warnings by row, or all clear) and its level."""
    error_rows = sorted({f.row for f in report.errors if f.row is not None})
    warning_rows = sorted({f.row for f in report.warnings if f.row is not None})
    filled = sum(1 for row in rows if not row.is_blank)
    parts: list[str] = []
    if report.errors:
        parts.append(f"✗ {_plural(len(report.errors), 'error')} ({_rows_text(error_rows)})")
    if report.warnings:
        parts.append(f"! {_plural(len(report.warnings), 'warning')} ({_rows_text(warning_rows)})")
    whole = [finding_line(f) for f in report.for_row(None)]
    if parts:
        tail = " Fix the errors to go on." if report.errors else " Warnings do not block."
        text = ", ".join(parts) + "." + tail
    elif filled:
        text = f"✓ {_plural(filled, 'field')} mapped, no problems."
    else:
        # The empty row's cells show "e.g." hints, not values: say how to fill one in.
        how = "Type a Plivo field and a context path." if rows else "Ctrl+A adds a row."
        text = f"No fields mapped yet: calls start with an empty context. {how}"
    level: Level = "error" if report.errors else "warning" if report.warnings else ""
    return "\n".join([text, *whole]), level


def preview_json(
    rows: Sequence[MappingRow], request: Mapping[str, str], report: MappingReport | None = None
) -> str:
    """The context `request` would produce, as the preview pane shows it."""
    return json.dumps(render_context(rows, request, report), indent=2, ensure_ascii=False)


def absent_fields(
    rows: Sequence[MappingRow], report: MappingReport, request: Mapping[str, str]
) -> list[str]:
    """Request fields of error-free rows that `request` does not carry (the preview skips them)."""
    absent: dict[str, None] = {}  # an ordered set: a field repeated is an error row anyway
    for index, row in enumerate(rows):
        field = row.request_field
        if field in request or row.is_blank or report.row_has_error(index):
            continue
        absent[field] = None
    return list(absent)


def preview_note(
    rows: Sequence[MappingRow], report: MappingReport, request: Mapping[str, str]
) -> str:
    """Why the preview lacks rows: fields the sample call does not carry, rows with errors.

    Empty when the preview shows every row.
    """
    absent = absent_fields(rows, report, request)
    lines: list[str] = []
    if absent:
        # A heading and one short name per line: reads in a 36-column pane without odd wraps.
        lines.append("Not in the sample call (left out):")
        if len(absent) <= _ABSENT_SHOWN:
            lines.extend(f"  {field}" for field in absent)
        else:
            shown = _ABSENT_SHOWN - 1
            lines.extend(f"  {field}" for field in absent[:shown])
            lines.append(f"  and {len(absent) - shown} more")
    if report.errors:
        lines.append("Rows with errors are left out.")
    return "\n".join(lines)


def sample_text(request: Mapping[str, str]) -> str:
    """The sample call as aligned `field value` lines."""
    width = max((len(key) for key in request), default=0)
    return "\n".join(f"{key:<{width}} {value}" for key, value in request.items())

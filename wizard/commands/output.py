"""Printing for the commands: human text or one JSON document, never both on stdout.

In `--json` mode stdout holds exactly one JSON document (the result, or `{"error": ...}`);
notes, warnings and prompts always go to stderr so scripts can parse stdout as is.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from wizard.core.errors import RejectedError, WizardError

PROG = "ultravox-plivo"


class Output:
    """Where a command's result, notes and errors go."""

    def __init__(
        self,
        *,
        json_mode: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.json_mode = json_mode
        self._stdout = stdout
        self._stderr = stderr

    @property
    def stdout(self) -> TextIO:
        # Looked up late so pytest's capsys (which swaps sys.stdout) sees the output.
        return self._stdout or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self._stderr or sys.stderr

    @property
    def width(self) -> int | None:
        """The terminal's width in cells for tables; None (no limit) when stdout is not a
        terminal and COLUMNS is not set, so piped text is not wrapped for a screen."""
        import os
        import shutil

        if os.environ.get("COLUMNS", "").isdigit() or _is_tty(self.stdout):
            return shutil.get_terminal_size().columns
        return None

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], marks: Sequence[str]
    ) -> None:
        """`table()` on stdout, fitted to the terminal's width."""
        if not self.json_mode:
            self.lines(table(headers, rows, marks, self.width))

    def line(self, text: str = "") -> None:
        """A line of the human result (stdout); dropped in JSON mode."""
        if not self.json_mode:
            print(text, file=self.stdout, flush=True)

    def lines(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.line(text)

    def note(self, text: str) -> None:
        """Progress or a warning: stderr in both modes."""
        print(text, file=self.stderr, flush=True)

    def result(self, data: Mapping[str, Any]) -> None:
        """The JSON document (JSON mode only)."""
        if self.json_mode:
            print(json.dumps(data, indent=2, ensure_ascii=False), file=self.stdout, flush=True)

    def error(self, exc: WizardError) -> None:
        """One line on stderr; in JSON mode also `{"error": ...}` on stdout."""
        self.error_line(str(exc))
        if self.json_mode:
            self.result({"error": error_json(exc)})

    def error_line(self, message: str) -> None:
        print(f"{PROG}: {one_line(message)}", file=self.stderr, flush=True)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def one_line(text: str) -> str:
    return " ".join(text.split())


def error_json(exc: WizardError) -> dict[str, Any]:
    """The `error` object of `--json` output (documented in docs/cli-json.md)."""
    field_errors = exc.field_errors if isinstance(exc, RejectedError) else {}
    return {
        "type": type(exc).__name__,
        "message": one_line(str(exc)),
        "exitCode": exc.exit_code,
        "fieldErrors": {k: list(v) for k, v in field_errors.items()},
    }


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    marks: Sequence[str],
    width: int | None = None,
) -> list[str]:
    """A plain aligned table; `marks` is a one-char column in front of each row.

    Text is measured in terminal cells (a CJK name or an emoji is two wide). Within `width`,
    the widest columns give way first and their cells wrap onto more lines: nothing is cut,
    since an id or a URL cut short is worse than a taller table.
    """
    from rich.cells import cell_len  # only where a table is printed: --help stays light

    natural = [cell_len(h) for h in headers]
    for row in rows:
        natural = [max(w, cell_len(c)) for w, c in zip(natural, row, strict=True)]
    widths = _fit(natural, [cell_len(h) for h in headers], width)

    def render(mark: str, cells: Sequence[str]) -> list[str]:
        wrapped = [_wrap(c, w) for c, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        lines = []
        for i in range(height):
            parts = [
                (col[i] if i < len(col) else "")
                + " " * (w - cell_len(col[i] if i < len(col) else ""))
                for col, w in zip(wrapped, widths, strict=True)
            ]
            lines.append(f"{mark if i == 0 else ' '} " + "  ".join(parts).rstrip())
        return lines

    out = render(" ", headers)
    for mark, row in zip(marks, rows, strict=True):
        out += render(mark, row)
    return out


_MIN_COLUMN = 10  # narrower than this, a wrapped column is harder to read than a wide table


def _fit(natural: list[int], floor: list[int], width: int | None) -> list[int]:
    """Column widths within `width` cells (mark and gaps included), taking cells from the
    widest column first, never below its header or `_MIN_COLUMN`."""
    widths = list(natural)
    if width is None:
        return widths
    overhead = 2 + 2 * (len(widths) - 1)
    while sum(widths) + overhead > width:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= max(floor[widest], _MIN_COLUMN):
            break  # as narrow as it sensibly goes: the terminal wraps the rest
        widths[widest] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces where it can be."""
    from rich.cells import cell_len, chop_cells

    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        pieces = chop_cells(word, width) if cell_len(word) > width else [word]
        lines += pieces[:-1]
        line = pieces[-1]
    lines.append(line)
    return lines


def indented_json(data: Any, indent: str = "    ") -> list[str]:
    return [indent + line for line in json.dumps(data, indent=2, ensure_ascii=False).splitlines()]

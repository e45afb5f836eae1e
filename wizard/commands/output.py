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


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], marks: Sequence[str]) -> list[str]:
    """A plain aligned table; `marks` is a one-char column in front of each row."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = ["  " + fmt.format(*headers).rstrip()]
    out += [f"{m} " + fmt.format(*row).rstrip() for m, row in zip(marks, rows, strict=True)]
    return out


def indented_json(data: Any, indent: str = "    ") -> list[str]:
    return [indent + line for line in json.dumps(data, indent=2, ensure_ascii=False).splitlines()]

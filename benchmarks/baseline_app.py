"""The baseline the wizard is measured against: a minimal Textual app (Header, Input, Footer).

Run: uv run python benchmarks/baseline_app.py [--no-blink]   (Ctrl+Q quits)
Started exactly like the wizard by benchmarks/startup.py and benchmarks/mapping_keystroke.py.
"""

from __future__ import annotations

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Input

READY_MARKER = "baseline ready"
"""Placeholder text of the Input: on the first frame, so the harness knows it is drawn."""


class BaselineApp(App[None]):
    """Header, one Input, Footer; nothing else."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, *, blink: bool = True) -> None:
        super().__init__()
        self.blink = blink

    def compose(self) -> ComposeResult:
        yield Header()
        field = Input(placeholder=READY_MARKER)
        field.cursor_blink = self.blink
        yield field
        yield Footer()


if __name__ == "__main__":
    BaselineApp(blink="--no-blink" not in sys.argv[1:]).run()

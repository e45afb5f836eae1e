"""The question asked before quitting would lose what the user typed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class QuitConfirm(ModalScreen[bool]):
    """Quit without sending? Dismisses with True to quit, False to stay."""

    DEFAULT_CSS = """
    QuitConfirm {
        align: center middle;
        #quit-dialog {
            width: 60;
            max-width: 90%;
            height: auto;
            border: thick $warning;
            background: $surface;
            padding: 1 2;
        }
        #quit-buttons {
            height: auto;
            margin: 1 0 0 0;
            align-horizontal: center;
        }
        #quit-buttons Button { margin: 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Stay"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-dialog"):
            yield Static(
                "Quit now? Nothing has been sent to Ultravox, and what you typed will be lost.",
                id="quit-question",
            )
            with Horizontal(id="quit-buttons"):
                yield Button("Quit (y)", id="quit-yes", variant="error")
                yield Button("Stay (n)", id="quit-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#quit-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit-yes")

    def action_answer(self, leave: bool) -> None:
        self.dismiss(leave)

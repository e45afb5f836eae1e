"""The help screen (F1, or ? outside a text field): the keys, and what the current step needs."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from wizard.tui.steps.base import StepView

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Everywhere",
        (
            ("Enter / Ctrl+N", "next step (the status line says why not, when it cannot)"),
            ("Esc / Ctrl+B", "previous step; everything typed is kept"),
            ("Tab / Shift+Tab", "move between fields"),
            ("Space", "tick a box, turn a switch on or off, choose an option (Enter never does)"),
            ("F5", "retry what failed, or verify now (where the button shows)"),
            ("PgDn / PgUp", "scroll a step taller than the terminal"),
            ("F1", "this help (or ? outside a text field); Esc closes it"),
            ("Ctrl+Q / Ctrl+C", "quit (asks first when input would be lost)"),
        ),
    ),
    ("Step 2, Plivo", (("Ctrl+R", "show the Auth Token you typed for 5 seconds"),)),
    (
        "Step 3, Agents",
        (
            ("Ctrl+T", "allow all agents, or go back to the list"),
            ("Down", "from the search field into the list"),
            ("Space", "tick or untick the highlighted agent"),
            ("Enter", "in the ids field: add the pasted ids"),
        ),
    ),
    (
        "Step 4, Mapping",
        (
            ("Ctrl+A", "add a row below this one"),
            ("Ctrl+D", "remove this row"),
            ("Up / Down", "the same column in the row above or below"),
        ),
    ),
    ("Step 5, Review", (("Ctrl+S", "send (the same as Enter there)"),)),
    (
        "Step 6, Result",
        (
            ("c", "copy the answer URLs to your terminal's clipboard"),
            ("p", "phone numbers: point Plivo numbers at the agents (optional)"),
        ),
    ),
    (
        "Phone numbers",
        (
            ("Ctrl+S", "link the chosen numbers (nothing changes before)"),
            ("Esc", "back to the result"),
        ),
    ),
)

FOOTNOTE = (
    "Nothing is sent to Ultravox before you confirm on the Review step, and your credentials"
    " are stored only after Ultravox accepted them."
)


def keys_table() -> Table:
    """Every key of every step; descriptions wrap under their own column."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for section, rows in KEYS:
        table.add_row(Text(section, style="bold underline"), "")
        for keys, what in rows:
            table.add_row(Text("  " + keys), Text(what))
    return table


STEP_HELP = {
    "connect": "Paste an Ultravox API key; it is checked with Ultravox as soon as it has the"
    " right shape (8 characters, a period, 32 more).",
    "plivo": "Type the Plivo Auth ID and Auth Token from the Plivo console. They are verified"
    " with Plivo unless you turn that off. With an existing config you can keep its token.",
    "agents": "Allow all agents, or pick up to 100 of them. Type to filter; paste ids to add.",
    "mapping": "Map fields of Plivo's incoming-call request (From, To, X-PH-...) to paths in"
    " the agent's template context, such as user.phone_number.",
    "review": "Check what changes and the exact body (token masked), then send.",
    "result": "Copy the answer URL into your Plivo Application (method POST).",
}


class HelpScreen(ModalScreen[None]):
    """Keys and a note on the step the user is on; any of Esc, F1, ? or q closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        #help-dialog {
            width: 80%;
            max-width: 82;
            height: 80%;
            border: thick $primary;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Close help"),
    ]

    def __init__(self, step: StepView) -> None:
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        about = STEP_HELP.get(self.step.id or "", "")
        with VerticalScroll(id="help-dialog"):
            yield Static(Text.assemble((self.step.step_title, "bold"), "\n", about, "\n"))
            yield Static(keys_table(), id="help-text")
            yield Static(Text("\n" + FOOTNOTE))

    def action_close(self) -> None:
        self.dismiss(None)

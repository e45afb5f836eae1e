"""The help screen (F1, or ? outside a text field): the keys, and what the current step needs."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from wizard.tui.steps.base import StepView

KEYS = """\
[b]Keys[/b]
  Enter / Ctrl+N   next step (says why not, when the step is not complete)
  Esc / Ctrl+B     previous step; everything typed is kept
  Tab / Shift+Tab  move between fields
  F1               this help (or ? outside a text field)
  Ctrl+Q / Ctrl+C  quit (asks first when input would be lost)
  Ctrl+R           show the Plivo Auth Token for 5 seconds (step 2)
  F5               retry what failed (where a Retry button shows)
  PgDn / PgUp      scroll a step taller than the terminal
  Ctrl+S           send (step 5)
  c                copy the answer URLs (step 6)

Nothing is sent to Ultravox before you confirm on the Review step, and your
credentials are stored only after Ultravox accepted them.
"""

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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Close help"),
    ]

    def __init__(self, step: StepView) -> None:
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        about = STEP_HELP.get(self.step.id or "", "")
        with VerticalScroll(id="help-dialog"):
            yield Static(f"[b]{self.step.step_title}[/b]\n{about}\n\n{KEYS}", id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)

"""One host app for mounting a single wizard step alone, with stand-ins for the shell's title,
status line and footer, over a session of its own (shared by the agents and mapping tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from textual.app import App, ComposeResult
from textual.widgets import Footer, Input, Static

from wizard.core.credentials import CredentialStore, MemoryKeyring
from wizard.flow.context import ContextRecipe
from wizard.flow.session import WizardSession
from wizard.tui.steps.base import StepView, load_stylesheet

WIZARD_TCSS = Path(__file__).parents[2] / "wizard" / "tui" / "wizard.tcss"

S = TypeVar("S", bound=StepView)


def host_session(base_url: str = "http://127.0.0.1:9") -> WizardSession:
    """A session with no keyring, no settings file and no environment."""
    recipe = ContextRecipe(
        api_base=base_url,
        plivo_api_base=base_url,
        store=CredentialStore(MemoryKeyring(), environ={}),
        environ={},
        remember=False,
    )
    return WizardSession(recipe)


class StepHost(App[None], Generic[S]):
    """A step alone: it renders and validates as in the wizard, the status line says Next."""

    CSS_PATH = WIZARD_TCSS  # the wizard's one stylesheet, as the real app loads it
    CSS = "#chrome, #next-status { height: 1; }"
    TITLE_TEXT = ""

    def __init__(self, step: S, on_ready: Callable[[S], None] | None = None) -> None:
        super().__init__()
        load_stylesheet(self, type(step))  # as the wizard does before mounting a step
        self.step = step
        self.on_ready = on_ready
        self.changes = 0

    def compose(self) -> ComposeResult:
        yield Static(f"Ultravox ← Plivo  ·  {self.TITLE_TEXT}", id="chrome")
        yield self.step
        yield Static(id="next-status")
        yield Footer()

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False
        if self.on_ready is not None:
            self.on_ready(self.step)
        self.ready()
        self.on_step_view_changed(None)

    def ready(self) -> None:
        """After `on_ready`: what the wizard does when the step is shown (subclasses)."""

    def on_step_view_changed(self, _message: StepView.Changed | None) -> None:
        self.changes += 1
        problems = self.step.problems()
        text = f"Next: not yet. {problems[0]}" if problems else "Ready: press Enter to go on."
        self.query_one("#next-status", Static).update(text)

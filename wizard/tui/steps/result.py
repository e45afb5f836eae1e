"""Step 6: the token prefix Ultravox returned, the answer URLs, and storing the credentials."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalScroll
from textual.widgets import Label, Static

from wizard.core.models import answer_urls
from wizard.flow.precedence import prefix_note
from wizard.tui.steps.base import StepView
from wizard.tui.widgets.field_message import FieldMessage

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession


class ResultStep(StepView):
    """What Ultravox now holds, what to paste into Plivo, and where the secrets were stored."""

    step_title: ClassVar[str] = "Done"
    can_focus = True  # so its bindings (c: copy) work with no field on the step

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_urls", "Copy URLs", tooltip="Copy the answer URL(s) to the clipboard"),
    ]

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(session, id=id)
        self.stored: str | None = None
        self.urls: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="result-headline", classes="intro", markup=False)  # server text
        yield Label("Token prefix Ultravox holds", classes="section")
        yield Static("", id="token-prefix", markup=False)
        yield FieldMessage("", id="prefix-check")
        yield Label("Answer URL for Plivo (c copies)", id="urls-label", classes="section")
        # Whole URLs, never broken mid-word: wider than the box, they scroll sideways.
        with HorizontalScroll(id="answer-urls-box"):
            yield Static("", id="answer-urls")
        yield FieldMessage("", id="copy-status")
        yield Label("Credentials", classes="section")
        yield FieldMessage("", id="store-status")
        yield Label("Next, in the Plivo console", classes="section")
        yield Static("", id="next-steps", classes="hint")

    def on_mount(self) -> None:
        self.show_result()
        self.store_credentials()

    def on_show_step(self) -> None:
        self.focus()

    def show_result(self) -> None:
        """Fill the step in from what Ultravox answered."""
        outcome = self.session.outcome
        if outcome is None:
            return
        result = outcome.config
        prefix = result.auth_token_prefix or ""
        self.query_one("#result-headline", Static).update(
            f"✓ Ultravox now holds the Plivo config for Auth ID {result.auth_id}."
        )
        self.query_one("#token-prefix", Static).update(
            "  ".join(prefix) + "  …" if prefix else "(not returned)"
        )
        kind, text = prefix_note(prefix, outcome.token)
        self.query_one("#prefix-check", FieldMessage).show(kind, text)
        self.urls = answer_urls(result)
        label = "Answer URLs for Plivo (c copies them)" if len(self.urls) > 1 else None
        if label:
            self.query_one("#urls-label", Label).update(label)
        if result.allow_all_agents:
            shown = self.urls[0] + "\n(replace {agent_id} with the agent's id)"
        elif self.urls:
            shown = "\n".join(self.urls)
        else:
            shown = "(no agents allowed yet: go back to allow some)"
        self.query_one("#answer-urls", Static).update(shown)
        self.query_one("#next-steps", Static).update(
            "1. Phone Numbers → Applications → your Application (or create one).\n"
            "2. Set Answer URL to the URL above for the agent that should answer.\n"
            "3. Set Answer Method to POST, save, and link your number to the Application."
        )
        self.query_one("#store-status", FieldMessage).show("busy", "… Storing the credentials")

    def action_copy_urls(self) -> None:
        if not self.urls:
            self.query_one("#copy-status", FieldMessage).show("warning", "! Nothing to copy.")
            return
        self.app.copy_to_clipboard("\n".join(self.urls))
        self.query_one("#copy-status", FieldMessage).show(
            "success", copied_note(len(self.urls), in_browser=self.app.is_web)
        )

    @work(thread=True, exclusive=True, group="store")
    def store_credentials(self) -> None:
        """Only now, after Ultravox accepted them; keyring calls can block, so in a thread.

        The session stores what was typed here (never what came from the environment or the
        store) and remembers the Auth ID.
        """
        text = self.session.store_credentials()
        kind = "error" if self.session.store_op.failed else "success"
        self.app.call_from_thread(self._stored, kind, ("✓ " if kind == "success" else "✗ ") + text)

    def _stored(self, kind: str, text: str) -> None:
        self.stored = text
        self.query_one("#store-status", FieldMessage).show(kind, text)


def copied_note(n: int, *, in_browser: bool) -> str:
    """What `c` did. In a browser (`ultravox-plivo serve`) the page hands Textual's OSC 52 to
    the browser's clipboard, which browsers allow only on a secure origin (127.0.0.1 and
    localhost are; another address over plain HTTP is not)."""
    urls = f"{n} URL{'s' if n != 1 else ''}"
    if in_browser:
        return (
            f"✓ Sent {urls} to your browser's clipboard (on 127.0.0.1 or localhost; elsewhere"
            " select them with the mouse)."
        )
    return f"✓ Copied {urls} (through your terminal)."

"""Step 6: the token prefix Ultravox returned, the answer URLs, and storing the credentials."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, Static

from wizard.flow.result_view import PLIVO_CONSOLE_STEPS, answer_urls, token_line
from wizard.tui.steps.base import StepView
from wizard.tui.widgets.field_message import FieldMessage

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession


class ResultStep(StepView):
    """What Ultravox now holds, what to paste into Plivo, and where the secrets were stored."""

    step_title: ClassVar[str] = "Done"
    STYLESHEET: ClassVar[str] = "result.tcss"
    can_focus = True  # so its bindings (c: copy) work with no field on the step

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_urls", "Copy URLs", tooltip="Copy the answer URL(s) to the clipboard"),
        Binding("p", "phone_numbers", "Phone numbers", tooltip="Point Plivo numbers at agents"),
    ]

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(session, id=id)
        self.stored: str | None = None
        self.urls: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="result-headline", classes="intro", markup=False)  # server text
        yield Label("Answer URL for Plivo (c copies)", id="urls-label", classes="section")
        # Whole URLs, wrapped where the terminal is narrow: never cut, never scrolled sideways.
        yield Static("", id="answer-urls", markup=False)
        yield FieldMessage("", id="copy-status")
        yield Static(
            "Optional: press p to point this account's Plivo numbers at these agents here,"
            " or do it by hand:",
            id="numbers-offer",
            classes="hint",
        )
        yield Label("Next, in the Plivo console", classes="section")
        yield Static("", id="next-steps", classes="hint")
        yield FieldMessage("", id="prefix-check")
        yield FieldMessage("", id="store-status")

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
        verb = "created" if outcome.method == "POST" else "updated"
        self.query_one("#result-headline", Static).update(
            f"✓ Ultravox {verb} the Plivo config for Auth ID {result.auth_id}."
        )
        urls = answer_urls(self.session, outcome)
        self.urls = [url.url for url in urls]
        if len(urls) > 1:
            self.query_one("#urls-label", Label).update(
                f"Answer URLs for Plivo, one per agent (c copies all {len(urls)})"
            )
        shown = "\n".join(f"{url.agent}:\n  {url.url}" for url in urls)
        self.query_one("#answer-urls", Static).update(
            shown or "(no agents allowed yet: run the wizard again to allow some)"
        )
        self.query_one("#next-steps", Static).update(PLIVO_CONSOLE_STEPS)
        kind, text = token_line(outcome)
        self.query_one("#prefix-check", FieldMessage).show(kind, text)
        self.query_one("#store-status", FieldMessage).show("busy", "… Storing the credentials")

    def action_copy_urls(self) -> None:
        status = self.query_one("#copy-status", FieldMessage)
        if not self.urls:
            status.show("warning", "! Nothing to copy.")
            return
        self.app.copy_to_clipboard("\n".join(self.urls))
        # OSC 52 has no answer: say what was done, not that it arrived.
        status.show("", copied_note(len(self.urls), in_browser=self.app.is_web))

    def action_phone_numbers(self) -> None:
        """The optional last step, on its own screen (Esc comes back here)."""
        from wizard.tui.screens.phone_numbers import PhoneNumbersScreen

        self.app.push_screen(PhoneNumbersScreen(self.session.phone_numbers))

    @work(thread=True, exclusive=True, group="store")
    def store_credentials(self) -> None:
        """Only now, after Ultravox accepted them; keyring calls can block, so in a thread.

        The session stores what was typed here (never what came from the environment or the
        store) and remembers the Auth ID.
        """
        text = self.session.store_credentials()
        kind = "error" if self.session.store_op.failed else "success"
        self.app.call_from_thread(self._stored, kind, text)

    def _stored(self, kind: str, text: str) -> None:
        self.stored = text
        mark = "✓" if kind == "success" else "✗"
        self.query_one("#store-status", FieldMessage).show(kind, f"{mark} Credentials: {text}")


def copied_note(n: int, *, in_browser: bool) -> str:
    """What `c` did, never more: OSC 52 has no answer. In a browser (`ultravox-plivo serve`)
    the page hands it to the browser's clipboard, which browsers allow only on a secure origin
    (127.0.0.1 and localhost are; another address over plain HTTP is not)."""
    urls = f"{n} URL{'s' if n != 1 else ''}"
    if in_browser:
        return (
            f"Sent {urls} to your browser's clipboard (on 127.0.0.1 or localhost; elsewhere"
            " select them with the mouse)."
        )
    return (
        f"Sent {urls} to your terminal's clipboard (OSC 52). If your terminal ignores OSC 52,"
        " the URLs are printed when you leave."
    )

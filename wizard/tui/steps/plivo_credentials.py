"""Step 2: Plivo Auth ID and Auth Token, checked on every keystroke and verified with Plivo.

The session decides which Auth ID and token are in use and what is sent; this step shows it.
A token from the environment or the keyring never goes into the field: the field holds only
what is typed here, and an empty field means "use the token named under it" (or keep the one
Ultravox holds).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Static, Switch

from wizard.core.rules import check_auth_id, check_auth_token, errors
from wizard.flow.precedence import AuthIdSource
from wizard.tui.steps.base import StepView
from wizard.tui.widgets.field_message import FieldMessage, RuleValidator
from wizard.tui.widgets.toggles import SpaceCheckbox, SpaceSwitch

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession

TOKEN_PLACEHOLDER = "40 letters, digits, - or _"  # noqa: S105 (a placeholder, not a secret)


def verify_label(on: bool) -> str:
    """The Verify switch's state in words (its shade alone says nothing under NO_COLOR)."""
    state = "on (asks Plivo's account endpoint)" if on else "off (not checked with Plivo)"
    return f"Verify with Plivo: {state}"


class PlivoStep(StepView):
    """Auth ID and Auth Token with live rules, optional verification, and keep-current-token."""

    step_title: ClassVar[str] = "Plivo credentials"
    STYLESHEET: ClassVar[str] = "plivo_credentials.tcss"
    DEBOUNCE: ClassVar[float] = 0.4
    REVEAL_SECONDS: ClassVar[float] = 5.0

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reveal", "Show token", tooltip="Show the Auth Token for 5 seconds"),
    ]

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(session, id=id)
        self._reveal_timer: Timer | None = None
        self._lookup_timer: Timer | None = None
        self._showing_auth_id: str | None = None
        """The Auth ID this step put in the field (the session's choice, not typed)."""
        self._touched: set[str] = set()
        """Fields that have held something: an empty one is an error only after that."""

    def compose(self) -> ComposeResult:
        yield Static(
            "Your Plivo Auth ID and Auth Token are on the Plivo console's Overview page.",
            classes="intro",
        )
        yield Static("", id="current-config", classes="hint", markup=False)
        yield SpaceCheckbox("Keep the current token (Space)", id="keep-token")
        yield Label("Auth ID", classes="field-label")
        yield Input(
            placeholder="MA or SA and 18 more letters or digits",
            id="auth-id",
            validators=[RuleValidator(check_auth_id)],
            validate_on=["changed"],
        )
        yield FieldMessage(id="auth-id-message", classes="field-message")
        yield FieldMessage(id="auth-id-source", classes="hint")
        yield Label("Auth Token (Ctrl+R shows it for 5 s)", classes="field-label")
        yield Input(
            placeholder=TOKEN_PLACEHOLDER,
            password=True,
            id="auth-token",
            select_on_focus=False,  # one keystroke must never wipe a secret
            validators=[RuleValidator(check_auth_token)],
            validate_on=["changed"],
        )
        yield FieldMessage(id="auth-token-message", classes="field-message")
        yield FieldMessage(id="auth-token-source", classes="hint")
        with Horizontal(classes="switch-row"):
            yield SpaceSwitch(value=self.session.verify_enabled, id="verify-switch")
            yield Label(verify_label(self.session.verify_enabled), id="verify-label")
        with Horizontal(classes="status-row"):
            yield FieldMessage("", id="verify-status")
            yield Button("Verify now (F5)", id="retry-verify", classes="retry")

    def on_mount(self) -> None:
        self.query_one("#keep-token").display = False
        self.query_one("#retry-verify").display = False
        self.read_remembered()

    def on_show_step(self) -> None:
        if not (self.session.current.done or self.session.current.running):
            self.read_current_config()
        self._revalidate()  # Ultravox may have refused a field since (Review's send)
        first = self.query_one("#auth-id", Input)
        (first if not first.value else self.query_one("#auth-token", Input)).focus()

    def problems(self) -> list[str]:
        return self.session.plivo_problems()

    # ------------------------------------------------- current config
    @work(exclusive=True, group="current-config")
    async def read_current_config(self) -> None:
        """Read what Ultravox holds now (once per key) and offer its Auth ID and token."""
        note = self.query_one("#current-config", Static)
        note.update("Reading the current config…")
        self.notify_changed()
        await self.session.read_current_config()
        current = self.session.current
        keep = self.query_one("#keep-token", Checkbox)
        if current.failed:
            note.update(
                f"✗ Could not read the current config: {current.message} Go Back and Next to retry."
            )
        elif current.result is None:
            note.update("Ultravox holds no Plivo config yet: this will create one.")
            keep.display = False
        else:
            held = current.result
            note.update(
                f"Ultravox already holds a Plivo config: Auth ID {held.auth_id},"
                f" token starting {held.auth_token_prefix or '?'}…"
            )
            keep.display = True
            with keep.prevent(Checkbox.Changed):
                keep.value = self.session.keep_current_token
            self._apply_auth_id()
        self._revalidate()

    # ------------------------------------------------------------ prefill
    @work(thread=True, exclusive=True, group="plivo-prefill")
    def read_remembered(self) -> None:
        """PLIVO_AUTH_ID and the last Auth ID used (file IO: off the event loop)."""
        self.session.read_remembered_auth_ids()
        self.app.call_from_thread(self._apply_auth_id)

    def _apply_auth_id(self) -> None:
        """Show the Auth ID the session chose, unless the user typed one."""
        chosen = self.session.chosen_auth_id()
        field = self.query_one("#auth-id", Input)
        typed = field.value.strip() and field.value.strip() != self._showing_auth_id
        if chosen is None or typed or chosen.source is AuthIdSource.GIVEN:
            return
        self._showing_auth_id = chosen.value
        self.query_one("#auth-id-source", FieldMessage).show(
            "", f"Auth ID {self.session.auth_id_label(chosen)}."
        )
        if field.value != chosen.value:
            was_empty = not field.value
            with field.prevent(Input.Changed):
                field.value = chosen.value
            if was_empty and field.has_focus:  # as on_show_step would have chosen with it
                self.query_one("#auth-token", Input).focus()
        self.session.set_auth_id(chosen.value, typed=False)
        self._schedule_token_lookup()
        self._revalidate()

    def _schedule_token_lookup(self) -> None:
        """Look up the stored token of the Auth ID in use (debounced while typing)."""
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
            self._lookup_timer = None
        auth_id = self.session.auth_id
        if errors(check_auth_id(auth_id)):
            self.workers.cancel_group(self, "plivo-token-lookup")
            self._show_token_source()
            return
        if auth_id == self._showing_auth_id or not self.DEBOUNCE:
            self.lookup_token(auth_id)
        else:
            self._lookup_timer = self.set_timer(self.DEBOUNCE, lambda: self.lookup_token(auth_id))

    @work(thread=True, exclusive=True, group="plivo-token-lookup")
    def lookup_token(self, auth_id: str) -> None:
        """PLIVO_AUTH_TOKEN, else the store's token for `auth_id` (may hang: a thread)."""
        self.session.lookup_stored_token(auth_id)
        self.app.call_from_thread(self._revalidate)

    def _show_token_source(self) -> None:
        hint = self.query_one("#auth-token-source", FieldMessage)
        field = self.query_one("#auth-token", Input)
        session = self.session
        if session.stored_token_error:
            hint.show("warning", f"! Could not read a saved token: {session.stored_token_error}")
        elif field.value:
            hint.show("", "")
        elif session.keeping_token:
            hint.show("", "Keeping the token Ultravox holds. Type a token to replace it.")
        elif session.stored_token is not None:
            label = session.stored_token.label
            hint.show("", f"Using the token {label}. Type to replace it.")
        else:
            hint.show("", "")
        if field.value:
            field.placeholder = TOKEN_PLACEHOLDER
        elif session.keeping_token:
            field.placeholder = "keeping the token Ultravox holds; type to replace it"
        elif session.stored_token is not None:
            field.placeholder = f"using the token {session.stored_token.label}"
        else:
            field.placeholder = TOKEN_PLACEHOLDER

    # ----------------------------------------------------------- events
    @on(Input.Changed, "#auth-id")
    def _auth_id_changed(self, event: Input.Changed) -> None:
        if event.value:
            self._touched.add("auth-id")
        self._showing_auth_id = None
        self.query_one("#auth-id-source", FieldMessage).show("", "")
        self.session.set_auth_id(event.value)
        self._schedule_token_lookup()
        self._revalidate()

    @on(Input.Changed, "#auth-token")
    def _token_changed(self, event: Input.Changed) -> None:
        if event.value:
            self._touched.add("auth-token")
        self.session.type_token(event.value)
        keep = self.query_one("#keep-token", Checkbox)
        if keep.value != self.session.keep_current_token:
            with keep.prevent(Checkbox.Changed):
                keep.value = self.session.keep_current_token
        self._revalidate()

    @on(Checkbox.Changed, "#keep-token")
    def _keep_changed(self, event: Checkbox.Changed) -> None:
        self.session.set_keep_current_token(event.value)
        self._revalidate()

    @on(Switch.Changed, "#verify-switch")
    def _verify_switched(self, event: Switch.Changed) -> None:
        self.session.set_verify_enabled(event.value)
        self.query_one("#verify-label", Label).update(verify_label(event.value))
        self._revalidate()

    @on(Button.Pressed, "#retry-verify")
    def _retry(self) -> None:
        self._revalidate(delay=0.0)

    def _revalidate(self, delay: float | None = None) -> None:
        session = self.session
        auth_id = self.query_one("#auth-id", Input).value
        token = self.query_one("#auth-token", Input).value
        id_findings = check_auth_id(auth_id)
        token_findings = [] if session.keeping_token and not token else check_auth_token(token)
        if not token and session.stored_token is not None:
            token_findings = []
        id_message = self.query_one("#auth-id-message", FieldMessage)
        token_message = self.query_one("#auth-token-message", FieldMessage)
        # An empty field nobody has typed in yet is not an error yet (the status line says
        # what Next needs); once it held something, emptying it is.
        id_message.show_findings(id_findings if auth_id or "auth-id" in self._touched else [])
        token_message.show_findings(
            token_findings if token or "auth-token" in self._touched else []
        )
        if "authId" in session.service_errors:
            id_message.show("error", "✗ Ultravox: " + session.service_errors["authId"])
        if "authToken" in session.service_errors:
            token_message.show("error", "✗ Ultravox: " + session.service_errors["authToken"])
        self._show_token_source()
        wanted = session.verification_input()
        # Ask Plivo by itself only when nothing looks odd; with a warning, only on request.
        odd = bool(token) and bool(check_auth_token(token))
        if not session.verify_enabled or wanted is None:
            self.workers.cancel_group(self, "plivo-verify")
        elif (
            not session.verified_for_current_input()
            and not session.verify.running
            and (not odd or delay is not None)
        ):
            self.verify(self.DEBOUNCE if delay is None else delay)
        self._show_verify_status(odd)
        self.notify_changed()

    @work(exclusive=True, group="plivo-verify")
    async def verify(self, delay: float) -> None:
        """GET Plivo's account; cancelled by the next keystroke (exclusive). The token stays
        in the session: it never travels as a worker's argument."""
        verify = self.session.verify
        ticket = verify.start()  # "Verifying…" during the typing pause too
        self._show_verify_status(False)
        try:
            if delay:
                await asyncio.sleep(delay)
            await self.session.verify_credentials()
        except asyncio.CancelledError:
            if verify.is_current(ticket):  # nothing newer took over: not running any more
                verify.reset()
            raise
        if verify.is_current(ticket):  # it returned before asking (nothing to verify now)
            verify.reset()
        self._show_verify_status(False)
        self.notify_changed()

    def _show_verify_status(self, odd: bool) -> None:
        session = self.session
        status = self.query_one("#verify-status", FieldMessage)
        verify = session.verify
        can_verify = session.verification_input() is not None
        retry = self.query_one("#retry-verify", Button)
        retry.display = verify.failed or (
            session.verify_enabled and can_verify and odd and not verify.done
        )
        # Before anything failed, "Retry" would read as an error.
        retry.label = "Retry (F5)" if verify.failed else "Verify now (F5)"
        if not session.verify_enabled:
            status.show("warning", "! Not verified: Ultravox will be the first to try them.")
        elif session.verified_for_current_input() and verify.result is not None:
            status.show("success", f"✓ Plivo account: {verify.result.name or '(no name)'}")
        elif verify.failed:
            status.show("error", f"✗ {verify.message}")
        elif verify.running:
            status.show("busy", "… Verifying with Plivo")
        elif session.keeping_token:
            status.show("", "Verification needs the token; keeping the current one.")
        elif can_verify and odd:
            status.show("", "The token looks unusual: Plivo is asked only when you press F5.")
        elif not can_verify:
            status.show("", "Plivo is asked once both fields look right.")
        else:
            status.show("", "")

    def action_reveal(self) -> None:
        """Show the typed token briefly, then mask it again."""
        field = self.query_one("#auth-token", Input)
        field.password = False
        if self._reveal_timer is not None:
            self._reveal_timer.stop()
        self._reveal_timer = self.set_timer(self.REVEAL_SECONDS, self._hide_token)

    def _hide_token(self) -> None:
        self.query_one("#auth-token", Input).password = True
        self._reveal_timer = None

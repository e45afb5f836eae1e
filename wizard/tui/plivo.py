"""Step 2: Plivo Auth ID and Auth Token, checked on every keystroke and verified with Plivo."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from pydantic import SecretStr
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Static, Switch
from textual.worker import get_current_worker

from wizard.core.errors import WizardError
from wizard.core.models import PlivoAccount, PlivoConfig, check_auth_id, check_auth_token, errors
from wizard.tui.common import FieldMessage, RuleValidator, describe_error
from wizard.tui.plivo_prefill import AuthIdCandidates, AuthIdSource, token_source_label
from wizard.tui.run_setup import ENV_AUTH_ID
from wizard.tui.step import StepView

if TYPE_CHECKING:
    from wizard.core.credentials import ResolvedSecret
    from wizard.tui.app import WizardApp


@dataclass(frozen=True)
class PlivoCredentials:
    """What step 2 holds: `auth_token=None` keeps the token Ultravox already has."""

    auth_id: str
    auth_token: SecretStr | None


class PlivoStep(StepView):
    """Auth ID and Auth Token with live rules, optional verification, and keep-current-token."""

    step_title: ClassVar[str] = "Plivo credentials"
    DEBOUNCE: ClassVar[float] = 0.4
    REVEAL_SECONDS: ClassVar[float] = 5.0

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reveal", "Show token", tooltip="Show the Auth Token for 5 seconds"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._current: PlivoConfig | None = None
        self._current_loaded = False
        self._verified: PlivoAccount | None = None
        self._verified_for: tuple[str, str] | None = None
        self._verify_error: str | None = None
        self._verifying = False
        self._service_errors: dict[str, str] = {}
        self._reveal_timer: Timer | None = None
        self._auth_ids = AuthIdCandidates()
        self._id_prefill: str | None = None
        """The Auth ID we put in the field (a different value there was typed by the user)."""
        self._token_prefill: str | None = None
        """The token we put in the field, from the environment or the store."""
        self._lookup_timer: Timer | None = None
        self._loaded: tuple[str, str] = ("", "")
        """What demo mode put in the fields (is_dirty compares with it and the prefills)."""
        self._touched: set[str] = set()
        """Fields that have held something: an empty one is an error only after that."""

    @property
    def wizard(self) -> WizardApp:
        return cast("WizardApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(
            "Your Plivo Auth ID and Auth Token are on the Plivo console's Overview page.",
            classes="intro",
        )
        yield Static("", id="current-config", classes="hint", markup=False)  # server text
        yield Checkbox("Keep the current token", id="keep-token")
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
            placeholder="40 letters, digits, - or _",
            password=True,
            id="auth-token",
            validators=[RuleValidator(check_auth_token)],
            validate_on=["changed"],
        )
        yield FieldMessage(id="auth-token-message", classes="field-message")
        yield FieldMessage(id="auth-token-source", classes="hint")
        with Horizontal(classes="switch-row"):
            yield Switch(value=True, id="verify-switch")
            yield Label("Verify with Plivo (asks Plivo's account endpoint)", classes="switch-label")
        with Horizontal(classes="status-row"):
            yield FieldMessage("", id="verify-status")
            yield Button("Retry (F5)", id="retry-verify", classes="retry")

    def on_mount(self) -> None:
        self.query_one("#keep-token").display = False
        self.query_one("#retry-verify").display = False
        if self.wizard.options.demo:
            from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN

            self._loaded = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
            self.query_one("#auth-id", Input).value = DEMO_AUTH_ID
            self.query_one("#auth-token", Input).value = DEMO_AUTH_TOKEN
        else:
            self.prefill()

    def on_show_step(self) -> None:
        first = self.query_one("#auth-id", Input)
        (first if not first.value else self.query_one("#auth-token", Input)).focus()

    # ------------------------------------------------------------- model
    @property
    def keep_token(self) -> bool:
        return self._current is not None and self.query_one("#keep-token", Checkbox).value

    def is_dirty(self) -> bool:
        """The user typed an Auth ID or a token other than the ones loaded into the fields."""
        auth_id = self.query_one("#auth-id", Input).value.strip()
        token = self.query_one("#auth-token", Input).value
        id_loaded = {self._loaded[0], (self._id_prefill or "").strip()}
        token_loaded = {"", self._loaded[1], self._token_prefill or ""}
        return (bool(auth_id) and auth_id not in id_loaded) or token not in token_loaded

    def to_model(self) -> PlivoCredentials:
        auth_id = self.query_one("#auth-id", Input).value.strip()
        token = self.query_one("#auth-token", Input).value
        if self.keep_token and not token:
            return PlivoCredentials(auth_id, None)
        return PlivoCredentials(auth_id, SecretStr(token) if token else None)

    def problems(self) -> list[str]:
        problem = self.wizard.current_config_problem()
        if problem:
            return [problem]
        auth_id = self.query_one("#auth-id", Input).value
        token = self.query_one("#auth-token", Input).value
        found = errors(check_auth_id(auth_id))
        if not (self.keep_token and not token):
            found += errors(check_auth_token(token))
        if found:
            return [f.message for f in found]
        if self._service_errors:
            return list(self._service_errors.values())
        if self.keep_token and not token and self._current is not None:
            if auth_id.strip() != self._current.auth_id:
                return ["A different Auth ID needs its own token: type it, or keep the Auth ID."]
            return []
        if self.query_one("#verify-switch", Switch).value:
            if self._verify_error:
                return [self._verify_error + " Or turn off Verify with Plivo."]
            if self._verified is None and not self._verifying:
                # An unusual token (a warning) is not sent to Plivo by itself: say how.
                return ["Verify with Plivo (F5) before going on, or turn Verify off."]
            if self._verified is None:
                return ["Verifying with Plivo…"]
        return []

    # ------------------------------------------------- current config
    def show_current_loading(self) -> None:
        self.query_one("#current-config", Static).update("Reading the current config…")

    def show_current_error(self, message: str) -> None:
        self.query_one("#current-config", Static).update(
            f"✗ Could not read the current config: {message} Go Back and Next to retry."
        )
        self.notify_changed()

    def show_current(self, current: PlivoConfig | None) -> None:
        """Show what Ultravox holds and offer to keep its token."""
        self._current = current
        keep = self.query_one("#keep-token", Checkbox)
        note = self.query_one("#current-config", Static)
        if current is None:
            note.update("Ultravox holds no Plivo config yet: this will create one.")
            keep.display = False
            keep.value = False
        else:
            prefix = current.auth_token_prefix or "?"
            note.update(
                f"Ultravox already holds a Plivo config: Auth ID {current.auth_id},"
                f" token starting {prefix}…"
            )
            keep.display = True
            self._auth_ids.offer(AuthIdSource.CURRENT, current.auth_id)
            self._apply_auth_id()
            if not self.query_one("#auth-token", Input).value:
                keep.value = True
        self._revalidate()

    # ------------------------------------------------------------ prefill
    def token_is_prefilled(self) -> bool:
        """The token field holds what the environment or the store gave, not a typed one."""
        token = self.query_one("#auth-token", Input).value
        return bool(token) and token == self._token_prefill

    def _token_typed(self) -> bool:
        token = self.query_one("#auth-token", Input).value
        return bool(token) and token != self._token_prefill

    @work(thread=True, exclusive=True, group="plivo-prefill")
    def prefill(self) -> None:
        """Read PLIVO_AUTH_ID and the settings' last Auth ID (file IO: off the event loop)."""
        from wizard.core.credentials import ENV_PLIVO_TOKEN, ResolvedSecret, SecretSource

        setup = self.wizard.setup
        env = setup.environ
        last = setup.last_auth_id()
        value = env.get(ENV_PLIVO_TOKEN, "").strip()
        # A token from the environment fits any Auth ID: shown even before there is one.
        env_token = (
            ResolvedSecret(SecretStr(value), SecretSource.ENV, ENV_PLIVO_TOKEN) if value else None
        )
        self.app.call_from_thread(self._prefill_found, env.get(ENV_AUTH_ID), last, env_token)

    def _prefill_found(
        self, env_id: str | None, last_id: str | None, env_token: ResolvedSecret | None
    ) -> None:
        self._auth_ids.offer(AuthIdSource.ENV, env_id)
        self._auth_ids.offer(AuthIdSource.SETTINGS, last_id)
        self._apply_auth_id()
        if env_token is not None and not self.query_one("#auth-id", Input).value.strip():
            self._token_found("", env_token, None)

    def _apply_auth_id(self) -> None:
        """Put the best Auth ID offered so far in the field, unless the user typed one."""
        best = self._auth_ids.best()
        field = self.query_one("#auth-id", Input)
        if best is None or (field.value.strip() and field.value != self._id_prefill):
            return
        value, source = best
        self._id_prefill = value
        self.query_one("#auth-id-source", FieldMessage).show("", f"Auth ID {source.label}.")
        if field.value != value:
            field.value = value  # its Changed looks up the token for it
        else:
            self._schedule_token_lookup(value)

    def _schedule_token_lookup(self, auth_id: str) -> None:
        """Look up the token of `auth_id` soon (at once for a prefilled id, else debounced)."""
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
            self._lookup_timer = None
        auth_id = auth_id.strip()
        if self.wizard.options.demo or errors(check_auth_id(auth_id)) or self._token_typed():
            self.workers.cancel_group(self, "plivo-token-lookup")
            return
        if auth_id == self._id_prefill or not self.DEBOUNCE:
            self.lookup_token(auth_id)
        else:
            self._lookup_timer = self.set_timer(self.DEBOUNCE, lambda: self.lookup_token(auth_id))

    @work(thread=True, exclusive=True, group="plivo-token-lookup")
    def lookup_token(self, auth_id: str) -> None:
        """The token for `auth_id`: PLIVO_AUTH_TOKEN, else the store (which may hang: a thread)."""
        worker = get_current_worker()
        resolved: ResolvedSecret | None = None
        error: str | None = None
        try:
            resolved = self.wizard.store.plivo_token(auth_id)
        except WizardError as exc:
            error = describe_error(exc)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._token_found, auth_id, resolved, error)

    def _token_found(
        self, auth_id: str, resolved: ResolvedSecret | None, error: str | None
    ) -> None:
        field = self.query_one("#auth-token", Input)
        hint = self.query_one("#auth-token-source", FieldMessage)
        if self.query_one("#auth-id", Input).value.strip() != auth_id or self._token_typed():
            return  # stale (the Auth ID changed since), or the user's own token is there
        if error:
            hint.show("warning", f"! Could not read a saved token: {error}")
            return
        if resolved is None:
            if field.value:  # the token of the Auth ID before: wrong for this one
                self._token_prefill = None
                field.value = ""
            hint.show("", "")
            return
        value = resolved.value.get_secret_value()
        self._token_prefill = value
        hint.show("", f"Using the token {token_source_label(resolved)}. Type to replace it.")
        if field.value != value:
            field.value = value

    # ----------------------------------------------------------- events
    @on(Input.Changed, "#auth-id")
    @on(Input.Changed, "#auth-token")
    def _field_changed(self, event: Input.Changed) -> None:
        # Read the field, not the event: two prefills in a row queue two Changed messages,
        # and the older one must not wipe the source hint of the newer value.
        current = event.input.value
        if current:
            self._touched.add(event.input.id or "")
        if event.input.id == "auth-id":
            self._service_errors.pop("authId", None)
            if current != self._id_prefill:
                self.query_one("#auth-id-source", FieldMessage).show("", "")
            self._schedule_token_lookup(current)
        else:
            self._service_errors.pop("authToken", None)
            if current != self._token_prefill:
                self.query_one("#auth-token-source", FieldMessage).show("", "")
        self._revalidate()

    @on(Checkbox.Changed, "#keep-token")
    @on(Switch.Changed, "#verify-switch")
    def _option_changed(self) -> None:
        self._revalidate()

    @on(Button.Pressed, "#retry-verify")
    def _retry(self) -> None:
        self._verified_for = None
        self._revalidate(delay=0.0)

    def _revalidate(self, delay: float | None = None) -> None:
        auth_id = self.query_one("#auth-id", Input).value
        token = self.query_one("#auth-token", Input).value
        id_findings = check_auth_id(auth_id)
        token_findings = [] if self.keep_token and not token else check_auth_token(token)
        id_message = self.query_one("#auth-id-message", FieldMessage)
        token_message = self.query_one("#auth-token-message", FieldMessage)
        # An empty field nobody has typed in yet is not an error yet (the status line says
        # what Next needs); once it held something, emptying it is.
        id_message.show_findings(id_findings if auth_id or "auth-id" in self._touched else [])
        token_message.show_findings(
            token_findings if token or "auth-token" in self._touched else []
        )
        if "authId" in self._service_errors:
            id_message.show("error", "✗ Ultravox: " + self._service_errors["authId"])
        if "authToken" in self._service_errors:
            token_message.show("error", "✗ Ultravox: " + self._service_errors["authToken"])
        if self.keep_token and not token:
            token_message.show("", "Leave empty to keep the current token.")
        wanted = self.query_one("#verify-switch", Switch).value
        can_verify = bool(token) and not errors(id_findings) and not errors(token_findings)
        # Ask Plivo by itself only when nothing looks odd; with a warning, only on request.
        asked = delay is not None
        if (
            can_verify
            and token_findings
            and not asked
            and (auth_id.strip(), token) != (self._verified_for)
        ):
            can_verify = False
        key = (auth_id.strip(), token)
        if not (wanted and can_verify):
            self.workers.cancel_group(self, "plivo-verify")
            self._verifying = False
            self._verified = None
            self._verify_error = None
            self._verified_for = None
        elif key != self._verified_for:
            self._verified_for = key
            self._verified = None
            self._verify_error = None
            self._verifying = True
            self.verify(key[0], SecretStr(token), self.DEBOUNCE if delay is None else delay)
        self._show_verify_status(wanted, can_verify)
        self.notify_changed()

    @work(exclusive=True, group="plivo-verify")
    async def verify(self, auth_id: str, token: SecretStr, delay: float) -> None:
        """GET Plivo's account; cancelled by the next keystroke (exclusive)."""
        if delay:
            await asyncio.sleep(delay)
        try:
            self._verified = await self.wizard.plivo_client.verify(auth_id, token)
        except WizardError as exc:
            self._verify_error = describe_error(exc)
        self._verifying = False
        self._show_verify_status(True, True)
        self.notify_changed()

    def _show_verify_status(self, wanted: bool, can_verify: bool) -> None:
        status = self.query_one("#verify-status", FieldMessage)
        token = self.query_one("#auth-token", Input).value
        odd_token = bool(token) and not errors(check_auth_token(token))
        self.query_one("#retry-verify").display = bool(self._verify_error) or (
            wanted and not can_verify and odd_token and self._verified is None
        )
        if not wanted:
            status.show("warning", "! Not verified: Ultravox will be the first to try them.")
        elif self._verified is not None:
            status.show("success", f"✓ Plivo account: {self._verified.name or '(no name)'}")
        elif self._verify_error:
            status.show("error", f"✗ {self._verify_error}")
        elif self._verifying:
            status.show("busy", "… Verifying with Plivo")
        elif self.keep_token and not self.query_one("#auth-token", Input).value:
            status.show("", "Verification needs the token; keeping the current one.")
        elif not can_verify and odd_token:
            status.show("", "The token looks unusual: Plivo is asked only when you press F5.")
        elif not can_verify:
            status.show("", "Plivo is asked once both fields look right.")
        else:
            status.show("", "")

    def action_reveal(self) -> None:
        """Show the token briefly, then mask it again."""
        field = self.query_one("#auth-token", Input)
        field.password = False
        if self._reveal_timer is not None:
            self._reveal_timer.stop()
        self._reveal_timer = self.set_timer(self.REVEAL_SECONDS, self._hide_token)

    def _hide_token(self) -> None:
        self.query_one("#auth-token", Input).password = True
        self._reveal_timer = None

    def show_service_errors(self, field_errors: dict[str, str]) -> None:
        """Errors Ultravox gave for authId/authToken on send; cleared when the field changes."""
        self._service_errors = {
            k: v for k, v in field_errors.items() if k in ("authId", "authToken")
        }
        self._revalidate()

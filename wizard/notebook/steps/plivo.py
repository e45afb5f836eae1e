"""Step 2: Plivo Auth ID and Auth Token, checked as typed and verified with Plivo.

The session picks the Auth ID (typed > PLIVO_AUTH_ID > the config Ultravox holds > last used)
and the token (typed > PLIVO_AUTH_TOKEN > the store's); this step shows its choice. The token
field is a `SecretField`: what is typed goes to the session and the field is emptied at once.
"""

from __future__ import annotations

import asyncio

import ipywidgets as widgets

from wizard.core.rules import check_auth_id, check_auth_token, errors
from wizard.flow.operations import OpState
from wizard.flow.precedence import AuthIdSource
from wizard.notebook.parts import Message, SecretField, css
from wizard.notebook.steps.base import Step

DEBOUNCE = 0.4
"""Seconds of quiet typing in the Auth ID before the store and Plivo are asked."""


class PlivoStep(Step):
    title = "Plivo"

    def build(self) -> list[widgets.Widget]:
        self.current_note = css(Message(), "uvp-current-config")
        self.keep = css(
            widgets.Checkbox(
                description="Keep the current token",
                indent=False,
                layout={"display": "none", "width": "auto"},
            ),
            "uvp-keep-token",
        )
        self.keep.observe(self._keep_changed, names="value")
        self.auth_id = css(
            widgets.Text(
                placeholder="MA or SA and 18 more letters or digits",
                layout=widgets.Layout(width="30em"),
            ),
            "uvp-auth-id",
        )
        self.auth_id.observe(self._auth_id_changed, names="value")
        self.auth_id_message = Message()
        self.auth_id_source = Message()
        self.token = SecretField(
            "Auth Token (Enter to use it)",
            "40 letters, digits, - or _",
            self._token_typed,
            "uvp-auth-token",
        )
        self.forget = css(
            widgets.Button(description="Use the saved token", layout={"display": "none"}),
            "uvp-forget-token",
        )
        self.forget.on_click(lambda _b: self._token_typed(""))
        self.verify_box = css(
            widgets.Checkbox(
                value=self.session.verify_enabled,
                description="Verify with Plivo (asks Plivo's account endpoint)",
                indent=False,
                layout={"width": "auto"},
            ),
            "uvp-verify",
        )
        self.verify_box.observe(self._verify_switched, names="value")
        self.verify_status = css(Message(), "uvp-verify-status")
        self.retry = widgets.Button(description="Verify again", layout={"display": "none"})
        self.retry.on_click(lambda _b: self.start_verify(0.0))
        self._showing: str | None = None
        """The Auth ID this step put in the field (the session's choice, not typed)."""
        self._started = False
        return [
            widgets.HTML(
                "Your Plivo Auth ID and Auth Token are on the Plivo console's Overview page."
            ),
            self.current_note,
            self.keep,
            widgets.Label("Auth ID"),
            self.auth_id,
            self.auth_id_message,
            self.auth_id_source,
            self.token,
            self.forget,
            self.verify_box,
            widgets.HBox([self.verify_status, self.retry]),
        ]

    def on_show(self) -> None:
        if not self._started:
            self._started = True
            self.tasks.start(self._remembered(), group="remembered")
        current = self.session.current
        if not (current.done or current.running):
            self.tasks.start(self._read_current(), group="current-config", blocks=True)
        self.refresh()

    async def _remembered(self) -> None:
        await asyncio.to_thread(self.session.read_remembered_auth_ids)
        self._apply_auth_id()

    async def _read_current(self) -> None:
        self.current_note.show("busy", "… Reading the current config")
        await self.session.read_current_config()
        current = self.session.current
        held = self.session.held_config
        if current.failed:
            self.current_note.show(
                "error",
                f"✗ Could not read the current config: {current.message} Go Back and"
                " Next to retry.",
            )
        elif held is None:
            self.current_note.show("", "Ultravox holds no Plivo config yet: this will create one.")
        else:
            self.current_note.show(
                "",
                f"Ultravox already holds a Plivo config: Auth ID {held.auth_id},"
                f" token starting {held.auth_token_prefix or '?'}…",
            )
        self._apply_auth_id()
        self.refresh()

    def _apply_auth_id(self) -> None:
        """Show the Auth ID the session chose, unless the user typed one."""
        chosen = self.session.chosen_auth_id()
        text = self.auth_id.value.strip()
        typed = bool(text) and text != self._showing
        if chosen is None or typed or chosen.source is AuthIdSource.GIVEN:
            return
        self._showing = chosen.value
        self.auth_id_source.show("", f"Auth ID {self.session.auth_id_label(chosen)}.")
        self.auth_id.unobserve(self._auth_id_changed, names="value")
        try:
            self.auth_id.value = chosen.value
        finally:
            self.auth_id.observe(self._auth_id_changed, names="value")
        self.session.set_auth_id(chosen.value, typed=False)
        self._lookup_token(0.0)

    # -- events -----------------------------------------------------------------------------

    def _auth_id_changed(self, change: dict[str, object]) -> None:
        self._showing = None
        self.auth_id_source.show("", "")
        self.session.set_auth_id(str(change["new"]))
        self._lookup_token(DEBOUNCE)

    def _lookup_token(self, delay: float) -> None:
        auth_id = self.session.auth_id
        if errors(check_auth_id(auth_id)):
            self.tasks.cancel("token-lookup")
            self.refresh()
            return
        self.tasks.start(self._lookup(auth_id, delay), group="token-lookup")
        self.refresh()

    async def _lookup(self, auth_id: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)  # cancelled by the next keystroke (same group)
        await asyncio.to_thread(self.session.lookup_stored_token, auth_id)
        self.refresh()

    def _token_typed(self, text: str) -> None:
        self.session.type_token(text)
        self.refresh(verify_now=True)

    def _keep_changed(self, change: dict[str, object]) -> None:
        self.session.set_keep_current_token(bool(change["new"]))
        self.refresh()

    def _verify_switched(self, change: dict[str, object]) -> None:
        self.session.set_verify_enabled(bool(change["new"]))
        self.refresh()

    # -- showing the session's state --------------------------------------------------------

    def refresh(self, *, verify_now: bool = False) -> None:
        session = self.session
        held = session.held_config
        self.keep.layout.display = "flex" if held is not None else "none"
        if self.keep.value != session.keep_current_token:
            self.keep.unobserve(self._keep_changed, names="value")
            self.keep.value = session.keep_current_token
            self.keep.observe(self._keep_changed, names="value")
        text = self.auth_id.value
        found = errors(check_auth_id(text)) if text else []
        message = f"✗ {found[0].message}" if found else ""
        if "authId" in session.service_errors:
            message = "✗ Ultravox: " + session.service_errors["authId"]
        self.auth_id_message.show("error", message)
        self._show_token()
        wanted = session.verification_input()
        if not session.verify_enabled or wanted is None:
            self.tasks.cancel("verify")
        elif session.verify.state is OpState.IDLE and not self.tasks.running("verify"):
            # Idle: the input changed since the last answer (a failure waits for Retry).
            self.start_verify(0.0 if verify_now else DEBOUNCE)
        self._show_verify()
        self.changed()

    def _show_token(self) -> None:
        session = self.session
        typed = session.typed_token
        token = session.token
        message = ""
        if typed:
            found = check_auth_token(typed)
            if found:
                message = ("✗ " if errors(found) else "! ") + found[0].message
        if "authToken" in session.service_errors:
            message = "✗ Ultravox: " + session.service_errors["authToken"]
        level = "warning" if message.startswith("!") else "error"
        saved = session.stored_token is not None or session.held_config is not None
        self.forget.layout.display = "flex" if typed and saved else "none"
        self.token.message.show(level, message)
        if session.stored_token_error:
            self.token.hint.show(
                "warning", f"! Could not read a saved token: {session.stored_token_error}"
            )
        elif session.keeping_token:
            self.token.hint.show(
                "", "Keeping the token Ultravox holds. Type a token to replace it."
            )
        elif typed:
            self.token.hint.show("", "Using the token typed here (••••••••). Type to replace it.")
        elif token is not None:
            self.token.hint.show(
                "", f"Using the token {token.label} (••••••••). Type to replace it."
            )
        else:
            self.token.hint.show("", "")

    def start_verify(self, delay: float) -> None:
        self.tasks.start(self._verify(delay), group="verify", blocks=True)

    async def _verify(self, delay: float) -> None:
        self._show_verify()
        if delay:
            await asyncio.sleep(delay)
        await self.session.verify_credentials()
        self._show_verify()
        self.changed()

    def _show_verify(self) -> None:
        session = self.session
        verify = session.verify
        self.retry.layout.display = "flex" if verify.failed else "none"
        if not session.verify_enabled:
            self.verify_status.show(
                "warning", "! Not verified: Ultravox will be the first to try them."
            )
        elif session.verified_for_current_input() and verify.result is not None:
            name = verify.result.name or "(no name)"
            self.verify_status.show("success", f"✓ Plivo account: {name}")
        elif verify.failed:
            self.verify_status.show("error", f"✗ {verify.message}")
        elif verify.running or self.tasks.running("verify"):
            self.verify_status.show("busy", "… Verifying with Plivo")
        elif session.keeping_token:
            self.verify_status.show("", "Verification needs the token; keeping the current one.")
        elif session.verification_input() is None:
            self.verify_status.show("", "Plivo is asked once both fields look right.")
        else:
            self.verify_status.show("", "")

    def problems(self) -> list[str]:
        return [p.replace(" (F5)", "") for p in self.session.plivo_problems()]

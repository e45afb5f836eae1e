"""Step 1: the Ultravox API key, checked against the service as soon as it has the right shape.

A key from the environment or the keyring is never put into the field: the session holds it
with its source, and the field stays empty ("type to replace it"). So where the key in use came
from is data, and a key that was not typed here is never stored again.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Button, Input, Label, Static

from wizard.core.errors import WizardError
from wizard.core.rules import api_key_prefix, check_api_key
from wizard.flow.operations import plain_message
from wizard.tui.steps.base import StepView
from wizard.tui.widgets.field_message import FieldMessage, RuleValidator
from wizard.tui.widgets.storage_choice import StorageChoice

PLACEHOLDER = "8 characters . 32 characters"


class ConnectStep(StepView):
    """Ultravox API key (from the environment or keyring, or typed) and where secrets will go."""

    step_title: ClassVar[str] = "Connect to Ultravox"
    DEBOUNCE: ClassVar[float] = 0.4
    """Seconds of quiet typing before the key is checked with the service."""

    def compose(self) -> ComposeResult:
        yield Static(
            "Paste an Ultravox API key. Find it in the Ultravox console under Settings → API keys.",
            classes="intro",
        )
        yield Label("Ultravox API key", classes="field-label")
        yield Input(
            placeholder=PLACEHOLDER,
            password=True,
            id="api-key",
            select_on_focus=False,  # one keystroke must never wipe a secret
            validators=[RuleValidator(check_api_key)],
            validate_on=["changed"],
        )
        yield FieldMessage(id="api-key-message", classes="field-message")
        yield Static("", id="api-key-source", classes="hint", markup=False)
        with Horizontal(classes="status-row", id="account-row"):
            yield FieldMessage("", id="account-status")
            # Its Retry button is mounted on the first failure: a Button (and its stylesheet)
            # on the first frame cost more start-up than the whole rest of this step.
        yield Label("Where secrets will be kept", classes="section")
        yield StorageChoice(id="storage-box")

    def on_show_step(self) -> None:
        self.query_one("#api-key", Input).focus()

    def problems(self) -> list[str]:
        return self.session.key_problems()

    # ------------------------------------------------------------ keyring
    @work(thread=True, exclusive=True, group="connect-store")
    def read_store(self) -> None:
        """Open the run context and read the stored key (keyring calls can hang: a thread)."""
        try:
            self.session.prepare()
        except WizardError as exc:
            message = plain_message(exc)
            self.app.call_from_thread(self._store_read, message)
            self.app.call_from_thread(lambda: self.query_one(StorageChoice).show_fixed(message))
            return
        self.session.read_stored_key()
        self.app.call_from_thread(self._store_read, None)
        self.show_storage()

    def show_storage(self) -> None:
        """Say where secrets will go (from a thread: `store.info` may ask the keyring)."""
        try:
            context = self.session.context
            store = context.store
            where = store.where()
            if context.offers_file_storage():
                # The reason says why no keyring can hold them; the choice is the user's.
                why = (store.info.cause or store.info.reason).rstrip(".") + "."
                args = (why, where, store.persistent, store.file_path)
                self.app.call_from_thread(lambda: self._storage_box().show_choice(*args))
                return
            storage = where
            if not store.persistent and store.info.reason and store.info.reason != where:
                storage = f"{where} {store.info.reason}"
        except WizardError as exc:
            storage = plain_message(exc)
        self.app.call_from_thread(lambda: self._storage_box().show_fixed(storage))

    def _storage_box(self) -> StorageChoice:
        return self.query_one(StorageChoice)

    @on(StorageChoice.Chosen)
    def _storage_chosen(self, event: StorageChoice.Chosen) -> None:
        self.switch_storage(event.use_file)

    @work(thread=True, exclusive=True, group="connect-storage")
    def switch_storage(self, use_file: bool) -> None:
        """Keep secrets in the file or for this session (nothing is written until step 6)."""
        with contextlib.suppress(WizardError):  # show_storage says what the store is now
            self.session.context.use_file_storage(use_file)
        self.show_storage()

    def _store_read(self, failure: str | None) -> None:
        source = self.query_one("#api-key-source", Static)
        if failure:
            source.update(failure)
            return
        if self.session.stored_key_error:
            source.update(f"Could not read a saved key: {self.session.stored_key_error}")
        self._show_source()
        field = self.query_one("#api-key", Input)
        if not field.value and self.session.key_is_checkable():
            self._start_check(0.0)
        self.notify_changed()

    def _show_source(self) -> None:
        """Say which key is in use and where it came from (never the key)."""
        stored = self.session.stored_key
        field = self.query_one("#api-key", Input)
        source = self.query_one("#api-key-source", Static)
        if stored is None:
            field.placeholder = PLACEHOLDER
            if not self.session.stored_key_error:
                source.update("")
            return
        prefix = api_key_prefix(stored.value.get_secret_value())
        shown = f"key {prefix}…" if prefix else "a saved key"
        if field.value:
            source.update(f"Using the key typed here instead of the {shown} {stored.label}.")
        else:
            field.placeholder = f"using {shown}; type to replace it"
            source.update(f"Using {shown} {stored.label}. Type to replace it.")

    # ---------------------------------------------------------- checking
    @on(Input.Changed, "#api-key")
    def _key_changed(self, event: Input.Changed) -> None:
        self.session.type_api_key(event.value)
        self._show_source()
        message = self.query_one("#api-key-message", FieldMessage)
        message.show_findings(check_api_key(event.value) if event.value else [])
        if self.session.key_is_checkable():
            self._start_check(self.DEBOUNCE if event.value else 0.0)
        else:
            self.workers.cancel_group(self, "connect-check")
            self._show_account_status()
        self.notify_changed()

    @on(Button.Pressed, "#retry-account")
    def _retry(self) -> None:
        if self.session.key_is_checkable():
            self._start_check(0.0)
            self.notify_changed()

    def _start_check(self, delay: float) -> None:
        self._show_account_status(checking=True)
        self.check_key(delay)

    @work(exclusive=True, group="connect-check")
    async def check_key(self, delay: float) -> None:
        """Ask GET /api/accounts/me; a newer keystroke cancels this one (exclusive).

        The key itself never travels as an argument: the session holds it.
        """
        if delay:
            await asyncio.sleep(delay)
        await self.session.check_key()
        self._show_account_status()
        self.notify_changed()

    def _show_account_status(self, *, checking: bool = False) -> None:
        status = self.query_one("#account-status", FieldMessage)
        check = self.session.key_check
        try:
            self.query_one("#retry-account", Button).display = check.failed
        except NoMatches:
            if check.failed:
                retry = Button("Retry (F5)", id="retry-account", classes="retry")
                self.query_one("#account-row").mount(retry)
        account = self.session.account
        if account is not None:
            status.show("success", f"✓ Connected to account: {account.name or '(no name)'}")
        elif check.failed:
            status.show("error", f"✗ {check.message}")
        elif checking or check.running:
            status.show("busy", "… Checking the key with Ultravox")
        else:
            status.show("", "")

"""Step 1: the Ultravox API key, checked against the service as soon as it has the right shape."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from wizard.core.errors import WizardError
from wizard.core.rules import api_key_prefix, check_api_key, errors
from wizard.tui.common import Concealed, FieldMessage, RuleValidator, describe_error
from wizard.tui.step import StepView
from wizard.tui.storage_choice import StorageChoice

if TYPE_CHECKING:
    from wizard.core.credentials import ResolvedSecret
    from wizard.core.models import Account
    from wizard.tui.app import WizardApp


class ConnectStep(StepView):
    """Ultravox API key (prefilled from the environment or keyring) and where secrets will go."""

    step_title: ClassVar[str] = "Connect to Ultravox"
    DEBOUNCE: ClassVar[float] = 0.4
    """Seconds of quiet typing before the key is checked with the service."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._prefill: str | None = None
        self._account: Account | None = None
        self._checking = False
        self._error: str | None = None
        self._source_text = ""
        """Where the prefilled key came from (shown while the field still holds it)."""

    @property
    def wizard(self) -> WizardApp:
        return cast("WizardApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(
            "Paste an Ultravox API key. Find it in the Ultravox console under Settings → API keys.",
            classes="intro",
        )
        yield Label("Ultravox API key", classes="field-label")
        yield Input(
            placeholder="8 characters . 32 characters",
            password=True,
            id="api-key",
            validators=[RuleValidator(check_api_key)],
            validate_on=["changed"],
        )
        yield FieldMessage(id="api-key-message", classes="field-message")
        yield Static("", id="api-key-source", classes="hint", markup=False)
        with Horizontal(classes="status-row"):
            yield FieldMessage("", id="account-status")
            yield Button("Retry (F5)", id="retry-account", classes="retry")
        yield Label("Where secrets will be kept", classes="section")
        yield StorageChoice(id="storage-box")

    def on_mount(self) -> None:
        self.query_one("#retry-account").display = False
        # After the first frame: finding the store (keyring, demo sandbox) can take a while.
        self.wizard.after_first_frame(self.read_store)

    def on_show_step(self) -> None:
        self.query_one("#api-key", Input).focus()

    # ---------------------------------------------------------------- state
    def is_dirty(self) -> bool:
        """The user typed a key that differs from the prefilled one."""
        value = self.query_one("#api-key", Input).value
        return bool(value) and value != (self._prefill or "")

    def problems(self) -> list[str]:
        value = self.query_one("#api-key", Input).value
        found = errors(check_api_key(value))
        if found:
            return [found[0].message]
        if self._error:
            return [self._error]
        if self._account is None:
            return ["Checking the key with Ultravox…"]
        return []

    # ------------------------------------------------------------ keyring
    @work(thread=True, exclusive=True, group="connect-store")
    def read_store(self) -> None:
        """Keyring calls can hang (a locked keychain, no D-Bus): never on the event loop."""
        resolved: ResolvedSecret | None = None
        read_error: str | None = None
        try:
            store = self.wizard.store
        except WizardError as exc:
            message = describe_error(exc)
            self.app.call_from_thread(self._store_read, None, message, message)
            return
        try:
            resolved = store.api_key()
        except WizardError as exc:
            read_error = describe_error(exc)
        self.app.call_from_thread(self._store_read, resolved, read_error, None)
        self.show_storage()

    def show_storage(self) -> None:
        """Say where secrets will go (from a thread: `store.info` may ask the keyring)."""
        setup = self.wizard.setup
        try:
            store = setup.store
            where = store.where()
            if setup.offers_file_storage():
                # The reason says why no keyring can hold them; the choice is the user's.
                why = (store.info.cause or store.info.reason).rstrip(".") + "."
                args = (why, where, store.persistent, store.file_path)
                self.app.call_from_thread(lambda: self._storage_box().show_choice(*args))
                return
            storage = where
            if not store.persistent and store.info.reason and store.info.reason != where:
                storage = f"{where} {store.info.reason}"
        except WizardError as exc:
            storage = describe_error(exc)
        self.app.call_from_thread(lambda: self._storage_box().show_fixed(storage))

    def _storage_box(self) -> StorageChoice:
        return self.query_one(StorageChoice)

    @on(StorageChoice.Chosen)
    def _storage_chosen(self, event: StorageChoice.Chosen) -> None:
        self.switch_storage(event.use_file)

    @work(thread=True, exclusive=True, group="connect-storage")
    def switch_storage(self, use_file: bool) -> None:
        """Rebuild the store for the chosen place (nothing is written until step 6)."""
        with contextlib.suppress(WizardError):  # show_storage says what the store is now
            self.wizard.setup.use_file_storage(use_file)
        self.show_storage()

    def _store_read(
        self, resolved: ResolvedSecret | None, read_error: str | None, storage: str | None
    ) -> None:
        if storage is not None:
            self.query_one(StorageChoice).show_fixed(storage)
        source = self.query_one("#api-key-source", Static)
        field = self.query_one("#api-key", Input)
        if read_error:
            source.update(f"Could not read a saved key: {read_error}")
        value: str | None = None
        label = ""
        if resolved is not None:
            value = resolved.value.get_secret_value()
            label = f"from {resolved.source}"
            detail = resolved.detail
            if detail:  # a detail may carry its own parentheses: no nesting
                label += f", {detail}" if "(" in detail else f" ({detail})"
        elif self.wizard.options.demo:
            from wizard.sandbox import DEMO_API_KEY

            value, label = DEMO_API_KEY, "the demo key (demo mode)"
        if value and not field.value:
            self._prefill = value
            prefix = api_key_prefix(value)
            shown = f"key {prefix}…" if prefix else "a key"
            self._source_text = f"Using {shown} {label}. Type to replace it."
            source.update(self._source_text)
            field.value = value

    # ---------------------------------------------------------- checking
    @on(Input.Changed, "#api-key")
    def _key_changed(self, event: Input.Changed) -> None:
        if self._source_text:
            source = self.query_one("#api-key-source", Static)
            if event.value == self._prefill:
                source.update(self._source_text)
            elif event.value:
                source.update("Using the key typed here (it replaces the saved one once sent).")
            else:
                source.update("")
        self.query_one("#api-key-message", FieldMessage).show_findings(check_api_key(event.value))
        self._account = None
        self._error = None
        self.wizard.forget_account()
        self._show_account_status()
        if not errors(check_api_key(event.value)):
            self._checking = True
            self._show_account_status()
            delay = 0.0 if event.value == self._prefill else self.DEBOUNCE
            self.check_key(Concealed(event.value.strip()), delay)
        else:
            self.workers.cancel_group(self, "connect-check")
            self._checking = False
        self.notify_changed()

    @on(Button.Pressed, "#retry-account")
    def _retry(self) -> None:
        value = self.query_one("#api-key", Input).value.strip()
        if not errors(check_api_key(value)):
            self._error = None
            self._checking = True
            self._show_account_status()
            self.check_key(Concealed(value), 0.0)
            self.notify_changed()

    @work(exclusive=True, group="connect-check")
    async def check_key(self, key: Concealed, delay: float) -> None:
        """Ask GET /api/accounts/me; a newer keystroke cancels this one (exclusive)."""
        if delay:
            await asyncio.sleep(delay)
        await self.wizard.wait_prepared()
        from pydantic import SecretStr

        secret = SecretStr(key.reveal())
        client = self.wizard.make_client(secret)
        kept = False
        try:
            account = await client.get_account()
            await self.wizard.use_account(secret, account, client)
            kept = True
            self._account = account
        except WizardError as exc:
            self._error = describe_error(exc)
        finally:
            if not kept:
                await asyncio.shield(client.aclose())
        self._checking = False
        self._show_account_status()
        self.notify_changed()

    def _show_account_status(self) -> None:
        status = self.query_one("#account-status", FieldMessage)
        retry = self.query_one("#retry-account", Button)
        retry.display = bool(self._error)
        if self._account is not None:
            name = self._account.name or "(no name)"
            status.show("success", f"✓ Connected to account: {name}")
        elif self._error:
            status.show("error", f"✗ {self._error}")
        elif self._checking:
            status.show("busy", "… Checking the key with Ultravox")
        else:
            status.show("", "")

"""Step 1: the Ultravox API key, checked against the service once it has the right shape.

A key from the environment or the keyring never goes into a widget: the hint names its source
and shows only the key's public prefix.
"""

from __future__ import annotations

import asyncio

import ipywidgets as widgets

from wizard.core.credentials import SecretSource
from wizard.core.errors import WizardError
from wizard.core.rules import api_key_prefix, check_api_key, errors
from wizard.flow.operations import plain_message
from wizard.notebook.parts import Message, SecretField, css
from wizard.notebook.steps.base import Step


class ConnectStep(Step):
    title = "Connect"

    def build(self) -> list[widgets.Widget]:
        self.key = SecretField(
            "Ultravox API key (Enter to use it)",
            "8 characters . 32 characters",
            self._key_typed,
            "uvp-api-key",
        )
        self.forget = css(
            widgets.Button(description="Use the saved key", layout={"display": "none"}),
            "uvp-forget-key",
        )
        self.forget.on_click(lambda _b: self._key_typed(""))
        self.status = css(Message(), "uvp-account")
        self.retry = widgets.Button(description="Retry", layout={"display": "none"})
        self.retry.on_click(lambda _b: self.start_check())
        self.storage = css(Message(), "uvp-storage")
        self.file_storage = widgets.Checkbox(
            description="Keep secrets in the file (0600) instead of only for this session",
            layout={"display": "none", "width": "auto"},
            indent=False,
        )
        self.file_storage.observe(self._file_storage_changed, names="value")
        return [
            widgets.HTML(
                "Paste an Ultravox API key. Find it in the Ultravox console under"
                " Settings → API keys."
            ),
            self.key,
            self.forget,
            widgets.HBox([self.status, self.retry]),
            widgets.HTML("<b>Where secrets will be kept</b>"),
            self.storage,
            self.file_storage,
        ]

    # -- start-up: the run context and the stored key (blocking: in threads) --------------------

    async def start(self) -> None:
        """Open the run context, read the stored key, check it; say where secrets go."""
        self.storage.show("busy", "… Looking for a keyring")
        try:
            await self.session.aprepare()
        except WizardError as exc:
            self.storage.show("error", plain_message(exc))
            return
        await asyncio.to_thread(self.session.read_stored_key)
        self.show_source()
        if self.session.key_is_checkable():
            self.start_check()
        await self._show_storage()
        self.changed()

    async def _show_storage(self) -> None:
        def where() -> tuple[str, bool]:
            context = self.session.context
            store = context.store
            text = store.where()
            if context.offers_file_storage():
                why = (store.info.cause or store.info.reason).rstrip(".")
                return f"{why}. {text}", True
            if not store.persistent and store.info.reason and store.info.reason != text:
                text = f"{text} {store.info.reason}"
            return text, False

        try:
            text, offer = await asyncio.to_thread(where)
        except WizardError as exc:
            text, offer = plain_message(exc), False
        self.storage.show("", text)
        self.file_storage.layout.display = "flex" if offer else "none"

    def _file_storage_changed(self, change: dict[str, object]) -> None:
        async def switch() -> None:
            await asyncio.to_thread(self.session.context.use_file_storage, bool(change["new"]))
            await self._show_storage()

        self.tasks.start(switch(), group="storage")

    # -- the key ----------------------------------------------------------------------------

    def _key_typed(self, text: str) -> None:
        self.session.type_api_key(text)
        found = errors(check_api_key(text)) if text else []
        self.key.message.show("error", f"✗ {found[0].message}" if found else "")
        self.show_source()
        if self.session.key_is_checkable():
            self.start_check()
        else:
            self.tasks.cancel("check-key")
            self.show_status()
        self.changed()

    def show_source(self) -> None:
        """Which key is in use and where it came from (its public prefix at most)."""
        key, stored = self.session.api_key, self.session.stored_key
        typed = key is not None and stored is not key and key.source is SecretSource.TYPED
        self.forget.layout.display = "flex" if typed and stored is not None else "none"
        if key is None:
            error = self.session.stored_key_error
            self.key.hint.show("warning", f"Could not read a saved key: {error}" if error else "")
            return
        prefix = api_key_prefix(key.value.get_secret_value())
        shown = f"key {prefix}…" if prefix else "a key"
        if typed:
            self.key.hint.show("", f"Using the {shown} typed here (••••••••). Type to replace it.")
        else:
            self.key.hint.show("", f"Using {shown} {key.label} (••••••••). Type to replace it.")

    def start_check(self) -> None:
        self.tasks.start(self._check(), group="check-key", blocks=True)
        self.show_status(checking=True)

    async def _check(self) -> None:
        await self.session.check_key()
        self.show_status()
        self.changed()

    def show_status(self, *, checking: bool = False) -> None:
        check = self.session.key_check
        account = self.session.account
        self.retry.layout.display = "flex" if check.failed and check.retryable else "none"
        if account is not None:
            self.status.show("success", f"✓ Connected to account: {account.name or '(no name)'}")
        elif check.failed:
            self.status.show("error", f"✗ {check.message}")
        elif checking or check.running:
            self.status.show("busy", "… Checking the key with Ultravox")
        else:
            self.status.show("", "")

    def problems(self) -> list[str]:
        return self.session.key_problems()

"""The run's setup, kept off the first frame: the CLI's deferred preparation, the credential
store (and the user's choice of where secrets go when no secure keyring exists), the
environment the wizard reads, and the settings file that remembers the last Auth ID.

Everything here may block (keyring discovery, file IO): call it from thread workers only,
except `wait()`, which is the event loop's way in.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from wizard.core.errors import WizardError

if TYPE_CHECKING:
    from wizard.core.credentials import CredentialStore
    from wizard.tui import WizardOptions

ENV_AUTH_ID = "PLIVO_AUTH_ID"


class RunSetup:
    """Prepare once, then hand out the store; switch it between session-only and file storage."""

    def __init__(self, options: WizardOptions) -> None:
        self.options = options
        self._store: CredentialStore | None = None
        self._lock = threading.Lock()
        self._prepared = threading.Event()
        self._error: WizardError | None = None

    # ------------------------------------------------------------ preparation
    def ensure(self) -> None:
        """Run the CLI's deferred setup (`WizardOptions.prepare`) and open the credential store,
        once; blocks, so call it from a thread. Raises WizardError when that failed."""
        with self._lock:
            if not self._prepared.is_set():
                try:
                    if self.options.prepare is not None:
                        self.options.prepare(self.options)
                    if self.options.store is not None:
                        self._store = self.options.store
                    else:
                        from wizard.core.credentials import CredentialStore

                        self._store = CredentialStore(
                            insecure_storage=self.options.insecure_storage
                        )
                except WizardError as exc:
                    self._error = exc
                except Exception as exc:  # a message of ours only: it might quote input
                    self._error = WizardError(f"Could not get ready ({type(exc).__name__}).")
                finally:
                    self._prepared.set()
        if self._error is not None:
            raise self._error

    @property
    def is_prepared(self) -> bool:
        return self._prepared.is_set()

    async def wait(self) -> None:
        """`ensure` without blocking the event loop."""
        if self._prepared.is_set():
            self.ensure()  # raises its error, if any
        else:
            await asyncio.to_thread(self.ensure)

    @property
    def store(self) -> CredentialStore:
        """Where secrets are read from and saved to (blocks until prepared: threads only)."""
        self.ensure()
        assert self._store is not None
        return self._store

    @property
    def environ(self) -> Mapping[str, str]:
        """The environment the wizard reads (PLIVO_AUTH_ID...): none at all in demo mode."""
        if self.options.environ is not None:
            return self.options.environ
        return {} if self.options.demo else os.environ

    # ----------------------------------------------------------- storage choice
    def offers_file_storage(self) -> bool:
        """True when the user may choose between session-only and the insecure file."""
        return not self.options.demo and self.store.offers_file

    def use_file_storage(self, enabled: bool) -> CredentialStore:
        """Keep secrets in the 0600 file (`enabled`) or for this session only, from now on."""
        store = self.store
        if self.offers_file_storage():
            store.set_insecure_storage(enabled)
        return store

    # ---------------------------------------------------------------- settings
    @property
    def remembers(self) -> bool:
        """Whether the settings file is read and written: never in demo mode."""
        return self.options.use_settings and not self.options.demo

    def last_auth_id(self) -> str | None:
        """The Auth ID used last time, from the settings file (None when not remembered)."""
        if not self.remembers:
            return None
        from wizard.core.settings import load_settings

        return load_settings(self.options.settings_path).last_auth_id

    def remember_auth_id(self, auth_id: str, *, token_stored: bool) -> None:
        """After the service accepted: remember the Auth ID, and that its token was stored
        where it outlives this run (so `logout` can find it again). Never a secret."""
        if not self.remembers:
            return
        from wizard.core.settings import load_settings, save_settings

        path = self.options.settings_path
        settings = load_settings(path)
        changed = settings.last_auth_id != auth_id
        settings.last_auth_id = auth_id
        if token_stored and auth_id not in settings.stored_auth_ids:
            settings.stored_auth_ids.append(auth_id)
            changed = True
        if changed:
            save_settings(settings, path)

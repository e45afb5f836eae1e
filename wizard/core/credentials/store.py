"""The credential store: environment first, then a secure keyring, session memory or a file.

Every keyring call runs in a daemon thread bounded by a timeout, so a hung or locked Secret
Service turns into a `CredentialStoreError` instead of a frozen wizard.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import keyring
import platformdirs
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError
from pydantic import SecretStr

from wizard.core.credentials.backends import (
    BackendInfo,
    BackendKind,
    MemoryKeyring,
    choose_backend,
    no_keyring,
)
from wizard.core.credentials.resolved import (
    API_KEY_USER,
    SERVICE,
    ResolvedSecret,
    SecretSource,
    plivo_user,
)
from wizard.core.credentials.secrets_file import SecretsFile
from wizard.core.environment import ENV_API_KEY, ENV_PLIVO_TOKEN
from wizard.core.errors import CredentialStoreError, UsageError
from wizard.core.settings import APP_NAME

CREDENTIALS_FILE = "credentials.json"
DEFAULT_TIMEOUT = 3.0

T = TypeVar("T")
log = logging.getLogger("wizard.credentials")


def _delete_from(backend: KeyringBackend, user: str) -> bool:
    try:
        backend.delete_password(SERVICE, user)
    except PasswordDeleteError:  # nothing was stored under that name
        return False
    return True


class _Mode(StrEnum):
    KEYRING = "keyring"
    FILE = "file"
    SESSION = "session"


class CredentialStore:
    """Reads and writes the two kinds of secret; see the module docstring for the rules.

    `backend=None` asks keyring for the system backend (bounded by `timeout`). With a secure
    backend, `insecure_storage` changes nothing. `MemoryKeyring` is always used as it is,
    so a demo never writes anything, whatever the flags.
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        insecure_storage: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        environ: Mapping[str, str] | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.timeout = timeout
        self._environ: Mapping[str, str] = os.environ if environ is None else environ
        data_dir = data_dir or Path(platformdirs.user_data_dir(APP_NAME))
        self._file = SecretsFile(data_dir / CREDENTIALS_FILE, SERVICE)
        self._pending: threading.Thread | None = None
        self._session = backend if isinstance(backend, MemoryKeyring) else MemoryKeyring()
        # A MemoryKeyring store (the demo, tests) never touches the real credentials file.
        self._file_allowed = not isinstance(backend, MemoryKeyring)
        self._keyring: KeyringBackend | None = None
        if backend is None:
            self.info = self._detect()
        else:
            self.info, chosen = choose_backend(backend)
            if self.info.kind is BackendKind.SECURE:
                self._keyring = chosen
        if self._keyring is not None:
            self._mode = _Mode.KEYRING
        elif insecure_storage and not isinstance(backend, MemoryKeyring):
            self._mode = _Mode.FILE
        else:
            self._mode = _Mode.SESSION

    def _detect(self) -> BackendInfo:
        try:
            backend = self._bounded("The keyring", keyring.get_keyring)
        except CredentialStoreError as exc:
            return no_keyring(exc.message.rstrip("."))
        info, chosen = choose_backend(backend)
        if info.kind is BackendKind.SECURE:
            self._keyring = chosen
        return info

    # -- where things go -------------------------------------------------------------------

    @property
    def offers_file(self) -> bool:
        """Whether the 0600 file is a choice here: no secure keyring, and not a memory store."""
        return self._keyring is None and self._file_allowed

    def set_insecure_storage(self, enabled: bool) -> None:
        """From now on keep secrets in the 0600 file (`enabled`) or for this session only.

        Does nothing where the file is not a choice (a secure keyring always wins).
        """
        if self.offers_file:
            self._mode = _Mode.FILE if enabled else _Mode.SESSION

    @property
    def file_path(self) -> Path:
        """Where `--insecure-storage` keeps secrets (used only in that mode)."""
        return self._file.path

    @property
    def persistent(self) -> bool:
        """True when a saved secret outlives this process (keyring or the insecure file)."""
        return self._mode is not _Mode.SESSION

    def where(self) -> str:
        """One sentence saying where secrets saved now would go."""
        if self._mode is _Mode.KEYRING:
            return f"Secrets are stored in {self.info.name}, encrypted by your system keyring."
        if self._mode is _Mode.FILE:
            return f"Secrets are stored unencrypted in {self.file_path}, readable only by you."
        return f"Secrets are kept in memory for {self._session.label} only; nothing is written."

    @property
    def not_persistent_reason(self) -> str | None:
        """Why a saved secret would not outlive this process (a clause), or None if it would.

        A one-shot command reports "not stored: <this>" instead of a session-only "store".
        """
        if self.persistent:
            return None
        cause = self.info.cause or self.info.reason.split(";")[0]
        if self.info.kind is BackendKind.SECURE:  # only reachable through a MemoryKeyring
            cause = "secrets are kept in memory only"
        return cause[:1].lower() + cause[1:] if cause else "no keyring can keep them"

    def _place(self) -> tuple[SecretSource, str]:
        if self._mode is _Mode.KEYRING:
            return SecretSource.KEYRING, self.info.name
        if self._mode is _Mode.FILE:
            return SecretSource.FILE, str(self.file_path)
        return SecretSource.SESSION, f"memory ({self._session.label} only)"

    # -- public reads and writes -----------------------------------------------------------

    def api_key(self) -> ResolvedSecret | None:
        """The Ultravox API key: ULTRAVOX_API_KEY, else the store, else None (ask)."""
        return self._resolve(ENV_API_KEY, API_KEY_USER)

    def plivo_token(self, auth_id: str) -> ResolvedSecret | None:
        """The token for `auth_id`: PLIVO_AUTH_TOKEN (whatever the id), else the store."""
        return self._resolve(ENV_PLIVO_TOKEN, plivo_user(auth_id))

    def save_api_key(self, value: SecretStr) -> str:
        """Store the API key; returns where it went (a backend name, a path or "memory ...")."""
        return self._save(API_KEY_USER, value)

    def save_plivo_token(self, auth_id: str, value: SecretStr) -> str:
        """Store the token of `auth_id`; returns where it went."""
        return self._save(plivo_user(auth_id), value)

    def delete_api_key(self) -> bool:
        """Remove the stored API key; False when none was stored."""
        return self._delete(API_KEY_USER)

    def delete_plivo_token(self, auth_id: str) -> bool:
        """Remove the stored token of `auth_id`; False when none was stored."""
        return self._delete(plivo_user(auth_id))

    def stored_plivo_auth_ids(self) -> list[str]:
        """Auth IDs whose token the credentials file or this session holds (a keyring cannot
        be listed: the caller adds the Auth IDs it remembers)."""
        users = list(self._file_users()) + [
            user for (service, user) in self._session.items() if service == SERVICE
        ]
        prefix = plivo_user("")
        found: list[str] = []
        for user in users:
            if user.startswith(prefix) and user[len(prefix) :] not in found:
                found.append(user[len(prefix) :])
        return found

    def _file_users(self) -> list[str]:
        if not self._file_allowed or not self._file.path.exists():
            return []
        return list(self._file.read())

    def _resolve(self, env_name: str, user: str) -> ResolvedSecret | None:
        from_env = self._environ.get(env_name, "").strip()
        if from_env:
            return ResolvedSecret(SecretStr(from_env), SecretSource.ENV, env_name)
        stored = self._get(user)
        if not stored:
            return None
        source, detail = self._place()
        return ResolvedSecret(SecretStr(stored), source, detail)

    def _save(self, user: str, value: SecretStr) -> str:
        secret = value.get_secret_value().strip()
        if not secret:
            raise UsageError("There is no secret to save: the value is empty.")
        if self._mode is _Mode.KEYRING:
            keyring_ = self._require_keyring()
            self._bounded_keyring(lambda: keyring_.set_password(SERVICE, user, secret))
        elif self._mode is _Mode.FILE:
            self._file.set(user, secret)
        else:
            self._session.set_password(SERVICE, user, secret)
        return self._place()[1]

    def _get(self, user: str) -> str | None:
        if self._mode is _Mode.KEYRING:
            keyring_ = self._require_keyring()
            return self._bounded_keyring(lambda: keyring_.get_password(SERVICE, user))
        if self._mode is _Mode.FILE:
            return self._file.get(user)
        return self._session.get_password(SERVICE, user)

    def _delete(self, user: str) -> bool:
        """Remove `user` wherever it may be: the current place and, whatever the mode, the
        --insecure-storage file (written by an earlier run that used the flag)."""
        removed_from_file = False
        if self._file_allowed and (self._mode is _Mode.FILE or self._file.path.exists()):
            removed_from_file = self._file.delete(user)
        if self._mode is _Mode.FILE:
            return removed_from_file
        if self._mode is _Mode.SESSION:
            return _delete_from(self._session, user) or removed_from_file
        keyring_ = self._require_keyring()
        return self._bounded_keyring(lambda: _delete_from(keyring_, user)) or removed_from_file

    def _require_keyring(self) -> KeyringBackend:
        assert self._keyring is not None  # _Mode.KEYRING is only set with a keyring
        return self._keyring

    # -- the bounded keyring call ----------------------------------------------------------

    def _bounded_keyring(self, call: Callable[[], T]) -> T:
        return self._bounded(f"The keyring ({self.info.name})", call)

    def _bounded(self, what: str, call: Callable[[], T]) -> T:
        """Run `call` in a daemon thread; raise CredentialStoreError on timeout or failure.

        A daemon thread (not an executor's) so a call that never returns cannot keep the
        process from exiting. While a timed-out call is still stuck, later calls fail at
        once instead of each waiting out the timeout again.
        """
        # Not --insecure-storage: it never overrides a secure keyring, even a stuck one.
        hint = (
            "Unlock or restart your keyring and try again, or set ULTRAVOX_API_KEY /"
            " PLIVO_AUTH_TOKEN in the environment instead."
        )
        if self._pending is not None and self._pending.is_alive():
            raise CredentialStoreError(f"{what} is still not answering.", hint=hint)
        outcome: list[Any] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                outcome.append(call())
            except BaseException as exc:  # handed to the caller's thread below
                failure.append(exc)

        thread = threading.Thread(target=run, name="ultravox-plivo-keyring", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            self._pending = thread
            raise CredentialStoreError(
                f"{what} did not answer within {self.timeout:g} s.", hint=hint
            )
        if failure:
            exc = failure[0]
            # Never chained: a backend's message may quote what it was handed (a secret), and
            # --debug prints the chain. The type is logged instead.
            log.debug("keyring call failed: %s", type(exc).__name__)
            if isinstance(exc, KeyringLocked):
                raise CredentialStoreError(f"{what} is locked.", hint=hint) from None
            failed = f"{what} failed ({type(exc).__name__})."
            raise CredentialStoreError(failed, hint=hint) from None
        result: T = outcome[0]
        return result

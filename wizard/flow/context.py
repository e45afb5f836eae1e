"""The run context: where the services are, the credential store, the environment read for
non-secret look-ups, and what is remembered between runs. Demo mode is data here (the
sandbox's address, a store preloaded with the demo secrets, settings kept in memory), so no
step and no command branches on it.

Opening a context may block (keyring discovery, starting the sandbox): the CLI opens it at
once, the wizard in a thread after its first frame.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from wizard.core.environment import (
    DEFAULT_PLIVO_API_BASE,
    DEFAULT_ULTRAVOX_API_BASE,
    ENV_API_BASE,
    ENV_AUTH_ID,
    ENV_PLIVO_API_BASE,
)
from wizard.core.errors import UsageError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wizard.core.credentials import CredentialStore
    from wizard.core.http import HttpSettings
    from wizard.core.plivo import PlivoClient
    from wizard.core.ultravox import UltravoxClient
    from wizard.sandbox import Sandbox


class Remembered(Protocol):
    """The non-secret facts kept between runs (the last Auth ID, Auth IDs with a stored token)."""

    label: str
    """How a face names the last Auth ID ("used last time")."""

    def last_auth_id(self) -> str | None: ...

    def remember_auth_id(self, auth_id: str, *, token_stored: bool) -> None: ...

    def stored_auth_ids(self) -> list[str]: ...

    def forget_stored_auth_ids(self, auth_ids: list[str]) -> None: ...


@dataclass
class SettingsFile:
    """`settings.json` under the user config dir (or `path`)."""

    path: Path | None = None
    label: str = "used last time"

    def last_auth_id(self) -> str | None:
        from wizard.core.settings import load_settings

        return load_settings(self.path).last_auth_id

    def remember_auth_id(self, auth_id: str, *, token_stored: bool) -> None:
        from wizard.core.settings import load_settings, save_settings

        settings = load_settings(self.path)
        changed = settings.last_auth_id != auth_id
        settings.last_auth_id = auth_id
        if token_stored and auth_id not in settings.stored_auth_ids:
            settings.stored_auth_ids.append(auth_id)
            changed = True
        if changed:
            save_settings(settings, self.path)

    def stored_auth_ids(self) -> list[str]:
        from wizard.core.settings import load_settings

        return load_settings(self.path).stored_auth_ids

    def forget_stored_auth_ids(self, auth_ids: list[str]) -> None:
        from wizard.core.settings import forget_stored_auth_ids

        forget_stored_auth_ids(auth_ids, self.path)


@dataclass
class SettingsInMemory:
    """Settings that end with the run: the demo's (it starts from the demo Auth ID), tests'."""

    last: str | None = None
    stored: list[str] = field(default_factory=list)
    label: str = "used last time"

    def last_auth_id(self) -> str | None:
        return self.last

    def remember_auth_id(self, auth_id: str, *, token_stored: bool) -> None:
        self.last = auth_id
        if token_stored and auth_id not in self.stored:
            self.stored.append(auth_id)

    def stored_auth_ids(self) -> list[str]:
        return list(self.stored)

    def forget_stored_auth_ids(self, auth_ids: list[str]) -> None:
        self.stored = [i for i in self.stored if i not in auth_ids]


@dataclass
class RunContext:
    """Everything a face or a command needs to reach the services and the secrets."""

    api_base: str
    plivo_api_base: str
    store: CredentialStore
    environ: Mapping[str, str]
    """Read for PLIVO_AUTH_ID; empty in demo mode. Secrets are read by the store."""
    settings: Remembered
    sandbox: Sandbox | None = None
    http_settings: HttpSettings | None = None

    @property
    def demo(self) -> bool:
        """Against the built-in sandbox (used for labels only, never to branch)."""
        return self.sandbox is not None

    def env_auth_id(self) -> str | None:
        value = self.environ.get(ENV_AUTH_ID, "").strip()
        return value or None

    def ultravox(self, api_key: SecretStr) -> UltravoxClient:
        """A new Ultravox client for `api_key` (the caller closes it)."""
        from wizard.core.ultravox import UltravoxClient

        return UltravoxClient(api_key, self.api_base, settings=self.http_settings)

    def plivo(self) -> PlivoClient:
        """A new Plivo client (the caller closes it)."""
        from wizard.core.plivo import PlivoClient

        return PlivoClient(self.plivo_api_base, settings=self.http_settings)

    # -- where secrets go when no secure keyring exists -----------------------------------------

    def offers_file_storage(self) -> bool:
        """True when the user may choose between session-only and the 0600 file."""
        return self.store.offers_file

    def use_file_storage(self, enabled: bool) -> None:
        """Keep secrets in the 0600 file (`enabled`) or for this session only, from now on."""
        self.store.set_insecure_storage(enabled)


def api_bases(
    api_base: str | None, plivo_api_base: str | None, environ: Mapping[str, str]
) -> tuple[str, str]:
    """The two API bases: the option, else the environment, else the public service; checked,
    UsageError naming the option or variable when one is not an http(s) URL with a host."""
    from wizard.core.rules import check_api_base

    found = []
    for option, value, variable, default in (
        ("--api-base", api_base, ENV_API_BASE, DEFAULT_ULTRAVOX_API_BASE),
        ("--plivo-api-base", plivo_api_base, ENV_PLIVO_API_BASE, DEFAULT_PLIVO_API_BASE),
    ):
        if value:
            what = option
        elif environ.get(variable):
            what, value = variable, environ[variable]
        else:
            what, value = "default", default
        problem = check_api_base(value, what)
        if problem is not None:
            raise UsageError(problem, hint=f"Fix {what}, or leave it out to use {default}.")
        found.append(value)
    return found[0], found[1]


def demo_store() -> CredentialStore:
    """An in-memory store holding the sandbox's demo key and demo Plivo token."""
    from wizard.core.credentials import (
        API_KEY_USER,
        SERVICE,
        CredentialStore,
        MemoryKeyring,
        plivo_user,
    )
    from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN

    backend = MemoryKeyring("this demo")
    backend.set_password(SERVICE, API_KEY_USER, DEMO_API_KEY)
    backend.set_password(SERVICE, plivo_user(DEMO_AUTH_ID), DEMO_AUTH_TOKEN)
    return CredentialStore(backend, environ={})


@dataclass
class ContextRecipe:
    """How to open the run context: the command line's choices, and test seams.

    `open()` may block and is done once; `close()` stops the demo sandbox if one started.
    """

    api_base: str | None = None
    plivo_api_base: str | None = None
    demo: bool = False
    insecure_storage: bool = False
    remember: bool = True
    """Read and write the settings file (never in demo mode)."""
    settings_path: Path | None = None
    environ: Mapping[str, str] | None = None
    """None: os.environ."""
    store: CredentialStore | None = None
    """None: the system keyring (or the demo store)."""
    sandbox: Sandbox | None = None
    """A sandbox someone else runs; demo mode starts its own when None."""
    http_settings: HttpSettings | None = None
    _opened: RunContext | None = field(default=None, init=False, repr=False)
    _own_sandbox: Sandbox | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)

    def open(self) -> RunContext:
        """The context, opened on first call (blocks: keyring discovery, the sandbox)."""
        with self._lock:
            if self._closed:
                raise UsageError("The run is closing.")
            if self._opened is None:
                self._opened = self._open()
            return self._opened

    def _open(self) -> RunContext:
        if self.demo:
            from wizard.sandbox import DEMO_AUTH_ID, Sandbox

            sandbox = self.sandbox
            if sandbox is None:
                sandbox = self._own_sandbox = Sandbox().start()
            return RunContext(
                api_base=sandbox.base_url,
                plivo_api_base=sandbox.base_url,
                store=self.store or demo_store(),
                environ={},
                settings=SettingsInMemory(last=DEMO_AUTH_ID, label="of the demo account"),
                sandbox=sandbox,
                http_settings=self.http_settings,
            )
        environ = os.environ if self.environ is None else self.environ
        api_base, plivo_api_base = api_bases(self.api_base, self.plivo_api_base, environ)
        if self.store is not None:
            store = self.store
        else:
            from wizard.core.credentials import CredentialStore

            store = CredentialStore(insecure_storage=self.insecure_storage)
        settings: Remembered = (
            SettingsFile(self.settings_path) if self.remember else SettingsInMemory()
        )
        return RunContext(
            api_base=api_base,
            plivo_api_base=plivo_api_base,
            store=store,
            environ=environ,
            settings=settings,
            sandbox=self.sandbox,
            http_settings=self.http_settings,
        )

    @property
    def opened(self) -> RunContext | None:
        return self._opened

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._own_sandbox is not None:
                self._own_sandbox.stop()
                self._own_sandbox = None


__all__ = [
    "ContextRecipe",
    "Remembered",
    "RunContext",
    "SettingsFile",
    "SettingsInMemory",
    "api_bases",
    "demo_store",
]

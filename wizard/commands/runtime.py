"""What every command needs: where the services are, the credential store, prompts, output.

Built once per run from the parsed options. `--demo` starts the sandbox in-process, points
both API bases at it and uses an in-memory keyring seeded with the demo credentials, so a
demo never reads the environment's secrets nor touches the real keychain or settings.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard.commands.output import Output
from wizard.core.errors import UsageError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wizard.core.credentials import CredentialStore, ResolvedSecret
    from wizard.core.settings import Settings
    from wizard.sandbox import Sandbox
    from wizard.tui import WizardOptions

log = logging.getLogger("wizard.cli")

NO_API_KEY = (
    "No Ultravox API key: set ULTRAVOX_API_KEY or run `ultravox-plivo login` first"
    " (or try `--demo`)."
)


@dataclass
class RunState:
    """What the run has done so far, so an interruption can say what is true."""

    write_started: bool = False


@dataclass
class Runtime:
    """The per-run context handed to every command."""

    args: argparse.Namespace
    out: Output
    store: CredentialStore
    api_base: str
    plivo_api_base: str
    environ: Mapping[str, str]
    """Environment for the CLI's own look-ups: empty in demo mode."""
    state: RunState = field(default_factory=RunState)
    sandbox: Sandbox | None = None

    @property
    def demo(self) -> bool:
        return self.sandbox is not None

    # -- terminal ---------------------------------------------------------------------------

    @property
    def interactive(self) -> bool:
        """Can we ask the user? (stdin is a terminal)"""
        return is_tty(sys.stdin)

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question on the terminal; default no."""
        print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline()
        return answer.strip().lower() in ("y", "yes")

    def require_yes(self, what: str) -> None:
        """Scripts must say --yes: refuse early, before anything is sent, when we cannot ask."""
        if not getattr(self.args, "yes", False) and not self.interactive:
            raise UsageError(
                f"Not on a terminal, so I cannot ask before {what}: pass --yes to go ahead."
            )

    def ask_secret(self, prompt: str) -> SecretStr:
        import getpass

        from pydantic import SecretStr

        return SecretStr(getpass.getpass(prompt))

    # -- credentials and clients --------------------------------------------------------------

    def api_key(self) -> ResolvedSecret:
        """The Ultravox API key (environment, then keyring, then a prompt on a terminal)."""
        from wizard.core.credentials import ResolvedSecret, SecretSource

        found = self.store.api_key()
        if found is not None:
            return found
        if self.interactive:
            value = self.ask_secret("Ultravox API key (input hidden): ")
            if value.get_secret_value().strip():
                return ResolvedSecret(value, SecretSource.SESSION, "typed at the prompt")
        raise UsageError(NO_API_KEY)

    # -- settings -----------------------------------------------------------------------------

    def load_settings(self) -> Settings:
        from wizard.core.settings import Settings, load_settings

        return Settings() if self.demo else load_settings()

    def remember_auth_id(self, auth_id: str) -> None:
        """Remember the last-used Auth ID (not a secret); never in demo mode."""
        from wizard.core.settings import load_settings, save_settings

        if self.demo:
            return
        settings = load_settings()
        if settings.last_auth_id != auth_id:
            settings.last_auth_id = auth_id
            save_settings(settings)


def is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


@contextlib.contextmanager
def open_runtime(args: argparse.Namespace, out: Output, state: RunState) -> Iterator[Runtime]:
    """The runtime for this run; stops the demo sandbox on the way out."""
    sandbox: Sandbox | None = None
    if args.demo:
        from wizard.sandbox import Sandbox

        sandbox = Sandbox().start()
    try:
        yield make_runtime(args, out, state, sandbox)
    finally:
        if sandbox is not None:
            sandbox.stop()


def make_runtime(
    args: argparse.Namespace, out: Output, state: RunState, sandbox: Sandbox | None
) -> Runtime:
    if sandbox is not None:
        return Runtime(
            args=args,
            out=out,
            store=demo_store(args.insecure_storage),
            api_base=sandbox.base_url,
            plivo_api_base=sandbox.base_url,
            environ={},
            state=state,
            sandbox=sandbox,
        )
    from wizard.core.credentials import CredentialStore

    environ = dict(os.environ)
    api_base, plivo_api_base = api_bases(args, environ)
    return Runtime(
        args=args,
        out=out,
        store=CredentialStore(insecure_storage=args.insecure_storage),
        api_base=api_base,
        plivo_api_base=plivo_api_base,
        environ=environ,
        state=state,
    )


def api_bases(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[str, str]:
    """The Ultravox and Plivo API bases (option, then environment, then default), checked:
    UsageError naming the option or variable when one is not an http(s) URL with a host."""
    from wizard.core.rules import DEFAULT_PLIVO_API_BASE, DEFAULT_ULTRAVOX_API_BASE, check_api_base

    found = []
    for option, value, variable, default in (
        ("--api-base", args.api_base, "ULTRAVOX_API_BASE", DEFAULT_ULTRAVOX_API_BASE),
        ("--plivo-api-base", args.plivo_api_base, "PLIVO_API_BASE", DEFAULT_PLIVO_API_BASE),
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


class WizardSetup:
    """The wizard's share of the runtime, left until after its first frame.

    The app calls this once, in a thread, as `WizardOptions.prepare`: it starts the demo sandbox
    or finds the API bases, and opens the credential store (keyring discovery). So the first
    frame loads neither httpx, pydantic nor keyring. `close()` stops the sandbox, if one started.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sandbox: Sandbox | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __call__(self, options: WizardOptions) -> None:
        args = self.args
        with self._lock:
            if self._closed:
                raise UsageError("The wizard is closing.")
            if args.demo:
                from wizard.sandbox import Sandbox

                self.sandbox = Sandbox().start()
                options.api_base = options.plivo_api_base = self.sandbox.base_url
                options.sandbox = self.sandbox
                options.store = demo_store(args.insecure_storage)
                return
            from wizard.core.credentials import CredentialStore

            options.api_base, options.plivo_api_base = api_bases(args, os.environ)
            options.store = CredentialStore(insecure_storage=args.insecure_storage)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self.sandbox is not None:
                self.sandbox.stop()
                self.sandbox = None


def demo_store(insecure_storage: bool = False) -> CredentialStore:
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
    # insecure_storage is ignored on purpose: the demo never writes a file.
    del insecure_storage
    return CredentialStore(backend, environ={})

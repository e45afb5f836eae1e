"""What every command needs: where the services are, the credential store, prompts, output.

Built once per run from the parsed options. `--demo` starts the sandbox in-process, points
both API bases at it and uses an in-memory keyring seeded with the demo credentials, so a
demo never reads the environment's secrets nor touches the real keychain or settings.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard.commands.output import Output
from wizard.core.errors import UsageError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wizard.core.credentials import CredentialStore, ResolvedSecret
    from wizard.flow.context import ContextRecipe, RunContext
    from wizard.sandbox import Sandbox

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
    """The per-run context handed to every command: the shared run context plus the CLI's
    own parts (parsed options, output, prompts)."""

    args: argparse.Namespace
    out: Output
    ctx: RunContext
    state: RunState = field(default_factory=RunState)

    @property
    def store(self) -> CredentialStore:
        return self.ctx.store

    @property
    def api_base(self) -> str:
        return self.ctx.api_base

    @property
    def plivo_api_base(self) -> str:
        return self.ctx.plivo_api_base

    @property
    def environ(self) -> Mapping[str, str]:
        """Environment for the CLI's own look-ups: empty in demo mode."""
        return self.ctx.environ

    @property
    def sandbox(self) -> Sandbox | None:
        return self.ctx.sandbox

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
                return ResolvedSecret(value, SecretSource.TYPED, "typed at the prompt")
        raise UsageError(NO_API_KEY)

    # -- settings -----------------------------------------------------------------------------

    def last_auth_id(self) -> str | None:
        return self.ctx.settings.last_auth_id()

    def remember_auth_id(self, auth_id: str, *, token_stored: bool = False) -> None:
        """Remember the last-used Auth ID (not a secret); a demo keeps it in memory only."""
        self.ctx.settings.remember_auth_id(auth_id, token_stored=token_stored)


def is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


WEB_DRIVER = "textual.drivers.web_driver:WebDriver"


def under_web_driver(environ: Mapping[str, str]) -> bool:
    """Started by `serve` (textual-serve sets TEXTUAL_DRIVER to Textual's web driver): the
    wizard talks to a browser through pipes, so stdin and stdout are not terminals."""
    return environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


def recipe_from_args(args: argparse.Namespace) -> ContextRecipe:
    """How to open this run's context, from the global options."""
    from wizard.flow.context import ContextRecipe

    return ContextRecipe(
        api_base=args.api_base,
        plivo_api_base=args.plivo_api_base,
        demo=args.demo,
        insecure_storage=args.insecure_storage,
    )


@contextlib.contextmanager
def open_runtime(args: argparse.Namespace, out: Output, state: RunState) -> Iterator[Runtime]:
    """The runtime for this run; stops the demo sandbox on the way out."""
    recipe = recipe_from_args(args)
    try:
        yield Runtime(args=args, out=out, ctx=recipe.open(), state=state)
    finally:
        recipe.close()

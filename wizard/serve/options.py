"""What `serve` was asked for, checked before anything listens: host, port, demo or real."""

from __future__ import annotations

import ipaddress
import secrets
import sys
from dataclasses import dataclass, field

from wizard.core.errors import UsageError

MAX_SESSIONS = 3
"""Concurrent browser sessions (each one an app process); past it a page says so."""
DEFAULT_PORT = 8000
LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """True for an address that only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """0.0.0.0 or :: (every interface)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


@dataclass
class ServeOptions:
    """The command line's choices for `serve`, plus test seams."""

    demo: bool = False
    host: str = LOOPBACK
    port: int = DEFAULT_PORT
    allow_remote: bool = False
    """Real mode on a non-loopback address: the user said so explicitly."""
    api_base: str | None = None
    plivo_api_base: str | None = None
    insecure_storage: bool = False
    max_sessions: int = MAX_SESSIONS
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Required on the page and the websocket; new for every launch."""
    app_argv: list[str] | None = None
    """The app process's command; None: this Python running the wizard (tests replace it)."""

    def check(self) -> None:
        """UsageError for an address or port that must not be used."""
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port {self.port}: use a port between 0 and 65535.")
        if not self.host.strip():
            raise UsageError("--host is empty: leave it out to serve on 127.0.0.1 only.")
        if not self.demo and not is_loopback(self.host) and not self.allow_remote:
            raise UsageError(
                f"--host {self.host}: the real wizard is served to this machine only, since"
                " keys and tokens typed into it would cross the network unencrypted.",
                hint="Use --demo to show it to others, or add --allow-remote if you mean it.",
            )

    @property
    def remote(self) -> bool:
        """Reachable from other machines."""
        return not is_loopback(self.host)

    def app_command(self) -> list[str]:
        """The wizard's own command line, as each browser session runs it.

        Never `--debug` nor Textual's dev options; secrets are never arguments.
        """
        if self.app_argv is not None:
            return list(self.app_argv)
        argv = [sys.executable, "-m", "wizard"]
        if self.demo:
            return [*argv, "--demo"]
        if self.api_base:
            argv += ["--api-base", self.api_base]
        if self.plivo_api_base:
            argv += ["--plivo-api-base", self.plivo_api_base]
        if self.insecure_storage:
            argv.append("--insecure-storage")
        return argv

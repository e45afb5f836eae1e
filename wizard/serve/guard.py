"""Who may open a session: this launch's token, this server's own origin, a free slot.

Pure functions and a counter, no aiohttp, so each rule is tested on its own.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from wizard.serve.options import is_loopback, is_wildcard


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison (a missing token never matches)."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _hostport(host: str, port: int) -> str:
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def allowed_hosts(bound_host: str, port: int) -> set[str]:
    """The `Host` values (host:port, lower case) a browser sends to reach this server.

    Empty for a wildcard bind: then any Host is taken, and the Origin must match it (see
    `origin_allowed`). Pinning Host on loopback also stops DNS rebinding of the page.
    """
    if is_wildcard(bound_host):
        return set()
    names = {bound_host.lower()}
    if is_loopback(bound_host):
        names |= {"127.0.0.1", "localhost", "::1"}
    return {_hostport(name, port) for name in names}


def host_allowed(host_header: str | None, allowed: set[str]) -> bool:
    if not host_header:
        return False
    return not allowed or host_header.lower() in allowed


def origin_allowed(origin: str | None, host_header: str | None, allowed: set[str]) -> bool:
    """The websocket's `Origin` is this server's own: `http://` + an allowed Host, and the
    Host the request itself was sent to (a browser always sends Origin on a websocket)."""
    if not origin or not host_header or not host_allowed(host_header, allowed):
        return False
    return origin.lower() == f"http://{host_header.lower()}"


@dataclass
class SessionSlots:
    """At most `limit` sessions; a slot is taken before the app process starts."""

    limit: int
    _taken: set[object] = field(default_factory=set)

    @property
    def full(self) -> bool:
        return len(self._taken) >= self.limit

    @property
    def in_use(self) -> int:
        return len(self._taken)

    def take(self, owner: object) -> bool:
        if self.full:
            return False
        self._taken.add(owner)
        return True

    def give_back(self, owner: object) -> None:
        self._taken.discard(owner)

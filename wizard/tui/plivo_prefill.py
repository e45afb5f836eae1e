"""Where step 2's prefilled Auth ID and token come from, and how their source is shown.

The Auth ID: PLIVO_AUTH_ID, else the Auth ID of the config Ultravox holds, else the one used
last time (settings). The token: PLIVO_AUTH_TOKEN, else the store's token for that Auth ID.
Nothing prefilled ever replaces what the user typed.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.core.credentials import ResolvedSecret


class AuthIdSource(IntEnum):
    """Where a prefilled Auth ID came from; a lower value wins."""

    ENV = 0
    CURRENT = 1
    SETTINGS = 2

    @property
    def label(self) -> str:
        return {
            AuthIdSource.ENV: "from PLIVO_AUTH_ID",
            AuthIdSource.CURRENT: "from the config Ultravox holds",
            AuthIdSource.SETTINGS: "used last time",
        }[self]


class AuthIdCandidates:
    """The Auth IDs offered so far, by source; `best()` is the one to prefill."""

    def __init__(self) -> None:
        self.found: dict[AuthIdSource, str] = {}

    def offer(self, source: AuthIdSource, auth_id: str | None) -> None:
        if auth_id and auth_id.strip():
            self.found[source] = auth_id.strip()
        else:
            self.found.pop(source, None)

    def best(self) -> tuple[str, AuthIdSource] | None:
        if not self.found:
            return None
        source = min(self.found)
        return self.found[source], source


def token_source_label(resolved: ResolvedSecret) -> str:
    """ "from PLIVO_AUTH_TOKEN", "from the keyring (Secret Service)", ... (never the value)."""
    from wizard.core.credentials import SecretSource

    if resolved.source is SecretSource.ENV:
        return f"from {resolved.detail}"
    if resolved.source is SecretSource.KEYRING:
        return f"from the keyring ({resolved.detail})"
    if resolved.source is SecretSource.FILE:
        return f"from the file {resolved.detail}"
    return "saved earlier in this session"

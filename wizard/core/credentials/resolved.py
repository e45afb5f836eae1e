"""What a secret is while the wizard runs: its value and where it came from (no keyring here).

Kept apart from the store so the session can name secrets and their sources without importing
keyring (about 50 ms) before the wizard's first frame; the store is opened in a thread after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic loads on the first secret made, not before the first frame
    from pydantic import SecretStr

SERVICE = "ultravox-plivo"
API_KEY_USER = "ultravox-api-key"


def plivo_user(auth_id: str) -> str:
    """The keyring user name holding the token of one Plivo Auth ID."""
    return f"plivo:{auth_id.strip()}"


class SecretSource(StrEnum):
    """Where a secret came from. The first three are given in this run; the rest were stored."""

    TYPED = "typed"
    STDIN = "stdin"
    ENV = "environment"
    KEYRING = "keyring"
    FILE = "file"
    SESSION = "this session"


GIVEN_IN_RUN = frozenset({SecretSource.TYPED, SecretSource.STDIN, SecretSource.ENV})


@dataclass(frozen=True)
class ResolvedSecret:
    """A secret and where it came from; `detail` names the variable, backend or file."""

    value: SecretStr
    source: SecretSource
    detail: str = ""

    @property
    def given_in_run(self) -> bool:
        """Typed, piped in or set in the environment for this run (not read from a store)."""
        return self.source in GIVEN_IN_RUN

    @property
    def label(self) -> str:
        """ "from PLIVO_AUTH_TOKEN", "from the keyring (Secret Service)", "typed here"..."""
        if self.source is SecretSource.TYPED:
            return "typed here"
        if self.source is SecretSource.STDIN:
            return "from stdin"
        if self.source is SecretSource.ENV:
            return f"from {self.detail}"
        if self.source is SecretSource.KEYRING:
            return f"from the keyring ({self.detail})"
        if self.source is SecretSource.FILE:
            return f"from the file {self.detail}"
        return f"from {self.detail}" if self.detail else "saved earlier in this session"

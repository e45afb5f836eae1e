"""The one precedence for the Plivo Auth ID and the token, and the rule for what is sent.

Auth ID: the one given in this run (typed, `--auth-id`, a file) > PLIVO_AUTH_ID > the config
Ultravox holds > the one used last time. Token: given in this run (typed, stdin,
PLIVO_AUTH_TOKEN) > the store's token for that Auth ID > asking.

What is sent: a token goes into the body only when it was given in this run, or when one is
needed (a new config, or a new Auth ID) and the store has it, or when the user chose not to
keep the token Ultravox holds. "Keep the current token" means no `authToken` at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from wizard.core.errors import UsageError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wizard.core.credentials import ResolvedSecret
    from wizard.core.models import PlivoConfig


class AuthIdSource(IntEnum):
    """Where an Auth ID came from; a lower value wins."""

    GIVEN = 0
    ENV = 1
    CURRENT = 2
    SETTINGS = 3

    @property
    def label(self) -> str:
        return {
            AuthIdSource.GIVEN: "given here",
            AuthIdSource.ENV: "from PLIVO_AUTH_ID",
            AuthIdSource.CURRENT: "from the config Ultravox holds",
            AuthIdSource.SETTINGS: "used last time",
        }[self]


@dataclass(frozen=True)
class ChosenAuthId:
    value: str
    source: AuthIdSource


class AuthIdCandidates:
    """The Auth IDs known so far, by source; `best()` is the one to use."""

    def __init__(self) -> None:
        self.found: dict[AuthIdSource, str] = {}

    def offer(self, source: AuthIdSource, auth_id: str | None) -> None:
        if auth_id and auth_id.strip():
            self.found[source] = auth_id.strip()
        else:
            self.found.pop(source, None)

    def best(self) -> ChosenAuthId | None:
        if not self.found:
            return None
        source = min(self.found)
        return ChosenAuthId(self.found[source], source)


def choose_auth_id(
    *,
    given: str | None = None,
    env: str | None = None,
    current: str | None = None,
    last: str | None = None,
) -> ChosenAuthId | None:
    """The Auth ID to use, by the one precedence (see the module docstring)."""
    candidates = AuthIdCandidates()
    for source, value in (
        (AuthIdSource.GIVEN, given),
        (AuthIdSource.ENV, env),
        (AuthIdSource.CURRENT, current),
        (AuthIdSource.SETTINGS, last),
    ):
        candidates.offer(source, value)
    return candidates.best()


@dataclass(frozen=True)
class TokenChoice:
    """What happens to the Auth Token: `send` it (with where it came from), or keep the one
    Ultravox holds (`kept`)."""

    send: ResolvedSecret | None
    kept: bool

    @property
    def review_label(self) -> str:
        """How Review names the token row's new value (never the token)."""
        if self.kept:
            return "kept"
        assert self.send is not None
        return f"new token {self.send.label} (masked)"


def choose_token(
    token: ResolvedSecret | None,
    *,
    auth_id: str,
    current: PlivoConfig | None,
    keep_current: bool,
) -> TokenChoice:
    """Apply the rule for what is sent (see the module docstring); UsageError when a token is
    needed and there is none.

    `token` is the best one known (given in this run, else the store's for `auth_id`).
    `keep_current` is the user's "keep the token Ultravox holds" (the CLI: no token given).
    """
    same_config = current is not None and current.auth_id == auth_id.strip()
    if same_config:
        if token is not None and token.given_in_run:
            return TokenChoice(token, kept=False)
        if keep_current:
            return TokenChoice(None, kept=True)
        if token is None:
            raise UsageError("Type the new Auth Token, or keep the current one.")
        return TokenChoice(token, kept=False)
    if token is None:
        if current is None:
            raise UsageError("Enter the Plivo Auth Token: a new Plivo config needs one.")
        raise UsageError(
            "Enter the Auth Token for the new Auth ID: the current token belongs to"
            f" {current.auth_id}."
        )
    return TokenChoice(token, kept=False)


def prefix_matches(prefix: str | None, token: SecretStr | None) -> bool | None:
    """Whether the prefix Ultravox returned starts `token` (None: nothing to compare)."""
    if not prefix or token is None:
        return None
    return token.get_secret_value().startswith(prefix)


def prefix_note(prefix: str | None, choice: TokenChoice | None) -> tuple[str, str]:
    """(kind, clause) on the token prefix Ultravox returned: kept, matches, or does not."""
    if choice is None or choice.kept:
        return "success", "kept the current token (none was sent)"
    token = choice.send
    typed = token is not None and token.source == "typed"
    where = "you typed" if typed or token is None else f"sent {token.label}"
    matches = prefix_matches(prefix, token.value if token is not None else None)
    if matches is None:
        return "warning", "Ultravox returned no prefix to check"
    if matches:
        return "success", f"matches the start of the token {where}"
    return "warning", f"does NOT match the start of the token {where}"

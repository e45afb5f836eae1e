"""The field rules: pure, cheap `check_*` functions the UI runs on every keystroke.

No pydantic here (nor anything heavy), so the wizard's first screen can validate input without
loading it; `wizard.core.models` re-exports all of this and its models run the same rules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from wizard.core.environment import DEFAULT_PLIVO_API_BASE as DEFAULT_PLIVO_API_BASE
from wizard.core.environment import DEFAULT_ULTRAVOX_API_BASE as DEFAULT_ULTRAVOX_API_BASE

MAX_AGENTS = 100

# Far above any real credential (Plivo tokens are 40 characters, Ultravox keys 41), far below
# what would bloat a header or a keyring entry.
MAX_SECRET_CHARS = 256

_AUTH_ID = re.compile(r"(MA|SA)[A-Z0-9]{18}")
_AUTH_TOKEN = re.compile(r"[A-Za-z0-9_-]{40}")
_API_KEY = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")
_API_KEY_MIN_CHARS = 16
# uuid.UUID parses with int(), so it also takes '+…' and '0x…': allow only hex and hyphens.
_UUID_TEXT = re.compile(r"(?:urn:uuid:)?\{?[0-9A-Fa-f-]+\}?")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong (error: blocks) or odd (warning: shown, does not block) with an input."""

    severity: Severity
    message: str
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def errors(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]


def check_api_key(value: str) -> list[Finding]:
    """Ultravox API keys are 8 + '.' + 32 alphanumerics today.

    Another printable shape only warns (the live check decides, so a new key format does not
    lock anyone out); empty, whitespace inside, control or non-ASCII characters cannot work.
    """
    value = value.strip()
    if not value:
        return [Finding(Severity.ERROR, "Enter your Ultravox API key.", "api_key")]
    problem = _unusable_secret(value, "An Ultravox API key")
    if problem is not None:
        return [Finding(Severity.ERROR, problem, "api_key")]
    if any(ch.isspace() for ch in value):
        return [
            Finding(
                Severity.ERROR,
                "An Ultravox API key has no spaces in it; copy it again.",
                "api_key",
            )
        ]
    if len(value) < _API_KEY_MIN_CHARS:
        # Surely a partial paste: not worth a request to Ultravox on every keystroke.
        return [
            Finding(
                Severity.ERROR,
                "Too short for an Ultravox API key: they are 8 letters or digits, a period,"
                f" then 32 more ({len(value)} characters given).",
                "api_key",
            )
        ]
    if not _API_KEY.fullmatch(value):
        return [
            Finding(
                Severity.WARNING,
                "Ultravox API keys are usually 8 letters or digits, a period, then 32 more"
                f" ({len(value)} characters given); check it was copied whole.",
                "api_key",
            )
        ]
    return []


def _unusable_secret(value: str, what: str) -> str | None:
    """Why a credential cannot be sent at all (it never quotes the value), or None."""
    if len(value) > MAX_SECRET_CHARS:
        return f"{what} is at most {MAX_SECRET_CHARS} characters ({len(value)} given)."
    if not value.isascii():
        return f"{what} holds only plain (ASCII) characters; copy it again."
    if not value.isprintable():
        return f"{what} holds a control character; copy it again."
    return None


def api_key_prefix(value: str) -> str:
    """The public part of an API key (before the period), safe to show."""
    head, sep, _ = value.strip().partition(".")
    return head if sep and len(head) == 8 else ""


def check_auth_id(value: str) -> list[Finding]:
    """Plivo Auth IDs are MA or SA followed by 18 upper-case letters or digits."""
    value = value.strip()
    if not value:
        return [Finding(Severity.ERROR, "Enter your Plivo Auth ID.", "auth_id")]
    if value[:2].upper() not in ("MA", "SA"):
        return [Finding(Severity.ERROR, "A Plivo Auth ID starts with MA or SA.", "auth_id")]
    if len(value) != 20:
        return [
            Finding(
                Severity.ERROR,
                f"A Plivo Auth ID is 20 characters long ({len(value)} given).",
                "auth_id",
            )
        ]
    if not _AUTH_ID.fullmatch(value):
        return [
            Finding(
                Severity.ERROR,
                "A Plivo Auth ID holds only upper-case letters and digits.",
                "auth_id",
            )
        ]
    return []


def check_auth_token(value: str) -> list[Finding]:
    """Tokens must be non-empty, printable ASCII and not absurdly long; an unusual shape only
    warns, as the charset is unverified. These rules hold with or without a live check."""
    if not value:
        return [Finding(Severity.ERROR, "Enter your Plivo Auth Token.", "auth_token")]
    if value != value.strip():
        return [
            Finding(
                Severity.ERROR,
                "The Auth Token starts or ends with a space; copy it again.",
                "auth_token",
            )
        ]
    problem = _unusable_secret(value, "A Plivo Auth Token")
    if problem is not None:
        return [Finding(Severity.ERROR, problem, "auth_token")]
    if not _AUTH_TOKEN.fullmatch(value):
        return [
            Finding(
                Severity.WARNING,
                "Plivo Auth Tokens are usually 40 letters, digits, '-' or '_'"
                f" ({len(value)} characters given); check it was copied whole.",
                "auth_token",
            )
        ]
    return []


def normalise_agent_id(value: str) -> str | None:
    """The canonical (lower-case, hyphenated) form of a UUID, or None if it is not one."""
    text = value.strip()
    if not _UUID_TEXT.fullmatch(text):
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def check_agent_ids(ids: Sequence[str]) -> list[Finding]:
    """Agent ids must be UUIDs, listed once, and at most MAX_AGENTS of them."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for raw in ids:
        canonical = normalise_agent_id(raw)
        if canonical is None:
            findings.append(
                Finding(Severity.ERROR, f"{raw!r} is not an agent id (a UUID).", "agent_ids")
            )
        elif canonical in seen:
            findings.append(
                Finding(Severity.ERROR, f"Agent {canonical} is listed twice.", "agent_ids")
            )
        else:
            seen.add(canonical)
    if len(ids) > MAX_AGENTS:
        findings.append(
            Finding(
                Severity.ERROR,
                f"At most {MAX_AGENTS} agents can be allowed ({len(ids)} given);"
                " allow all agents instead.",
                "agent_ids",
            )
        )
    return findings


def check_api_base(value: str, what: str) -> str | None:
    """Why `value` cannot be an API base URL (http or https, a host, a valid port), or None.

    `what` names where the value came from ("--api-base"); the message quotes the value, which
    is not a secret, with control characters escaped.
    """
    from urllib.parse import urlsplit

    shown = repr(value if len(value) <= 80 else value[:79] + "…")
    if "@" in value:
        shown = "(not shown: it holds an '@', perhaps a password)"
    problem = None
    if not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
        problem = "it holds spaces, control or non-ASCII characters"
    else:
        try:
            parts = urlsplit(value)
            port = parts.port  # ValueError when it is not a number in 0..65535
        except ValueError:
            parts, port, problem = None, None, "its port is not a number from 1 to 65535"
        if parts is not None:
            if parts.scheme.lower() not in ("http", "https"):
                problem = "it must start with https:// (or http://)"
            elif not parts.hostname:
                problem = "it names no host"
            elif port == 0:
                problem = "its port is not a number from 1 to 65535"
            elif parts.username is not None or parts.password is not None:
                problem = "it must not hold a user name or password"
            elif parts.query or parts.fragment:
                problem = "it must not hold a query or fragment"
    if problem is None:
        return None
    return f"{what} {shown} is not a usable API base URL: {problem}."

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

MAX_AGENTS = 100

_AUTH_ID = re.compile(r"(MA|SA)[A-Z0-9]{18}")
_AUTH_TOKEN = re.compile(r"[A-Za-z0-9_-]{40}")
_API_KEY = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")
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
    """Ultravox API keys are 8 + '.' + 32 alphanumerics; anything else cannot work."""
    value = value.strip()
    if not value:
        return [Finding(Severity.ERROR, "Enter your Ultravox API key.", "api_key")]
    if not _API_KEY.fullmatch(value):
        return [
            Finding(
                Severity.ERROR,
                "An Ultravox API key is 8 letters or digits, a period, then 32 more"
                f" ({len(value)} characters given).",
                "api_key",
            )
        ]
    return []


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
    """Tokens must be non-empty; an unusual shape only warns, as the charset is unverified."""
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

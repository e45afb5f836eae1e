"""Validation of Plivo config bodies, mirroring the service's DRF serializer.

Errors come back as DRF does: {"field": ["message", ...]} for field errors, and
{"non_field_errors": [...]} for rules across fields, checked only when every field passed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Container
from typing import Any

MAX_ALLOWED_AGENTS = 100
# The service shows a short prefix of the stored token; one place to change it.
TOKEN_PREFIX_LENGTH = 6

AUTH_ID_RE = re.compile(r"(MA|SA)[A-Z0-9]{18}")
_TRUE = {True, "1", "true", "True", "TRUE", "t", "T", "yes", "y", "on"}
_FALSE = {False, "0", "false", "False", "FALSE", "f", "F", "no", "n", "off"}
ALLOW_ALL_WITH_LIST = (
    "callCreationAllowedAgentIds may not be set when callCreationAllowAllAgents is true."
)

FieldErrors = dict[str, list[str]]


class _Invalid(Exception):
    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("Not a valid string.")
    value = value.strip()  # DRF CharField trims whitespace
    if not value:
        raise _Invalid("This field may not be blank.")
    return value


def _auth_id(value: Any, known_agents: Container[str]) -> str:
    value = _text(value)
    if not AUTH_ID_RE.fullmatch(value):
        raise _Invalid(
            "Enter a valid Plivo Auth ID: MA or SA followed by 18 upper-case letters or digits."
        )
    return value


def _auth_token(value: Any, known_agents: Container[str]) -> str:
    return _text(value)


def _agent_ids(value: Any, known_agents: Container[str]) -> list[str]:
    if not isinstance(value, list):
        raise _Invalid(f'Expected a list of items but got type "{type(value).__name__}".')
    if len(value) > MAX_ALLOWED_AGENTS:
        raise _Invalid(f"Ensure this field has no more than {MAX_ALLOWED_AGENTS} elements.")
    ids: list[str] = []
    problems: list[str] = []
    for item in value:
        try:
            canonical = str(uuid.UUID(item)) if isinstance(item, str) else None
        except ValueError:
            canonical = None
        if canonical is None:
            problems.append(f"“{item}” is not a valid UUID.")
        elif canonical not in known_agents:
            problems.append(f'Invalid pk "{canonical}" - object does not exist.')
        elif canonical not in ids:  # a many-to-many relation: duplicates collapse
            ids.append(canonical)
    if problems:
        raise _Invalid(*problems)
    return ids


def _allow_all(value: Any, known_agents: Container[str]) -> bool:
    if isinstance(value, bool | int | str) and value in _TRUE:
        return True
    if isinstance(value, bool | int | str) and value in _FALSE:
        return False
    raise _Invalid("Must be a valid boolean.")


def _mapping(value: Any, known_agents: Container[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Invalid(f'Expected a dictionary of items but got type "{type(value).__name__}".')
    bad = [
        f'Value for "{k}": not a valid string.' for k, v in value.items() if not isinstance(v, str)
    ]
    if bad:
        raise _Invalid(*bad)
    return dict(value)


# (wire name, required on create, checker)
_FIELDS: tuple[tuple[str, bool, Callable[[Any, Container[str]], Any]], ...] = (
    ("authId", True, _auth_id),
    ("authToken", True, _auth_token),
    ("callCreationAllowedAgentIds", False, _agent_ids),
    ("callCreationAllowAllAgents", False, _allow_all),
    ("requestContextMapping", False, _mapping),
)
DEFAULTS: dict[str, Any] = {
    "callCreationAllowedAgentIds": [],
    "callCreationAllowAllAgents": False,
    "requestContextMapping": {},
}


def validate_fields(
    data: Any, *, partial: bool, known_agents: Container[str]
) -> tuple[dict[str, Any], FieldErrors]:
    """The cleaned known fields of `data` and the field errors; unknown fields are ignored."""
    if not isinstance(data, dict):
        kind = type(data).__name__
        return {}, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
    clean: dict[str, Any] = {}
    errors: FieldErrors = {}
    for name, required, check in _FIELDS:
        if name not in data:
            if required and not partial:
                errors[name] = ["This field is required."]
            continue
        if data[name] is None:
            errors[name] = ["This field may not be null."]
            continue
        try:
            clean[name] = check(data[name], known_agents)
        except _Invalid as exc:
            errors[name] = exc.messages
    return clean, errors


def check_merged(config: dict[str, Any]) -> FieldErrors:
    """Rules across fields, on the config as it would be stored."""
    if config.get("callCreationAllowAllAgents") and config.get("callCreationAllowedAgentIds"):
        return {"non_field_errors": [ALLOW_ALL_WITH_LIST]}
    return {}


def public_view(config: dict[str, Any]) -> dict[str, Any]:
    """The config as the service returns it: the token replaced by its prefix."""
    return {
        "authId": config["authId"],
        "authTokenPrefix": {"prefix": str(config["authToken"])[:TOKEN_PREFIX_LENGTH]},
        "callCreationAllowedAgentIds": list(config.get("callCreationAllowedAgentIds") or []),
        "callCreationAllowAllAgents": bool(config.get("callCreationAllowAllAgents")),
        "requestContextMapping": dict(config.get("requestContextMapping") or {}),
    }

"""The sandbox's view of one HTTP exchange: a parsed request in, a reply out.

Kept apart from the socket code so the endpoint logic is plain functions over plain data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

REDACTED = "<redacted>"
# Header values that carry a credential; recorded as REDACTED, never as sent.
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class Request:
    """One request as the endpoint logic sees it; header names are lower-case."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    base_url: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Reply:
    """What the server writes back: status, body bytes, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RecordedRequest:
    """A request the sandbox received, for tests to assert on.

    Header names are lower-case and credential headers read "<redacted>". `json` is the body
    as sent (it may hold a token: this is test-only memory, never printed), `form` the parsed
    body of a form post.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any | None = None
    form: dict[str, str] | None = field(default=None)


def json_reply(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, json.dumps(payload).encode(), "application/json", headers)


def detail(status: int, message: str | None = None) -> Reply:
    """A DRF-style error: {"detail": "..."}; the status phrase when no message is given."""
    return json_reply(status, {"detail": message or HTTPStatus(status).phrase})


def field_errors(errors: Mapping[str, list[str]]) -> Reply:
    """A DRF-style 400: {"field": ["message", ...]}."""
    return json_reply(400, dict(errors))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k in SECRET_HEADERS else v) for k, v in headers.items()}


class ServiceData(Protocol):
    """What the fake endpoints read and change (SandboxState has it). A protocol here, at the
    bottom layer, so the endpoint modules need not import the state that dispatches to them."""

    agents: list[dict[str, Any]]
    plivo_config: dict[str, Any] | None
    api_keys: set[str]
    plivo_accounts: dict[str, str]
    plivo_account_names: dict[str, str]
    plivo_apps: dict[str, list[dict[str, Any]]]
    plivo_numbers: dict[str, list[dict[str, Any]]]
    plivo_rate_limit: tuple[int, float]
    plivo_hits: dict[str, list[float]]

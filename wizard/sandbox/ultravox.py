"""The Ultravox endpoints of the sandbox (NOTES.md's table), over the sandbox's ServiceData."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from typing import Any
from urllib.parse import urlencode

from wizard.sandbox.config_rules import DEFAULTS, check_merged, public_view, validate_fields
from wizard.sandbox.seed import demo_account
from wizard.sandbox.wire import Reply, Request, ServiceData, detail, field_errors, json_reply

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
_SORTABLE = {"name", "created"}
_AGENT_PATH = re.compile(r"/api/agents/([^/]+)")
CONFIG_PATH = "/api/telephony_configs/plivo"


def handle(state: ServiceData, req: Request) -> Reply:
    """Route an /api/ request: unknown path 404, then the API key, then the method."""
    path = req.path.rstrip("/")
    agent = _AGENT_PATH.fullmatch(path)
    if path not in ("/api/accounts/me", "/api/agents", CONFIG_PATH) and not agent:
        return detail(404, "Not found.")
    key = req.header("x-api-key")
    if not key:
        return detail(401, "Authentication credentials were not provided.")
    if key not in state.api_keys:
        return detail(403, "Invalid API key.")
    if path == "/api/accounts/me":
        return _only(req, "GET") or json_reply(200, demo_account())
    if path == "/api/agents":
        return _only(req, "GET") or _list_agents(state, req)
    if agent:
        return _only(req, "GET") or _get_agent(state, agent.group(1))
    return _config(state, req)


def _only(req: Request, *methods: str) -> Reply | None:
    if req.method in methods:
        return None
    return detail(405, f'Method "{req.method}" not allowed.')


# --- agents ---------------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    """Opaque to clients, as DRF's cursors are: base64 of the position."""
    return base64.urlsafe_b64encode(f"o={offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if not text.startswith("o=") or not text[2:].isdigit():
        return None
    return int(text[2:])


def _page_size(raw: str | None) -> int:
    # DRF ignores a page size it cannot read and caps one that is too large.
    if raw is None or not raw.isdigit() or int(raw) == 0:
        return DEFAULT_PAGE_SIZE
    return min(int(raw), MAX_PAGE_SIZE)


def _list_agents(state: ServiceData, req: Request) -> Reply:
    agents = state.agents
    search = req.query.get("search", "").strip().casefold()
    if search:
        agents = [a for a in agents if search in str(a.get("name", "")).casefold()]
    sort = req.query.get("sort", "")
    if sort.lstrip("-") in _SORTABLE:
        field = sort.lstrip("-")
        agents = sorted(
            agents, key=lambda a: str(a.get(field) or "").casefold(), reverse=sort.startswith("-")
        )
    size = _page_size(req.query.get("pageSize"))
    offset = 0
    if req.query.get("cursor"):
        decoded = decode_cursor(req.query["cursor"])
        if decoded is None:
            return detail(404, "Invalid cursor")
        offset = decoded
    total = len(agents)
    end = offset + size
    return json_reply(
        200,
        {
            "next": _page_url(req, end) if end < total else None,
            "previous": _page_url(req, max(0, offset - size)) if offset > 0 else None,
            "results": agents[offset:end],
            "total": total,
        },
    )


def _page_url(req: Request, offset: int) -> str:
    """The full URL of another page: the same query, another cursor."""
    query = {k: v for k, v in req.query.items() if k != "cursor"}
    if offset:
        query["cursor"] = encode_cursor(offset)
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{req.base_url}/api/agents{suffix}"


def _get_agent(state: ServiceData, raw_id: str) -> Reply:
    try:
        wanted = str(uuid.UUID(raw_id))
    except ValueError:
        return detail(404, "Not found.")
    for agent in state.agents:
        if agent.get("agentId") == wanted:
            return json_reply(200, agent)
    return detail(404, "Not found.")


# --- Plivo config ---------------------------------------------------------------------------


def _config(state: ServiceData, req: Request) -> Reply:
    if req.method == "GET":
        if state.plivo_config is None:
            return detail(404, "Not found.")
        return json_reply(200, public_view(state.plivo_config))
    if req.method == "DELETE":
        if state.plivo_config is None:
            return detail(404, "Not found.")
        state.plivo_config = None
        return Reply(204)
    if req.method not in ("POST", "PATCH"):
        return detail(405, f'Method "{req.method}" not allowed.')
    data, problem = _json_body(req)
    if problem is not None:
        return problem
    partial = req.method == "PATCH"
    if partial and state.plivo_config is None:
        return detail(404, "Not found.")
    known = {str(a.get("agentId")) for a in state.agents}
    clean, errors = validate_fields(data, partial=partial, known_agents=known)
    if errors:
        return field_errors(errors)
    # POST replaces whatever was there (the service documents POST as "set the config").
    base = dict(state.plivo_config or {}) if partial else dict(DEFAULTS)
    merged = {**base, **clean}
    errors = check_merged(merged)
    if errors:
        return field_errors(errors)
    state.plivo_config = merged
    return json_reply(200 if partial else 201, public_view(merged))


def _json_body(req: Request) -> tuple[Any, Reply | None]:
    if not req.body:
        return {}, None
    if req.content_type != "application/json":
        return None, detail(415, f'Unsupported media type "{req.content_type}" in request.')
    try:
        return json.loads(req.body), None
    except (ValueError, UnicodeDecodeError) as exc:
        # json's message names a position, never the content.
        return None, detail(400, f"JSON parse error - {exc.__class__.__name__}")

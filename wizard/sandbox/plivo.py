"""The Plivo endpoints of the sandbox: account check, Applications and Numbers (NOTES.md)."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from wizard.sandbox.seed import plivo_account
from wizard.sandbox.wire import Reply, Request, ServiceData, json_reply

MAX_LIMIT = 20
RATE_LIMIT = (300, 5.0)
"""Plivo's documented limit for these APIs: 300 requests per 5 s per account, then 429."""
_ACCOUNT_PATH = re.compile(r"/v1/Account/([^/]+)/(.*)")
_APP_PATH = re.compile(r"Application/([^/]+)/")
_NUMBER_PATH = re.compile(r"Number/([^/]+)/")
_APP_NAME = re.compile(r"[A-Za-z0-9_-]+")
_APP_NAME_RULE = "app_name can contain only letters, numbers, hyphens and underscores"
# Plivo's 401 is not JSON; clients must cope.
UNAUTHORIZED = Reply(
    401, b"Unauthorized", "text/plain", (("WWW-Authenticate", 'Basic realm="api"'),)
)


def _answer(status: int, payload: dict[str, Any]) -> Reply:
    return json_reply(status, {"api_id": str(uuid.uuid4()), **payload})


def _error(status: int, message: str) -> Reply:
    return _answer(status, {"error": message})


def handle(state: ServiceData, req: Request) -> Reply:
    """Route a /v1/ request; every path needs HTTP Basic with the path's Auth ID."""
    path = req.path if req.path.endswith("/") else req.path + "/"
    match = _ACCOUNT_PATH.fullmatch(path)
    if match is None:
        return _error(404, "not found")
    auth_id, rest = match.groups()
    if not _authorised(state, req, auth_id):
        return UNAUTHORIZED
    if rest == "":
        if req.method != "GET":
            return _error(405, "method not allowed")
        name = state.plivo_account_names.get(auth_id, "Sandbox Plivo Account")
        return _answer(200, plivo_account(auth_id, name))
    if _rate_limited(state, auth_id):
        return _error(429, "Too many requests")
    apps = state.plivo_apps.setdefault(auth_id, [])
    if rest == "Application/" and req.method == "GET":
        return _page(req, auth_id, "Application", apps)
    if rest == "Application/" and req.method == "POST":
        return _create_app(req, auth_id, apps)
    if rest == "Number/" and req.method == "GET":
        numbers = state.plivo_numbers.get(auth_id, [])
        if req.query.get("services") == "voice":
            numbers = [n for n in numbers if n.get("voice_enabled")]
        return _page(req, auth_id, "Number", numbers)
    number = _NUMBER_PATH.fullmatch(rest)
    if number is not None:
        return _number(state, req, auth_id, number.group(1))
    app = _APP_PATH.fullmatch(rest)
    if app is not None:
        found = [a for a in state.plivo_apps.get(auth_id, []) if a.get("app_id") == app.group(1)]
        if not found:
            return _error(404, "not found")
        if req.method == "GET":
            return _answer(200, found[0])
        if req.method == "POST":
            return _update_app(req, found[0])
    return _error(404 if req.method == "GET" else 405, "not found")


def _authorised(state: ServiceData, req: Request, auth_id: str) -> bool:
    scheme, _, encoded = (req.header("authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, sep, token = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected = state.plivo_accounts.get(user)
    return bool(sep and user == auth_id and expected and secrets.compare_digest(token, expected))


def _rate_limited(state: ServiceData, auth_id: str) -> bool:
    """Count this request against the account's sliding window (Application/, Number/)."""
    count, window = state.plivo_rate_limit
    now = time.monotonic()
    hits = state.plivo_hits.setdefault(auth_id, [])
    while hits and hits[0] <= now - window:
        hits.pop(0)
    if len(hits) >= count:
        return True
    hits.append(now)
    return False


def _body(req: Request) -> dict[str, Any] | None:
    """A JSON or form body as a dict, or None when it is neither."""
    try:
        if req.content_type == "application/json":
            data = json.loads(req.body or b"{}")
        else:
            data = dict(parse_qsl(req.body.decode(), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _create_app(req: Request, auth_id: str, apps: list[dict[str, Any]]) -> Reply:
    """POST Application/: app_name (letters, digits, -, _) and answer_url required; 201."""
    data = _body(req)
    if data is None:
        return _error(400, "invalid request body")
    name, url = data.get("app_name"), data.get("answer_url")
    if not isinstance(name, str) or not name:
        return _error(400, "app_name is required")
    if not _APP_NAME.fullmatch(name):
        return _error(400, _APP_NAME_RULE)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return _error(400, "answer_url must be a valid URL")
    method = str(data.get("answer_method", "POST")).upper()
    if method not in ("GET", "POST"):
        return _error(400, "answer_method must be GET or POST")
    app_id = str(20372631212790000 + len(apps))  # unique: the sandbox deletes no apps
    apps.append(
        {
            "app_id": app_id,
            "app_name": name,
            "answer_url": url,
            "answer_method": method,
            "hangup_url": data.get("hangup_url") or url,
            "hangup_method": "POST",
            "fallback_answer_url": "",
            "fallback_method": "POST",
            "default_app": False,
            "default_endpoint_app": False,
            "enabled": True,
            "public_uri": False,
            "sip_uri": f"sip:{app_id}@app.plivo.com",
            "resource_uri": f"/v1/Account/{auth_id}/Application/{app_id}/",
        }
    )
    return _answer(201, {"app_id": app_id, "message": "created"})


def _number(state: ServiceData, req: Request, auth_id: str, number: str) -> Reply:
    """GET or POST Number/{number}/; a POST must name an existing app_id (Plivo would
    otherwise attach the account's default application: the sandbox refuses instead)."""
    found = [n for n in state.plivo_numbers.get(auth_id, []) if n.get("number") == number]
    if not found:
        return _error(404, "not found")
    if req.method == "GET":
        return _answer(200, found[0])
    if req.method != "POST":
        return _error(405, "method not allowed")
    data = _body(req)
    if data is None:
        return _error(400, "invalid request body")
    app_id = data.get("app_id")
    if not isinstance(app_id, str) or not app_id:
        return _error(400, "app_id is required (without it Plivo attaches the default app)")
    if not any(a.get("app_id") == app_id for a in state.plivo_apps.get(auth_id, [])):
        return _error(400, "invalid app_id")
    found[0]["application"] = f"/v1/Account/{auth_id}/Application/{app_id}/"
    if isinstance(data.get("alias"), str):
        found[0]["alias"] = data["alias"]
    return _answer(202, {"message": "changed"})


def _page(req: Request, auth_id: str, kind: str, objects: list[dict[str, Any]]) -> Reply:
    raw_limit, raw_offset = req.query.get("limit", "20"), req.query.get("offset", "0")
    if not raw_limit.isdigit() or not raw_offset.isdigit() or int(raw_limit) == 0:
        return _error(400, "limit and offset must be non-negative integers")
    limit, offset = int(raw_limit), int(raw_offset)
    if limit > MAX_LIMIT:
        return _error(400, f"limit cannot be more than {MAX_LIMIT}")
    base = f"/v1/Account/{auth_id}/{kind}/"
    total = len(objects)
    end = offset + limit
    meta = {
        "limit": limit,
        "offset": offset,
        "total_count": total,
        "next": f"{base}?limit={limit}&offset={end}" if end < total else None,
        "previous": (
            f"{base}?limit={limit}&offset={max(0, offset - limit)}" if offset > 0 else None
        ),
    }
    return _answer(200, {"meta": meta, "objects": objects[offset:end]})


def _update_app(req: Request, app: dict[str, Any]) -> Reply:
    """POST .../Application/{id}/: change the given fields (JSON or form body); 202."""
    data = _body(req)
    if data is None:
        return _error(400, "invalid request body")
    changes: dict[str, str] = {}
    for key in ("answer_url", "hangup_url", "fallback_answer_url"):
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not value.startswith(("http://", "https://")):
                return _error(400, f"{key} must be a valid URL")
            changes[key] = value
    for key in ("answer_method", "hangup_method", "fallback_method"):
        if key in data:
            value = str(data[key]).upper()
            if value not in ("GET", "POST"):
                return _error(400, f"{key} must be GET or POST")
            changes[key] = value
    if "app_name" in data:
        if not _APP_NAME.fullmatch(str(data["app_name"])):
            return _error(400, _APP_NAME_RULE)
        changes["app_name"] = str(data["app_name"])
    app.update(changes)
    return _answer(202, {"message": "changed"})

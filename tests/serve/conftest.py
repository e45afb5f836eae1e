"""Helpers for the browser face's tests: a `WizardServer` under aiohttp's test server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from wizard.serve.options import ServeOptions
from wizard.serve.server import WizardServer

FAKE_APP = Path(__file__).with_name("fake_app.py")
REPO = Path(__file__).resolve().parents[2]


def fake_app(mode: str, record: Path) -> list[str]:
    return [sys.executable, str(FAKE_APP), mode, str(record)]


def recorded(record: Path) -> list[dict[str, Any]]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]


def alive(pid: int) -> bool:
    """Running (a zombie counts as gone: it no longer runs, though nobody reaped it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def eventually(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll `condition` without blocking the event loop the server runs on."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


class Served:
    """A running `WizardServer` and a client for it."""

    def __init__(self, server: WizardServer, client: TestClient[Any, Any]) -> None:
        self.server = server
        self.client = client

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.client.port}"

    @property
    def token(self) -> str:
        return self.server.options.token

    async def session(self, origin: str | None = None, token: str | None = None) -> Any:
        """Open a websocket as the page would."""
        headers = {"Origin": self.origin if origin is None else origin}
        return await self.client.ws_connect(
            f"/ws/{self.token if token is None else token}?width=80&height=24", headers=headers
        )


@pytest.fixture
async def serve_app() -> AsyncIterator[Callable[..., Any]]:
    """`await serve_app(ServeOptions(...))` -> Served; everything is stopped afterwards."""
    clients: list[TestClient[Any, Any]] = []

    async def start(options: ServeOptions, environ: dict[str, str] | None = None) -> Served:
        server = WizardServer(options, environ=environ)
        test_server = TestServer(await server._make_app(), host="127.0.0.1")
        client = TestClient(test_server)
        await client.start_server()
        server.bound(client.port or 0)
        clients.append(client)
        return Served(server, client)

    yield start
    for client in clients:
        await client.close()


def base_env() -> dict[str, str]:
    """What the test process's children need to import the wizard."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ULTRAVOX_", "PLIVO_"))}
    env["PYTHONPATH"] = str(REPO)
    return env

"""Issue 8: the sandbox under a burst, bad bodies, idle clients and a foreign Host header."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

from tests.conftest import SandboxFactory
from wizard.sandbox import DEMO_API_KEY, Sandbox
from wizard.sandbox.server import MAX_REQUEST_BODY


def raw(sandbox: Sandbox, request: bytes, timeout: float = 10) -> bytes:
    """Send `request` as is; everything the server answers until it closes."""
    with socket.create_connection((sandbox.host, sandbox.port), timeout=timeout) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def get(host: str) -> bytes:
    return (
        f"GET /api/accounts/me HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {DEMO_API_KEY}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


async def test_a_burst_of_several_hundred_connections_is_served(sandbox: Sandbox) -> None:
    async def one() -> int:
        reader, writer = await asyncio.open_connection(sandbox.host, sandbox.port)
        writer.write(get(f"127.0.0.1:{sandbox.port}"))
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return status_of(answer)

    started = time.monotonic()
    statuses = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(500))), 60)
    assert statuses == [200] * 500
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ("Content-Length: 99999999999\r\n", b"{}", 413),
        (f"Content-Length: {MAX_REQUEST_BODY + 1}\r\n", b"{}", 413),
        ("Content-Length: -5\r\n", b"", 400),
        ("Content-Length: lots\r\n", b"", 400),
        ("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n", 400),
        ("Transfer-Encoding: chunked\r\n", b"fffffffffff\r\n{}", 413),
        ("Transfer-Encoding: chunked\r\n", b"10\r\n{}", 400),
    ],
    ids=["huge-length", "over-cap", "negative", "not-a-number", "bad-chunk", "huge-chunk", "short"],
)
def test_bad_bodies_are_answered_and_logged_in_one_line(
    sandbox_factory: SandboxFactory,
    capfd: pytest.CaptureFixture[str],
    headers: str,
    body: bytes,
    status: int,
) -> None:
    lines: list[str] = []
    sandbox = sandbox_factory(log=lines.append)
    request = (
        f"POST /api/telephony_configs/plivo HTTP/1.1\r\nHost: 127.0.0.1:{sandbox.port}\r\n"
        f"X-API-Key: {DEMO_API_KEY}\r\nContent-Type: application/json\r\n{headers}\r\n"
    ).encode() + body
    answer = raw(sandbox, request)
    assert status_of(answer) == status
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["detail"]
    assert lines == [lines[0]] and lines[0].startswith(
        f"POST /api/telephony_configs/plivo -> {status}"
    )
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert sandbox.requests == []  # never reached the fake API


def test_an_idle_client_is_let_go(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(idle_timeout=0.5)
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server, not by our timeout
        assert time.monotonic() - started < 5
    # And it still serves others.
    assert status_of(raw(sandbox, get(f"127.0.0.1:{sandbox.port}"))) == 200


def test_the_default_idle_timeout_is_bounded() -> None:
    assert 0 < Sandbox().idle_timeout <= 60


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "localhost", "127.0.0.1", "[::1]:{port}"]
)
def test_loopback_hosts_are_served(sandbox: Sandbox, host: str) -> None:
    assert status_of(raw(sandbox, get(host.format(port=sandbox.port)))) == 200


@pytest.mark.parametrize(
    "host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil.example", "10.0.0.1:{port}"]
)
def test_a_foreign_host_header_is_refused(sandbox: Sandbox, host: str) -> None:
    # DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends its own name.
    answer = raw(sandbox, get(host.format(port=sandbox.port)))
    assert status_of(answer) == 421
    assert sandbox.requests == []


def test_a_request_without_host_is_refused(sandbox: Sandbox) -> None:
    answer = raw(sandbox, b"GET /api/accounts/me HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert status_of(answer) == 400

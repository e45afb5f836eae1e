"""Issue 8: servers that misbehave on purpose, over real loopback sockets. A trickle, an
endless body, a huge declared length, escape sequences and markup in names, partial echoes
of secrets, endless paging: each ends in one plain error (or clean text) quickly."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

from wizard.core.errors import MalformedResponseError, NetworkError, RejectedError
from wizard.core.http import HttpSettings
from wizard.core.plivo import PlivoClient
from wizard.core.ultravox import UltravoxClient
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN

Handler = Callable[[socket.socket, bytes], None]
FAST = HttpSettings(connect_timeout=1.0, read_timeout=1.0, total_timeout=1.5, max_attempts=4)
HOSTILE_NAME = "\x1b]0;pwned\x07Acme [/x] [@click=app.quit]Ltd\r\nultravox-plivo: fake\x1b[2J\x9b1m"


class HostileServer:
    """A loopback TCP server that answers every connection with `handler(conn, request)`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                self.requests.append(data)
                self.handler(conn, data)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], HostileServer]]:
    servers: list[HostileServer] = []

    def start(handler: Handler) -> HostileServer:
        server = HostileServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def json_answer(body: object, status: str = "200 OK") -> Handler:
    data = json.dumps(body).encode()

    def handler(conn: socket.socket, request: bytes) -> None:
        conn.sendall(
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
            + data
        )

    return handler


def drip(conn: socket.socket, request: bytes) -> None:
    """Headers at once, then one byte of the body every 0.2 s (never trips a read timeout)."""
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999\r\n\r\n"
    )
    for _ in range(200):
        conn.sendall(b" ")
        time.sleep(0.2)


def endless(conn: socket.socket, request: bytes) -> None:
    """A chunked body that never ends."""
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'6\r\n{"name\r\n3\r\n":"\r\n'
    )
    chunk = b"a" * 65536
    for _ in range(10_000):
        conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def ultravox(url: str, settings: HttpSettings = FAST) -> UltravoxClient:
    return UltravoxClient(SecretStr(DEMO_API_KEY), url, settings=settings)


def test_the_default_deadline_gives_up_within_30_seconds() -> None:
    settings = HttpSettings()
    assert settings.total_timeout <= 30
    assert settings.read_timeout <= settings.total_timeout


async def test_a_trickling_get_gives_up_at_the_deadline_without_retrying(
    serve: Callable[[Handler], HostileServer],
) -> None:
    server = serve(drip)
    started = time.monotonic()
    async with ultravox(server.url) as client:
        with pytest.raises(NetworkError) as caught:
            await client.get_plivo_config()
    assert time.monotonic() - started < 4
    assert server.connections == 1
    assert caught.value.kind == "timeout"
    assert "did not finish answering within 1.5 s" in caught.value.message
    assert "may or may not" not in str(caught.value)


async def test_a_trickling_write_says_it_may_have_been_applied(
    serve: Callable[[Handler], HostileServer],
) -> None:
    server = serve(drip)
    async with ultravox(server.url) as client:
        with pytest.raises(NetworkError) as caught:
            await client.create_plivo_config({"authId": DEMO_AUTH_ID, "authToken": "x" * 40})
    assert server.connections == 1
    assert "within 1.5 s" in caught.value.message
    assert "may or may not have been applied" in str(caught.value)


async def test_a_trickling_plivo_check_gives_up(serve: Callable[[Handler], HostileServer]) -> None:
    server = serve(drip)
    async with PlivoClient(server.url, settings=FAST) as client:
        with pytest.raises(NetworkError, match=r"within 1\.5 s"):
            await client.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))


async def test_an_endless_body_is_cut_off_with_a_plain_error(
    serve: Callable[[Handler], HostileServer],
) -> None:
    server = serve(endless)
    settings = HttpSettings(total_timeout=10, max_body_bytes=1_000_000)
    started = time.monotonic()
    async with ultravox(server.url, settings) as client:
        with pytest.raises(MalformedResponseError) as caught:
            await client.get_account()
    assert time.monotonic() - started < 5
    assert "larger than 1 MB; stopped reading it" in caught.value.message
    assert server.connections == 1


async def test_a_huge_declared_length_is_refused_before_reading(
    serve: Callable[[Handler], HostileServer],
) -> None:
    def huge(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n{")
        time.sleep(3)

    server = serve(huge)
    started = time.monotonic()
    async with ultravox(server.url) as client:
        with pytest.raises(MalformedResponseError, match="larger than 4 MB"):
            await client.get_account()
    assert time.monotonic() - started < 1


async def test_escape_sequences_and_markup_in_server_text_are_made_plain(
    serve: Callable[[Handler], HostileServer],
) -> None:
    config = {
        "authId": "MA\x1b[31m" + "A" * 18,
        "authTokenPrefix": {"prefix": "ab\x07cd"},
        "requestContextMapping": {"Fr\x1b]8;;http://x\x07om": "user.\r\nphone"},
        "callCreationAllowedAgentIds": ["\x1b[2J"],
    }
    server = serve(json_answer({"accountId": "a\x00b", "name": HOSTILE_NAME}))
    async with ultravox(server.url) as client:
        account = await client.get_account()
    assert account.name == "Acme [/x] [@click=app.quit]Ltd ultravox-plivo: fake"
    assert account.account_id == "ab"
    server = serve(json_answer(config))
    async with ultravox(server.url) as client:
        held = await client.get_plivo_config()
    assert held is not None
    assert held.auth_id == "MA" + "A" * 18
    assert held.auth_token_prefix == "abcd"
    assert held.context_mapping == {"From": "user. phone"}
    assert held.allowed_agent_ids == ("",)


async def test_a_huge_name_is_cut_to_a_printable_length(
    serve: Callable[[Handler], HostileServer],
) -> None:
    server = serve(json_answer({"name": "A" * 1_000_000}))
    async with ultravox(server.url) as client:
        account = await client.get_account()
    assert len(account.name) <= 200
    assert account.name.endswith("…")


async def test_plivo_account_name_is_made_plain(serve: Callable[[Handler], HostileServer]) -> None:
    server = serve(json_answer({"auth_id": DEMO_AUTH_ID, "name": HOSTILE_NAME}))
    async with PlivoClient(server.url, settings=FAST) as client:
        account = await client.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))
    assert account.name.isprintable()
    assert "\x1b" not in account.name and "pwned" not in account.name


async def test_field_errors_are_made_plain(serve: Callable[[Handler], HostileServer]) -> None:
    body = {"auth\x1b[2JId": ["bad\x1b]0;t\x07 value\r\nultravox-plivo: done"]}
    server = serve(json_answer(body, "400 Bad Request"))
    async with ultravox(server.url) as client:
        with pytest.raises(RejectedError) as caught:
            await client.create_plivo_config({"authId": DEMO_AUTH_ID})
    error = caught.value
    assert error.message.isprintable()
    assert error.field_errors == {"authId": ["bad value ultravox-plivo: done"]}


async def test_partial_echoes_of_secrets_are_masked(
    serve: Callable[[Handler], HostileServer],
) -> None:
    token = "TokPart_0123456789abcdefghijklmnopqrstuv"
    body = {"authToken": [f"{token[:30]} is not valid"], "detail": f"key {DEMO_API_KEY[:20]}"}
    server = serve(json_answer(body, "400 Bad Request"))
    async with ultravox(server.url) as client:
        with pytest.raises(RejectedError) as caught:
            await client.create_plivo_config({"authId": DEMO_AUTH_ID, "authToken": token})
    text = str(caught.value) + repr(caught.value.field_errors)
    for run in (token[:8], token[12:20], DEMO_API_KEY[:8], DEMO_API_KEY[10:18]):
        assert run not in text
    assert "••••" in text

    # An echo in a success body too: the account name, the Plivo account name.
    server = serve(json_answer({"name": f"Acme {DEMO_API_KEY[5:25]}"}))
    async with ultravox(server.url) as client:
        account = await client.get_account()
    assert account.name == "Acme ••••"
    server = serve(json_answer({"name": f"{DEMO_AUTH_TOKEN[:12]} Ltd"}))
    async with PlivoClient(server.url, settings=FAST) as client:
        plivo = await client.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))
    assert plivo.name == "•••• Ltd"


async def test_endless_paging_stops_with_a_plain_message(
    serve: Callable[[Handler], HostileServer],
) -> None:
    pages = iter(range(10**9))

    def next_page(conn: socket.socket, request: bytes) -> None:
        page = next(pages)
        agent = {"agentId": f"00000000-0000-4000-8000-{page:012d}", "name": f"agent {page}"}
        json_answer({"results": [agent], "next": f"/api/agents?cursor={page}"})(conn, request)

    server = serve(next_page)
    received = 0
    async with ultravox(server.url) as client:
        with pytest.raises(MalformedResponseError) as caught:
            async for page in client.iter_agent_pages(max_pages=30):
                received += len(page.agents)
    assert received == 30
    assert "kept sending more pages of agents (30 pages)" in caught.value.message


async def test_paging_past_the_announced_total_stops(
    serve: Callable[[Handler], HostileServer],
) -> None:
    pages = iter(range(10**9))

    def next_page(conn: socket.socket, request: bytes) -> None:
        page = next(pages)
        agents = [{"agentId": f"00000000-0000-4000-8000-{page:08d}{i:04d}"} for i in range(2)]
        json_answer({"results": agents, "total": 3, "next": f"/api/agents?c={page}"})(conn, request)

    server = serve(next_page)
    async with ultravox(server.url) as client:
        with pytest.raises(MalformedResponseError, match="more than the 3 it said it has"):
            async for _ in client.iter_agent_pages(page_size=2):
                pass
    assert len(server.requests) == 3

"""The sandbox as a real HTTP/1.1 server on loopback (stdlib ThreadingHTTPServer)."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from wizard.sandbox.seed import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN
from wizard.sandbox.state import SandboxState
from wizard.sandbox.wire import Reply, Request, detail

_NO_BODY = (204, 304)
MAX_REQUEST_BODY = 1_000_000  # the largest real body (a config with 100 agents) is ~5 KB
# DNS rebinding: a web page's own name resolving to 127.0.0.1 still sends its name as Host.
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "localhost.localdomain"})


class _BadRequest(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Sandbox(SandboxState):
    """The fake Ultravox and Plivo APIs, served on one base URL from a daemon thread.

    `with Sandbox(agent_count=100) as sandbox: ...` or `sandbox = Sandbox().start()`.
    `latency` (seconds) is added to every answer; `log`, when given, gets one line per
    request ("GET /api/agents -> 200"), never a header or body. A connection that sends
    nothing for `idle_timeout` seconds is closed. Only loopback names are accepted as Host.
    """

    def __init__(
        self,
        *,
        agent_count: int = 25,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        log: Callable[[str], None] | None = None,
        idle_timeout: float = 30.0,
    ) -> None:
        super().__init__(agent_count=agent_count)
        self.host = host
        self.idle_timeout = idle_timeout
        self.latency = latency
        self.log = log
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind and serve in a daemon thread; returns self. OSError if the port is taken."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, self._requested_port), _Handler, self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox:{server.server_address[1]}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection; idempotent and prompt."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a delay
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The sandbox is not started.")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """http://HOST:PORT, the base of both the Ultravox and the Plivo paths."""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until stop() (from another thread) or Ctrl+C; the server is stopped after.

        `ultravox-plivo sandbox` (wizard.commands.sandbox) is built on this."""
        self.start()
        try:
            while not self._stopping.wait(0.2):
                pass
        finally:
            self.stop()

    def describe(self) -> str:
        """Where the sandbox is and how to use it; the demo credentials are not secrets."""
        base = self.base_url
        return "\n".join(
            [
                f"Ultravox + Plivo sandbox at {base} ({len(self.agents)} agents)",
                f"  Ultravox API key:  {DEMO_API_KEY}",
                f"  Plivo Auth ID:     {DEMO_AUTH_ID}",
                f"  Plivo Auth Token:  {DEMO_AUTH_TOKEN}",
                "Point the CLI at it (these demo credentials work only here):",
                f"  export ULTRAVOX_API_BASE={base}",
                f"  export PLIVO_API_BASE={base}",
                f"  export ULTRAVOX_API_KEY={DEMO_API_KEY}",
                f"  export PLIVO_AUTH_ID={DEMO_AUTH_ID}",
            ]
        )

    # --- one exchange -----------------------------------------------------------------------

    def exchange(self, request: Request) -> Reply | None:
        """Record, apply a fault or latency, then answer; None means drop the connection."""
        parsed_json, form = _parse_body(request)
        self.record(request, parsed_json, form)
        fault = self.take_fault(request)
        delay = self.latency + (fault.delay if fault is not None else 0.0)
        if delay > 0 and self._stopping.wait(delay):
            return None
        if fault is not None and fault.drop:
            return None
        reply = fault.reply() if fault is not None else None
        if reply is None:
            try:
                reply = self.respond(request)
            except Exception:  # a sandbox bug must still answer, like a real 500
                reply = detail(500, "A server error occurred.")
        if self.log is not None:
            self.log(f"{request.method} {request.path} -> {reply.status}")
        return reply


def _parse_body(request: Request) -> tuple[Any | None, dict[str, str] | None]:
    if not request.body:
        return None, None
    try:
        if request.content_type == "application/json":
            return json.loads(request.body), None
        if request.content_type == "application/x-www-form-urlencoded":
            return None, dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        pass
    return None, None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 dropped most of a burst of a few hundred connections.
    request_queue_size = 1024

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], sandbox: Sandbox
    ) -> None:
        self.sandbox = sandbox
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Close keep-alive connections so no stale handler answers after stop()."""
        with self._open_lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client giving up mid-answer (timeouts, drops) is normal here, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, each answer waits ~40 ms
    # for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def setup(self) -> None:
        super().setup()
        # A client that connects and sends nothing must not hold a thread forever.
        self.connection.settimeout(self.server.sandbox.idle_timeout)

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        try:
            self._check_host()
            body = self._read_body()
        except _BadRequest as bad:
            self._refuse(bad)
            return
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=headers,
            body=body,
            base_url=f"http://{headers.get('host') or f'{sandbox.host}:{sandbox.port}'}",
        )
        reply = sandbox.exchange(request)
        if reply is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        if reply.status not in _NO_BODY:  # 204 has neither body nor body headers (RFC 9110)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if reply.status not in _NO_BODY:
            self.wfile.write(reply.body)

    def _check_host(self) -> None:
        host = self.headers.get("Host")
        if host is None:
            raise _BadRequest(400, "no Host header")
        name = urlsplit(f"//{host.strip()}").hostname or ""
        if name not in _LOOPBACK_HOSTS and name != self.server.sandbox.host:
            raise _BadRequest(421, "Host is not a loopback name")

    def _read_body(self) -> bytes:
        """The whole request body, sized or chunked, so keep-alive framing stays intact;
        bounded: _BadRequest (400 malformed, 413 too large) instead of reading without end."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(100)
                try:
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    raise _BadRequest(400, "malformed chunked body") from None
                if size < 0:
                    raise _BadRequest(400, "malformed chunked body")
                if size == 0:
                    for _ in range(100):
                        if self.rfile.readline(1000) in (b"\r\n", b"\n", b""):
                            return b"".join(chunks)  # after any trailers
                    raise _BadRequest(400, "too many trailers")
                total += size
                if total > MAX_REQUEST_BODY:
                    raise _BadRequest(413, "body too large")
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    raise _BadRequest(400, "chunked body ended early")
                chunks.append(chunk)
                self.rfile.readline(100)
        length = self.headers.get("Content-Length", "0").strip() or "0"
        if not length.isdigit():
            raise _BadRequest(400, "malformed Content-Length")
        if int(length) > MAX_REQUEST_BODY:
            raise _BadRequest(413, "body too large")
        body = self.rfile.read(int(length)) if int(length) > 0 else b""
        if len(body) < int(length):
            raise _BadRequest(400, "body ended early")
        return body

    def _refuse(self, bad: _BadRequest) -> None:
        """Answer a request we will not read further, close the connection, log one line."""
        sandbox = self.server.sandbox
        if sandbox.log is not None:
            path = urlsplit(self.path).path
            sandbox.log(f"{self.command} {path} -> {bad.status} ({bad.reason})")
        reply = detail(bad.status)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.send_response(bad.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: the sandbox's `log` callback reports requests, without headers."""

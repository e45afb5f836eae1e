"""textual-serve's `Server` and `AppService`, subclassed to be safe to leave running.

Taken as it is: the page's JavaScript and static files, the websocket protocol between the
browser and the app process (`_process_messages`, `AppService.run`, `send_meta`), and the
quit handshake. Changed around it (see docs/architecture.md, "Library internals"):

- the page and the websocket need this launch's token, the websocket this server's own
  Origin and a free session slot, all checked before an app process starts;
- the app process is this Python running the wizard (`exec`, no shell, its own process
  group), with an environment built from nothing (`environment.py`), never debug options;
- stopping ends every process (the quit message, then SIGTERM, then SIGKILL to its group);
- no access log (URLs carry the token), no `/download` route (the wizard delivers no files),
  no directory index of the static files, no font fetched from the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from wizard.core.errors import UsageError
from wizard.serve.environment import app_environment, dropped_proxies
from wizard.serve.guard import (
    SessionSlots,
    allowed_hosts,
    host_allowed,
    origin_allowed,
    token_matches,
)
from wizard.serve.options import ServeOptions, is_wildcard

log = logging.getLogger("wizard.serve")

TEMPLATES = Path(__file__).parent / "templates"
TITLE = "Ultravox ← Plivo"
QUIT_GRACE = 3.0
"""Seconds an app process gets to quit when asked, and again after SIGTERM."""


def _to_int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


class WizardAppService(AppService):
    """One browser session's app process: started by `exec` with a minimal environment in a
    process group of its own (Ctrl+C in the server's terminal reaches the server, which then
    ends each session in order), and always ended and reaped by `stop()`."""

    def __init__(
        self,
        argv: list[str],
        environment: Callable[[int, int], dict[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(" ".join(argv), debug=False, **kwargs)
        self.argv = argv
        self._environment = environment

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return self._environment(width, height)

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width, height),
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit; past `QUIT_GRACE`, SIGTERM, then SIGKILL its process group."""
        process = self._process
        quitting = asyncio.ensure_future(super().stop())
        await asyncio.wait({quitting}, timeout=QUIT_GRACE)
        if process is not None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(process.wait()), QUIT_GRACE)
                    break
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), QUIT_GRACE)
        with contextlib.suppress(TimeoutError, Exception):
            await asyncio.wait_for(quitting, QUIT_GRACE)


class WizardServer(Server):
    """The wizard's web server: textual-serve's page and protocol behind a token, an Origin
    check and a session cap."""

    def __init__(self, options: ServeOptions, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(
            " ".join(options.app_command()),
            host=options.host,
            port=options.port,
            title=TITLE,
            templates_path=TEMPLATES,
        )
        self.options = options
        self.environ = os.environ if environ is None else environ
        self.slots = SessionSlots(options.max_sessions)
        self.sessions: dict[WizardAppService, web.WebSocketResponse] = {}
        self.started = 0
        self._endings: set[asyncio.Future[None]] = set()
        """App processes started since launch (tests count them)."""
        self._allowed: set[str] = allowed_hosts(options.host, options.port)

    def bound(self, port: int) -> None:
        """The port really listened on (`--port 0` picks one)."""
        self.port = port
        self._allowed = allowed_hosts(self.options.host, port)
        host = self.options.host
        shown = "127.0.0.1" if is_wildcard(host) else host
        shown = f"[{shown}]" if ":" in shown else shown
        self.public_url = f"http://{shown}:{port}"

    @property
    def url(self) -> str:
        """What the user opens: the page with this launch's token."""
        return f"{self.public_url}/?token={self.options.token}"

    # ----------------------------------------------------------------- the aiohttp app
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._check_host])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_page, name="index"),
                web.get("/ws", self.handle_websocket_without_token),
                web.get("/ws/{token}", self.handle_session, name="websocket"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_response_prepare.append(self._security_headers)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _check_host(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        """Only requests addressed to this server by name (no DNS rebinding)."""
        if not host_allowed(request.headers.get("Host"), self._allowed):
            return self._page(403, "This server answers only at the address it printed.")
        response: web.StreamResponse = await handler(request)
        return response

    async def _security_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Referrer-Policy"] = "no-referrer"  # the page's URL holds the token
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"

    def _page(self, status: int, message: str) -> web.Response:
        """A short page that says what happened and what to do."""
        body = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(TITLE)}</title></head>"
            "<body style='font-family: sans-serif; max-width: 40em; margin: 4em auto'>"
            f"<h1>{html.escape(TITLE)}</h1><p>{html.escape(message)}</p></body></html>"
        )
        return web.Response(status=status, text=body, content_type="text/html")

    # ----------------------------------------------------------------- the page
    async def handle_page(self, request: web.Request) -> web.Response:
        if not token_matches(request.query.get("token"), self.options.token):
            return self._page(
                403,
                "This address needs its token: open the whole link that"
                " `ultravox-plivo serve` printed (it ends in ?token=...).",
            )
        if self.slots.full:
            return self._full_page()
        context = {
            "font_size": _to_int(request.query.get("fontsize"), 16, 8, 48),
            "app_websocket_url": f"ws://{request.host}/ws/{self.options.token}",
            "static_url": "/static/",
            "title": TITLE,
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        return response

    def _full_page(self) -> web.Response:
        n = self.options.max_sessions
        response = self._page(
            503,
            f"The wizard is already open in {n} browser tab{'s' if n != 1 else ''}, as many"
            " as this server runs at once. Finish or close one of them, then reload this page.",
        )
        response.headers["Retry-After"] = "10"
        return response

    # ----------------------------------------------------------------- the websocket
    async def handle_websocket_without_token(self, request: web.Request) -> web.Response:
        return self._page(403, "The websocket needs this launch's token.")

    async def handle_session(self, request: web.Request) -> web.StreamResponse:
        """Check everything first; only then start an app process for this browser."""
        if not token_matches(request.match_info.get("token"), self.options.token):
            return self._page(403, "The websocket needs this launch's token.")
        if not origin_allowed(
            request.headers.get("Origin"), request.headers.get("Host"), self._allowed
        ):
            return self._page(403, "Only the page this server serves may open a session.")
        websocket = web.WebSocketResponse(heartbeat=15)
        if not self.slots.take(websocket):
            return self._full_page()
        service: WizardAppService | None = None
        try:
            width = _to_int(request.query.get("width"), 80, 20, 500)
            height = _to_int(request.query.get("height"), 24, 10, 200)
            await websocket.prepare(request)
            service = WizardAppService(
                self.options.app_command(),
                self._app_environment,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            self.sessions[service] = websocket
            self.started += 1
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("A browser session failed")
        finally:
            # aiohttp cancels this handler once the browser's connection is gone, so ending the
            # session runs as its own task: the process is stopped and reaped all the same.
            ending = asyncio.ensure_future(self._end_session(service, websocket))
            self._endings.add(ending)
            ending.add_done_callback(self._endings.discard)
            await asyncio.shield(ending)
        return websocket

    async def _end_session(
        self, service: WizardAppService | None, websocket: web.WebSocketResponse
    ) -> None:
        try:
            if service is not None:
                await service.stop()
        finally:
            if service is not None:
                self.sessions.pop(service, None)
            self.slots.give_back(websocket)

    def _app_environment(self, width: int, height: int) -> dict[str, str]:
        return app_environment(self.environ, demo=self.options.demo, width=width, height=height)

    async def on_shutdown(self, app: web.Application) -> None:
        """Ctrl+C: end every session (its process too) before the server goes."""
        sessions = list(self.sessions.items())
        await asyncio.gather(*(service.stop() for service, _ in sessions), return_exceptions=True)
        for _, websocket in sessions:
            with contextlib.suppress(Exception):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
        if self._endings:
            await asyncio.gather(*self._endings, return_exceptions=True)

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its logo here; `run_until_stopped` prints ours."""

    # ----------------------------------------------------------------- running
    def describe(self) -> list[str]:
        """The lines printed at start: the URL, the mode, warnings."""
        lines = [f"Open {self.url}"]
        if self.options.demo:
            lines.append(
                "Demo mode: each browser session runs the wizard against its own built-in"
                " sandbox with demo credentials; nothing reaches your keyring or Ultravox."
            )
        else:
            lines.append(
                "The real wizard: the API key and Plivo token come from your keyring or are"
                " typed in the browser (ULTRAVOX_API_KEY and PLIVO_AUTH_TOKEN are not passed on)."
            )
            dropped = dropped_proxies(self.environ)
            if dropped:
                lines.append(
                    f"warning: {', '.join(dropped)} holds a password and is not passed to the"
                    " wizard: requests go without that proxy."
                )
        if self.options.remote:
            where = (
                "every network interface" if is_wildcard(self.options.host) else self.options.host
            )
            lines.append(
                f"warning: listening on {where}: anyone who can reach this machine and has the"
                " link can use the wizard, and traffic is not encrypted (plain HTTP)."
            )
            if is_wildcard(self.options.host):
                lines.append("  (replace 127.0.0.1 in the link with this machine's address)")
        lines.append(
            f"At most {self.options.max_sessions} sessions at once. Ctrl+C stops the server"
            " and ends every session."
        )
        return lines

    async def run_until_stopped(
        self, stop: asyncio.Event | None = None, say: Callable[[str], None] = print
    ) -> int:
        """Listen, print the link, and serve until SIGINT/SIGTERM (or `stop` is set)."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not in a thread other than the main one (the screenshot script runs it there).
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        app = await self._make_app()
        # No access log: every request line would carry the token.
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=10)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.options.host, self.options.port)
            try:
                await site.start()
            except OSError as exc:
                raise UsageError(
                    f"Cannot listen on {self.options.host}:{self.options.port}"
                    f" ({exc.strerror or exc}); try another --port."
                ) from None
            self.bound(runner.addresses[0][1])
            for line in self.describe():
                say(line)
            sys.stdout.flush()
            await stop.wait()
            if self.sessions:
                say(f"Stopping: ending {len(self.sessions)} session(s)...")
        finally:
            await runner.cleanup()
        say("Stopped.")
        return 0


def run_until_interrupted(options: ServeOptions) -> int:
    """`serve`: check the options, then serve until Ctrl+C."""
    options.check()
    server = WizardServer(options)
    return asyncio.run(server.run_until_stopped())

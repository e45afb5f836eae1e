"""What the sandbox holds (agents, config, accounts, requests, faults) and request dispatch."""

from __future__ import annotations

import threading
from typing import Any

from wizard.sandbox import plivo, ultravox
from wizard.sandbox.faults import Fault, FaultQueue
from wizard.sandbox.seed import (
    DEMO_API_KEY,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_PLIVO_ACCOUNT_NAME,
    plivo_applications,
    plivo_numbers,
    seed_agents,
)
from wizard.sandbox.wire import RecordedRequest, Reply, Request, detail, redact_headers

MAX_RECORDED_REQUESTS = 1_000
"""`requests` keeps the latest this many: a long-running sandbox must not grow without bound."""


class SandboxState:
    """The fake services' state; every read and write of it happens under `lock`.

    Tests may change the public attributes directly (add a key, pre-set a config).
    `plivo_config` holds the token under "authToken"; the endpoints never return it.
    """

    def __init__(self, *, agent_count: int = 25) -> None:
        self.lock = threading.RLock()
        self.agent_count = agent_count
        self._faults = FaultQueue()
        self.agents: list[dict[str, Any]] = []
        self.plivo_config: dict[str, Any] | None = None
        self.requests: list[RecordedRequest] = []
        self.api_keys: set[str] = set()
        self.plivo_accounts: dict[str, str] = {}
        self.plivo_account_names: dict[str, str] = {}
        self.plivo_apps: dict[str, list[dict[str, Any]]] = {}
        self.plivo_numbers: dict[str, list[dict[str, Any]]] = {}
        self.plivo_rate_limit: tuple[int, float] = plivo.RATE_LIMIT
        """(requests, seconds) per account for Application/ and Number/; tests may lower it."""
        self.plivo_hits: dict[str, list[float]] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the seeded state: no config, no requests, no faults."""
        with self.lock:
            self.agents = seed_agents(self.agent_count)
            self.plivo_config = None
            self.requests = []
            self.api_keys = {DEMO_API_KEY}
            self.plivo_accounts = {DEMO_AUTH_ID: DEMO_AUTH_TOKEN}
            self.plivo_account_names = {DEMO_AUTH_ID: DEMO_PLIVO_ACCOUNT_NAME}
            self.plivo_apps = {DEMO_AUTH_ID: plivo_applications(DEMO_AUTH_ID)}
            self.plivo_numbers = {DEMO_AUTH_ID: plivo_numbers(DEMO_AUTH_ID)}
            self.plivo_hits = {}
            self._faults.clear()

    # --- faults ---------------------------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each matching request consumes the first fault that matches it."""
        self._faults.push(*faults)

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def pending_faults(self) -> list[Fault]:
        return self._faults.pending()

    def take_fault(self, request: Request) -> Fault | None:
        return self._faults.take(request)

    # --- requests ---------------------------------------------------------------------------

    def record(
        self, request: Request, parsed_json: Any | None, form: dict[str, str] | None
    ) -> None:
        entry = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=redact_headers(request.headers),
            json=parsed_json,
            form=form,
        )
        with self.lock:
            self.requests.append(entry)
            # A list (tests compare it with lists and index it), trimmed from the front.
            excess = len(self.requests) - MAX_RECORDED_REQUESTS
            if excess > 0:
                del self.requests[:excess]

    def respond(self, request: Request) -> Reply:
        """The services' answer to a request (faults and latency are the server's job)."""
        with self.lock:
            if request.path.startswith("/api/"):
                return ultravox.handle(self, request)
            if request.path.startswith("/v1/"):
                return plivo.handle(self, request)
            return detail(404, "Not found.")

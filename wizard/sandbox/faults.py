"""Fault injection: queued misbehaviours the next matching requests meet instead of an answer."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from wizard.sandbox.wire import Reply, Request


@dataclass
class Fault:
    """One injected misbehaviour, consumed by the next `times` matching requests.

    `status` None with a `delay` only slows the real answer down; `drop` closes the
    connection without answering (after `delay`). A `delay` beyond the client's read
    timeout simulates a timeout. `method` / `path_prefix` restrict which requests match.
    """

    status: int | None = None
    body: str | bytes | None = None
    content_type: str = "application/json"
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False
    method: str | None = None
    path_prefix: str | None = None
    times: int = 1

    @classmethod
    def html(cls, status: int = 502, **kwargs: Any) -> Fault:
        """An HTML error page, as a proxy or load balancer sends it."""
        phrase = HTTPStatus(status).phrase
        page = (
            f"<!DOCTYPE html><html><head><title>{status} {phrase}</title></head>"
            f"<body><h1>{status} {phrase}</h1><hr><center>nginx</center></body></html>"
        )
        return cls(status=status, body=page, content_type="text/html", **kwargs)

    @classmethod
    def malformed(cls, status: int = 200, **kwargs: Any) -> Fault:
        """A truncated JSON body under a JSON content type."""
        return cls(status=status, body='{"results": [{"agentId": ', **kwargs)

    def matches(self, request: Request) -> bool:
        if self.method is not None and self.method.upper() != request.method:
            return False
        return self.path_prefix is None or request.path.startswith(self.path_prefix)

    def reply(self) -> Reply | None:
        """The answer this fault gives, or None when it only delays (or drops)."""
        if self.status is None:
            return None
        if self.body is None:
            body = json.dumps({"detail": HTTPStatus(self.status).phrase}).encode()
        elif isinstance(self.body, str):
            body = self.body.encode()
        else:
            body = self.body
        headers = (("Retry-After", self.retry_after),) if self.retry_after is not None else ()
        return Reply(self.status, body, self.content_type, headers)


@dataclass
class _Pending:
    fault: Fault
    left: int


class FaultQueue:
    """Thread-safe FIFO of faults; the first fault matching a request is consumed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []

    def push(self, *faults: Fault) -> None:
        with self._lock:
            self._pending.extend(_Pending(f, f.times) for f in faults if f.times > 0)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def pending(self) -> list[Fault]:
        """Faults not yet used up, in order."""
        with self._lock:
            return [p.fault for p in self._pending]

    def take(self, request: Request) -> Fault | None:
        with self._lock:
            for i, pending in enumerate(self._pending):
                if pending.fault.matches(request):
                    pending.left -= 1
                    if pending.left <= 0:
                        del self._pending[i]
                    return pending.fault
        return None

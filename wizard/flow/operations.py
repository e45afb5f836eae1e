"""An operation of the session (check the key, verify, read the config, load agents, send,
store) and its state, so every face shows the same progress and the same plain failure.

Each run takes a ticket; a result that arrives for an older ticket (the user typed on, or
retried) is dropped here, so faces need no generation counters of their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from wizard.core.errors import (
    AuthenticationError,
    CredentialStoreError,
    NetworkError,
    RejectedError,
    ServiceError,
    UsageError,
    WizardError,
)

T = TypeVar("T")


class OpState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    FAILED = "failed"
    DONE = "done"


def plain_message(exc: BaseException) -> str:
    """One plain sentence for the user; never a traceback, never a secret."""
    if isinstance(exc, WizardError):
        return str(exc)
    # Unknown errors might quote input (a token), so only their type is shown.
    return f"Something unexpected went wrong ({type(exc).__name__}); run with --debug for details."


def can_retry(exc: BaseException) -> bool:
    """Whether trying the same thing again may help (not for refused input or credentials)."""
    if isinstance(exc, RejectedError | UsageError | AuthenticationError):
        return False
    return isinstance(exc, NetworkError | ServiceError | CredentialStoreError) or not isinstance(
        exc, WizardError
    )


@dataclass
class Operation(Generic[T]):
    """One kind of work the session does, with its latest outcome."""

    name: str
    state: OpState = OpState.IDLE
    result: T | None = None
    message: str = ""
    retryable: bool = False
    error: WizardError | None = field(default=None, repr=False)
    _ticket: int = field(default=0, repr=False)

    @property
    def running(self) -> bool:
        return self.state is OpState.RUNNING

    @property
    def done(self) -> bool:
        return self.state is OpState.DONE

    @property
    def failed(self) -> bool:
        return self.state is OpState.FAILED

    def start(self) -> int:
        """Mark it running; returns the ticket that its outcome must carry."""
        self._ticket += 1
        self.state, self.message, self.retryable, self.error = OpState.RUNNING, "", False, None
        return self._ticket

    def reset(self) -> None:
        """Forget the outcome (the input it was for changed); a running call's result is dropped."""
        self._ticket += 1
        self.state, self.result, self.message, self.retryable = OpState.IDLE, None, "", False
        self.error = None

    def is_current(self, ticket: int) -> bool:
        return ticket == self._ticket

    def succeed(self, ticket: int, result: T) -> bool:
        """Record the result; False (and nothing changes) when `ticket` is stale."""
        if not self.is_current(ticket):
            return False
        self.state, self.result, self.message = OpState.DONE, result, ""
        return True

    def fail(self, ticket: int, exc: BaseException) -> bool:
        """Record a failure as one sentence; False when `ticket` is stale."""
        if not self.is_current(ticket):
            return False
        self.state, self.result = OpState.FAILED, None
        self.message, self.retryable = plain_message(exc), can_retry(exc)
        self.error = exc if isinstance(exc, WizardError) else None
        return True

    async def run(self, call: Callable[[], Awaitable[T]]) -> bool:
        """Run `call` as this operation; True when its outcome was recorded (not stale).

        Cancellation (a newer run, the face closing) propagates; any other exception becomes a
        failure with a plain message.
        """
        ticket = self.start()
        try:
            result = await call()
        except WizardError as exc:
            return self.fail(ticket, exc)
        except Exception as exc:  # a bug or an unexpected transport error: said plainly
            return self.fail(ticket, exc)
        return self.succeed(ticket, result)

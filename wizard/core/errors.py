"""Errors the user can meet, each one plain sentence plus a hint, and the exit code it maps to.

The UI shows `str(error)`; the CLI exits with `error.exit_code`. Messages never hold a secret.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process killed by it


class Terminated(KeyboardInterrupt):
    """SIGTERM during a command: handled like Ctrl+C (same sentence), exit 143."""


def interrupted_exit_code(exc: KeyboardInterrupt) -> int:
    """130 for Ctrl+C, 143 for SIGTERM."""
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


class WizardError(Exception):
    """Base of every error meant for the user: a message, an optional hint, an exit code."""

    exit_code: int = EXIT_FAILED
    may_have_applied: bool = False
    """A write that got no clear answer: the change may or may not have been applied."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class UsageError(WizardError):
    """Invalid input or usage, found before anything was sent."""

    exit_code = EXIT_USAGE


class ServiceError(WizardError):
    """The service (Ultravox or Plivo) answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.service = service
        self.status = status


class AuthenticationError(ServiceError):
    """401 or 403: the Ultravox API key or the Plivo credentials were refused."""

    exit_code = EXIT_AUTH


class NotFoundError(ServiceError):
    """404 on something that should exist."""


class RejectedError(ServiceError):
    """400: the service refused the input; `field_errors` maps wire field names to messages."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        service: str,
        field_errors: dict[str, list[str]] | None = None,
        status: int | None = 400,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, service=service, status=status, hint=hint)
        self.field_errors = field_errors or {}


class RateLimitedError(ServiceError):
    """429 that outlasted our retries."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, service=service, status=429, hint=hint)
        self.retry_after = retry_after


class ServerError(ServiceError):
    """5xx that outlasted our retries, or any status we do not understand."""


class MalformedResponseError(ServiceError):
    """The answer was not the JSON we expected (a proxy's HTML page, a truncated body...)."""


class NetworkError(WizardError):
    """No answer at all: `kind` is one of connect, timeout, tls, proxy."""

    def __init__(self, message: str, *, kind: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind


class CredentialStoreError(WizardError):
    """The keyring failed, is locked, or did not answer in time."""

"""What the Ultravox and Plivo clients share: timeouts, retries, error mapping and logging.

One `ApiSession` wraps one `httpx.AsyncClient` (one connection pool per run). It retries what is
safe to retry and turns every failure into one of `wizard.core.errors`, each one plain sentence
naming the service and saying what to do. Nothing here logs or quotes a header, a request body
or a secret.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from wizard import __version__
from wizard.core.errors import (
    AuthenticationError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    ServerError,
    ServiceError,
)

DEFAULT_ULTRAVOX_API_BASE: Final = "https://api.ultravox.ai"
DEFAULT_PLIVO_API_BASE: Final = "https://api.plivo.com"

logger = logging.getLogger("wizard.http")

Sleep = Callable[[float], Awaitable[None]]
ModelT = TypeVar("ModelT", bound=BaseModel)

# Methods whose repetition cannot change anything on the service.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUSES: Final = frozenset({502, 503, 504})
MAX_MESSAGE_CHARS: Final = 200
REDACTED: Final = "••••"
STATUS_HINT: Final = (
    "The change may or may not have been applied; check the current state with"
    " `ultravox-plivo status` before retrying."
)
_SECRET_KEY_WORDS: Final = ("token", "key", "secret", "password")


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts (seconds) and the retry policy shared by every client."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )


def backoff_delay(attempt: int, settings: HttpSettings, rand: Callable[[], float]) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(max, base * 2**(attempt-1)))."""
    ceiling = min(settings.backoff_max, settings.backoff_base * 2 ** (attempt - 1))
    return ceiling * rand()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def secret_values(body: Any) -> list[str]:
    """String values under keys that look secret (authToken, apiKey...), to scrub from text."""
    found: list[str] = []
    if isinstance(body, Mapping):
        for key, value in body.items():
            if isinstance(value, str) and any(w in str(key).lower() for w in _SECRET_KEY_WORDS):
                found.append(value)
            else:
                found.extend(secret_values(value))
    elif isinstance(body, list | tuple):
        for item in body:
            found.extend(secret_values(item))
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every (non-trivial) secret occurring in text; a service may echo input back."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def parse_field_errors(body: Any) -> dict[str, list[str]]:
    """Field -> messages from a DRF-style error body; tolerant of any JSON shape.

    `{"field": ["msg"]}`, `{"non_field_errors": [...]}`, `{"detail": "..."}`, nested objects
    (keys joined with dots), lists of objects (indexed), a bare list or string (kept under
    `non_field_errors`). Plivo's `{"api_id": ..., "error": ...}` keeps only `error`.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: Any) -> None:
        text = truncate(str(message))
        if text:
            errors.setdefault(field, []).append(text)

    def walk(field: str, value: Any) -> None:
        if isinstance(value, Mapping):
            if not value:
                return
            for key, sub in value.items():
                walk(f"{field}.{key}" if field else str(key), sub)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, Mapping | list | tuple):
                    walk(f"{field}.{index}" if field else str(index), item)
                else:
                    walk(field, item)
        elif value is None:
            return
        else:
            add(field or "non_field_errors", value)

    if isinstance(body, Mapping) and "api_id" in body and "error" in body:
        body = {"error": body["error"]}
    if isinstance(body, list | tuple):
        body = {"non_field_errors": body}
    walk("", body)
    return errors


def describe_content(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    return f"HTTP {response.status_code} {content_type or 'without a content type'}"


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return True
        text = str(current)
        if "CERTIFICATE_VERIFY_FAILED" in text or "[SSL" in text:
            return True
        current = current.__cause__ or current.__context__
    return False


def _nothing_was_sent(exc: httpx.TransportError) -> bool:
    """True when the request never left (no connection), so even a POST may be re-sent."""
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    return isinstance(exc, httpx.ConnectError) and not _is_tls_failure(exc)


_TRANSIENT_ERRORS: Final = (
    httpx.ConnectError,
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


def _retryable_network_error(exc: httpx.TransportError) -> bool:
    if isinstance(exc, httpx.ProxyError) or _is_tls_failure(exc):
        return False  # a wrong proxy or CA does not fix itself
    return isinstance(exc, _TRANSIENT_ERRORS)


@dataclass(frozen=True)
class ServiceProfile:
    """How to word errors for one service."""

    name: str  # "Ultravox"
    credential: str  # "API key"
    auth_hint: str


class ApiSession:
    """One service's connection pool, with retries and error mapping.

    `sleep` and `rand` are injectable so tests need not wait for real backoff.
    """

    def __init__(
        self,
        profile: ServiceProfile,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        settings: HttpSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        secrets: Iterable[str] = (),
        sleep: Sleep | None = None,
        rand: Callable[[], float] | None = None,
    ) -> None:
        self.profile = profile
        self.settings = settings or HttpSettings()
        self.sleep: Sleep = sleep or asyncio.sleep
        self.rand: Callable[[], float] = rand or random.random
        self._secrets = tuple(secrets)
        self.base_url = httpx.URL(base_url.rstrip("/"))
        all_headers = {
            "Accept": "application/json",
            "User-Agent": f"ultravox-plivo/{__version__}",
            **(headers or {}),
        }
        # trust_env (the default) keeps HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE working.
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=all_headers,
            timeout=self.settings.timeout(),
            transport=transport,
            trust_env=True,
            follow_redirects=False,
        )

    @property
    def host(self) -> str:
        url = self.base_url
        return f"{url.host}:{url.port}" if url.port else url.host

    @property
    def service(self) -> str:
        return self.profile.name

    async def aclose(self) -> None:
        await self._client.aclose()

    def same_origin(self, url: httpx.URL) -> bool:
        base = self.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    async def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        accept: Iterable[int] = (),
        secrets: Iterable[str] = (),
    ) -> httpx.Response:
        """Send with retries; return a 2xx response or one whose status is in `accept`.

        Any other outcome raises the matching `WizardError`.
        """
        method = method.upper()
        accepted = set(accept)
        scrub_list = (*self._secrets, *secrets, *secret_values(json))
        attempts = max(1, self.settings.max_attempts)
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            started = time.perf_counter()
            try:
                response = await self._client.request(
                    method,
                    url,
                    json=json,
                    params=params,
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TransportError as exc:
                path = httpx.URL(url).path
                logger.debug("%s %s -> %s (%d ms)", method, path, type(exc).__name__, _ms(started))
                safe = method in IDEMPOTENT_METHODS or _nothing_was_sent(exc)
                if not last and safe and _retryable_network_error(exc):
                    await self._wait(method, path, backoff_delay(attempt, self.settings, self.rand))
                    continue
                raise self.network_error(exc, may_have_applied=not safe) from exc
            status = response.status_code
            path = response.request.url.path
            logger.debug("%s %s -> %d (%d ms)", method, path, status, _ms(started))
            if 200 <= status < 300 or status in accepted:
                return response
            if not last and self._retry_status(method, status):
                delay = parse_retry_after(response.headers.get("retry-after"))
                if delay is None:
                    delay = backoff_delay(attempt, self.settings, self.rand)
                await self._wait(method, path, min(delay, self.settings.retry_after_cap))
                continue
            raise self.status_error(method, response, scrub_list)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _retry_status(method: str, status: int) -> bool:
        # 429 means "not processed", so any method may try again; 5xx only when harmless.
        return status == 429 or (status in RETRYABLE_STATUSES and method in IDEMPOTENT_METHODS)

    async def _wait(self, method: str, path: str, delay: float) -> None:
        logger.debug("%s %s: retrying in %.2f s", method, path, delay)
        await self.sleep(delay)

    def network_error(self, exc: httpx.TransportError, *, may_have_applied: bool) -> NetworkError:
        """A NetworkError for a request that got no answer, with a one-line hint."""
        name, host = self.service, self.host
        after = f" {STATUS_HINT}" if may_have_applied else ""
        if isinstance(exc, httpx.ProxyError):
            return NetworkError(
                f"Could not reach {name} at {host} through the proxy.",
                kind="proxy",
                hint="Check the HTTPS_PROXY setting (and NO_PROXY), or unset it if no proxy"
                " is needed." + after,
            )
        if _is_tls_failure(exc):
            return NetworkError(
                f"Could not set up a secure connection to {name} at {host}: its certificate"
                " was not trusted.",
                kind="tls",
                hint="Behind a proxy that inspects TLS, point SSL_CERT_FILE at its CA bundle.",
            )
        if isinstance(exc, httpx.TimeoutException):
            if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                what, seconds = "accept a connection", self.settings.connect_timeout
            else:
                what, seconds = "answer", self.settings.read_timeout
            return NetworkError(
                f"{name} at {host} did not {what} within {seconds:g} s.",
                kind="timeout",
                hint=(STATUS_HINT if may_have_applied else "Check your network and try again."),
            )
        if isinstance(exc, httpx.ConnectError):
            text = str(exc).lower()
            if "refused" in text:
                reason = "connection refused"
            elif "name" in text or "known" in text or "resolution" in text:
                reason = "the name could not be resolved"
            else:
                reason = "the connection failed"
            return NetworkError(
                f"Could not reach {name} at {host} ({reason}).",
                kind="connect",
                hint="Check your network connection; behind a proxy, set HTTPS_PROXY.",
            )
        return NetworkError(
            f"The connection to {name} at {host} closed before an answer arrived.",
            kind="connect",
            hint=STATUS_HINT if may_have_applied else "Check your network and try again.",
        )

    def status_error(
        self, method: str, response: httpx.Response, secrets: Iterable[str] = ()
    ) -> ServiceError:
        """The error for a non-2xx answer (after retries)."""
        name, status = self.service, response.status_code
        if status in (401, 403):
            verb = "did not accept" if status == 401 else "refused"
            return AuthenticationError(
                f"{name} {verb} the {self.profile.credential} ({status}).",
                service=name,
                status=status,
                hint=self.profile.auth_hint,
            )
        if status == 404:
            return NotFoundError(
                f"{name} has nothing at {response.request.url.path} (404).",
                service=name,
                status=404,
                hint=f"Check the id, and that the API base URL points at {name}.",
            )
        if status in (400, 422):
            field_errors = self._field_errors(response, secrets)
            details = "; ".join(
                f"{msg}" if field in ("non_field_errors", "detail", "error") else f"{field}: {msg}"
                for field, msgs in field_errors.items()
                for msg in msgs
            )
            message = f"{name} rejected the request ({status})"
            message += f": {truncate(details)}" if details else "."
            if not message.endswith((".", "…")):
                message += "."
            return RejectedError(
                message,
                service=name,
                status=status,
                field_errors=field_errors,
                hint="Correct what it names and try again.",
            )
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            wait = f"Wait {retry_after:g} s" if retry_after is not None else "Wait a little"
            return RateLimitedError(
                f"{name} is limiting requests (429) and still was after"
                f" {self.settings.max_attempts} attempts.",
                service=name,
                retry_after=retry_after,
                hint=f"{wait} and try again.",
            )
        may_have_applied = method not in IDEMPOTENT_METHODS
        if status >= 500:
            message = f"{name} had a server error ({status})."
            hint = STATUS_HINT if may_have_applied else "Try again in a minute."
        else:
            message = f"{name} answered with an unexpected status ({status})."
            hint = "Check the API base URL; if it is right, try again later."
        return ServerError(message, service=name, status=status, hint=hint)

    def _field_errors(
        self, response: httpx.Response, secrets: Iterable[str]
    ) -> dict[str, list[str]]:
        try:
            body = response.json()
        except ValueError:
            return {}  # an HTML page or plain text: never quote it, it may echo anything
        scrub_list = tuple(secrets)
        return {
            scrub(field, scrub_list): [scrub(m, scrub_list) for m in msgs]
            for field, msgs in parse_field_errors(body).items()
        }

    def json(self, response: httpx.Response) -> Any:
        """The decoded JSON body, or MalformedResponseError."""
        try:
            return response.json()
        except ValueError:
            raise self.malformed(response) from None

    def decode(self, response: httpx.Response, model: type[ModelT]) -> ModelT:
        """The body validated as `model`; a wrong shape is a MalformedResponseError."""
        data = self.json(response)
        try:
            return model.model_validate(data)
        except ValidationError:
            # pydantic's text quotes the input: never let it out.
            raise self.malformed(response, shape=True) from None

    def malformed(self, response: httpx.Response, *, shape: bool = False) -> ServiceError:
        what = "JSON of an unexpected shape" if shape else "something that is not the expected JSON"
        return MalformedResponseError(
            f"{self.service} answered with {what} ({describe_content(response)});"
            " a proxy may be in the way.",
            service=self.service,
            status=response.status_code,
            hint="Check HTTPS_PROXY and the API base URL, then try again.",
        )


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)

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
from types import TracebackType
from typing import Any, Final, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from wizard import __version__
from wizard.core.environment import DEFAULT_PLIVO_API_BASE, DEFAULT_ULTRAVOX_API_BASE
from wizard.core.errors import NetworkError, ServiceError, UsageError
from wizard.core.http_errors import (
    IDEMPOTENT_METHODS,
    MAX_MESSAGE_CHARS,
    REDACTED,
    STATUS_HINT,
    ErrorWording,
    ServiceProfile,
    check_credential,
    describe_content,
    is_tls_failure,
    parse_field_errors,
    proxy_for,
    scrub,
    secret_values,
    truncate,
)

logger = logging.getLogger("wizard.http")

Sleep = Callable[[float], Awaitable[None]]
ModelT = TypeVar("ModelT", bound=BaseModel)

RETRYABLE_STATUSES: Final = frozenset({502, 503, 504})
_SENT_SECRETS: Final = "wizard.sent_secrets"  # response extension: what the request carried

__all__ = [
    "DEFAULT_PLIVO_API_BASE",
    "DEFAULT_ULTRAVOX_API_BASE",
    "IDEMPOTENT_METHODS",
    "MAX_MESSAGE_CHARS",
    "REDACTED",
    "STATUS_HINT",
    "ApiClient",
    "ApiSession",
    "HttpSettings",
    "ServiceProfile",
    "Sleep",
    "backoff_delay",
    "check_credential",
    "describe_content",
    "parse_field_errors",
    "parse_retry_after",
    "scrub",
    "secret_values",
    "truncate",
]


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts (seconds) and the retry policy shared by every client."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0
    # One exchange, connecting to the last byte: a server that trickles a byte every few
    # seconds never trips the read timeout, so this is what bounds it.
    total_timeout: float = 25.0
    # The largest answer read; these endpoints answer a few KB (a page of 100 agents ~50 KB).
    max_body_bytes: int = 4_000_000

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


class ApiSession:
    """One service's connection pool, with retries and error mapping.

    The httpx client is built on the first request, inside the error handling: a bad
    SSL_CERT_FILE or an unusable proxy setting then ends in a plain error like any other.
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
        credential_headers: Mapping[str, str] | None = None,
    ) -> None:
        """`credential_headers`: header name -> what it holds ("The Ultravox API key"), checked
        before the first request so a malformed credential never reaches httpx."""
        self.profile = profile
        self._credential_headers = dict(credential_headers or {})
        self.settings = settings or HttpSettings()
        self.sleep: Sleep = sleep or asyncio.sleep
        self.rand: Callable[[], float] = rand or random.random
        self._secrets = tuple(secrets)
        self.base_url = httpx.URL(base_url.rstrip("/"))
        self._headers = {
            "Accept": "application/json",
            "User-Agent": f"ultravox-plivo/{__version__}",
            **(headers or {}),
        }
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        # httpx takes proxies from the environment only without a custom transport.
        proxy = proxy_for(self.base_url) if transport is None else None
        self.wording = ErrorWording(
            profile,
            self.base_url,
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            max_attempts=self.settings.max_attempts,
            proxy=proxy,
        )

    @property
    def host(self) -> str:
        return self.wording.host

    @property
    def service(self) -> str:
        return self.profile.name

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            for header, label in self._credential_headers.items():
                check_credential(self._headers[header], label)
            try:
                # trust_env (the default) keeps HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE working.
                self._client = httpx.AsyncClient(
                    base_url=self.base_url,
                    headers=self._headers,
                    timeout=self.settings.timeout(),
                    transport=self._transport,
                    trust_env=True,
                    follow_redirects=False,
                )
            except (OSError, ssl.SSLError, ImportError, ValueError) as exc:
                logger.debug("%s client set-up failed (%s)", self.service, type(exc).__name__)
                raise self.wording.setup_error(exc) from None
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

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

        Any other outcome raises the matching `WizardError`, never chained to httpx's
        exception (whose text may quote a header value or a URL).
        """
        method = method.upper()
        accepted = set(accept)
        secrets = tuple(secrets)  # read twice below: an iterator would be empty the second time
        scrub_list = (*self._secrets, *secrets, *secret_values(json))
        attempts = max(1, self.settings.max_attempts)
        client = self._http()
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    response = await self._exchange(
                        client, method, url, json, params, auth, secrets
                    )
            except TimeoutError:
                # Never retried: a server this slow will be as slow again.
                logger.debug("%s %s -> deadline (%d ms)", method, httpx.URL(url).path, _ms(started))
                raise self.wording.deadline_error(
                    self.settings.total_timeout, may_have_applied=method not in IDEMPOTENT_METHODS
                ) from None
            except _BodyTooLarge:
                logger.debug("%s %s -> body over the cap", method, httpx.URL(url).path)
                raise self.wording.too_large(
                    self.settings.max_body_bytes, may_have_applied=method not in IDEMPOTENT_METHODS
                ) from None
            except httpx.TransportError as exc:
                path = httpx.URL(url).path
                logger.debug("%s %s -> %s (%d ms)", method, path, type(exc).__name__, _ms(started))
                safe = method in IDEMPOTENT_METHODS or _nothing_was_sent(exc)
                if not last and safe and _retryable_network_error(exc):
                    await self._wait(method, path, backoff_delay(attempt, self.settings, self.rand))
                    continue
                raise self.network_error(exc, may_have_applied=not safe) from None
            except UnicodeEncodeError:
                # httpx encodes header values as ASCII; the error's text quotes the value.
                logger.debug("%s %s -> UnicodeEncodeError", method, httpx.URL(url).path)
                raise UsageError(
                    f"The request to {self.service} could not be built: a credential holds"
                    " characters no HTTP header can carry; copy it again."
                ) from None
            status = response.status_code
            path = response.request.url.path
            logger.debug("%s %s -> %d (%d ms)", method, path, status, _ms(started))
            if 200 <= status < 300 or status in accepted:
                return response
            if not last and self._retry_status(method, status):
                delay = parse_retry_after(response.headers.get("retry-after"))
                if delay is None:
                    delay = backoff_delay(attempt, self.settings, self.rand)
                delay = min(delay, self.settings.retry_after_cap)
                if status == 429:
                    # Up to retry_after_cap seconds of silence would look like a hang.
                    logger.warning(
                        "%s asked us to wait %g s (rate limit); retrying then.",
                        self.service,
                        round(delay, 1),
                    )
                await self._wait(method, path, delay)
                continue
            raise self.status_error(method, response, scrub_list)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str | httpx.URL,
        json: Any,
        params: Mapping[str, str | int] | None,
        auth: httpx.Auth | tuple[str, str] | None,
        secrets: tuple[str, ...],
    ) -> httpx.Response:
        """One request whose body is read as a stream and given up past `max_body_bytes`."""
        request = client.build_request(method, url, json=json, params=params)
        response = await client.send(
            request, auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT, stream=True
        )
        try:
            cap = self.settings.max_body_bytes
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _BodyTooLarge
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise _BodyTooLarge
                chunks.append(chunk)
        finally:
            await response.aclose()
        # The body is decoded already: keep every header but those describing the encoding.
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=response.request,
            extensions={_SENT_SECRETS: (*secret_values(json), *secrets)},
        )

    @staticmethod
    def _retry_status(method: str, status: int) -> bool:
        # 429 means "not processed", so any method may try again; 5xx only when harmless.
        return status == 429 or (status in RETRYABLE_STATUSES and method in IDEMPOTENT_METHODS)

    async def _wait(self, method: str, path: str, delay: float) -> None:
        logger.debug("%s %s: retrying in %.2f s", method, path, delay)
        await self.sleep(delay)

    def network_error(
        self, exc: httpx.TransportError, *, may_have_applied: bool
    ) -> NetworkError | UsageError:
        """A NetworkError for a request that got no answer, with a one-line hint."""
        return self.wording.network_error(exc, may_have_applied=may_have_applied)

    def status_error(
        self, method: str, response: httpx.Response, secrets: Iterable[str] = ()
    ) -> ServiceError:
        """The error for a non-2xx answer (after retries)."""
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return self.wording.status_error(method, response, secrets, retry_after=retry_after)

    def json(self, response: httpx.Response) -> Any:
        """The decoded JSON body, or MalformedResponseError."""
        try:
            return response.json()
        except ValueError:
            raise self.malformed(response) from None

    def decode(
        self, response: httpx.Response, model: type[ModelT], secrets: Iterable[str] = ()
    ) -> ModelT:
        """The body validated as `model`; a wrong shape is a MalformedResponseError.

        Its strings are cleaned for display, with any run of the session's secrets, of
        `secrets` and of the request's secret fields masked (see `wizard.core.models`).
        """
        data = self.json(response)
        try:
            return model.model_validate(
                data, context={"secrets": self.secrets_for(response, secrets)}
            )
        except ValidationError:
            # pydantic's text quotes the input: never let it out.
            raise self.malformed(response, shape=True) from None

    def malformed(self, response: httpx.Response, *, shape: bool = False) -> ServiceError:
        return self.wording.malformed(response, shape=shape)

    def secrets_for(self, response: httpx.Response, extra: Iterable[str] = ()) -> tuple[str, ...]:
        """Every secret the answer to this request must not show: the session's, those the
        request carried (its authToken, say) and `extra`."""
        sent = response.extensions.get(_SENT_SECRETS, ())
        return (*self._secrets, *sent, *extra)


class ApiClient:
    """What every service client shares: one `ApiSession` and its lifecycle.

    Use as `async with Client(...) as client:` or call `aclose()` when done.
    """

    def __init__(self, session: ApiSession) -> None:
        self._session = session

    @property
    def session(self) -> ApiSession:
        """The shared HTTP machinery (settings, injectable `sleep`)."""
        return self._session

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()


def _nothing_was_sent(exc: httpx.TransportError) -> bool:
    """True when the request never left (no connection), so even a POST may be re-sent."""
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    return isinstance(exc, httpx.ConnectError) and not is_tls_failure(exc)


class _BodyTooLarge(Exception):
    """The answer was longer than `HttpSettings.max_body_bytes`."""


# A read timeout is not here: a server that did not answer in time will not do better on a
# second try, and four tries would take a minute.
_TRANSIENT_ERRORS: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


def _retryable_network_error(exc: httpx.TransportError) -> bool:
    if isinstance(exc, httpx.ProxyError) or is_tls_failure(exc):
        return False  # a wrong proxy or CA does not fix itself
    return isinstance(exc, _TRANSIENT_ERRORS)


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)

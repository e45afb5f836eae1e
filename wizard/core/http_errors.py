"""Turning HTTP outcomes into `wizard.core.errors`: one plain sentence naming the service.

Kept apart from the session (retries, logging) in `wizard.core.http`. Nothing here quotes a
header, a request body, a proxy's credentials or a secret: httpx's own messages can hold a
header value or a URL, so they are never chained into or copied into our errors.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import httpx

from wizard.core.errors import (
    AuthenticationError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    ServerError,
    ServiceError,
    UsageError,
    WizardError,
)
from wizard.core.text import REDACTED as REDACTED
from wizard.core.text import clean_text, mask_secrets

# Methods whose repetition cannot change anything on the service.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_MESSAGE_CHARS: Final = 200
STATUS_HINT: Final = (
    "The change may or may not have been applied; check the current state with"
    " `ultravox-plivo status` before retrying."
)
_SECRET_KEY_WORDS: Final = ("token", "key", "secret", "password")


E = TypeVar("E", bound=WizardError)


def unsure(error: E, may_have_applied: bool) -> E:
    """Mark a write's error whose outcome is unknown (the service may have applied it)."""
    error.may_have_applied = may_have_applied
    return error


@dataclass(frozen=True)
class ServiceProfile:
    """How to word errors for one service."""

    name: str  # "Ultravox"
    credential: str  # "API key"
    auth_hint: str


# -- secrets and text --------------------------------------------------------------------------


def truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """One line of at most `limit` characters, with no control characters left in it."""
    text = " ".join(clean_text(text, limit=max(limit * 4, 1000)).split())
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
    """Mask every (non-trivial) secret in text, and any run of 8+ of its characters: a
    service may echo input back, whole or in part."""
    return mask_secrets(text, secrets)


def check_credential(value: str, what: str) -> None:
    """Refuse, before sending, a credential no HTTP header can carry (a newline, non-ASCII).

    httpx would otherwise fail with an error quoting the whole header value. `what` is e.g.
    "The Ultravox API key". Raises UsageError, never chained, never quoting the value.
    """
    if not (value.isascii() and value.isprintable()):
        raise UsageError(f"{what} contains characters {_article(what)} cannot have; copy it again.")


def _article(what: str) -> str:
    """ "The Ultravox API key" -> "an API key"; "The Plivo Auth Token" -> "an Auth Token"."""
    noun = " ".join(what.split()[2:]) or "it"
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


# -- field errors ------------------------------------------------------------------------------


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
            errors.setdefault(truncate(field, 80), []).append(text)

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
    content_type = _content_type(response)
    return f"HTTP {response.status_code} {content_type or 'without a content type'}"


def _content_type(response: httpx.Response) -> str:
    """The response's media type, as the server wrote it but safe to print."""
    return clean_text(response.headers.get("content-type", "").split(";")[0].strip(), 60)


# -- the cause of a transport failure ----------------------------------------------------------


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_tls_failure(exc: BaseException) -> bool:
    for current in _chain(exc):
        if isinstance(current, ssl.SSLError):
            return True
        text = str(current)
        if "CERTIFICATE_VERIFY_FAILED" in text or "[SSL" in text:
            return True
    return False


def connect_reason(exc: BaseException) -> str:
    """Why a connection failed, from the OS error under httpx's "All connection attempts
    failed" (its own text never says)."""
    for current in _chain(exc):
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, ConnectionResetError):
            return "connection reset"
        if isinstance(current, OSError) and current.__class__.__name__ == "gaierror":
            return "the name could not be resolved"
        text = str(current).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "not known" in text or "resolution" in text:
            return "the name could not be resolved"
        if "unreachable" in text:
            return "the network is unreachable"
    return "the connection failed"


# -- proxies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyInUse:
    """The environment's proxy for a URL: `where` is host:port only, `variable` its name."""

    where: str
    variable: str
    scheme: str


def proxy_for(url: httpx.URL) -> ProxyInUse | None:
    """The proxy httpx will use for `url` when it takes proxies from the environment, or None.

    Derived with httpx's own functions (the environment and system proxies it reads through
    `urllib.request.getproxies()`, NO_PROXY as it turns them into mount patterns, the pattern
    order it matches in), so the message cannot drift from what the client does; a test
    compares the two. Never returns the proxy URL itself: it may hold a user name and password.
    """
    from httpx._utils import URLPattern, get_environment_proxies

    patterns = [(URLPattern(key), value) for key, value in get_environment_proxies().items()]
    mounts = sorted(patterns, key=lambda item: item[0])
    for pattern, value in mounts:
        if pattern.matches(url):
            if value is None:
                return None
            return ProxyInUse(
                _host_port(value), _variable_for(url.scheme, value), _proxy_scheme(value)
            )
    return None


def _variable_for(scheme: str, value: str) -> str:
    """Which environment variable holds the proxy `value`, for the message."""
    for name in (f"{scheme}_proxy", "all_proxy"):
        for variable in (name, name.upper()):
            found = os.environ.get(variable, "").strip()
            if found and (found == value or f"http://{found}" == value):
                return variable
    return "the system proxy settings"


def _host_port(value: str) -> str:
    try:
        url = httpx.URL(value if "://" in value else f"http://{value}")
    except (httpx.InvalidURL, TypeError, ValueError):
        return "(unparsable proxy URL)"
    host = url.host or "?"
    return f"{host}:{url.port}" if url.port else host


def _proxy_scheme(value: str) -> str:
    return value.split("://", 1)[0].lower() if "://" in value else "http"


# -- errors ------------------------------------------------------------------------------------


class ErrorWording:
    """Builds the errors of one service at one base URL."""

    def __init__(
        self,
        profile: ServiceProfile,
        base_url: httpx.URL,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_attempts: int,
        proxy: ProxyInUse | None,
    ) -> None:
        self.profile = profile
        self.base_url = base_url
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_attempts = max_attempts
        self.proxy = proxy

    @property
    def host(self) -> str:
        url = self.base_url
        return f"{url.host}:{url.port}" if url.port else url.host

    def setup_error(self, exc: BaseException) -> NetworkError | UsageError:
        """The error for an HTTP client that could not even be built (CA file, proxy)."""
        name = self.profile.name
        if isinstance(exc, ImportError):
            where = f" ({self.proxy.variable}={self.proxy.where})" if self.proxy else ""
            return UsageError(
                f"The SOCKS proxy{where} needs the `socksio` package, which is not installed.",
                hint="Install it (pip install 'httpx[socks]'), or use an HTTP proxy instead.",
            )
        for variable in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            value = os.environ.get(variable)
            if value:
                problem = (
                    "does not exist"
                    if isinstance(exc, FileNotFoundError)
                    else ("could not be used as a CA bundle")
                )
                return NetworkError(
                    f"Cannot set up secure connections to {name}: {variable}={value} {problem}.",
                    kind="tls",
                    hint=f"Point {variable} at a PEM file of CA certificates, or unset it.",
                )
        return NetworkError(
            f"Cannot set up secure connections to {name} ({type(exc).__name__}).",
            kind="tls",
            hint="Check SSL_CERT_FILE and your system's CA certificates.",
        )

    def network_error(
        self, exc: httpx.TransportError, *, may_have_applied: bool
    ) -> NetworkError | UsageError:
        """The error for a request that got no answer, with a one-line hint."""
        name, host = self.profile.name, self.host
        after = f" {STATUS_HINT}" if may_have_applied else ""
        if isinstance(exc, httpx.LocalProtocolError):
            # h11 refused to send what we built (a header value); its text quotes the value.
            return UsageError(
                f"The request to {name} could not be built: a credential holds characters"
                " no HTTP header can carry; copy it again."
            )
        proxy = self.proxy
        if isinstance(exc, httpx.ProxyError):
            where = f" {proxy.where} (from {proxy.variable})" if proxy else ""
            return NetworkError(
                f"Could not reach {name} at {host} through the proxy{where}.",
                kind="proxy",
                hint="Check the HTTPS_PROXY setting (and NO_PROXY), or unset it if no proxy"
                " is needed." + after,
            )
        if is_tls_failure(exc):
            return NetworkError(
                f"Could not set up a secure connection to {name} at {host}: its certificate"
                " was not trusted.",
                kind="tls",
                hint="Behind a proxy that inspects TLS, point SSL_CERT_FILE at its CA bundle.",
            )
        if isinstance(exc, httpx.TimeoutException):
            if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                what, seconds = "accept a connection", self.connect_timeout
            else:
                what, seconds = "answer", self.read_timeout
            via = f" (through the proxy {proxy.where})" if proxy else ""
            return unsure(
                NetworkError(
                    f"{name} at {host}{via} did not {what} within {seconds:g} s.",
                    kind="timeout",
                    hint=(STATUS_HINT if may_have_applied else "Check your network and try again."),
                ),
                may_have_applied,
            )
        if isinstance(exc, httpx.ConnectError):
            reason = connect_reason(exc)
            if proxy is not None:
                return NetworkError(
                    f"Could not reach the proxy {proxy.where} (from {proxy.variable}) on the way"
                    f" to {name} ({reason}).",
                    kind="proxy",
                    hint=f"Check that the proxy is running, or fix or unset {proxy.variable}.",
                )
            return NetworkError(
                f"Could not reach {name} at {host} ({reason}).",
                kind="connect",
                hint="Check your network connection and the API base URL; behind a proxy,"
                " set HTTPS_PROXY.",
            )
        return unsure(
            NetworkError(
                f"The connection to {name} at {host} closed before an answer arrived.",
                kind="connect",
                hint=STATUS_HINT if may_have_applied else "Check your network and try again.",
            ),
            may_have_applied,
        )

    def deadline_error(self, seconds: float, *, may_have_applied: bool) -> NetworkError:
        """A request that was still not answered in full after `seconds` (a trickle)."""
        via = f" (through the proxy {self.proxy.where})" if self.proxy else ""
        return unsure(
            NetworkError(
                f"{self.profile.name} at {self.host}{via} did not finish answering within"
                f" {seconds:g} s; gave up.",
                kind="timeout",
                hint=STATUS_HINT if may_have_applied else "Check your network and try again later.",
            ),
            may_have_applied,
        )

    def too_large(self, limit: int, *, may_have_applied: bool) -> MalformedResponseError:
        """An answer longer than any these endpoints give: stopped reading it."""
        name = self.profile.name
        return unsure(
            MalformedResponseError(
                f"{name} sent an answer larger than {limit // 1_000_000} MB; stopped reading it.",
                service=name,
                hint=STATUS_HINT
                if may_have_applied
                else "Check the API base URL and HTTPS_PROXY; a proxy may be in the way.",
            ),
            may_have_applied,
        )

    def status_error(
        self,
        method: str,
        response: httpx.Response,
        secrets: Iterable[str] = (),
        *,
        retry_after: float | None = None,
    ) -> ServiceError:
        """The error for a non-2xx answer (after retries)."""
        name, status = self.profile.name, response.status_code
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
                f"{name} has nothing at {clean_text(response.request.url.path, 80)} (404).",
                service=name,
                status=404,
                hint=f"Check the id, and that the API base URL points at {name}.",
            )
        if status in (400, 422):
            return self._rejected(response, secrets)
        if status == 429:
            wait = f"Wait {retry_after:g} s" if retry_after is not None else "Wait a little"
            return RateLimitedError(
                f"{name} is limiting requests (429) and still was after"
                f" {self.max_attempts} attempts.",
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
        return unsure(
            ServerError(message, service=name, status=status, hint=hint),
            may_have_applied and status >= 500,
        )

    def _rejected(self, response: httpx.Response, secrets: Iterable[str]) -> RejectedError:
        name, status = self.profile.name, response.status_code
        field_errors = field_errors_of(response, secrets)
        details = "; ".join(
            f"{msg}" if field in ("non_field_errors", "detail", "error") else f"{field}: {msg}"
            for field, msgs in field_errors.items()
            for msg in msgs
        )
        if details:
            message = f"{name} rejected the request ({status}): {truncate(details)}"
            if not message.endswith((".", "…")):
                message += "."
            hint = "Correct what it names and try again."
        else:
            # An HTML page or an empty body names nothing: do not pretend it did.
            kind = _content_type(response)
            message = f"{name} rejected the request ({status}) without saying why"
            message += f" (a {kind} answer)." if kind else "."
            hint = "Check the input and the API base URL; a proxy may be in the way."
        return RejectedError(
            message, service=name, status=status, field_errors=field_errors, hint=hint
        )

    def malformed(self, response: httpx.Response, *, shape: bool = False) -> ServiceError:
        name = self.profile.name
        what = "JSON of an unexpected shape" if shape else "something that is not the expected JSON"
        return MalformedResponseError(
            f"{name} answered with {what} ({describe_content(response)});"
            " a proxy may be in the way.",
            service=name,
            status=response.status_code,
            hint="Check HTTPS_PROXY and the API base URL, then try again.",
        )


def field_errors_of(response: httpx.Response, secrets: Iterable[str]) -> dict[str, list[str]]:
    try:
        body = response.json()
    except ValueError:
        return {}  # an HTML page or plain text: never quote it, it may echo anything
    scrub_list = tuple(secrets)
    return {
        scrub(field, scrub_list): [scrub(m, scrub_list) for m in msgs]
        for field, msgs in parse_field_errors(body).items()
    }

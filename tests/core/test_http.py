"""The shared HTTP machinery: retry policy, error mapping, parsing helpers, logging.

Faults the loopback sandbox cannot produce (TLS, proxy, DNS) are driven by httpx.MockTransport;
everything else is also covered over real HTTP in the client tests.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.core.fakes import SleepRecorder
from wizard.core.errors import (
    AuthenticationError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    ServerError,
)
from wizard.core.http import (
    STATUS_HINT,
    ApiSession,
    HttpSettings,
    ServiceProfile,
    backoff_delay,
    parse_field_errors,
    parse_retry_after,
    scrub,
    secret_values,
)
from wizard.core.models import Account, Agent
from wizard.core.ultravox import UltravoxClient

CANARY_KEY = "Canary01.CANARYcanaryCANARYcanary0123456"
PROFILE = ServiceProfile("Ultravox", "API key", "Check the key.")

Handler = Callable[[httpx.Request], httpx.Response]


async def all_agents(client: UltravoxClient, search: str | None = None) -> list[Agent]:
    """Every agent over all pages (what the TUI does page by page)."""
    return [agent async for page in client.iter_agent_pages(search) for agent in page.agents]


class Script:
    """A MockTransport handler answering from a list of responses or exceptions, in order."""

    def __init__(self, *outcomes: httpx.Response | Exception) -> None:
        self.outcomes = list(outcomes)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def session(
    script: Handler, sleep: SleepRecorder, settings: HttpSettings | None = None
) -> ApiSession:
    return ApiSession(
        PROFILE,
        "https://api.ultravox.ai",
        headers={"X-API-Key": CANARY_KEY},
        settings=settings,
        transport=httpx.MockTransport(script),
        secrets=(CANARY_KEY,),
        sleep=sleep,
        rand=lambda: 0.5,
    )


def json_response(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


# --- retry policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_get_retries_gateway_errors_then_succeeds(status: int) -> None:
    sleep = SleepRecorder()
    script = Script(json_response(status, {}), json_response(200, {"name": "Acme"}))
    api = session(script, sleep)
    response = await api.request("GET", "/api/accounts/me")
    assert api.decode(response, Account).name == "Acme"
    assert len(script.requests) == 2
    assert sleep.delays == [0.25]  # full jitter: base 0.5 * 2**0 * rand 0.5
    await api.aclose()


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_writes_are_never_resent_after_5xx(method: str, status: int) -> None:
    sleep = SleepRecorder()
    script = Script(json_response(status, {}), json_response(200, {}))
    api = session(script, sleep)
    with pytest.raises(ServerError) as caught:
        await api.request(method, "/api/telephony_configs/plivo", json={"authId": "x"})
    assert len(script.requests) == 1
    assert caught.value.status == status
    assert caught.value.hint == STATUS_HINT
    assert "ultravox-plivo status" in str(caught.value)
    assert sleep.delays == []
    await api.aclose()


async def test_500_is_not_retried_even_for_get() -> None:
    sleep = SleepRecorder()
    script = Script(json_response(500, {}), json_response(200, {}))
    with pytest.raises(ServerError, match=r"Ultravox had a server error \(500\)"):
        await session(script, sleep).request("GET", "/api/accounts/me")
    assert len(script.requests) == 1


async def test_get_gives_up_after_max_attempts_with_exponential_backoff() -> None:
    sleep = SleepRecorder()
    script = Script(json_response(503, {}))
    api = session(script, sleep, HttpSettings(max_attempts=5, backoff_base=1.0, backoff_max=5.0))
    with pytest.raises(ServerError) as caught:
        await api.request("GET", "/api/agents")
    assert len(script.requests) == 5
    assert sleep.delays == [0.5, 1.0, 2.0, 2.5]  # 1, 2, 4, 8->capped 5; times rand 0.5
    assert caught.value.hint == "Try again in a minute."


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
async def test_429_is_retried_for_any_method_honouring_retry_after(method: str) -> None:
    sleep = SleepRecorder()
    script = Script(json_response(429, {}, **{"Retry-After": "7"}), json_response(200, {}))
    await session(script, sleep).request(method, "/api/telephony_configs/plivo")
    assert len(script.requests) == 2
    assert sleep.delays == [7.0]


async def test_429_retry_after_is_capped() -> None:
    sleep = SleepRecorder()
    script = Script(json_response(429, {}, **{"Retry-After": "3600"}), json_response(200, {}))
    await session(script, sleep, HttpSettings(retry_after_cap=30)).request("GET", "/x")
    assert sleep.delays == [30.0]


async def test_429_with_http_date_retry_after() -> None:
    sleep = SleepRecorder()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    script = Script(json_response(429, {}, **{"Retry-After": when}), json_response(200, {}))
    await session(script, sleep).request("GET", "/x")
    assert len(sleep.delays) == 1
    assert 10 < sleep.delays[0] <= 20


async def test_429_without_retry_after_backs_off() -> None:
    sleep = SleepRecorder()
    script = Script(json_response(429, {}), json_response(200, {}))
    await session(script, sleep).request("POST", "/x")
    assert sleep.delays == [0.25]


async def test_429_that_outlasts_retries_is_rate_limited() -> None:
    sleep = SleepRecorder()
    script = Script(json_response(429, {"detail": "slow down"}, **{"Retry-After": "2"}))
    with pytest.raises(RateLimitedError) as caught:
        await session(script, sleep, HttpSettings(max_attempts=3)).request("GET", "/x")
    assert caught.value.retry_after == 2.0
    assert len(script.requests) == 3
    assert "Wait 2 s" in str(caught.value)


async def test_get_retries_network_errors() -> None:
    sleep = SleepRecorder()
    script = Script(
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        json_response(200, {"name": "Acme"}),
    )
    response = await session(script, sleep).request("GET", "/api/accounts/me")
    assert response.status_code == 200
    assert len(sleep.delays) == 3


async def test_get_is_not_retried_after_a_read_timeout() -> None:
    # Issue 8: four tries of 15 s at a server that stopped answering took a minute.
    sleep = SleepRecorder()
    script = Script(httpx.ReadTimeout("timed out"), json_response(200, {"name": "Acme"}))
    with pytest.raises(NetworkError) as caught:
        await session(script, sleep).request("GET", "/api/accounts/me")
    assert len(script.requests) == 1
    assert caught.value.kind == "timeout"
    assert "within 15 s" in caught.value.message


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
    ],
)
async def test_post_is_not_resent_after_it_may_have_arrived(exc: Exception) -> None:
    sleep = SleepRecorder()
    script = Script(exc, json_response(201, {}))
    with pytest.raises(NetworkError) as caught:
        await session(script, sleep).request("POST", "/api/telephony_configs/plivo", json={})
    assert len(script.requests) == 1
    assert "ultravox-plivo status" in str(caught.value)


async def test_post_is_resent_when_the_connection_never_opened() -> None:
    # A refused connection means nothing was sent, so sending again cannot apply twice.
    sleep = SleepRecorder()
    script = Script(httpx.ConnectError("[Errno 111] Connection refused"), json_response(201, {}))
    response = await session(script, sleep).request("POST", "/x", json={})
    assert response.status_code == 201
    assert len(script.requests) == 2


# --- network error mapping -------------------------------------------------------------------


def _tls_error() -> httpx.ConnectError:
    cause = ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
    )
    error = httpx.ConnectError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("exc", "kind", "in_message", "in_hint"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "connect", "refused", "HTTPS_PROXY"),
        (
            httpx.ConnectError("[Errno -2] Name or service not known"),
            "connect",
            "name could not be resolved",
            "network",
        ),
        (httpx.ProxyError("407 Proxy Authentication Required"), "proxy", "proxy", "HTTPS_PROXY"),
        (_tls_error(), "tls", "certificate", "SSL_CERT_FILE"),
        (httpx.ConnectError("CERTIFICATE_VERIFY_FAILED"), "tls", "secure", "SSL_CERT_FILE"),
        (httpx.ReadTimeout("timed out"), "timeout", "did not answer within 15 s", "network"),
        (httpx.ConnectTimeout("timed out"), "timeout", "accept a connection within 5 s", ""),
        (httpx.RemoteProtocolError("disconnected"), "connect", "closed", "try again"),
    ],
)
async def test_network_errors_map_to_kinds_with_hints(
    exc: Exception, kind: str, in_message: str, in_hint: str
) -> None:
    sleep = SleepRecorder()
    with pytest.raises(NetworkError) as caught:
        await session(Script(exc), sleep).request("GET", "/api/accounts/me")
    error = caught.value
    assert error.kind == kind
    assert "api.ultravox.ai" in error.message
    assert in_message in error.message
    assert in_hint in (error.hint or "")
    assert CANARY_KEY not in str(error)


async def test_tls_and_proxy_failures_are_not_retried() -> None:
    for exc in (_tls_error(), httpx.ProxyError("bad proxy")):
        sleep = SleepRecorder()
        script = Script(exc, json_response(200, {}))
        with pytest.raises(NetworkError):
            await session(script, sleep).request("GET", "/x")
        assert len(script.requests) == 1


# --- status mapping --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_statuses(status: int) -> None:
    script = Script(json_response(status, {"detail": f"bad key {CANARY_KEY}"}))
    with pytest.raises(AuthenticationError) as caught:
        await session(script, SleepRecorder()).request("GET", "/api/accounts/me")
    assert caught.value.status == status
    assert f"({status})" in caught.value.message
    assert CANARY_KEY not in str(caught.value)


async def test_404_is_not_found_unless_accepted() -> None:
    api = session(Script(json_response(404, {"detail": "Not found."})), SleepRecorder())
    with pytest.raises(NotFoundError):
        await api.request("GET", "/api/agents/nope")
    response = await api.request("GET", "/api/agents/nope", accept=(404,))
    assert response.status_code == 404


async def test_400_field_errors_are_parsed_and_scrubbed() -> None:
    token = "TokenCanary_0123456789abcdefghijklmnopqr"
    body = {"authId": ["Not a valid Auth ID."], "authToken": [f"{token} is wrong"]}
    api = session(Script(json_response(400, body)), SleepRecorder())
    with pytest.raises(RejectedError) as caught:
        await api.request("POST", "/x", json={"authId": "MA1", "authToken": token})
    error = caught.value
    assert error.field_errors["authId"] == ["Not a valid Auth ID."]
    assert token not in repr(error.field_errors)
    assert token not in str(error)
    assert "authId: Not a valid Auth ID." in error.message


async def test_400_html_body_is_not_quoted() -> None:
    page = "<html><body>secret-ish stuff</body></html>"
    script = Script(httpx.Response(400, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(RejectedError) as caught:
        await session(script, SleepRecorder()).request("POST", "/x", json={})
    assert caught.value.field_errors == {}
    assert "secret-ish" not in str(caught.value)
    # It names nothing, so the hint must not say "correct what it names".
    assert caught.value.message == (
        "Ultravox rejected the request (400) without saying why (a text/html answer)."
    )
    assert "names" not in (caught.value.hint or "")
    assert "proxy" in (caught.value.hint or "")


async def test_400_message_is_truncated() -> None:
    body = {"requestContextMapping": ["x" * 5000]}
    script = Script(json_response(400, body))
    with pytest.raises(RejectedError) as caught:
        await session(script, SleepRecorder()).request("POST", "/x", json={})
    assert len(caught.value.message) < 260


async def test_unexpected_4xx_is_a_server_error() -> None:
    script = Script(json_response(405, {"detail": "Method not allowed."}))
    with pytest.raises(ServerError, match=r"unexpected status \(405\)"):
        await session(script, SleepRecorder()).request("GET", "/x")


@pytest.mark.parametrize(
    ("response", "needle"),
    [
        (
            httpx.Response(200, text="<html>login</html>", headers={"content-type": "text/html"}),
            "HTTP 200 text/html",
        ),
        (httpx.Response(200, content=b'{"name": '), "HTTP 200 without a content type"),
        (json_response(200, ["not", "an", "object"]), "unexpected shape"),
    ],
)
async def test_malformed_answers(response: httpx.Response, needle: str) -> None:
    api = session(Script(response), SleepRecorder())
    answer = await api.request("GET", "/api/accounts/me")
    with pytest.raises(MalformedResponseError) as caught:
        api.decode(answer, Account)
    assert needle in caught.value.message
    assert "proxy may be in the way" in caught.value.message


# --- helpers ---------------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:42 GMT", now=now) == 42.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0


@given(st.text(max_size=40))
def test_parse_retry_after_never_raises(value: str) -> None:
    result = parse_retry_after(value)
    assert result is None or result >= 0


def test_backoff_is_bounded() -> None:
    settings = HttpSettings(backoff_base=0.5, backoff_max=8.0)
    assert [backoff_delay(n, settings, lambda: 1.0) for n in range(1, 8)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
        8.0,
    ]
    assert backoff_delay(3, settings, lambda: 0.0) == 0.0


def test_parse_field_errors_shapes() -> None:
    assert parse_field_errors({"authId": ["Required.", "Bad."]}) == {
        "authId": ["Required.", "Bad."]
    }
    assert parse_field_errors({"non_field_errors": ["Both given."]}) == {
        "non_field_errors": ["Both given."]
    }
    assert parse_field_errors({"detail": "Nope."}) == {"detail": ["Nope."]}
    assert parse_field_errors("plain") == {"non_field_errors": ["plain"]}
    assert parse_field_errors(["a", "b"]) == {"non_field_errors": ["a", "b"]}
    assert parse_field_errors({"requestContextMapping": {"From": ["Bad path."]}}) == {
        "requestContextMapping.From": ["Bad path."]
    }
    assert parse_field_errors({"callCreationAllowedAgentIds": {"0": ["Not a UUID."]}}) == {
        "callCreationAllowedAgentIds.0": ["Not a UUID."]
    }
    assert parse_field_errors({"ids": [{"x": ["bad"]}, {}]}) == {"ids.0.x": ["bad"]}
    assert parse_field_errors({"api_id": "abc", "error": "invalid"}) == {"error": ["invalid"]}
    assert parse_field_errors(None) == {}
    assert parse_field_errors(42) == {"non_field_errors": ["42"]}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_parse_field_errors_tolerates_any_json(body: object) -> None:
    result = parse_field_errors(body)
    assert all(isinstance(k, str) and isinstance(v, list) for k, v in result.items())
    assert all(isinstance(m, str) and len(m) <= 200 for v in result.values() for m in v)


def test_secret_values_and_scrub() -> None:
    body = {"authId": "MA1", "authToken": "tok-secret", "nested": [{"apiKey": "k-secret"}]}
    assert sorted(secret_values(body)) == ["k-secret", "tok-secret"]
    assert scrub("a tok-secret b", ["tok-secret", "ab"]) == "a •••• b"


# --- logging and secrets ---------------------------------------------------------------------


async def test_debug_log_has_method_path_status_and_no_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(json_response(503, {}), json_response(200, {"name": "Acme"}))
    client = UltravoxClient(
        SecretStr(CANARY_KEY), transport=httpx.MockTransport(script), sleep=SleepRecorder()
    )
    async with client:
        await client.get_account()
    assert script.requests[0].headers["X-API-Key"] == CANARY_KEY
    messages = [r.getMessage() for r in caplog.records if r.name == "wizard.http"]
    assert any(m.startswith("GET /api/accounts/me -> 503 (") for m in messages)
    assert any(m.startswith("GET /api/accounts/me -> 200 (") for m in messages)
    assert any("retrying in" in m for m in messages)
    assert CANARY_KEY not in caplog.text
    assert CANARY_KEY not in repr(client)


async def test_timeouts_come_from_settings() -> None:
    settings = HttpSettings(connect_timeout=1.5, read_timeout=2.5)
    timeout = settings.timeout()
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (1.5, 2.5, 2.5, 1.5)


# --- pagination safety -----------------------------------------------------------------------


def agents_page(next_url: str | None, *ids: str) -> httpx.Response:
    results = [{"agentId": i, "name": f"Agent {i}"} for i in ids]
    return json_response(200, {"next": next_url, "results": results, "total": 3})


async def test_next_on_another_host_never_gets_the_key() -> None:
    script = Script(
        agents_page("https://elsewhere.example/api/agents?cursor=abc&pageSize=1", "a"),
        agents_page(None, "b"),
    )
    client = UltravoxClient(
        SecretStr(CANARY_KEY), transport=httpx.MockTransport(script), sleep=SleepRecorder()
    )
    async with client:
        agents = await all_agents(client)
    assert [a.agent_id for a in agents] == ["a", "b"]
    second = script.requests[1].url
    assert second.host == "api.ultravox.ai"
    assert second.path == "/api/agents"
    assert second.params["cursor"] == "abc"


async def test_next_pointing_back_is_a_loop_not_a_list() -> None:
    loop = "https://api.ultravox.ai/api/agents?cursor=same"
    script = Script(agents_page(loop, "a"))
    client = UltravoxClient(
        SecretStr(CANARY_KEY), transport=httpx.MockTransport(script), sleep=SleepRecorder()
    )
    async with client:
        with pytest.raises(MalformedResponseError):
            await all_agents(client)
    assert len(script.requests) == 2

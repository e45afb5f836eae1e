"""Failures that come from the machine, not the service: a closed port, a proxy that is down,
a SOCKS proxy without socksio, a bad SSL_CERT_FILE, a credential no header can carry.

All over real loopback sockets (no invented httpx messages), nothing off 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import logging
import socket
import traceback
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from wizard.core.errors import NetworkError, UsageError, WizardError
from wizard.core.http import HttpSettings
from wizard.core.http_errors import proxy_for
from wizard.core.plivo import PlivoClient
from wizard.core.ultravox import UltravoxClient
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, Fault, Sandbox

CANARY = "CANARYxq7Zleak"
FAST = HttpSettings(connect_timeout=2.0, read_timeout=2.0, max_attempts=1)
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARS, "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def full_text(error: BaseException) -> str:
    """Everything `--debug` would print for this error, chained exceptions included."""
    return "".join(traceback.format_exception(error))


async def get_account(key: str, base: str, settings: HttpSettings = FAST) -> WizardError:
    client = UltravoxClient(SecretStr(key), base, settings=settings)
    async with client:
        with pytest.raises(WizardError) as caught:
            await client.get_account()
    return caught.value


# --- a closed port -----------------------------------------------------------------------------


async def test_refused_connection_says_refused(closed_port: int) -> None:
    error = await get_account(DEMO_API_KEY, f"http://127.0.0.1:{closed_port}")
    assert isinstance(error, NetworkError)
    assert error.kind == "connect"
    assert (
        error.message
        == f"Could not reach Ultravox at 127.0.0.1:{closed_port} (connection refused)."
    )


async def test_network_errors_are_not_chained_to_httpx(closed_port: int) -> None:
    error = await get_account(DEMO_API_KEY, f"http://127.0.0.1:{closed_port}")
    assert error.__cause__ is None
    assert error.__suppress_context__  # raised `from None`
    assert "httpx" not in full_text(error).split("Traceback")[-1].split("\n")[0]
    assert "ConnectError" not in full_text(error)


# --- proxies -----------------------------------------------------------------------------------


async def test_unreachable_proxy_is_named_without_its_credentials(
    monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxyuser:{CANARY}@127.0.0.1:{closed_port}")
    error = await get_account(DEMO_API_KEY, "https://api.ultravox.example")
    assert isinstance(error, NetworkError)
    assert error.kind == "proxy"
    assert f"proxy 127.0.0.1:{closed_port} (from HTTPS_PROXY)" in error.message
    assert "connection refused" in error.message
    assert "behind a proxy, set HTTPS_PROXY" not in str(error)  # it is set already
    assert CANARY not in full_text(error)
    assert "proxyuser" not in full_text(error)


async def test_no_proxy_bypasses_and_the_message_says_nothing_of_a_proxy(
    monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    error = await get_account(DEMO_API_KEY, f"http://127.0.0.1:{closed_port}")
    assert isinstance(error, NetworkError)
    assert error.kind == "connect"
    assert "proxy 127.0.0.1:1" not in error.message


def _httpx_proxy(url: httpx.URL) -> str | None:
    """host:port of the proxy an httpx client built from the environment really uses for
    `url`, read from the client's mounts (httpx internals: only a test may do this)."""
    client = httpx.AsyncClient(trust_env=True)
    transport = client._transport_for_url(url)
    if transport is client._transport:
        return None
    proxy_url = transport._pool._proxy_url  # type: ignore[attr-defined]
    host = proxy_url.host.decode()
    return f"{host}:{proxy_url.port}" if proxy_url.port else host


@pytest.mark.parametrize(
    "env",
    [
        {"ALL_PROXY": "http://u:p@10.0.0.1:1080"},
        {"https_proxy": "proxy.corp:3128"},
        {"HTTP_PROXY": "http://p:1"},
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".ultravox.ai"},
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"},
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "ultravox.ai"},
        # The drift of issue 8: httpx still proxies example.com with NO_PROXY=.example.com.
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".example.com"},
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.com:443"},
        {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "https://example.com"},
        {"HTTPS_PROXY": "http://p:1", "ALL_PROXY": "http://q:2", "NO_PROXY": "other.org"},
        {"ALL_PROXY": "http://q:2", "NO_PROXY": "127.0.0.1"},
        {"http_proxy": "http://p:1", "NO_PROXY": "localhost"},
    ],
)
@pytest.mark.parametrize(
    "target",
    [
        "https://api.ultravox.ai",
        "https://example.com",
        "https://www.example.com",
        "http://127.0.0.1:8080",
        "http://localhost:8080",
    ],
)
def test_proxy_for_agrees_with_what_httpx_does(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], target: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    url = httpx.URL(target)
    found = proxy_for(url)
    assert (found.where if found else None) == _httpx_proxy(url)


def test_proxy_for_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    url = httpx.URL("https://api.ultravox.ai")
    monkeypatch.setenv("ALL_PROXY", "socks5://u:p@10.0.0.1:1080")
    found = proxy_for(url)
    assert found is not None and (found.where, found.variable) == ("10.0.0.1:1080", "ALL_PROXY")
    monkeypatch.setenv("https_proxy", "proxy.corp:3128")
    found = proxy_for(url)
    assert found is not None and (found.where, found.variable) == ("proxy.corp:3128", "https_proxy")


async def test_socks_proxy_without_socksio_is_a_plain_sentence(
    monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    pytest.importorskip("socksio", reason=None) if False else None
    if importlib.util.find_spec("socksio") is not None:
        pytest.skip("socksio is installed here")
    monkeypatch.setenv("ALL_PROXY", f"socks5://user:{CANARY}@127.0.0.1:{closed_port}")
    error = await get_account(DEMO_API_KEY, "https://api.ultravox.example")
    assert isinstance(error, UsageError)
    assert "socksio" in error.message
    assert f"ALL_PROXY=127.0.0.1:{closed_port}" in error.message
    assert CANARY not in full_text(error)


# --- SSL_CERT_FILE -----------------------------------------------------------------------------


@pytest.mark.parametrize("content", [None, "this is not a certificate\n"])
async def test_bad_ssl_cert_file_names_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_text(content)
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    error = await get_account(DEMO_API_KEY, "https://api.ultravox.example")
    assert isinstance(error, NetworkError)
    assert error.kind == "tls"
    assert f"SSL_CERT_FILE={path}" in error.message
    assert "does not exist" in error.message if content is None else "CA bundle" in error.message
    assert "SSL_CERT_FILE" in (error.hint or "")


# --- credentials no header can carry ------------------------------------------------------------


@pytest.mark.parametrize(
    "key", [f"abc\n{CANARY}", f"{CANARY}\r\nX-Evil: 1", f"Cl\u00e9{CANARY}", f"{CANARY}\x00"]
)
async def test_malformed_api_key_is_refused_without_quoting_it(sandbox: Sandbox, key: str) -> None:
    error = await get_account(key, sandbox.base_url)
    assert isinstance(error, UsageError)
    assert error.message == (
        "The Ultravox API key contains characters an API key cannot have; copy it again."
    )
    assert CANARY not in full_text(error)
    assert sandbox.requests == []  # refused before anything was sent


@pytest.mark.parametrize("token", [f"tok\n{CANARY}", f"t\u00f6k{CANARY}"])
async def test_malformed_plivo_token_is_refused_without_quoting_it(
    sandbox: Sandbox, token: str
) -> None:
    async with PlivoClient(sandbox.base_url, settings=FAST) as client:
        with pytest.raises(UsageError) as caught:
            await client.verify(DEMO_AUTH_ID, SecretStr(token))
    assert caught.value.message == (
        "The Plivo Auth Token contains characters an Auth Token cannot have; copy it again."
    )
    assert CANARY not in full_text(caught.value)
    assert sandbox.requests == []


async def test_a_header_httpx_refuses_is_never_chained(sandbox: Sandbox) -> None:
    """Even past our own check (a header set some other way), the error quotes nothing."""
    client = UltravoxClient(SecretStr(DEMO_API_KEY), sandbox.base_url, settings=FAST)
    client.session._headers["X-Other"] = f"bad\n{CANARY}"
    async with client:
        with pytest.raises(UsageError) as caught:
            await client.get_account()
    assert CANARY not in full_text(caught.value)
    assert "no HTTP header can carry" in caught.value.message


# --- 429 is not silent ------------------------------------------------------------------------


async def test_rate_limit_wait_is_announced(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.inject(Fault(status=429, retry_after="2", method="POST"))
    waited: list[float] = []

    async def sleep(delay: float) -> None:
        waited.append(delay)

    caplog.set_level(logging.WARNING, logger="wizard.http")
    client = UltravoxClient(SecretStr(DEMO_API_KEY), sandbox.base_url, sleep=sleep)
    async with client:
        with pytest.raises(WizardError):  # the body is empty: a 400, after the wait
            await client.create_plivo_config({})
    assert waited == [2.0]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "Ultravox asked us to wait 2 s (rate limit); retrying then."
    ]

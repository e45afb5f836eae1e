"""PlivoClient against the loopback sandbox: verify, wrong credentials, faults, no leaks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from tests.core.fakes import SleepRecorder
from wizard.core.errors import (
    AuthenticationError,
    MalformedResponseError,
    NetworkError,
    ServerError,
)
from wizard.core.http import HttpSettings
from wizard.core.plivo import PlivoClient
from wizard.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_PLIVO_ACCOUNT_NAME,
    Fault,
    Sandbox,
)

CANARY_ID = "MACANARY000000000042"
CANARY_TOKEN = "PlivoCanary_tok-CANARY_canary_0123456789"


@pytest.fixture
async def plivo(sandbox: Sandbox, sleeps: SleepRecorder) -> AsyncIterator[PlivoClient]:
    async with PlivoClient(sandbox.base_url, sleep=sleeps) as client:
        yield client


def account_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.startswith("/v1/Account/"))


async def test_verify_demo_account(plivo: PlivoClient, sandbox: Sandbox) -> None:
    account = await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))
    assert account.name == DEMO_PLIVO_ACCOUNT_NAME
    assert account.auth_id == DEMO_AUTH_ID
    last = sandbox.requests[-1]
    assert (last.method, last.path) == ("GET", f"/v1/Account/{DEMO_AUTH_ID}/")


async def test_wrong_token_is_an_authentication_error(plivo: PlivoClient) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await plivo.verify(DEMO_AUTH_ID, SecretStr(CANARY_TOKEN))
    error = caught.value
    assert error.status == 401
    assert error.service == "Plivo"
    assert error.exit_code == 3
    assert error.message == "Plivo did not accept the Auth ID and Auth Token (401)."
    assert "console.plivo.com" in (error.hint or "")
    assert CANARY_TOKEN not in str(error)


async def test_unknown_auth_id(plivo: PlivoClient) -> None:
    with pytest.raises(AuthenticationError):
        await plivo.verify(CANARY_ID, SecretStr(DEMO_AUTH_TOKEN))


async def test_401_with_a_json_body_is_still_authentication(
    plivo: PlivoClient, sandbox: Sandbox
) -> None:
    sandbox.inject(Fault(status=401, body='{"api_id": "x", "error": "bad credentials"}'))
    with pytest.raises(AuthenticationError):
        await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))


async def test_404_is_an_authentication_error(plivo: PlivoClient, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=404, body='{"api_id": "x", "error": "not found"}'))
    with pytest.raises(AuthenticationError, match=r"Auth ID .* \(404\)"):
        await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_are_retried(
    plivo: PlivoClient, sandbox: Sandbox, sleeps: SleepRecorder, status: int
) -> None:
    sandbox.inject(Fault.html(status))
    account = await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))
    assert account.name == DEMO_PLIVO_ACCOUNT_NAME
    assert account_requests(sandbox) == 2
    assert len(sleeps.delays) == 1


async def test_500(plivo: PlivoClient, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=500))
    with pytest.raises(ServerError, match=r"Plivo had a server error \(500\)"):
        await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))


async def test_429_then_success(
    plivo: PlivoClient, sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    sandbox.inject(Fault(status=429, retry_after="4"))
    await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))
    assert sleeps.delays == [4.0]


async def test_malformed_answer(plivo: PlivoClient, sandbox: Sandbox) -> None:
    sandbox.inject(Fault.malformed())
    with pytest.raises(MalformedResponseError, match="Plivo answered with"):
        await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))


async def test_timeout(sandbox: Sandbox, sleeps: SleepRecorder) -> None:
    settings = HttpSettings(read_timeout=0.5, max_attempts=1)
    sandbox.inject(Fault(delay=5.0))
    async with PlivoClient(sandbox.base_url, settings=settings, sleep=sleeps) as plivo:
        with pytest.raises(NetworkError) as caught:
            await plivo.verify(DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN))
    assert caught.value.kind == "timeout"
    assert caught.value.message.startswith("Plivo at 127.0.0.1:")


async def test_token_never_logged(
    sandbox: Sandbox, sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox.plivo_accounts[CANARY_ID] = CANARY_TOKEN
    sandbox.inject(Fault(status=503))
    async with PlivoClient(sandbox.base_url, sleep=sleeps) as plivo:
        await plivo.verify(CANARY_ID, SecretStr(CANARY_TOKEN))
        with pytest.raises(AuthenticationError):
            await plivo.verify(DEMO_AUTH_ID, SecretStr(CANARY_TOKEN))
    lines = [r.getMessage() for r in caplog.records if r.name == "wizard.http"]
    assert any(line.startswith(f"GET /v1/Account/{CANARY_ID}/ -> 200 (") for line in lines)
    assert any(line.startswith(f"GET /v1/Account/{DEMO_AUTH_ID}/ -> 401 (") for line in lines)
    assert CANARY_TOKEN not in caplog.text

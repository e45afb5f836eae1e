"""The commands where things go wrong: malformed secrets never leak, TLS, proxy and refused
connections said plainly, interruptions after a write, storage with no keyring or a locked one,
logout cleaning every place, rate-limit waits shown, one pool per run."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backends import SecretService
from keyring.errors import KeyringLocked, PasswordDeleteError

from tests.cli.conftest import Cli
from wizard import cli
from wizard.core.credentials import CredentialStore
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, Sandbox

CANARY = "CANARYzz81leak"
OTHER_AUTH_ID = "MAOTHER0000000000007"
OTHER_TOKEN = "OtherToken_0123456789abcdefghijklmnopqrs"


# --- helpers ---------------------------------------------------------------------------------


class DictSecretService(SecretService.Keyring):
    """Classified as a secure Secret Service, stores in a dict (or fails when `broken`)."""

    priority = -1
    viable = False

    def __init__(self, broken: Exception | None = None) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.broken = broken

    def _check(self) -> None:
        if self.broken is not None:
            raise self.broken

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("missing")


@pytest.fixture
def env(private_home: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("ULTRAVOX_API_BASE", sandbox.base_url)
    monkeypatch.setenv("PLIVO_API_BASE", sandbox.base_url)
    monkeypatch.setenv("ULTRAVOX_API_KEY", DEMO_API_KEY)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return sandbox


def apply_with_token(monkeypatch: pytest.MonkeyPatch, auth_id: str, token: str, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    return cli.main(["apply", "--auth-id", auth_id, "--auth-token-stdin", "--yes", *extra])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- 1. a malformed API key never leaks ----------------------------------------------------------


@pytest.mark.parametrize(
    "bad_key", [f"Abcdefgh.{CANARY}\nX-Injected: 1", f"Abcdefgh.{CANARY}\u00e9"]
)
def test_malformed_api_key_never_leaks_even_with_debug(cli: Cli, bad_key: str) -> None:
    cli.env["ULTRAVOX_API_KEY"] = bad_key
    message = "The Ultravox API key contains characters an API key cannot have; copy it again."
    runs = [
        cli.run("status", "--debug"),
        cli.run("delete", "--yes", "--debug"),
        cli.run("apply", "--all-agents", "--yes", "--debug", "--json"),
    ]
    for proc in runs:
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr
        assert "unexpected error" not in proc.stderr
        assert CANARY not in proc.stdout + proc.stderr
    assert cli.sandbox.requests == []


def test_malformed_plivo_token_never_leaks(cli: Cli) -> None:
    proc = cli.run(
        "apply",
        "--auth-id",
        DEMO_AUTH_ID,
        "--all-agents",
        "--yes",
        "--debug",
        env={"PLIVO_AUTH_TOKEN": f"tok\u00e9n{CANARY}"},
    )
    assert CANARY not in proc.stdout + proc.stderr
    assert cli.writes() == []


# --- 2, 3, 8. errors from the machine, through the CLI -----------------------------------------


@pytest.mark.parametrize("content", [None, "garbage, not PEM\n"])
def test_bad_ssl_cert_file_is_a_plain_tls_error(
    env: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
) -> None:
    path = tmp_path / "corp-ca.pem"
    if content is not None:
        path.write_text(content)
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    assert cli.main(["status", "--api-base", "https://api.ultravox.example"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error" not in err
    assert f"SSL_CERT_FILE={path}" in err


def test_unreachable_proxy_is_named(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://me:{CANARY}@127.0.0.1:{port}")
    assert cli.main(["status", "--api-base", "https://api.ultravox.example"]) == 1
    err = capsys.readouterr().err
    assert f"Could not reach the proxy 127.0.0.1:{port} (from HTTPS_PROXY)" in err
    assert "behind a proxy, set HTTPS_PROXY" not in err
    assert CANARY not in err


def test_refused_connection_says_so(env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    assert cli.main(["status", "--api-base", f"http://127.0.0.1:{port}"]) == 1
    assert f"127.0.0.1:{port} (connection refused)" in capsys.readouterr().err


# --- 4. Ctrl+C after the service accepted the change -------------------------------------------


def test_interrupt_after_the_write_says_it_was_saved(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(CredentialStore, "save_plivo_token", interrupted)
    code = apply_with_token(
        monkeypatch, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, "--all-agents", "--insecure-storage"
    )
    assert code == 130
    err = capsys.readouterr().err
    assert "Ultravox saved the config; the token was not stored." in err
    assert "nothing was sent" not in err
    assert env.plivo_config is not None


# --- 5. logout cleans every place and every Auth ID ----------------------------------------------


def test_logout_without_the_flag_cleans_the_insecure_file(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.plivo_accounts[OTHER_AUTH_ID] = OTHER_TOKEN
    common = ("--all-agents", "--insecure-storage")
    assert apply_with_token(monkeypatch, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, *common) == 0
    assert apply_with_token(monkeypatch, OTHER_AUTH_ID, OTHER_TOKEN, *common) == 0
    store_file = env_home(monkeypatch) / "data/ultravox-plivo/credentials.json"
    assert DEMO_AUTH_TOKEN in store_file.read_text() and OTHER_TOKEN in store_file.read_text()
    capsys.readouterr()

    assert cli.main(["logout", "--yes", "--json"]) == 0  # no --insecure-storage this time
    result = json.loads(capsys.readouterr().out)
    assert result["removed"]["plivoTokens"] == {OTHER_AUTH_ID: True, DEMO_AUTH_ID: True}
    text = store_file.read_text()
    assert DEMO_AUTH_TOKEN not in text and OTHER_TOKEN not in text


def test_logout_removes_tokens_of_earlier_auth_ids_from_the_keyring(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = DictSecretService()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    env.plivo_accounts[OTHER_AUTH_ID] = OTHER_TOKEN
    assert apply_with_token(monkeypatch, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, "--all-agents") == 0
    assert apply_with_token(monkeypatch, OTHER_AUTH_ID, OTHER_TOKEN) == 0
    assert len(backend.items) == 2
    assert cli.main(["logout", "--yes"]) == 0
    assert backend.items == {}
    out = capsys.readouterr().out
    assert f"Plivo token for {DEMO_AUTH_ID}: removed" in out


def env_home(monkeypatch: pytest.MonkeyPatch) -> Path:
    import os

    return Path(os.environ["HOME"])


# --- 6. no keyring: "not stored", not "stored in memory" ---------------------------------------


def test_login_without_a_keyring_says_not_stored(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["login", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["stored"] is None
    assert "not stored: the keyring is switched off (null backend)" in captured.err
    # The key came from the environment, which already keeps it for later commands.
    assert "ULTRAVOX_API_KEY already gives it to every command" in captured.err
    assert "memory" not in captured.out + captured.err


def test_login_with_insecure_storage_stores(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["login", "--json", "--insecure-storage"]) == 0
    assert json.loads(capsys.readouterr().out)["stored"]["apiKey"].endswith("credentials.json")


# --- 7. a failing keyring does not abort status or logout ----------------------------------------


def test_status_carries_on_past_a_locked_keyring(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = DictSecretService(broken=KeyringLocked("locked"))
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    monkeypatch.setenv("PLIVO_AUTH_ID", DEMO_AUTH_ID)
    assert cli.main(["status", "--json"]) == 0  # the key is in the environment
    data = json.loads(capsys.readouterr().out)
    assert data["account"] is not None
    token = data["credentials"]["plivoToken"]
    assert token["source"] is None
    assert token["error"] == "The keyring (Secret Service) is locked."


def test_logout_reports_a_locked_keyring_and_still_cleans_the_file(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        apply_with_token(
            monkeypatch, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, "--all-agents", "--insecure-storage"
        )
        == 0
    )
    store_file = env_home(monkeypatch) / "data/ultravox-plivo/credentials.json"
    backend = DictSecretService(broken=KeyringLocked("locked"))
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    capsys.readouterr()
    assert cli.main(["logout", "--yes"]) == 1
    captured = capsys.readouterr()
    assert "Ultravox API key: NOT removed (keyring failed)" in captured.out
    assert "is locked" in captured.err
    assert DEMO_AUTH_TOKEN not in store_file.read_text()


# --- 9. a rate limit is announced -------------------------------------------------------------


def test_rate_limit_wait_is_shown(cli: Cli) -> None:
    cli.sandbox.inject(Fault(status=429, retry_after="1", method="POST"))
    proc = cli.run(
        "apply",
        "--auth-id",
        DEMO_AUTH_ID,
        "--auth-token-stdin",
        "--all-agents",
        "--yes",
        stdin=DEMO_AUTH_TOKEN + "\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert "Ultravox asked us to wait 1 s (rate limit)" in proc.stderr


# --- 10. one loop and one pool per service per run ---------------------------------------------


def test_apply_uses_one_loop_and_one_pool_per_service(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    loops: list[object] = []
    pools: list[object] = []
    runner_init = asyncio.Runner.__init__
    client_init = httpx.AsyncClient.__init__

    def counting_runner(self: asyncio.Runner, *args: Any, **kwargs: Any) -> None:
        loops.append(self)
        runner_init(self, *args, **kwargs)

    def counting_client(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:
        pools.append(self)
        client_init(self, *args, **kwargs)

    monkeypatch.setattr(asyncio.Runner, "__init__", counting_runner)
    monkeypatch.setattr(httpx.AsyncClient, "__init__", counting_client)
    # Reads the current config, verifies with Plivo, then POSTs: three network steps.
    assert apply_with_token(monkeypatch, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, "--all-agents") == 0
    assert len(loops) == 1
    assert len(pools) == 2  # one Ultravox, one Plivo
    assert [r.method for r in env.requests] == ["GET", "GET", "POST"]

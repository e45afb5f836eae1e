"""`login` checks a key locally as the wizard does, and says before checking when it cannot
keep it; `status` with no keyring says none can keep secrets (a command has no session)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from wizard import cli
from wizard.sandbox import DEMO_API_KEY, Sandbox


@pytest.fixture
def env(private_home: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("ULTRAVOX_API_BASE", sandbox.base_url)
    monkeypatch.setenv("PLIVO_API_BASE", sandbox.base_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return sandbox


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("abc", "Too short for an Ultravox API key"),
        ("Abcdefgh.abcdefgh ijklmnopqrstuvwxyz12345", "has no spaces"),
        ("Abcdefgh.abcdefgh\x07ijklmnopqrstuvwxyz12345", "control character"),
    ],
)
def test_login_refuses_a_key_that_cannot_be_one_before_sending_it(
    key: str,
    words: str,
    env: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))
    assert cli.main(["login", "--api-key-stdin"]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert env.requests == []


def test_login_with_an_empty_environment_key_is_exit_2(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ULTRAVOX_API_KEY", "   ")
    assert cli.main(["login"]) == 2
    assert env.requests == []


def test_login_with_an_unusual_printable_key_warns_and_lets_the_service_decide(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Abcdefgh-" + "x" * 32 + "\n"))
    assert cli.main(["login", "--api-key-stdin"]) == 3  # the sandbox does not know it
    err = capsys.readouterr().err
    assert err.startswith("warning: Ultravox API keys are usually")
    assert [r.path for r in env.requests] == ["/api/accounts/me"]


def test_login_with_no_keyring_says_so_before_checking(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(DEMO_API_KEY + "\n"))
    monkeypatch.setenv("ULTRAVOX_API_BASE", "http://127.0.0.1:9")  # the check fails
    assert cli.main(["login", "--api-key-stdin"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(
        "note: the key will be checked but not stored: the keyring is switched off"
    )
    assert "set ULTRAVOX_API_KEY in the environment" in err[0]
    assert err[1].startswith("ultravox-plivo: Could not reach Ultravox")


def test_login_with_no_keyring_does_not_say_logged_in(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(DEMO_API_KEY + "\n"))
    assert cli.main(["login", "--api-key-stdin"]) == 0
    captured = capsys.readouterr()
    assert "Logged in" not in captured.out
    assert "works for Demo Company; it was not stored." in captured.out
    assert "warning" not in captured.err


def test_status_with_no_keyring_does_not_speak_of_a_session(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ULTRAVOX_API_KEY", DEMO_API_KEY)
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert "session" not in out and "memory" not in out
    assert "No keyring can keep secrets here: the keyring is switched off (null backend)." in out
    assert cli.main(["status", "--json"]) == 0
    where = json.loads(capsys.readouterr().out)["credentials"]["where"]
    assert where.startswith("No keyring can keep secrets here")

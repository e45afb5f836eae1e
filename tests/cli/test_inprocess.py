"""`main([...])` in-process for what a subprocess adds nothing to: every bad input (exit 2,
nothing sent), prompts, JSON errors, and the error-line contract."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from wizard import cli
from wizard.commands import runtime
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Sandbox

AGENT = "9b3c2a1e-0000-4000-8000-000000000001"


@pytest.fixture
def env(private_home: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox's URL and the demo key in the environment; stdin not a terminal."""
    monkeypatch.setenv("ULTRAVOX_API_BASE", sandbox.base_url)
    monkeypatch.setenv("PLIVO_API_BASE", sandbox.base_url)
    monkeypatch.setenv("ULTRAVOX_API_KEY", DEMO_API_KEY)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return sandbox


def tty(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    """Pretend stdin is a terminal on which the user types `typed`."""
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    monkeypatch.setattr(runtime, "is_tty", lambda stream: True)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ultravox-plivo: ")
    return lines[0].removeprefix("ultravox-plivo: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agent", "not-a-uuid"], "'not-a-uuid' is not an agent id (a UUID)."),
        (["--agent", AGENT, "--agent", AGENT.upper()], f"Agent {AGENT} is listed twice."),
        (["--map", "From"], "--map 'From': write FIELD=CONTEXT"),
        (["--map", "From=user.phone", "--map", "From=user.other"], "Context mapping:"),
        (["--map", "From=user phone"], "Context mapping:"),
        (["--auth-id", "MA123"], "A Plivo Auth ID is 20 characters long (5 given)."),
        (["--file", "/nonexistent/plivo.toml"], "Cannot read /nonexistent/plivo.toml"),
        (["--file", "plivo.yaml"], "Cannot read plivo.yaml"),
    ],
)
def test_bad_apply_input_is_exit_2_and_sends_nothing(
    env: Sandbox, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert cli.main(["apply", "--yes", *args]) == 2
    assert one_error_line(capsys.readouterr().err).startswith(message)
    assert env.requests == []


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("authId = ", ".toml", "is not valid TOML"),
        ("[1, 2]", ".json", "expected an object of fields"),
        ('{"agents": "x"}', ".json", "'agents' must be a list of agent ids"),
        ('{"colour": "red"}', ".json", "unknown field 'colour'"),
        (json.dumps({"allAgents": True, "agents": [AGENT]}), ".json", "not both"),
        ('{"auth_token": "x"}', ".json", "secrets don't go in files"),
    ],
)
def test_bad_files_are_exit_2(
    env: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    suffix: str,
    message: str,
) -> None:
    path = tmp_path / f"plivo{suffix}"
    path.write_text(content)
    assert cli.main(["apply", "--yes", "--file", str(path)]) == 2
    assert message in one_error_line(capsys.readouterr().err)
    assert env.requests == []


def test_token_with_spaces_from_stdin_is_refused(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f" {DEMO_AUTH_TOKEN}\n"))
    assert cli.main(["apply", "--yes", "--auth-token-stdin", "--auth-id", DEMO_AUTH_ID]) == 2
    assert "starts or ends with a space" in capsys.readouterr().err
    assert env.requests == []


def test_argparse_errors_are_exit_2(env: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["apply", "--agent", AGENT, "--all-agents"]) == 2
    assert capsys.readouterr().err == (
        "ultravox-plivo apply: --agent and --all-agents do not go together:"
        " give one or the other.\n"
    )
    assert cli.main(["frobnicate"]) == 2
    assert env.requests == []


def test_new_config_without_a_token_off_a_terminal_is_exit_2(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["apply", "--yes", "--auth-id", DEMO_AUTH_ID, "--all-agents"]) == 2
    assert one_error_line(capsys.readouterr().err).startswith(
        f"A Plivo Auth Token is needed for {DEMO_AUTH_ID}"
    )
    assert [r.method for r in env.requests] == ["GET"]  # only the read of the current config


def test_without_yes_off_a_terminal_is_exit_2(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["apply", "--all-agents"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert env.requests == []


def test_no_api_key_is_exit_2(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ULTRAVOX_API_KEY")
    assert cli.main(["apply", "--yes", "--all-agents"]) == 2
    assert "No Ultravox API key" in capsys.readouterr().err
    assert cli.main(["status", "--json"]) == 2
    captured = capsys.readouterr()
    status = json.loads(captured.out)
    assert status["account"] is None
    assert status["credentials"]["apiKey"]["source"] is None
    assert "No Ultravox API key" in captured.err
    assert env.requests == []


def test_prompts_on_a_terminal(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return DEMO_AUTH_TOKEN

    monkeypatch.setattr("getpass.getpass", getpass)
    tty(monkeypatch, "n\n")
    assert cli.main(["apply", "--auth-id", DEMO_AUTH_ID, "--all-agents"]) == 0
    assert "Nothing was sent." in capsys.readouterr().out
    assert asked == [f"Plivo Auth Token for {DEMO_AUTH_ID} (input hidden): "]
    assert [r.method for r in env.requests if r.path.startswith("/api/telephony")] == ["GET"]

    tty(monkeypatch, "y\n")
    assert cli.main(["apply", "--auth-id", DEMO_AUTH_ID, "--all-agents"]) == 0
    out = capsys.readouterr()
    assert "Created the Plivo config on Ultravox." in out.out
    assert "Send this? [y/N]" in out.err
    assert env.plivo_config is not None

    tty(monkeypatch, "\n")  # the default is no
    assert cli.main(["delete"]) == 0
    assert "Nothing was deleted." in capsys.readouterr().out
    assert env.plivo_config is not None


def test_rejected_input_gives_field_errors_in_json(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", DEMO_AUTH_TOKEN)
    # A well-formed id of an agent the account does not have: the service refuses it.
    args = ["apply", "--yes", "--json", "--auth-id", DEMO_AUTH_ID, "--agent", AGENT]
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error["type"] == "RejectedError"
    assert error["exitCode"] == 2
    assert "callCreationAllowedAgentIds" in error["fieldErrors"]
    assert one_error_line(captured.err) == error["message"]


def test_global_options_before_or_after_the_command(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--json", "status"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert cli.main(["status", "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert before == after
    assert before["apiBase"] == env.base_url


def test_demo_never_reads_env_secrets_or_writes_settings(
    private_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ULTRAVOX_API_KEY", "Realkey1." + "r" * 32)
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", "R" * 40)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["--demo", "--json", "apply", "--all-agents", "--yes"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["action"] == "created"
    assert result["tokenPrefixMatches"] is True  # the demo token, not the env's
    assert list(private_home.rglob("*")) == []  # no settings, no credentials file


def test_no_command_off_a_terminal_points_to_apply(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "ultravox-plivo apply" in one_error_line(capsys.readouterr().err)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("ultravox-plivo ")


def test_unexpected_errors_are_one_line_unless_debug(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(rt: runtime.Runtime) -> int:
        raise RuntimeError("details that may hold input")

    monkeypatch.setattr("wizard.commands.status.run", boom)
    assert cli.main(["status"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line == "unexpected error (RuntimeError); run with --debug for details."
    assert cli.main(["status", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err

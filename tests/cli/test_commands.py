"""The CLI as a subprocess against the sandbox: each command, each exit code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from typing import Any

from tests.cli.conftest import Cli
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault

AGENT_PATH = "/api/telephony_configs/plivo"


def agent(cli: Cli, index: int) -> str:
    agent_id: str = cli.sandbox.agents[index]["agentId"]
    return agent_id


def bodies(cli: Cli, method: str) -> list[Any]:
    return [r.json for r in cli.sandbox.requests if r.method == method and r.path == AGENT_PATH]


def create(cli: Cli, *extra: str) -> dict[str, Any]:
    proc = cli.run(
        "apply",
        "--auth-id",
        DEMO_AUTH_ID,
        "--auth-token-stdin",
        "--yes",
        "--json",
        *extra,
        stdin=DEMO_AUTH_TOKEN + "\n",
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_create_update_and_allow_all_switch(cli: Cli) -> None:
    a0, a1 = agent(cli, 0), agent(cli, 1)
    proc = cli.run(
        "apply",
        "--auth-id",
        DEMO_AUTH_ID,
        "--auth-token-stdin",
        "--yes",
        "--json",
        "--agent",
        a0,
        "--map",
        "From=user.phone",
        stdin=DEMO_AUTH_TOKEN + "\n",
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    # No keyring (the null backend) and no --insecure-storage: a one-shot command cannot
    # keep a secret, so it says so instead of "stored in memory for this session".
    assert result["stored"] is None
    assert (
        "the Plivo Auth Token was not stored: the keyring is switched off (null backend);"
        " use --insecure-storage, or set PLIVO_AUTH_TOKEN" in proc.stderr
    )
    assert "memory" not in proc.stderr + proc.stdout
    assert result["action"] == "created"
    assert result["method"] == "POST"
    assert result["tokenPrefix"] == DEMO_AUTH_TOKEN[: len(result["tokenPrefix"])]
    assert result["tokenPrefixMatches"] is True
    assert result["answerUrls"] == [f"https://app.ultravox.ai/api/agents/{a0}/telephony_xml"]
    assert result["plivoAccount"] == "Demo Plivo Account"
    assert bodies(cli, "POST") == [
        {
            "authId": DEMO_AUTH_ID,
            "authToken": DEMO_AUTH_TOKEN,
            "callCreationAllowedAgentIds": [a0],
            "callCreationAllowAllAgents": False,
            "requestContextMapping": {"From": "user.phone"},
        }
    ]
    # The Auth ID is remembered (not a secret) for next time.
    settings = json.loads((cli.home / "config/ultravox-plivo/settings.json").read_text())
    assert settings == {"last_auth_id": DEMO_AUTH_ID, "stored_auth_ids": []}

    # Update: no token, no auth id; only the agents change, and the mapping gains a row.
    proc = cli.run("apply", "--agent", a1, "--map", "To=call.to", "--yes", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["action"] == "updated"
    assert result["tokenPrefixMatches"] is None
    assert result["stored"] is None
    assert bodies(cli, "PATCH") == [
        {
            "callCreationAllowedAgentIds": [a1],
            "requestContextMapping": {"From": "user.phone", "To": "call.to"},
        }
    ]
    changed = {c["field"] for c in result["changes"] if c["changed"]}
    assert changed == {"callCreationAllowedAgentIds", "requestContextMapping"}

    # Switching to all agents sends the empty list with it.
    proc = cli.run("apply", "--all-agents", "--yes", "--json")
    assert proc.returncode == 0, proc.stderr
    assert bodies(cli, "PATCH")[-1] == {
        "callCreationAllowAllAgents": True,
        "callCreationAllowedAgentIds": [],
    }
    assert json.loads(proc.stdout)["answerUrls"] == [
        "https://app.ultravox.ai/api/agents/{agent_id}/telephony_xml"
    ]

    # The same again: nothing to send.
    proc = cli.run("apply", "--all-agents", "--yes", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["action"] == "unchanged"
    assert len(bodies(cli, "PATCH")) == 2


def test_dry_run_sends_nothing(cli: Cli) -> None:
    proc = cli.run(
        "apply",
        "--dry-run",
        "--auth-id",
        DEMO_AUTH_ID,
        "--auth-token-stdin",
        "--all-agents",
        stdin=DEMO_AUTH_TOKEN,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Dry run: nothing was sent." in proc.stdout
    assert '"authToken": "••••••••"' in proc.stdout  # the body, masked
    assert DEMO_AUTH_TOKEN not in proc.stdout
    assert cli.writes() == []


def test_file_input_toml_and_json(cli: Cli) -> None:
    a0, a1, a2 = (agent(cli, i) for i in range(3))
    toml = cli.home / "plivo.toml"
    toml.write_text(
        f'authId = "{DEMO_AUTH_ID}"\nagents = ["{a0}", "{a1}"]\n'
        '[contextMapping]\nFrom = "user.phone"\n"X-PH-Tier" = "user.tier"\n'
    )
    create(cli, "--file", str(toml))
    assert bodies(cli, "POST")[0]["callCreationAllowedAgentIds"] == [a0, a1]
    assert bodies(cli, "POST")[0]["requestContextMapping"] == {
        "From": "user.phone",
        "X-PH-Tier": "user.tier",
    }

    # JSON file; the --agent option overrides the file's agents, --clear-map drops the rest.
    path = cli.home / "plivo.json"
    path.write_text(json.dumps({"agentIds": [a0], "map": {"To": "call.to"}}))
    proc = cli.run("apply", "--file", str(path), "--agent", a2, "--clear-map", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert bodies(cli, "PATCH") == [
        {"callCreationAllowedAgentIds": [a2], "requestContextMapping": {"To": "call.to"}}
    ]


def test_file_with_a_token_is_refused(cli: Cli) -> None:
    path = cli.home / "secret.toml"
    path.write_text(f'authId = "{DEMO_AUTH_ID}"\nauthToken = "{DEMO_AUTH_TOKEN}"\n')
    proc = cli.run("apply", "--file", str(path), "--yes")
    assert proc.returncode == 2
    assert "secrets don't go in files" in proc.stderr
    assert DEMO_AUTH_TOKEN not in proc.stderr + proc.stdout
    assert cli.sandbox.requests == []


def test_status_and_delete(cli: Cli) -> None:
    create(cli, "--all-agents")
    proc = cli.run("status", "--json", env={"PLIVO_AUTH_TOKEN": DEMO_AUTH_TOKEN})
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout)
    assert status["account"]["name"] == "Demo Company"
    assert status["configured"] is True
    assert status["config"]["authId"] == DEMO_AUTH_ID
    creds = status["credentials"]
    assert creds["apiKey"]["source"] == "environment"
    assert creds["apiKey"]["prefix"] == DEMO_API_KEY.split(".")[0]
    assert creds["backend"]["kind"] == "none"
    assert creds["plivoToken"]["source"] == "environment"
    assert creds["plivoToken"]["prefixMatches"] is True

    # Not on a terminal and no --yes: refused before anything is sent.
    proc = cli.run("delete")
    assert proc.returncode == 2
    assert "--yes" in proc.stderr
    assert cli.writes() == [("POST", AGENT_PATH)]

    proc = cli.run("delete", "--yes", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["action"] == "deleted"
    assert cli.sandbox.plivo_config is None


def test_login_logout_round_trip_with_insecure_storage(cli: Cli) -> None:
    del cli.env["ULTRAVOX_API_KEY"]
    store = cli.data_dir() / "credentials.json"
    proc = cli.run("login", "--api-key-stdin", "--insecure-storage", stdin=DEMO_API_KEY + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Demo Company" in proc.stdout
    assert str(store) in proc.stdout
    assert DEMO_API_KEY not in proc.stdout + proc.stderr
    assert store.stat().st_mode & 0o777 == 0o600

    proc = cli.run("status", "--insecure-storage", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["credentials"]["apiKey"]["source"] == "file"

    proc = cli.run("logout", "--yes", "--insecure-storage", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["removed"]["apiKey"] is True
    assert DEMO_API_KEY not in store.read_text()

    proc = cli.run("status", "--insecure-storage")
    assert proc.returncode == 2
    assert "No Ultravox API key" in proc.stderr


def test_service_failure_is_exit_1(cli: Cli) -> None:
    cli.sandbox.inject(Fault(status=500, method="POST"))
    proc = cli.run(
        "apply",
        "--auth-id",
        DEMO_AUTH_ID,
        "--auth-token-stdin",
        "--all-agents",
        "--yes",
        stdin=DEMO_AUTH_TOKEN,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ultravox-plivo: Ultravox had a server error (500).")
    assert "Traceback" not in proc.stderr
    # The token is stored only once the service accepted it.
    assert not (cli.data_dir() / "credentials.json").exists()


def test_bad_input_is_exit_2_with_nothing_sent(cli: Cli) -> None:
    proc = cli.run("apply", "--auth-id", "XX123", "--all-agents", "--yes")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "ultravox-plivo: A Plivo Auth ID starts with MA or SA."
    assert cli.sandbox.requests == []


def test_wrong_api_key_is_exit_3(cli: Cli) -> None:
    proc = cli.run("status", env={"ULTRAVOX_API_KEY": "Wrongkey." + "x" * 32})
    assert proc.returncode == 3
    assert "Ultravox refused the API key (403)" in proc.stderr


def test_wrong_plivo_token_is_exit_3_with_nothing_sent(cli: Cli) -> None:
    proc = cli.run(
        "apply",
        "--auth-id",
        DEMO_AUTH_ID,
        "--all-agents",
        "--yes",
        "--json",
        env={"PLIVO_AUTH_TOKEN": "W" * 40},
    )
    assert proc.returncode == 3
    assert "Plivo did not accept" in proc.stderr
    error = json.loads(proc.stdout)["error"]
    assert error["type"] == "AuthenticationError"
    assert error["exitCode"] == 3
    assert cli.writes() == []


def test_sigint_while_reading_the_token_is_exit_130(cli: Cli) -> None:
    argv = cli.argv("apply", "--auth-token-stdin", "--all-agents", "--yes", "--debug")
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        cwd=cli.home,
    )
    assert proc.stderr is not None
    try:
        # The debug line is written just before the blocking read: a sync point, not a sleep.
        for line in proc.stderr:
            if "reading the Plivo Auth Token from stdin" in line:
                break
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Interrupted; nothing was sent." in err
    assert cli.sandbox.requests == []


def test_sandbox_command_serves_until_ctrl_c(cli: Cli) -> None:
    argv = cli.argv("sandbox", "--agents", "3", base=False)
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env
    )
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()
        assert first.startswith("Ultravox + Plivo sandbox at http://127.0.0.1:"), first
        base = first.split(" at ")[1].split()[0]
        request = urllib.request.Request(  # noqa: S310 (loopback http)
            f"{base}/api/agents", headers={"X-API-Key": DEMO_API_KEY}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert json.load(response)["total"] == 3
        os.kill(proc.pid, signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0

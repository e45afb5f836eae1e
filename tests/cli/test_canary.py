"""A canary secret given to every command, with --debug, must never show anywhere.

Not in stdout, stderr, `--json` output, any file under HOME except the chosen store (the
--insecure-storage file), nor in any process's arguments.
"""

from __future__ import annotations

import json
import uuid

from tests.cli.conftest import Cli
from wizard.sandbox import Fault


def test_canary_secrets_never_leak(cli: Cli) -> None:
    token = ("CANARY" + uuid.uuid4().hex + "tk")[:40]
    api_key = "Canary00." + uuid.uuid4().hex
    auth_id = "MACANARY" + "0" * 11 + "1"
    assert len(token) == 40 and len(auth_id) == 20
    cli.sandbox.api_keys.add(api_key)
    cli.sandbox.plivo_accounts[auth_id] = token
    del cli.env["ULTRAVOX_API_KEY"]
    env_token = {"PLIVO_AUTH_TOKEN": token}
    common = ("--debug", "--insecure-storage")
    agent_id = cli.sandbox.agents[0]["agentId"]

    codes = [
        cli.run("login", "--api-key-stdin", *common, stdin=api_key + "\n").returncode,
        cli.run(
            "apply",
            "--auth-id",
            auth_id,
            "--auth-token-stdin",
            "--all-agents",
            "--yes",
            *common,
            stdin=token + "\n",
        ).returncode,
        cli.run("status", "--json", *common, env=env_token).returncode,
        cli.run("apply", "--agent", agent_id, "--yes", "--json", *common, env=env_token).returncode,
        cli.run(
            "apply", "--dry-run", "--json", "--auth-token-stdin", *common, stdin=token
        ).returncode,
    ]
    # The service echoes the token in an error body: still never shown.
    echo = json.dumps({"authToken": [f"{token} is not valid"], "detail": api_key})
    cli.sandbox.inject(Fault(status=400, body=echo, method="PATCH"))
    codes.append(cli.run("apply", "--yes", "--json", *common, env=env_token).returncode)
    codes.append(cli.run("delete", "--yes", *common).returncode)

    store = cli.data_dir() / "credentials.json"
    stored = store.read_text()
    assert api_key in stored and token in stored  # the chosen store really holds them
    codes.append(cli.run("logout", "--yes", "--json", *common).returncode)
    assert codes == [0, 0, 0, 0, 0, 2, 0, 0]
    assert token not in store.read_text()

    # The secrets really went to the service (so they were in play), and nowhere else.
    sent = [r.json or {} for r in cli.sandbox.requests if r.method in ("POST", "PATCH")]
    assert sent[0]["authToken"] == token
    assert any("debug: wizard.http: POST /api/telephony_configs/plivo" in o for o in cli.outputs)
    for secret in (token, api_key):
        for output in cli.outputs:
            assert secret not in output
        for argv in cli.argvs:
            assert all(secret not in arg for arg in argv)
        for path in cli.home.rglob("*"):
            if path.is_file() and path != store:
                assert secret.encode() not in path.read_bytes(), path

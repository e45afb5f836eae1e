"""A canary secret given to every command, with --debug, must never show anywhere.

Not in stdout, stderr, `--json` output, any file under HOME except the chosen store (the
--insecure-storage file), nor in any process's arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import uuid
from collections.abc import Iterator

from tests.cli.conftest import Cli
from wizard.commands.parser import build_parser
from wizard.sandbox import Fault
from wizard.sandbox.seed import plivo_applications, plivo_numbers


def test_canary_secrets_never_leak(cli: Cli) -> None:
    token = ("CANARY" + uuid.uuid4().hex + "tk")[:40]
    api_key = "Canary00." + uuid.uuid4().hex
    auth_id = "MACANARY" + "0" * 11 + "1"
    assert len(token) == 40 and len(auth_id) == 20
    cli.sandbox.api_keys.add(api_key)
    cli.sandbox.plivo_accounts[auth_id] = token
    cli.sandbox.plivo_apps[auth_id] = plivo_applications(auth_id)
    cli.sandbox.plivo_numbers[auth_id] = plivo_numbers(auth_id)
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
    # The new Plivo commands, with the token from the environment and from the store.
    codes.append(cli.run("numbers", "--json", *common, env=env_token).returncode)
    codes.append(cli.run("numbers", *common).returncode)
    codes.append(
        cli.run(
            "link", "--agent", agent_id, "--number", "+14155550199", "--yes", "--json", *common
        ).returncode
    )
    cli.sandbox.inject(Fault(status=500, body=echo, method="POST", path_prefix="/v1/"))
    codes.append(
        cli.run(
            "link", "--agent", agent_id, "--number", "+14155550188", "--yes", *common
        ).returncode
    )
    codes.append(cli.run("numbers", *common, env={"PLIVO_AUTH_TOKEN": "x" * 40}).returncode)
    codes.append(cli.run("delete", "--yes", *common).returncode)

    store = cli.data_dir() / "credentials.json"
    stored = store.read_text()
    assert api_key in stored and token in stored  # the chosen store really holds them
    codes.append(cli.run("logout", "--yes", "--json", *common).returncode)
    assert codes == [0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 3, 0, 0]
    assert token not in store.read_text()

    # The secrets really went to the service (so they were in play), and nowhere else.
    sent = [r.json or {} for r in cli.sandbox.requests if r.method in ("POST", "PATCH")]
    assert sent[0]["authToken"] == token
    assert any("debug: wizard.http: POST /api/telephony_configs/plivo" in o for o in cli.outputs)
    assert any(f"POST /v1/Account/{auth_id}/Number/" in o for o in cli.outputs)
    for secret in (token, api_key):
        for output in cli.outputs:
            assert secret not in output
        for path in cli.home.rglob("*"):
            if path.is_file() and path != store:
                assert secret.encode() not in path.read_bytes(), path


def _options_taking_a_value(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                sub.format_help()  # a command's options are added the first time they are needed
                yield from ((f"{name} {opt}", dest) for opt, dest in _options_taking_a_value(sub))
        elif action.option_strings and action.nargs != 0:
            yield "/".join(action.option_strings), action.dest


def test_no_option_takes_a_secret_as_its_value() -> None:
    # A secret in argv shows in `ps` and shell history: no option may carry one. The canary
    # above cannot see argv leaks (it builds the argv itself), so the parser is checked here.
    taking = list(_options_taking_a_value(build_parser()))
    assert ("apply --auth-id", "auth_id") in taking  # the walk really reaches subcommands
    secretish = re.compile(r"token|key|secret|password", re.IGNORECASE)
    assert [opt for opt, dest in taking if secretish.search(dest)] == []

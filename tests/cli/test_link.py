"""`numbers` and `link` as subprocesses against the sandbox: results, exit codes, and what
Plivo received (never a number update without app_id, never a field the user did not change)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.conftest import Cli
from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault

ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
SUPPORT_LINE = "20372631212782782"  # the seeded non-Ultravox application
UNKNOWN_AGENT = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def linked_cli(cli: Cli) -> Cli:
    """Ultravox holds a config allowing agent 1; the Plivo token comes from the environment."""
    cli.sandbox.plivo_config = {
        "authId": DEMO_AUTH_ID,
        "authToken": DEMO_AUTH_TOKEN,
        "callCreationAllowedAgentIds": [agent(cli, 1)],
        "callCreationAllowAllAgents": False,
        "requestContextMapping": {},
    }
    cli.env["PLIVO_AUTH_TOKEN"] = DEMO_AUTH_TOKEN
    return cli


def agent(cli: Cli, index: int) -> str:
    agent_id: str = cli.sandbox.agents[index]["agentId"]
    return agent_id


def plivo_writes(cli: Cli) -> list[tuple[str, Any]]:
    return [
        (r.path.removeprefix(ACCOUNT), r.json)
        for r in cli.sandbox.requests
        if r.method == "POST" and r.path.startswith(ACCOUNT)
    ]


def link(cli: Cli, *args: str, code: int = 0) -> dict[str, Any]:
    proc = cli.run("link", *args, "--json")
    assert proc.returncode == code, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_numbers_lists_where_each_points(linked_cli: Cli) -> None:
    proc = linked_cli.run("numbers", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["authId"] == DEMO_AUTH_ID
    by_number = {n["number"]: n for n in data["numbers"]}
    assert len(by_number) == 5  # the SMS-only number is not a voice number
    ultravox = by_number["+14155550123"]
    assert ultravox["serving"] == "ultravox"
    assert ultravox["agent"]["name"] == linked_cli.sandbox.agents[0]["name"]
    assert ultravox["agent"]["allowed"] is False  # the config allows agent 1 only
    assert by_number["+14155550188"]["serving"] == "other"
    assert by_number["+14155550188"]["application"]["appName"] == "Support line"
    assert by_number["+442079460321"] == {
        "number": "+442079460321",
        "alias": "London",
        "serving": "none",
        "application": None,
        "agent": None,
    }
    text = linked_cli.run("numbers")
    assert "+14155550188   Support" in text.stdout and "another application" in text.stdout
    assert plivo_writes(linked_cli) == []


def test_link_creates_records_previous_and_reruns_idempotently(linked_cli: Cli) -> None:
    a1 = agent(linked_cli, 1)
    args = ("--agent", a1, "--number", "+1 415 555 0188", "--number", "442079460321", "--yes")
    proc = linked_cli.run("link", *args)
    assert proc.returncode == 0, proc.stderr
    assert "+14155550188 (Support): now Support line (another application)" in proc.stdout
    assert "warning: +14155550188 now serves Support line" in proc.stderr
    assert f"ultravox-plivo link --number +14155550188 --app-id {SUPPORT_LINE}" in proc.stdout
    assert "Call +442079460321 to talk to" in proc.stdout

    writes = plivo_writes(linked_cli)
    assert writes[0] == (
        "Application/",
        {
            "app_name": "ultravox-billing-support-eu",
            "answer_url": f"https://app.ultravox.ai/api/agents/{a1}/telephony_xml",
            "answer_method": "POST",
        },
    )
    app_id = linked_cli.sandbox.plivo_apps[DEMO_AUTH_ID][-1]["app_id"]
    assert writes[1:] == [
        ("Number/14155550188/", {"app_id": app_id}),
        ("Number/442079460321/", {"app_id": app_id}),
    ]

    again = link(linked_cli, *args)
    assert again["action"] == "unchanged"
    assert [n["status"] for n in again["numbers"]] == ["unchanged", "unchanged"]
    assert again["applications"][0]["action"] == "keep"
    assert again["applications"][0]["foundBy"] == "answer URL"
    assert len(plivo_writes(linked_cli)) == 3  # nothing more was sent


def test_link_json_records_each_previous_application(linked_cli: Cli) -> None:
    result = link(linked_cli, "--agent", agent(linked_cli, 1), "--number", "14155550188", "--yes")
    assert result["action"] == "linked"
    (number,) = result["numbers"]
    assert number["previous"]["appId"] == SUPPORT_LINE
    assert number["previous"]["appName"] == "Support line"
    assert number["servesOtherApplication"] is True and number["status"] == "done"
    assert number["restore"] == f"ultravox-plivo link --number +14155550188 --app-id {SUPPORT_LINE}"
    assert result["applications"][0]["status"] == "done"
    assert result["summary"].startswith("Linked 1 number: +14155550188 to ")
    assert result["error"] is None

    # Putting it back uses the recorded command; the application itself is never touched.
    back = link(linked_cli, "--number", "+14155550188", "--app-id", SUPPORT_LINE, "--yes")
    assert back["action"] == "linked" and back["applications"] == []
    assert plivo_writes(linked_cli)[-1] == ("Number/14155550188/", {"app_id": SUPPORT_LINE})
    support = linked_cli.sandbox.plivo_apps[DEMO_AUTH_ID][2]
    assert support["answer_url"] == "https://example.com/support/answer/"


def test_dry_run_and_no_terminal_change_nothing(linked_cli: Cli) -> None:
    a1 = agent(linked_cli, 1)
    planned = link(linked_cli, "--agent", a1, "--number", "+14155550199", "--dry-run")
    assert planned["action"] == "planned"
    assert planned["applications"][0]["action"] == "create"
    assert planned["numbers"][0]["status"] == "planned"
    refused = linked_cli.run("link", "--agent", a1, "--number", "+14155550199")
    assert refused.returncode == 2
    assert "pass --yes" in refused.stderr
    assert plivo_writes(linked_cli) == []


def test_usage_errors_exit_2_before_anything_is_written(linked_cli: Cli) -> None:
    a0, a1 = agent(linked_cli, 0), agent(linked_cli, 1)
    cases = [
        (("--agent", a0, "--number", "+14155550199"), "does not allow the agent"),
        (("--agent", a1, "--number", "+19999999999"), "is not a voice number"),
        (("--agent", a1, "--number", "call-me"), "international form"),
        (("--agent", "not-a-uuid", "--number", "+14155550199"), "agent"),
        (("--agent", a1, "--number", "+14155550199", "--app-name", "a b"), "letters, digits"),
        (("--agent", UNKNOWN_AGENT, "--number", "+14155550199"), "does not allow"),
    ]
    for args, words in cases:
        proc = linked_cli.run("link", *args, "--yes")
        assert proc.returncode == 2, (args, proc.stderr)
        assert words in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    # An agent the config allows but the account does not have.
    assert linked_cli.sandbox.plivo_config is not None
    linked_cli.sandbox.plivo_config["callCreationAllowAllAgents"] = True
    linked_cli.sandbox.plivo_config["callCreationAllowedAgentIds"] = []
    proc = linked_cli.run("link", "--agent", UNKNOWN_AGENT, "--number", "+14155550199", "--yes")
    assert proc.returncode == 2 and "Ultravox has no agent" in proc.stderr
    linked_cli.sandbox.plivo_config = None
    proc = linked_cli.run("link", "--agent", a1, "--number", "+14155550199", "--yes")
    assert proc.returncode == 2 and "no Plivo config" in proc.stderr
    assert plivo_writes(linked_cli) == []


def test_wrong_token_exits_3_in_one_sentence(linked_cli: Cli) -> None:
    token = "Wrong_token-0123456789-abcdefghijklmnopq"
    a1 = agent(linked_cli, 1)
    for command in (("numbers",), ("link", "--agent", a1, "--number", "+14155550199", "--yes")):
        proc = linked_cli.run(*command, env={"PLIVO_AUTH_TOKEN": token})
        assert proc.returncode == 3, proc.stderr
        assert proc.stderr.startswith("ultravox-plivo: Plivo did not accept the Auth ID")
        assert token not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("fault", "sentence", "code"),
    [
        (Fault(status=500), "may or may not have happened", 1),
        (Fault(drop=True), "may or may not have happened", 1),
        (Fault(status=404), "+442079460321 was not changed (stopped there).", 1),
        (Fault(status=429, times=4), "Plivo is limiting requests (429)", 1),
    ],
)
def test_a_failure_mid_way_says_exactly_what_was_done(
    linked_cli: Cli, fault: Fault, sentence: str, code: int
) -> None:
    linked_cli.sandbox.inject(Fault(method="POST", times=2))  # the app and the first number pass
    fault.method, fault.path_prefix = "POST", ACCOUNT + "Number/"
    linked_cli.sandbox.inject(fault)
    proc = linked_cli.run(
        "link",
        "--agent",
        agent(linked_cli, 1),
        "--number",
        "+14155550199",
        "--number",
        "+442079460321",
        "--yes",
        "--json",
    )
    assert proc.returncode == code, proc.stderr
    result = json.loads(proc.stdout)
    assert result["action"] == "partial"
    assert [n["status"] for n in result["numbers"]] == ["done", "failed"]
    assert result["numbers"][0]["restore"] is None  # it had no application before
    assert result["error"]["exitCode"] == code
    # Besides "warning: ... retrying" lines while a 429 is waited out, one sentence.
    (line,) = [x for x in proc.stderr.splitlines() if not x.startswith("warning: ")]
    assert line.startswith("ultravox-plivo: Linked 1 of 2 numbers: +14155550199 to ")
    assert sentence in line
    assert_no_number_without_app(linked_cli)


def assert_no_number_without_app(cli: Cli) -> None:
    for path, body in plivo_writes(cli):
        if path.startswith("Number/"):
            assert set(body) == {"app_id"} and body["app_id"]


def test_listing_failure_changes_nothing(linked_cli: Cli) -> None:
    linked_cli.sandbox.inject(Fault(status=503, path_prefix=ACCOUNT + "Application/", times=4))
    a1 = agent(linked_cli, 1)
    proc = linked_cli.run("link", "--agent", a1, "--number", "+14155550199", "--yes")
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("ultravox-plivo: Plivo had a server error (503).")
    assert plivo_writes(linked_cli) == []

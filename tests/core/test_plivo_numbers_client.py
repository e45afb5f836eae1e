"""PlivoNumbersClient and LinkRun against the loopback sandbox: paging, writes, every failure,
and what the sandbox received (never a number update without app_id, never an unasked field)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from tests.core.fakes import SleepRecorder
from wizard.core.errors import AuthenticationError, NotFoundError, RateLimitedError
from wizard.core.link_run import LinkRun, StepStatus
from wizard.core.linking import AgentRef, LinkPlan, answer_url_for, plan_links
from wizard.core.plivo_numbers import PlivoNumbersClient
from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, Sandbox

ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
UNLINKED = ["442079460321", "14155550199", "16505550142"]


@pytest.fixture
async def client(sandbox: Sandbox, sleeps: SleepRecorder) -> AsyncIterator[PlivoNumbersClient]:
    async with PlivoNumbersClient(
        DEMO_AUTH_ID, SecretStr(DEMO_AUTH_TOKEN), sandbox.base_url, sleep=sleeps
    ) as plivo:
        yield plivo


def agents(sandbox: Sandbox, count: int = 3) -> list[AgentRef]:
    return [AgentRef(a["agentId"], a["name"]) for a in sandbox.agents[:count]]


async def plan_for(
    client: PlivoNumbersClient, sandbox: Sandbox, choices: dict[str, int]
) -> LinkPlan:
    team = agents(sandbox)
    return plan_links(
        agents=team,
        numbers=await client.list_numbers(),
        apps=await client.list_applications(),
        choices={n: team[i].agent_id for n, i in choices.items()},
    )


def writes(sandbox: Sandbox) -> list[tuple[str, Any]]:
    return [(r.path.removeprefix(ACCOUNT), r.json) for r in sandbox.requests if r.method == "POST"]


def assert_safe_writes(sandbox: Sandbox) -> None:
    """No number update without app_id; no application update beyond answer_url/method."""
    for path, body in writes(sandbox):
        if path.startswith("Number/"):
            assert set(body) == {"app_id"} and body["app_id"], body
        elif path != "Application/":
            assert body and set(body) <= {"answer_url", "answer_method"}, body


async def test_lists_page_past_20(client: PlivoNumbersClient, sandbox: Sandbox) -> None:
    apps = sandbox.plivo_apps[DEMO_AUTH_ID]
    apps += [{**apps[1], "app_id": f"5{i:04d}", "app_name": f"extra-{i}"} for i in range(42)]
    numbers = sandbox.plivo_numbers[DEMO_AUTH_ID]
    numbers += [
        {"number": f"1212555{i:04d}", "alias": None, "application": None, "voice_enabled": True}
        for i in range(20)
    ]
    found_apps = await client.list_applications()
    found_numbers = await client.list_numbers()
    assert len(found_apps) == 45 and len({a.app_id for a in found_apps}) == 45
    assert len(found_numbers) == 25  # 26 listed, one takes no voice calls
    assert all(n.alias is not None for n in found_numbers)
    pages = [(r.path, r.query) for r in sandbox.requests]
    assert [q["offset"] for p, q in pages if p.endswith("Application/")] == ["0", "20", "40"]
    assert [q["offset"] for p, q in pages if p.endswith("Number/")] == ["0", "20"]
    assert all(q["limit"] == "20" for _, q in pages)
    assert all(q["services"] == "voice" for p, q in pages if p.endswith("Number/"))


async def test_create_link_and_idempotent_rerun(
    client: PlivoNumbersClient, sandbox: Sandbox
) -> None:
    plan = await plan_for(client, sandbox, {UNLINKED[0]: 1, UNLINKED[1]: 1, UNLINKED[2]: 2})
    seen: list[str] = []
    run = await LinkRun(plan).run(client, on_step=lambda o: seen.append(o.status))
    assert run.complete and seen == ["done"] * 5
    team = agents(sandbox)
    assert run.summary() == (
        f"Linked 3 numbers: +{UNLINKED[0]} to {team[1].name}, +{UNLINKED[1]} to"
        f" {team[1].name}, +{UNLINKED[2]} to {team[2].name}."
    )
    created = [body for path, body in writes(sandbox) if path == "Application/"]
    assert created == [
        {
            "app_name": f"ultravox-{plan.apps[0].app_name.removeprefix('ultravox-')}",
            "answer_url": answer_url_for(team[1].agent_id),
            "answer_method": "POST",
        },
        {
            "app_name": plan.apps[1].app_name,
            "answer_url": answer_url_for(team[2].agent_id),
            "answer_method": "POST",
        },
    ]
    assert_safe_writes(sandbox)
    by_number = {n.number: n.app_id for n in await client.list_numbers()}
    assert by_number[UNLINKED[0]] == by_number[UNLINKED[1]] == run.outcomes[0].app_id
    assert by_number[UNLINKED[2]] == run.outcomes[1].app_id

    again = await plan_for(client, sandbox, {UNLINKED[0]: 1, UNLINKED[1]: 1, UNLINKED[2]: 2})
    assert again.nothing_to_change
    assert len(sandbox.plivo_apps[DEMO_AUTH_ID]) == 5


async def test_update_and_a_number_serving_another_application(
    client: PlivoNumbersClient, sandbox: Sandbox
) -> None:
    # The seeded "Ultravox inbound" app reaches agent 0, but by GET: only the method changes.
    sandbox.plivo_apps[DEMO_AUTH_ID][0]["answer_method"] = "GET"
    before = dict(sandbox.plivo_apps[DEMO_AUTH_ID][0])
    plan = await plan_for(client, sandbox, {"14155550188": 0})
    (step,) = plan.app_writes
    assert dict(step.changes) == {"answer_method": "POST"}
    assert step.also_serves == ("14155550123",)
    (number,) = plan.relinks
    assert number.serves_other and number.previous.app_name == "Support line"
    run = await LinkRun(plan).run(client)
    assert run.complete
    assert writes(sandbox) == [
        (f"Application/{before['app_id']}/", {"answer_method": "POST"}),
        ("Number/14155550188/", {"app_id": before["app_id"]}),
    ]
    after = sandbox.plivo_apps[DEMO_AUTH_ID][0]
    assert after == {**before, "answer_method": "POST"}  # nothing else touched
    foreign = sandbox.plivo_apps[DEMO_AUTH_ID][2]
    assert foreign["app_name"] == "Support line" and "ultravox" not in foreign["answer_url"]


async def test_two_of_three_linked_then_a_404_says_which(
    client: PlivoNumbersClient, sandbox: Sandbox
) -> None:
    plan = await plan_for(client, sandbox, {n: 0 for n in UNLINKED})
    assert not plan.app_writes  # agent 0's application exists (found by its answer URL)
    sandbox.plivo_numbers[DEMO_AUTH_ID] = [
        n for n in sandbox.plivo_numbers[DEMO_AUTH_ID] if n["number"] != UNLINKED[2]
    ]
    run = await LinkRun(plan).run(client)
    assert not run.complete
    assert [o.status for o in run.outcomes] == ["done", "done", "failed"]
    failed = run.failed
    assert failed is not None and isinstance(failed.error, NotFoundError)
    assert not failed.uncertain
    summary = run.summary()
    assert summary.startswith(f"Linked 2 of 3 numbers: +{UNLINKED[0]} to ")
    assert f"+{UNLINKED[1]} to " in summary
    assert f"Pointing +{UNLINKED[2]} at Ultravox inbound failed: Plivo has no number" in summary
    assert summary.endswith(f"+{UNLINKED[2]} was not changed (stopped there).")


@pytest.mark.parametrize(
    ("fault", "uncertain"),
    [
        (Fault(status=500, method="POST", path_prefix=ACCOUNT + "Number/"), True),
        (Fault(drop=True, method="POST", path_prefix=ACCOUNT + "Number/"), True),
        (
            Fault(status=400, body='{"api_id": "x", "error": "invalid app_id"}', method="POST"),
            False,
        ),
    ],
)
async def test_failure_mid_way_is_reported_exactly(
    client: PlivoNumbersClient, sandbox: Sandbox, fault: Fault, uncertain: bool
) -> None:
    plan = await plan_for(client, sandbox, {UNLINKED[0]: 1, UNLINKED[1]: 1})
    # The application is created and the first number linked; the second meets the fault.
    fault.times = 1
    sandbox.inject(Fault(status=None, method="POST", times=2))  # two POSTs pass untouched
    sandbox.inject(fault)
    run = await LinkRun(plan).run(client)
    assert [o.status for o in run.outcomes] == ["done", "done", "failed"]
    failed = run.failed
    assert failed is not None and failed.uncertain is uncertain
    summary = run.summary()
    assert f"Linked 1 of 2 numbers: +{UNLINKED[0]} to" in summary
    if uncertain:
        assert "may or may not have happened" in summary
        assert "`ultravox-plivo numbers`" in summary
    else:
        assert summary.endswith(f"+{UNLINKED[1]} was not changed (stopped there).")
    assert DEMO_AUTH_TOKEN not in summary
    assert_safe_writes(sandbox)


async def test_a_failed_application_leaves_every_number_untouched(
    client: PlivoNumbersClient, sandbox: Sandbox
) -> None:
    plan = await plan_for(client, sandbox, {UNLINKED[0]: 1})
    sandbox.inject(Fault(status=503, method="POST", path_prefix=ACCOUNT + "Application/"))
    run = await LinkRun(plan).run(client)
    assert [o.status for o in run.outcomes] == ["failed", "not tried"]
    summary = run.summary()
    assert summary.startswith("Creating the application ultravox-")
    assert "may or may not have happened" in summary
    assert summary.endswith(f"+{UNLINKED[0]} was not changed (stopped there).")
    assert not any(path.startswith("Number/") for path, _ in writes(sandbox))


async def test_wrong_token_is_an_authentication_error(sandbox: Sandbox) -> None:
    token = "Wrong_token-0123456789-CANARY-abcdefghi"
    async with PlivoNumbersClient(DEMO_AUTH_ID, SecretStr(token), sandbox.base_url) as plivo:
        with pytest.raises(AuthenticationError) as caught:
            await plivo.list_numbers()
    assert caught.value.exit_code == 3
    assert token not in str(caught.value)
    assert str(caught.value).startswith("Plivo did not accept the Auth ID and Auth Token (401).")


async def test_rate_limit_is_waited_out_then_reported(
    client: PlivoNumbersClient, sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    sandbox.inject(Fault(status=429, path_prefix=ACCOUNT + "Number/", times=2))
    assert len(await client.list_numbers()) == 5  # retried after two 429s
    assert len(sleeps.delays) == 2
    sandbox.plivo_rate_limit = (0, 60.0)
    with pytest.raises(RateLimitedError) as caught:
        await client.list_applications()
    assert "Plivo is limiting requests (429)" in str(caught.value)


async def test_refuses_to_update_a_number_without_an_app(client: PlivoNumbersClient) -> None:
    with pytest.raises(ValueError, match="app_id"):
        await client.link_number(UNLINKED[0], "")
    with pytest.raises(ValueError, match="at least one field"):
        await client.update_application("1", {})


async def test_a_step_in_flight_is_reported_on_interruption(
    client: PlivoNumbersClient, sandbox: Sandbox
) -> None:
    plan = await plan_for(client, sandbox, {UNLINKED[0]: 0, UNLINKED[1]: 0})
    run = LinkRun(plan)
    run.outcomes[0].status = StepStatus.DONE
    run.in_flight = run.outcomes[1]  # as if Ctrl+C arrived while the second was sent
    summary = run.summary()
    assert summary.startswith(f"Linked 1 of 2 numbers: +{UNLINKED[0]} to")
    assert f"Interrupted while pointing +{UNLINKED[1]}" in summary
    assert "was not changed" not in summary

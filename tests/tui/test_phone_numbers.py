"""The optional last step (issue 11): point the account's Plivo numbers at the agents, from
Result with `p`. Nothing changes before Ctrl+S; every request sends only what it means to."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Select

from tests.tui import flow
from tests.tui.conftest import AppFactory, screen_text, settle
from wizard.sandbox import DEMO_AUTH_ID, Fault, Sandbox
from wizard.tui.screens.phone_numbers import PhoneNumbersScreen

PLIVO = f"/v1/Account/{DEMO_AUTH_ID}/"


def plivo_writes(sandbox: Sandbox) -> list[tuple[str, Any]]:
    return [
        (r.path.removeprefix(PLIVO), r.json if r.json is not None else r.form)
        for r in sandbox.requests
        if r.method == "POST" and r.path.startswith(PLIVO)
    ]


async def to_numbers(pilot: Any, sandbox: Sandbox) -> list[str]:
    agents = [str(sandbox.agents[i]["agentId"]) for i in (0, 1)]
    await flow.drive_to(pilot, "review", agents=agents)
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PhoneNumbersScreen)
    return agents


def choose(app: Any, number: str, agent_id: str) -> None:
    app.screen.query_one(f"#number-{number}", Select).value = agent_id


async def test_link_a_number_to_an_agent_then_nothing_to_change(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(100, 30)) as pilot:
        agents = await to_numbers(pilot, sandbox)
        text = screen_text(app)
        assert "+16505550142" in text and "now: no application" in text
        assert "now: Support line (another application)" in text
        assert plivo_writes(sandbox) == []  # reading changes nothing
        choose(app, "16505550142", agents[1])
        await settle(pilot)
        plan = str(app.screen.query_one("#numbers-plan").render())
        assert "Create the Plivo application ultravox-billing-support-eu" in plan
        assert plivo_writes(sandbox) == []  # nothing before Ctrl+S
        await pilot.press("ctrl+s")
        await settle(pilot)
        writes = plivo_writes(sandbox)
        assert writes[0][0] == "Application/"
        assert writes[0][1] == {
            "app_name": "ultravox-billing-support-eu",
            "answer_url": f"https://app.ultravox.ai/api/agents/{agents[1]}/telephony_xml",
            "answer_method": "POST",
        }
        assert writes[1][0] == "Number/16505550142/"
        assert set(writes[1][1]) == {"app_id"}  # never a number update without app_id
        result = str(app.screen.query_one("#numbers-result").render())
        assert "Call +16505550142 to talk to Billing Support – EU." in result
        # Again: the application is found by its answer URL; nothing to change.
        choose(app, "16505550142", agents[1])
        await settle(pilot)
        plan = str(app.screen.query_one("#numbers-plan").render())
        assert "Nothing to change" in plan
        assert app.screen.query_one("#link-numbers", Button).disabled
        await pilot.press("escape")
        await settle(pilot)
        assert app.step_index == 5  # back on Result; finishing never waited on this


async def test_a_number_serving_another_application_is_called_out(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(100, 30)) as pilot:
        agents = await to_numbers(pilot, sandbox)
        choose(app, "14155550188", agents[0])
        await settle(pilot)
        plan = str(app.screen.query_one("#numbers-plan").render())
        assert "now Support line (another application)" in plan
        assert "warning: +14155550188 now serves Support line" in plan


async def test_a_rate_limited_link_says_what_was_and_was_not_changed(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(100, 30)) as pilot:
        agents = await to_numbers(pilot, sandbox)
        choose(app, "16505550142", agents[1])
        choose(app, "14155550199", agents[1])
        await settle(pilot)
        sandbox.inject(Fault(status=429, path_prefix=PLIVO + "Number/14155550199", times=9))
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(app.screen.query_one("#numbers-status").render())
        assert status.startswith("✗")
        assert "+16505550142" in status and "+14155550199" in status  # which did, which did not
        assert "Traceback" not in screen_text(app)


async def test_keeping_the_token_without_a_local_one_says_how_to_link(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    """Ultravox keeps its token and this machine has none: the step says what to do instead
    of asking Plivo with nothing."""
    from wizard.core.credentials import CredentialStore, MemoryKeyring
    from wizard.sandbox import DEMO_API_KEY

    flow.hold_existing_config(sandbox)
    backend = MemoryKeyring()
    backend.set_password("ultravox-plivo", "ultravox-api-key", DEMO_API_KEY)
    app = make_app(store=CredentialStore(backend, environ={}), environ={})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("ctrl+a", *"To", "tab", *"call.to")
        await settle(pilot)
        app.action_next()
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5
        await pilot.press("p")
        await settle(pilot)
        status = str(app.screen.query_one("#numbers-status").render())
        assert "needs this account's Auth Token" in status and "PLIVO_AUTH_TOKEN" in status
    assert not [r for r in sandbox.requests if "/Number/" in r.path]


async def test_ctrl_n_on_the_numbers_screen_does_not_finish_the_run(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    """Ctrl+N is Next on the steps; over the numbers screen it must not end the wizard (and
    cancel a link halfway)."""
    app = make_app(demo=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_numbers(pilot, sandbox)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, PhoneNumbersScreen)
        assert app.return_code is None

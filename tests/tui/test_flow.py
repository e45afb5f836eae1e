"""The whole flow, new config and update, asserting exactly what the sandbox received."""

from __future__ import annotations

import io
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Footer, Input, Static

from tests.tui import flow
from tests.tui.conftest import AppFactory, screen_text, settle, type_into
from wizard.core.credentials import CredentialStore, MemoryKeyring
from wizard.core.errors import EXIT_INTERRUPTED, EXIT_OK
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, Sandbox
from wizard.tui.app import STEP_IDS
from wizard.tui.steps.mapping import MappingStep
from wizard.tui.steps.result import ResultStep
from wizard.tui.steps.review import ReviewStep
from wizard.tui.widgets.field_message import FieldMessage

TOKEN = "Tok3n_" + "x" * 34  # 40 characters


def writes(sandbox: Sandbox) -> list[tuple[str, object]]:
    return [(r.method, r.json) for r in sandbox.requests if r.method in ("POST", "PATCH")]


async def test_new_config_end_to_end(make_app: AppFactory, sandbox: Sandbox) -> None:
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TOKEN
    agents = [a["agentId"] for a in sandbox.agents[:2]]
    keyring = MemoryKeyring()
    store = CredentialStore(keyring, environ={})
    app = make_app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.connect(pilot)
        await flow.credentials(pilot, TOKEN)
        await flow.pick_agents(pilot, agents)
        await flow.map_fields(pilot, {"From": "user.phone", "X-PH-Plan": "user.plan"})
        assert app.step_index == 4
        text = screen_text(app)
        assert "POST /api/telephony_configs/plivo" in text
        assert "a new config, with these values" in text
        assert "• changed" not in text and "Current" not in text  # nothing to compare with
        assert writes(sandbox) == []  # nothing sent before confirming
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5
        assert writes(sandbox) == [
            (
                "POST",
                {
                    "authId": DEMO_AUTH_ID,
                    "authToken": TOKEN,
                    "callCreationAllowAllAgents": False,
                    "callCreationAllowedAgentIds": agents,
                    "requestContextMapping": {"From": "user.phone", "X-PH-Plan": "user.plan"},
                },
            )
        ]
        check = str(app.query_one("#prefix-check", FieldMessage).render())
        assert "matches the start of the token you typed" in check
        stored = app.query_one(ResultStep).stored or ""
        assert stored.startswith("API key: memory") and "Auth Token: memory" in stored
        assert store.plivo_token(DEMO_AUTH_ID) is not None
        assert store.api_key() is not None  # typed, so stored
        await pilot.press("c")
        assert app.clipboard == "\n".join(
            f"https://app.ultravox.ai/api/agents/{a}/telephony_xml" for a in agents
        )
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == EXIT_OK


async def test_update_keeps_token_and_sends_only_changes(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    flow.hold_existing_config(sandbox)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.connect(pilot)
        assert app.query_one("#keep-token", Checkbox).value
        await pilot.press("ctrl+n")
        await settle(pilot)
        await flow.pick_agents(pilot, None)  # switch to all agents
        assert app.step_index == 3
        await pilot.press("ctrl+n")  # mapping preloaded and unchanged
        await settle(pilot)
        assert "PATCH /api/telephony_configs/plivo" in screen_text(app)
        await pilot.press("ctrl+n")  # Next on Review sends
        await settle(pilot)
        assert app.step_index == 5
        assert writes(sandbox) == [
            (
                "PATCH",
                {"callCreationAllowAllAgents": True, "callCreationAllowedAgentIds": []},
            )
        ]
        check = str(app.query_one("#prefix-check", FieldMessage).render())
        assert "kept the current token" in check
        assert sandbox.plivo_config is not None
        assert sandbox.plivo_config["authToken"] == DEMO_AUTH_TOKEN


async def _to_review(app_pilot: object, sandbox: Sandbox) -> None:
    pilot = app_pilot
    await flow.connect(pilot)  # type: ignore[arg-type]
    await flow.credentials(pilot, DEMO_AUTH_TOKEN)  # type: ignore[arg-type]
    await flow.pick_agents(pilot, None)  # type: ignore[arg-type]
    await flow.map_fields(pilot, {})  # type: ignore[arg-type]


async def test_400_on_send_points_at_the_field(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_review(pilot, sandbox)
        sandbox.inject(
            Fault(
                status=400,
                body='{"authId": ["This Auth ID is not allowed."]}',
                method="POST",
                path_prefix="/api/telephony_configs",
            )
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 4
        status = str(app.query_one("#send-status", FieldMessage).render())
        assert "This Auth ID is not allowed." in status
        assert "step 2" in status
        go = app.query_one("#go-to-field", Button)
        assert go.display
        go.press()
        await settle(pilot)
        assert app.step_index == 1
        message = str(app.query_one("#auth-id-message", FieldMessage).render())
        assert "This Auth ID is not allowed." in message
        assert app.query_one("#auth-token", Input).value == DEMO_AUTH_TOKEN  # input kept
        # Editing the field clears the service's complaint; then send again.
        assert app.step().problems() == ["This Auth ID is not allowed."]
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        for _ in range(3):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert app.step_index == 4
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5


async def test_send_failures_keep_input_and_retry(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_review(pilot, sandbox)
        for fault in (
            Fault(status=429, retry_after="0", method="POST", times=5),
            Fault(status=401, body='{"detail": "Invalid API key."}', method="POST"),
        ):
            sandbox.clear_faults()
            sandbox.inject(fault)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.step_index == 4, fault
            status = str(app.query_one("#send-status", FieldMessage).render())
            assert status.startswith("✗") and "\n" not in status.strip(), status
            assert app.query_one("#retry-send", Button).display
            assert not app.query_one("#retry-check", Button).display
        # A 500 on the write: Ultravox may have saved it, so the offer is to look, not resend.
        sandbox.clear_faults()
        sandbox.inject(Fault(status=500, method="POST"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(app.query_one("#send-status", FieldMessage).render())
        assert "may or may not have saved it" in status and "F5" in status
        assert app.query_one("#retry-check", Button).display
        assert not app.query_one("#retry-send", Button).display
        await pilot.press("f5")  # read what Ultravox holds: nothing, so POST is still the plan
        await settle(pilot)
        assert app.step_index == 4
        status = str(app.query_one("#send-status", FieldMessage).render())
        assert "only what still differs" in status
        sandbox.clear_faults()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5


async def test_quit_before_review_sends_nothing(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.connect(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "QuitConfirm"
        await pilot.press("n")
        await pilot.pause()
        assert app.step_index == 1
        await pilot.press("ctrl+c")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value == EXIT_INTERRUPTED
    assert writes(sandbox) == []


async def test_quit_with_nothing_typed_does_not_ask(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_value == EXIT_INTERRUPTED


async def test_help_opens_and_closes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert "Esc / Ctrl+B" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        assert app.step_index == 0


def test_token_never_in_repr() -> None:
    assert DEMO_API_KEY not in repr(SecretStr(DEMO_API_KEY))


# --------------------------------------------------------------------- user review findings
async def demo_to(pilot: Pilot[Any], sandbox: Sandbox, step_id: str) -> None:
    """Demo mode fills steps 1-2; tick two agents; map From; stop at `step_id`."""
    agents = [str(sandbox.agents[i]["agentId"]) for i in (0, 1)]
    await flow.drive_to(pilot, step_id, agents=agents, mapping={"From": "user.phone_number"})


async def test_enter_in_a_mapping_context_cell_goes_on(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo_to(pilot, sandbox, "mapping")
        app.query_one(MappingStep).load_model({"From": "user.phone_number"})
        await settle(pilot)
        app.query_one(MappingStep).grid.focus_cell(0, "context")
        await pilot.press("enter")
        await settle(pilot)
        assert STEP_IDS[app.step_index] == "review"


async def test_question_mark_is_typed_in_a_field_f1_opens_help(make_app: AppFactory) -> None:
    from wizard.tui.screens.help import HelpScreen, keys_table

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert app.query_one("#api-key", Input).value.endswith("?")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Enter / Ctrl+N" in text and "Space" in text  # the first keys, on screen
        # Every step's keys are in the dialog (it scrolls), each description in its column.
        console = Console(width=60, record=True, file=io.StringIO())
        console.print(keys_table())
        listed = console.export_text()
        assert "this help (or ? outside a text field)" in listed and "Esc closes it" in listed
        for key in ("Ctrl+T", "Ctrl+A", "Ctrl+D", "Ctrl+R", "Ctrl+S", "Down", "c "):
            assert key in listed, key
        wrapped = [line for line in listed.splitlines() if line.startswith(" " * 19)]
        assert wrapped, "long descriptions wrap under their own column, not at column 0"


async def test_the_footer_drops_retry_once_a_retry_worked(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    # The agents step shows Retry itself (refresh_bindings); the app's footer bookkeeping
    # must still see it go once the agents load.
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TOKEN
    sandbox.inject(Fault(status=503, path_prefix="/api/agents", times=50))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.connect(pilot)
        await flow.credentials(pilot, TOKEN)
        assert STEP_IDS[app.step_index] == "agents"
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert "f5 Retry" in screen_text(app)
        sandbox.clear_faults()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert len(app.session.agents) == len(sandbox.agents)  # the retry worked
        assert "f5 Retry" not in screen_text(app)


async def test_send_failure_keeps_focus_and_offers_f5(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo_to(pilot, sandbox, "review")
        sandbox.inject(Fault(status=500, method="POST", times=2))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 4
        focused = app.focused
        assert focused is not None and focused.id == "retry-check"
        text = screen_text(app)
        assert "f5 Retry" in text
        sandbox.clear_faults()
        await pilot.press("f5")  # looks first: nothing arrived, so Review offers the POST again
        await settle(pilot)
        assert STEP_IDS[app.step_index] == "review"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert STEP_IDS[app.step_index] == "result"


async def test_page_down_reaches_the_review_body(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo_to(pilot, sandbox, "review")
        step = app.query_one(ReviewStep)
        body = app.query_one("#body")
        assert "pgdn More" in screen_text(app)
        assert step.scroll_offset.y == 0
        await pilot.press("pagedown")
        await pilot.press("pagedown")
        await settle(pilot)
        assert step.scroll_offset.y > 0
        region = step.scrollable_content_region
        assert body.region.overlaps(region)
        assert body.region.bottom <= region.bottom or body.region.y < region.bottom


async def test_review_agents_are_short_ids_one_per_line(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo_to(pilot, sandbox, "review")
        ids = [str(sandbox.agents[i]["agentId"]) for i in (0, 1)]
        text = screen_text(app)
        assert "2 agents:" in text
        for agent_id in ids:
            assert f"{agent_id[:8]}…" in text


async def test_nothing_to_send_hides_send_and_quits_without_asking(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    flow.hold_existing_config(sandbox)
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#auth-token", "")  # keep the current token: nothing changes
        app.query_one("#keep-token", Checkbox).value = True
        await settle(pilot)
        for _ in range(3):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert STEP_IDS[app.step_index] == "review"
        assert not app.query_one("#send", Button).display
        assert not app.query_one("#body").display
        assert "Nothing to send" in screen_text(app)
        assert "^s Send" not in screen_text(app)
        assert not app.session.has_unsaved_input()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_value == EXIT_INTERRUPTED


async def test_only_a_change_is_unsaved_input(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo_to(pilot, sandbox, "agents")
        assert not app.session.has_unsaved_input()  # only looked: demo prefills, nothing typed
        await pilot.press("ctrl+t")  # allow all agents: a change
        await settle(pilot)
        assert app.session.has_unsaved_input()


async def test_answer_urls_stay_whole_and_copy_in_full(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo_to(pilot, sandbox, "review")
        await pilot.press("ctrl+s")
        await settle(pilot)
        urls = app.query_one(ResultStep).urls
        assert len(urls) == 2
        shown = str(app.query_one("#answer-urls", Static).render())
        # Each URL whole on its own line under its agent's name (the screen may wrap it).
        assert [line.strip() for line in shown.splitlines() if line.startswith("  ")] == urls
        await pilot.press("c")
        assert app.clipboard == "\n".join(urls)
        await pilot.press("pagedown")
        await settle(pilot)
        assert "Next, in the Plivo console" in screen_text(app)


async def test_narrow_terminal_shows_a_compact_progress(make_app: AppFactory) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Step 1/6: Connect to Ultravox" in text
        assert text.count("Connect to Ultravox") == 1  # the header does not repeat it
        assert "2 Plivo" not in text  # not the six crumbs
        assert "f1 Help" in text


async def test_the_layout_follows_the_terminal_as_it_is_resized(make_app: AppFactory) -> None:
    # The app's on_resize runs before Textual records the new size: it reads the event's.
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "2 Plivo" in screen_text(app)
        await pilot.resize_terminal(66, 24)
        await settle(pilot)
        text = screen_text(app)
        assert "2 Plivo" not in text and "Step 1/6: Connect to Ultravox" in text
        assert all(footer.compact for footer in app.query(Footer))
        await pilot.press("f1")  # a resize under the help screen reaches the frame too
        await settle(pilot)
        await pilot.resize_terminal(50, 16)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        flat = " ".join(line.strip() for line in screen_text(app).splitlines())
        assert "The wizard needs at least 60x20; this terminal is 50x16." in flat
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        text = screen_text(app)
        assert "needs at least" not in text and "2 Plivo" in text
        assert not any(footer.compact for footer in app.query(Footer))

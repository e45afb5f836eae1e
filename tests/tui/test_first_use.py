"""What a first-time user and a presenter meet (issue 7): Enter never flips a switch, keys
reach the field that has focus, Review and Result fit, the copy says what it did, and a
finished run leaves its summary in the terminal."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Button, Checkbox, Input, Label, Switch

from tests.tui import flow
from tests.tui.conftest import AppFactory, screen_text, settle
from wizard.core.mapping import MappingRow
from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Sandbox
from wizard.tui.steps.mapping import MappingStep
from wizard.tui.steps.result import ResultStep


async def test_enter_on_the_verify_switch_goes_on_and_never_turns_it_off(
    make_app: AppFactory,
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.drive_to(pilot, "plivo")
        await settle(pilot)
        switch = app.query_one("#verify-switch", Switch)
        switch.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert switch.value  # still verifying
        assert app.step_index == 2  # Enter went on, as the status line promised
        await pilot.press("escape")
        await settle(pilot)
        app.query_one("#verify-switch", Switch).focus()
        await pilot.press("space")
        await settle(pilot)
        assert not switch.value
        label = str(app.query_one("#verify-label", Label).render())
        assert "Verify with Plivo: off" in label  # in words, not only by shade


async def test_enter_on_keep_the_current_token_never_unticks_it(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    flow.hold_existing_config(sandbox)
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.drive_to(pilot, "plivo")
        keep = app.query_one("#keep-token", Checkbox)
        assert keep.value
        keep.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert keep.value and app.step_index == 2


async def test_keys_typed_right_after_tab_reach_the_new_field(make_app: AppFactory) -> None:
    """A password manager types the Auth ID, Tab and the token in one burst: every key must
    land in the field that has focus when it arrives, not the one before."""
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.drive_to(pilot, "plivo")
        auth_id = app.query_one("#auth-id", Input)
        auth_id.focus()
        auth_id.value = ""
        await pilot.pause()
        burst = [*DEMO_AUTH_ID, "tab", *"SeCrEtTok"]
        for key in burst:  # queued at once, as a fast typist's keys arrive
            char = key if len(key) == 1 else None
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert auth_id.value == DEMO_AUTH_ID
        assert app.query_one("#auth-token", Input).value == "SeCrEtTok"


async def test_a_burst_with_tab_fills_both_cells_of_a_mapping_row(make_app: AppFactory) -> None:
    """The grid's one editor moves between cells: keys queued for it before Tab belong to the
    cell they were typed in, keys after it to the next (tmux send-keys, auto-type, a paste
    of "From<Tab>user.phone")."""
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.drive_to(pilot, "mapping")
        step = app.query_one(MappingStep)
        step.grid.focus_cell(0, "request")
        await pilot.pause()
        for key in [*"From", "tab", *"user.phone"]:  # queued at once
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert step.grid.rows[0] == MappingRow("From", "user.phone")


async def test_review_of_a_new_config_lists_values_and_shows_send_at_80x24(
    make_app: AppFactory,
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.drive_to(pilot, "review", mapping={"From": "user.phone"})
        text = screen_text(app)
        assert "a new config, with these values" in text
        assert "• changed" not in text and "Current" not in text
        send = app.query_one("#send", Button)
        step = app.step()
        assert step.scroll_y == 0 and step.region.contains_region(send.region)
        assert "pgdn More" in text  # the body is below
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert "pgdn More" not in screen_text(app)  # at the end of the page it goes


async def test_result_puts_whole_urls_first_and_copy_says_what_it_did(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(60, 20)) as pilot:
        agents = [str(sandbox.agents[i]["agentId"]) for i in (0, 1)]
        await flow.drive_to(pilot, "review", agents=agents)
        await pilot.press("ctrl+s")
        await settle(pilot)
        flat = "".join(line.strip() for line in screen_text(app).splitlines())
        for agent_id in agents:  # whole at 60x20, before the Plivo console steps
            url = f"https://app.ultravox.ai/api/agents/{agent_id}/telephony_xml"
            assert url in flat
            assert flat.index(url) < flat.index("Next, in the Plivo console")
        await pilot.press("c")
        await settle(pilot)
        copy = str(app.query_one("#copy-status").render())
        assert "to your terminal's clipboard (OSC 52)" in copy
        assert "printed when you leave" in copy and "Copied" not in copy
        prefix = str(app.query_one("#prefix-check").render())
        assert "\n" not in prefix.strip() or len(prefix) < 120  # one compact line, no box
        assert f"Token prefix {DEMO_AUTH_TOKEN[:6]}…" in prefix


async def test_a_finished_run_leaves_its_summary(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app(demo=True)
    agent = str(sandbox.agents[0]["agentId"])
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.drive_to(pilot, "review", agents=[agent])
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert app.query_one(ResultStep).stored is not None
    lines = app.exit_summary()
    text = "\n".join(lines)
    assert f"✓ Ultravox created the Plivo config (POST) for Auth ID {DEMO_AUTH_ID}." in text
    assert f"https://app.ultravox.ai/api/agents/{agent}/telephony_xml" in text
    assert "Token prefix" in text and "Credentials:" in text
    assert DEMO_AUTH_TOKEN not in text


async def test_an_unfinished_run_leaves_nothing(make_app: AppFactory) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert app.exit_summary() == []


async def test_below_60x20_the_wizard_says_what_it_needs(make_app: AppFactory) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(50, 16)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        flat = " ".join(line.strip() for line in text.splitlines())
        assert "The wizard needs at least 60x20; this terminal is 50x16." in flat
        assert "Ultravox API key" not in text  # not squeezed into 50 columns
    app = make_app(demo=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert "needs at least" not in screen_text(app)


async def test_retry_reads_what_ultravox_holds_after_an_unclear_send(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    """A 5xx on the POST, though Ultravox saved it: F5 reads the config, finds everything
    there, and goes to Result without sending again."""
    from wizard.sandbox import Fault

    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.drive_to(pilot, "review", mapping={"From": "user.phone"})
        sandbox.inject(Fault(status=502, method="POST"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 4
        # As if the POST had landed before the proxy's 502.
        sandbox.plivo_config = {
            "authId": DEMO_AUTH_ID,
            "authToken": DEMO_AUTH_TOKEN,
            "callCreationAllowedAgentIds": [],
            "callCreationAllowAllAgents": True,
            "requestContextMapping": {"From": "user.phone"},
        }
        before = len([r for r in sandbox.requests if r.method == "POST"])
        await pilot.press("f5")
        await settle(pilot)
        assert app.step_index == 5
        assert len([r for r in sandbox.requests if r.method == "POST"]) == before  # no resend


def test_term_dumb_is_not_a_terminal_for_the_wizard(tmp_path: Any) -> None:
    """Emacs' shell and CI logs set TERM=dumb: exit 2 with one line pointing to `apply`,
    never a full-screen UI of escape codes (on a real pty, so only TERM decides)."""
    import os
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "dumb", "HOME": str(tmp_path)}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "wizard", "--demo"],
            stdin=terminal,
            stdout=terminal,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "TERM is dumb" in err and "ultravox-plivo apply" in err
    assert len(err.strip().splitlines()) == 1

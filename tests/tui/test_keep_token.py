"""Issue 6's defect, as a user meets it: a second run over an existing config, Enter through
every step, with the token in the keyring. "Keep the current token" must keep it."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, Input

from tests import held
from tests.keyrings import FakeSecretService
from tests.tui.conftest import AppFactory, screen_text, settle, type_into
from wizard.core.credentials import CredentialStore
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, Sandbox
from wizard.tui.steps.review import ReviewStep

PATH = "/api/telephony_configs/plivo"
HELD = "HeldTok_" + "h3Jk8-" * 5 + "ab"  # what Ultravox holds (rotated elsewhere)
STALE = "StaleTk_" + "s4Qw9_" * 5 + "cd"  # an older token left in this machine's keyring
TYPED = "TypedTk_" + "t5Mn1_" * 5 + "ef"


def patches(sandbox: Sandbox) -> list[Any]:
    return [r.json for r in sandbox.requests if r.method == "PATCH" and r.path == PATH]


def existing_config(sandbox: Sandbox) -> None:
    held.hold_config(sandbox, HELD)


def second_run(make_app: AppFactory) -> tuple[Any, FakeSecretService]:
    backend = FakeSecretService({DEMO_AUTH_ID: STALE}, api_key=DEMO_API_KEY)
    return make_app(store=CredentialStore(backend, environ={}), environ={}), backend


async def test_enter_through_a_second_run_keeps_the_token(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    existing_config(sandbox)
    app, backend = second_run(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(3):  # Connect, Plivo, Agents: Enter each
            await pilot.press("enter")
            await settle(pilot)
        assert app.query_one("#keep-token", Checkbox).value
        assert app.query_one("#auth-token", Input).value == ""  # the keyring's never shown
        # Mapping: add a row so there is something to send.
        await pilot.press("ctrl+a", *"To", "tab", *"call.to")
        await settle(pilot)
        app.action_next()
        await settle(pilot)
        assert app.step_index == 4
        review = app.query_one(ReviewStep)
        assert review.plan is not None and review.plan.method == "PATCH"
        assert [c.field for c in review.plan.changed] == ["requestContextMapping"]
        text = screen_text(app)
        assert "change 1 field" in text and "new token" not in text
        await pilot.press("enter")  # Send
        await settle(pilot)
        assert app.step_index == 5
        assert "kept the current token (none was sent)." in screen_text(app)
        assert "you typed" not in screen_text(app)
    assert patches(sandbox) == [{"requestContextMapping": {"From": "user.phone", "To": "call.to"}}]
    assert sandbox.plivo_config is not None and sandbox.plivo_config["authToken"] == HELD
    assert backend.items["plivo:" + DEMO_AUTH_ID] == STALE


async def test_unticked_and_typed_sends_the_typed_token(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    existing_config(sandbox)
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TYPED
    app, backend = second_run(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.query_one("#keep-token", Checkbox).value = False
        await type_into(pilot, "#auth-token", TYPED)
        for _ in range(4):  # Plivo (verified), Agents, Mapping, Review: send
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert app.step_index == 5
        assert "matches the start of the token you typed." in screen_text(app)
    assert patches(sandbox) == [{"authToken": TYPED}]
    assert backend.items["plivo:" + DEMO_AUTH_ID] == TYPED  # typed here: stored now

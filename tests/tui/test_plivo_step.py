"""Step 2, Plivo credentials: live rules, verification, keep-current-token, and failures."""

from __future__ import annotations

from textual.widgets import Button, Checkbox, Input, Switch

from tests.tui import flow
from tests.tui.conftest import AppFactory, screen_text, settle, type_into
from wizard.sandbox import (
    DEMO_API_KEY,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_PLIVO_ACCOUNT_NAME,
    TOKEN_PREFIX_LENGTH,
    Fault,
    Sandbox,
)
from wizard.tui.app import WizardApp
from wizard.tui.steps.plivo_credentials import PlivoStep
from wizard.tui.widgets.field_message import FieldMessage

WRONG_TOKEN = "W" * 40


def verify_status(app: WizardApp) -> str:
    return str(app.query_one("#verify-status", FieldMessage).render())


async def test_rules_on_every_keystroke_then_verified(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        await type_into(pilot, "#auth-id", "XY", keys=True)
        assert "starts with MA or SA" in str(app.query_one("#auth-id-message").render())
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        assert str(app.query_one("#auth-id-message").render()) == ""
        await type_into(pilot, "#auth-token", "short!", keys=True)
        token_message = str(app.query_one("#auth-token-message").render())
        assert "Warning" in token_message  # unusual shape warns, does not block
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN)
        assert f"Plivo account: {DEMO_PLIVO_ACCOUNT_NAME}" in verify_status(app)
        assert app.step().problems() == []
        assert DEMO_AUTH_TOKEN not in screen_text(app)
        await pilot.press("escape")  # Back keeps input
        await settle(pilot)
        assert app.step_index == 0
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.query_one("#auth-token", Input).value == DEMO_AUTH_TOKEN
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.step_index == 2


async def test_wrong_token_is_refused_by_plivo(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        await type_into(pilot, "#auth-token", WRONG_TOKEN)
        assert verify_status(app).startswith("✗")
        assert app.query_one("#retry-verify").display
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.step_index == 1
        assert "Verify with Plivo" in screen_text(app)  # Next says why, incl. the way out
        # Turning verification off lets the user go on.
        app.query_one("#verify-switch", Switch).value = False
        await settle(pilot)
        assert app.step().problems() == []


async def test_plivo_unreachable_then_retry(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        sandbox.inject(Fault(status=503, path_prefix="/v1/", times=10))
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN)
        assert verify_status(app).startswith("✗")
        sandbox.clear_faults()
        app.query_one("#retry-verify", Button).press()
        await settle(pilot)
        assert DEMO_PLIVO_ACCOUNT_NAME in verify_status(app)


async def test_existing_config_offers_to_keep_token(make_app: AppFactory, sandbox: Sandbox) -> None:
    sandbox.plivo_config = {
        "authId": DEMO_AUTH_ID,
        "authToken": DEMO_AUTH_TOKEN,
        "callCreationAllowedAgentIds": [],
        "callCreationAllowAllAgents": True,
        "requestContextMapping": {},
    }
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        text = str(app.query_one("#current-config").render())
        assert f"Auth ID {DEMO_AUTH_ID}" in text
        assert f"token starting {DEMO_AUTH_TOKEN[:TOKEN_PREFIX_LENGTH]}" in text
        assert app.query_one("#keep-token", Checkbox).value
        assert app.query_one("#auth-id", Input).value == DEMO_AUTH_ID
        step = app.query_one(PlivoStep)
        assert step.problems() == []
        assert app.session.token_choice().kept
        # Unticking makes the token required again.
        app.query_one("#keep-token", Checkbox).value = False
        await settle(pilot)
        assert step.problems() == ["Enter your Plivo Auth Token."]


async def test_reading_current_config_fails(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_into(pilot, "#api-key", DEMO_API_KEY)
        sandbox.inject(Fault(status=500, path_prefix="/api/telephony_configs", times=10))
        await pilot.press("enter")
        await settle(pilot)
        assert "Could not read the current config" in screen_text(app)
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN)
        assert app.step().problems()  # POST or PATCH is unknown: refuse to go on
        sandbox.clear_faults()
        await pilot.press("escape", "ctrl+n")
        await settle(pilot)
        assert app.step().problems() == []


async def test_reveal_shows_token_briefly(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        await type_into(pilot, "#auth-token", "x")
        field = app.query_one("#auth-token", Input)
        assert field.password
        await pilot.press("ctrl+r")
        assert not field.password
        app.query_one(PlivoStep)._hide_token()  # what the 5 s timer calls
        assert field.password


async def test_no_error_before_typing_and_an_odd_token_says_f5(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert "✗" not in str(app.query_one("#auth-id-message", FieldMessage).render())
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN[:39])  # a warning, not an error
        text = screen_text(app)
        assert "Verifying with Plivo" not in text
        assert "Verify with Plivo (F5) before going on" in text
        assert "f5 Retry" in text


async def test_focus_stays_in_the_step_after_retry(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        sandbox.inject(Fault(status=503, path_prefix="/v1/Account", times=2))
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN)
        assert app.query_one("#retry-verify", Button).display
        app.query_one("#retry-verify", Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert DEMO_PLIVO_ACCOUNT_NAME in verify_status(app)
        assert app.focused is not None and app.query_one(PlivoStep) in app.focused.ancestors
        assert "^r Show token" in screen_text(app)

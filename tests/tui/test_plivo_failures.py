"""Step 2 when Plivo's account endpoint fails: 429 (rate limited) and 5xx, then Retry.

The sandbox answers `/v1/Account/...` with the injected fault for every attempt the client
makes (the tests' client tries twice, without waiting), so the failure reaches the step.
"""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Static

from tests.tui import flow
from tests.tui.conftest import AppFactory, screen_text, settle, type_into
from wizard.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_PLIVO_ACCOUNT_NAME,
    Fault,
    Sandbox,
)
from wizard.tui.app import STEP_IDS, WizardApp
from wizard.tui.widgets.field_message import FieldMessage

ACCOUNT = "/v1/Account"


def verify_status(app: WizardApp) -> str:
    return str(app.query_one("#verify-status", FieldMessage).render())


def account_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.startswith(ACCOUNT))


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault(status=429, retry_after="1", path_prefix=ACCOUNT, times=2), "limiting requests"),
        (Fault(status=503, path_prefix=ACCOUNT, times=2), "503"),
    ],
    ids=["429", "503"],
)
async def test_a_plivo_failure_says_one_sentence_keeps_input_and_retry_works(
    make_app: AppFactory, sandbox: Sandbox, fault: Fault, words: str
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        sandbox.inject(fault)
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN)
        asked = account_requests(sandbox)
        assert asked == 2  # both attempts met the fault

        status = verify_status(app)
        assert status.startswith("✗ ")
        sentence = status.removeprefix("✗ ")
        assert "\n" not in sentence and len(sentence) < 120 and sentence.endswith(".")
        assert "Plivo" in sentence and words in sentence.lower()
        assert "Traceback" not in screen_text(app) and DEMO_AUTH_TOKEN not in screen_text(app)
        retry = app.query_one("#retry-verify", Button)
        assert retry.display

        # Next refuses and says why; what was typed stays.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.step_index == STEP_IDS.index("plivo")
        assert sentence in str(app.query_one("#next-status", Static).render())
        assert app.query_one("#auth-id", Input).value == DEMO_AUTH_ID
        assert app.query_one("#auth-token", Input).value == DEMO_AUTH_TOKEN

        sandbox.clear_faults()
        retry.press()
        await settle(pilot)
        assert account_requests(sandbox) == asked + 1
        assert verify_status(app) == f"✓ Plivo account: {DEMO_PLIVO_ACCOUNT_NAME}"
        assert not retry.display
        assert app.step().problems() == []
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.step_index == STEP_IDS.index("agents")

"""Issue 8 in the wizard: server text is shown as plain text (never Textual markup), and an
unexpected crash ends with one sentence and a scrubbed log, never a report with locals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tui import flow
from tests.tui.conftest import AppFactory, screen_text, settle, type_into
from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, Sandbox
from wizard.tui.widgets.field_message import FieldMessage

CANARY_TOKEN = "CanaryT9q_" + "m4Xw7-" * 5  # 40 characters, found nowhere else
CANARY_KEY = "CanaryK2.Zq8vW3nB5mT2xR7pL4cY9hJ6dF0gA1sX"


def account_named(sandbox: Sandbox, name: str) -> None:
    body = json.dumps({"accountId": "acct-1", "name": name})
    sandbox.inject(Fault(status=200, body=body, path_prefix="/api/accounts/me", times=50))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Acme [/x] Ltd", "Acme [/x] Ltd"),
        ("[@click=app.quit]x", "[@click=app.quit]x"),
        ("\x1b]0;pwned\x07[b]Bold\x1b[31m\r\nultravox-plivo: fake", "[b]Bold ultravox-plivo: fake"),
    ],
    ids=["closing-tag", "action", "escapes"],
)
async def test_account_name_is_plain_text(
    make_app: AppFactory, sandbox: Sandbox, name: str, shown: str
) -> None:
    account_named(sandbox, name)
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await flow.connect(pilot)
        await settle(pilot)
        message = app.query_one("#account-status", FieldMessage)
        assert str(message.render()) == f"✓ Connected to account: {shown}"
        assert app.is_running  # no MarkupError, no quit by a click action


async def test_plivo_account_name_is_plain_text(make_app: AppFactory, sandbox: Sandbox) -> None:
    sandbox.plivo_account_names[DEMO_AUTH_ID] = "Plivo [/] \x1b[2J[@click=app.quit]Co"
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await flow.connect(pilot)
        await type_into(pilot, "#auth-id", DEMO_AUTH_ID)
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN)
        await settle(pilot)
        status = str(app.query_one("#verify-status", FieldMessage).render())
        assert "Plivo [/] [@click=app.quit]Co" in status
        assert app.is_running


async def test_a_crash_shows_one_sentence_and_a_scrubbed_log(
    make_app: AppFactory,
    sandbox: Sandbox,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    sandbox.api_keys.add(CANARY_KEY)
    app = make_app(log_dir=tmp_path)

    def crash() -> None:
        key, token = CANARY_KEY, CANARY_TOKEN  # locals a report with locals would show
        raise RuntimeError(f"boom with {key} and {token[:30]}")

    frames: list[str] = []
    with pytest.raises(RuntimeError):  # run_test re-raises what crashed the app
        async with app.run_test(size=(80, 24)) as pilot:
            await flow.connect(pilot, CANARY_KEY)
            await pilot.press("ctrl+n")
            await settle(pilot)
            await type_into(pilot, "#auth-token", CANARY_TOKEN)
            frames.append(screen_text(app))
            app.call_later(crash)
            await pilot.pause()
    assert app.return_code == 1
    captured = capfd.readouterr()
    log = (tmp_path / "crash.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log
    for text in (captured.out, captured.err, log, *frames):
        for secret in (CANARY_KEY, CANARY_TOKEN):
            assert secret not in text
            assert secret[:8] + secret[9:17] not in text
            assert secret[12:28] not in text
    assert "Traceback" not in captured.err  # Textual's report never printed
    rendered = "".join(str(r) for r in app._exit_renderables)
    assert CANARY_KEY not in rendered

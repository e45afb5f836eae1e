"""A unique token typed into the wizard never shows in any frame, nor in saved screenshots."""

from __future__ import annotations

from pathlib import Path

from tests.tui import flow
from tests.tui.conftest import AppFactory, screen_text, settle
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, Sandbox

CANARY_TOKEN = "CanaryZ9q_" + "k7Xw3-" * 5  # 40 characters, found nowhere else
CANARY_KEY = "CanaryK1.Zq8vW3nB5mT2xR7pL4cY9hJ6dF0gA1sE"


async def test_secrets_never_reach_the_screen(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.api_keys.add(CANARY_KEY)
    sandbox.plivo_accounts[DEMO_AUTH_ID] = CANARY_TOKEN
    frames: list[str] = []
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:

        async def frame() -> None:
            await settle(pilot)
            frames.append(screen_text(app))

        await frame()
        await flow.connect(pilot, CANARY_KEY)
        await frame()
        await flow.credentials(pilot, CANARY_TOKEN)
        await frame()
        await pilot.press("ctrl+b")  # and back again: the fields are still masked
        await frame()
        await pilot.press("ctrl+b")
        await frame()
        await pilot.press("f1")
        await frame()
        await pilot.press("escape", "ctrl+n", "ctrl+n")
        await frame()
        await flow.pick_agents(pilot, None)
        await frame()
        await flow.map_fields(pilot, {"From": "user.phone"})
        await frame()
        app.save_screenshot("review.svg", path=str(tmp_path))
        await pilot.press("ctrl+s")
        await frame()
        app.save_screenshot("result.svg", path=str(tmp_path))
        assert app.step_index == 5
    assert len(frames) == 10
    saved = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*.svg")]
    for text in frames + saved:
        for secret in (CANARY_TOKEN, CANARY_KEY):
            assert secret not in text
            assert secret[12:28] not in text  # nor a telling piece of it
    # The canary did get through: the sandbox holds it (so the test could fail).
    assert sandbox.plivo_config is not None
    assert sandbox.plivo_config["authToken"] == CANARY_TOKEN
    assert DEMO_API_KEY not in "".join(frames)

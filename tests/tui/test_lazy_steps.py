"""Startup work left for later: steps 2-6 mount on their first visit and then stay mounted;
the CLI's setup (demo sandbox, store) runs after the first frame through `WizardOptions.prepare`."""

from __future__ import annotations

import argparse
import asyncio
import gc

import pytest

from tests.tui import flow
from tests.tui.conftest import FAST, AppFactory, make_options, screen_text, settle
from wizard.commands.runtime import recipe_from_args
from wizard.sandbox import DEMO_ACCOUNT_NAME, DEMO_AUTH_ID, Sandbox
from wizard.tui import WizardOptions
from wizard.tui.app import WizardApp
from wizard.tui.steps.agents import AgentsStep
from wizard.tui.steps.base import StepView
from wizard.tui.steps.mapping import MappingStep

TOKEN = "Tok3n_" + "x" * 34


def mounted_steps(app: WizardApp) -> list[str]:
    return [step.id or "" for step in app.query(StepView)]


async def test_later_steps_mount_on_first_visit_and_back_keeps_them(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TOKEN
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert mounted_steps(app) == ["connect"]
        await flow.connect(pilot)
        assert mounted_steps(app) == ["connect", "plivo"]
        await flow.credentials(pilot, TOKEN)
        await flow.pick_agents(pilot, None)
        assert app.step_index == 3
        assert mounted_steps(app) == ["connect", "plivo", "agents", "mapping"]
        mapping = app.query_one(MappingStep)
        mapping.load_model({"From": "user.phone", "To": "user.line"})
        await settle(pilot)

        for _ in range(3):  # back to step 1: every step stays mounted, rows and all
            await pilot.press("ctrl+b")
            await settle(pilot)
        assert app.step_index == 0
        assert mounted_steps(app) == ["connect", "plivo", "agents", "mapping"]
        for _ in range(3):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert app.step_index == 3
        assert app.query_one(MappingStep) is mapping  # the same widget, not a new one
        assert mapping.to_model() == {"From": "user.phone", "To": "user.line"}
        assert "user.line" in screen_text(app)


async def test_current_config_reaches_steps_mounted_later(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    """The config read on step 2 fills steps 3-4, which are mounted only when visited."""
    agent = flow.hold_existing_config(sandbox)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.connect(pilot)
        assert "mapping" not in mounted_steps(app)
        await pilot.press("ctrl+n")  # keep the current token
        await settle(pilot)
        assert app.query_one(AgentsStep).selected_ids == [agent]
        await pilot.press("ctrl+n")  # the agent the service holds
        await settle(pilot)
        assert app.step_index == 3
        step = app.query_one(MappingStep)
        assert step.to_model() == {"From": "user.phone"}
        # What the screen shows, not only the model: the first row holds the values.
        rows = [line for line in screen_text(app).splitlines() if "→" in line]
        assert any("From" in row and "user.phone" in row for row in rows), rows


async def test_cli_setup_runs_after_the_first_frame(sandbox: Sandbox) -> None:
    """`--demo` as the CLI runs it: the sandbox and store are opened after the first frame."""
    del sandbox  # the recipe starts its own
    recipe = recipe_from_args(
        argparse.Namespace(demo=True, insecure_storage=False, api_base=None, plivo_api_base=None)
    )
    recipe.http_settings = FAST
    app = WizardApp(WizardOptions(recipe, no_blink=True))
    try:
        assert recipe.opened is None
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            opened = recipe.opened
            assert opened is not None and opened.sandbox is not None
            assert opened.api_base == opened.sandbox.base_url
            assert f"Connected to account: {DEMO_ACCOUNT_NAME}" in screen_text(app)
    finally:
        recipe.close()


def test_the_first_frame_loads_no_pydantic_keyring_or_httpx() -> None:
    """Importing the app (all the first frame needs) loads none of the heavy libraries, nor
    the session's later steps: they load in a thread after it (a fresh interpreter, so
    nothing else imported them first)."""
    import subprocess
    import sys

    heavy = ("pydantic", "keyring", "httpx", "wizard.flow.agents", "wizard.flow.precedence")
    first_frame = "wizard.tui, wizard.tui.app, wizard.tui.steps.connect, wizard.flow.session"
    code = f"import sys, {first_frame}\nprint(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


async def test_a_steps_stylesheet_arrives_with_the_step(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    # The first frame parses and matches only the frame's and step 1's rules.
    agents_css = str(AgentsStep.stylesheet_path())
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TOKEN
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.stylesheet.has_source(agents_css)
        await flow.connect(pilot)
        await flow.credentials(pilot, TOKEN)
        assert app.stylesheet.has_source(agents_css)
        # Its rules are in force: the counter is laid out as agents.tcss says (width: auto).
        counter = app.query_one("#agents-counter")
        assert counter.styles.width is not None and counter.styles.width.is_auto


async def test_typing_a_key_does_not_rebuild_the_footer(make_app: AppFactory) -> None:
    # Each bindings_updated makes Textual's Footer remove and mount all its keys: a keystroke
    # that changes no key's availability must not publish one.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        published: list[object] = []
        app.screen.bindings_updated_signal.subscribe(app, published.append)
        app.query_one("#api-key").focus()
        await pilot.press(*"abc123")  # no key's shape yet: nothing is checked
        await settle(pilot)
        assert "Next: not yet" in screen_text(app)
        assert published == []


def test_the_collector_pauses_for_the_first_screen_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import wizard.tui as tui

    seen: dict[str, bool] = {}

    def run(app: WizardApp, **_: object) -> None:
        async def drive() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                seen["first screen"] = gc.isenabled()
                await pilot.pause(0.6)
                seen["a moment later"] = gc.isenabled()

        asyncio.run(drive())

    monkeypatch.setattr(tui, "GC_RESUME_DELAY", 0.05)
    monkeypatch.setattr(WizardApp, "run", run)
    options = make_options(None, demo=True, no_blink=True)
    try:
        tui.run_wizard(options)  # 130: this stand-in for run() returns no result
    finally:
        gc.unfreeze()
    assert seen == {"first screen": False, "a moment later": True}
    assert gc.isenabled()

"""Step 1, Connect: prefill, live shape check, account check and every way it can fail."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from textual.widgets import Static

from tests.tui.conftest import (
    AppFactory,
    HangingKeyring,
    make_options,
    screen_text,
    settle,
    type_into,
)
from wizard.core.credentials import CredentialStore, MemoryKeyring
from wizard.sandbox import DEMO_ACCOUNT_NAME, DEMO_API_KEY, Fault, Sandbox
from wizard.tui.app import WizardApp
from wizard.tui.widgets.field_message import FieldMessage

WRONG_KEY = "Wrongkey.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


def status(app: WizardApp) -> str:
    return str(app.query_one("#account-status", FieldMessage).render())


async def test_key_from_keyring_is_prefilled_masked_and_checked(make_app: AppFactory) -> None:
    store = CredentialStore(MemoryKeyring(), environ={})
    store.save_api_key(SecretStr(DEMO_API_KEY))
    app = make_app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert f"Connected to account: {DEMO_ACCOUNT_NAME}" in status(app)
        text = screen_text(app)
        assert DEMO_API_KEY not in text
        assert DEMO_API_KEY.split(".")[0] in text  # the public prefix, to say which key
        assert "memory" in text  # where secrets will be kept
        assert app.step().problems() == []


async def test_demo_mode_fills_in_the_demo_key(make_app: AppFactory) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "from memory (this demo only)" in screen_text(app)
        assert app.session.account is not None and app.session.account.name == DEMO_ACCOUNT_NAME


async def test_bad_shape_is_explained_and_not_sent(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_into(pilot, "#api-key", "abc", keys=True)
        message = str(app.query_one("#api-key-message", FieldMessage).render())
        assert "8 letters or digits, a period, then 32 more" in message
        await pilot.press("enter")
        await settle(pilot)
        assert app.step_index == 0
        assert "Next: not yet" in screen_text(app)
        assert sandbox.requests == []


async def test_wrong_key_says_so_and_offers_retry(make_app: AppFactory, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_into(pilot, "#api-key", WRONG_KEY)
        assert "✗" in status(app)
        assert app.query_one("#retry-account").display
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.step_index == 0
        # Input kept; fixing it and going on works.
        assert app.query_one("#api-key").value == WRONG_KEY  # type: ignore[attr-defined]
        await type_into(pilot, "#api-key", DEMO_API_KEY)
        assert DEMO_ACCOUNT_NAME in status(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.step_index == 1


async def _fault_then_retry(make_app: AppFactory, sandbox: Sandbox, fault: Fault) -> str:
    sandbox.inject(fault)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_into(pilot, "#api-key", DEMO_API_KEY)
        failed = status(app)
        assert app.session.account is None
        sandbox.clear_faults()
        await pilot.click("#retry-account")
        await settle(pilot)
        assert DEMO_ACCOUNT_NAME in status(app)
        return failed


async def test_rate_limited(make_app: AppFactory, sandbox: Sandbox) -> None:
    message = await _fault_then_retry(
        make_app, sandbox, Fault(status=429, retry_after="0", times=10)
    )
    assert message.startswith("✗") and "\n" not in message.strip()


async def test_server_error(make_app: AppFactory, sandbox: Sandbox) -> None:
    message = await _fault_then_retry(make_app, sandbox, Fault(status=500, times=10))
    assert message.startswith("✗") and "Traceback" not in message


async def test_network_down(sandbox: Sandbox) -> None:
    url = sandbox.base_url
    sandbox.stop()  # a closed port: connection refused
    app = WizardApp(make_options(None, base_url=url))
    async with app.run_test(size=(80, 24)) as pilot:
        await type_into(pilot, "#api-key", DEMO_API_KEY)
        message = status(app)
        assert message.startswith("✗")
        assert app.query_one("#retry-account").display
        assert app.step().problems() and app.step_index == 0


async def test_hanging_keyring_never_blocks_typing(
    sandbox: Sandbox, hanging_keyring: HangingKeyring
) -> None:
    store = CredentialStore(hanging_keyring, environ={}, timeout=0.2)
    app = WizardApp(make_options(sandbox, store=store))
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one("#api-key")
        field.focus()
        await pilot.press(*DEMO_API_KEY)
        # The keyring read is still stuck in its thread; the key was typed and checked anyway.
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.account is not None
        assert "Could not read a saved key" in screen_text(app)


async def test_no_keyring_says_why_and_offers_the_choice(
    make_app: AppFactory, tmp_path: Path
) -> None:
    from keyring.backends import fail

    store = CredentialStore(fail.Keyring(), environ={}, data_dir=tmp_path)
    app = make_app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No keyring service is running" in text
        assert "Keep secrets for this session only (chosen)" in text  # not by shade alone
        assert "(insecure) (chosen)" not in text
        assert app.query_one("#storage-session").value  # type: ignore[attr-defined]


async def test_dirty_key_is_unsaved_input(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.session.has_unsaved_input()
        await type_into(pilot, "#api-key", "abc", keys=True)
        assert app.session.has_unsaved_input()


async def test_typing_a_key_updates_where_it_comes_from(make_app: AppFactory) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        source = str(app.query_one("#api-key-source", Static).render())
        assert "Type to replace it" in source and "((" not in source and "))" not in source
        await type_into(pilot, "#api-key", "Typedkey." + "b" * 32)
        source = str(app.query_one("#api-key-source", Static).render())
        assert "Type to replace it" not in source and "typed here" in source

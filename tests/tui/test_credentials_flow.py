"""The credential contract in the wizard: step 2's prefill (environment, then the config Ultravox
holds, then the last Auth ID; the token from the environment, else the keyring for that Auth ID),
step 6 remembering the Auth ID, step 1's storage choice without a secure keyring, and --debug's
log file. Canary tokens from the environment or the keyring never reach a frame."""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from textual.widgets import Input, RadioButton

from tests.keyrings import FakeSecretService
from tests.tui import flow
from tests.tui.conftest import AppFactory, HangingKeyring, screen_text, settle, type_into
from wizard.core.credentials import CredentialStore, plivo_user
from wizard.core.settings import Settings, load_settings, save_settings
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Sandbox
from wizard.tui.widgets.field_message import FieldMessage
from wizard.tui.widgets.storage_choice import FILE_LABEL, SESSION_LABEL

ENV_TOKEN = "EnvCanary_" + "e4Rt7-" * 5  # 40 characters, found nowhere else
KEYRING_TOKEN = "KeyCanary_" + "k9Pq2_" * 5
OTHER_TOKEN = "OthCanary_" + "o3Zx8-" * 5
TYPED_TOKEN = "TypCanary_" + "t5Mn1_" * 5
CANARIES = (ENV_TOKEN, KEYRING_TOKEN, OTHER_TOKEN, TYPED_TOKEN)
OTHER_ID = "SA" + "B" * 18
THIRD_ID = "MA" + "C" * 18


def value(app: Any, selector: str) -> str:
    return str(app.query_one(selector, Input).value)


def token_in_use(app: Any) -> str:
    """The token the session would use; a stored one never sits in the field."""
    token = app.session.token
    if token is not None and token.source != "typed":
        assert value(app, "#auth-token") == ""
    return token.value.get_secret_value() if token is not None else ""


def hint(app: Any, selector: str) -> str:
    return str(app.query_one(selector, FieldMessage).render())


def assert_no_canary(*frames: str) -> None:
    for frame in frames:
        for secret in CANARIES:
            assert secret not in frame
            assert secret[10:26] not in frame


def app_with(
    make_app: AppFactory,
    environ: dict[str, str],
    keyring_items: Mapping[str, str] | None = None,
    **kw: Any,
) -> tuple[Any, FakeSecretService]:
    backend = FakeSecretService(keyring_items)
    store = CredentialStore(backend, environ=environ)
    return make_app(store=store, environ=environ, **kw), backend


# ------------------------------------------------------------------ step 2: prefill order


async def test_environment_prefills_both_masked_with_their_source(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    sandbox.plivo_accounts[OTHER_ID] = ENV_TOKEN
    environ = {"PLIVO_AUTH_ID": OTHER_ID, "PLIVO_AUTH_TOKEN": ENV_TOKEN}
    # The keyring has another token for that Auth ID: the environment wins.
    app, _ = app_with(make_app, environ, {OTHER_ID: KEYRING_TOKEN})
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert value(app, "#auth-id") == OTHER_ID
        assert token_in_use(app) == ENV_TOKEN
        assert "from PLIVO_AUTH_ID" in hint(app, "#auth-id-source")
        assert "from PLIVO_AUTH_TOKEN" in hint(app, "#auth-token-source")
        text = screen_text(app)
        assert "from PLIVO_AUTH_TOKEN" in text
        assert_no_canary(text)
        assert app.step().problems() == []  # verified with Plivo using the env token


async def test_last_auth_id_and_its_keyring_token(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    save_settings(Settings(last_auth_id=OTHER_ID), settings)
    sandbox.plivo_accounts[OTHER_ID] = KEYRING_TOKEN
    app, _ = app_with(
        make_app, {}, {OTHER_ID: KEYRING_TOKEN}, use_settings=True, settings_path=settings
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert value(app, "#auth-id") == OTHER_ID
        assert token_in_use(app) == KEYRING_TOKEN
        assert app.query_one("#auth-token", Input).password
        assert "used last time" in hint(app, "#auth-id-source")
        assert "from the keyring (Secret Service)" in hint(app, "#auth-token-source")
        assert_no_canary(screen_text(app))


async def test_settings_are_not_read_unless_asked(make_app: AppFactory, tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    save_settings(Settings(last_auth_id=OTHER_ID), settings)
    app, _ = app_with(make_app, {}, {OTHER_ID: KEYRING_TOKEN}, settings_path=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert value(app, "#auth-id") == ""
        assert value(app, "#auth-token") == ""


async def test_current_config_beats_settings_and_env_beats_both(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    save_settings(Settings(last_auth_id=OTHER_ID), settings)
    sandbox.plivo_config = {
        "authId": DEMO_AUTH_ID,
        "authToken": DEMO_AUTH_TOKEN,
        "callCreationAllowedAgentIds": [],
        "callCreationAllowAllAgents": True,
        "requestContextMapping": {},
    }
    tokens = {OTHER_ID: OTHER_TOKEN, DEMO_AUTH_ID: KEYRING_TOKEN, THIRD_ID: ENV_TOKEN}
    app, _ = app_with(make_app, {}, tokens, use_settings=True, settings_path=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert value(app, "#auth-id") == DEMO_AUTH_ID
        assert token_in_use(app) == KEYRING_TOKEN
        assert "from the config Ultravox holds" in hint(app, "#auth-id-source")
        assert_no_canary(screen_text(app))

    app, _ = app_with(
        make_app,
        {"PLIVO_AUTH_ID": THIRD_ID},
        tokens,
        use_settings=True,
        settings_path=settings,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert value(app, "#auth-id") == THIRD_ID
        assert token_in_use(app) == ENV_TOKEN  # the keyring's token for THIRD_ID
        assert_no_canary(screen_text(app))


async def test_editing_the_auth_id_looks_up_its_token_but_never_replaces_a_typed_one(
    make_app: AppFactory, sandbox: Sandbox
) -> None:
    environ = {"PLIVO_AUTH_ID": DEMO_AUTH_ID}
    tokens = {DEMO_AUTH_ID: KEYRING_TOKEN, OTHER_ID: OTHER_TOKEN}
    app, _ = app_with(make_app, environ, tokens)
    frames: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert token_in_use(app) == KEYRING_TOKEN
        await type_into(pilot, "#auth-id", OTHER_ID, keys=True)
        assert token_in_use(app) == OTHER_TOKEN  # the new Auth ID's own token
        frames.append(screen_text(app))
        await type_into(pilot, "#auth-id", THIRD_ID)
        assert token_in_use(app) == ""  # none saved: the other id's token is gone
        assert hint(app, "#auth-token-source") == ""
        await type_into(pilot, "#auth-token", TYPED_TOKEN)
        await type_into(pilot, "#auth-id", OTHER_ID)
        assert value(app, "#auth-token") == TYPED_TOKEN  # typed: kept
        frames.append(screen_text(app))
    assert_no_canary(*frames)


async def test_demo_keeps_its_prefill_and_writes_no_settings(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    app = make_app(demo=True, use_settings=True, settings_path=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert value(app, "#auth-id") == DEMO_AUTH_ID
        assert token_in_use(app) == DEMO_AUTH_TOKEN
        await pilot.press("ctrl+n")
        await settle(pilot)
        await flow.pick_agents(pilot, None)
        await flow.map_fields(pilot, {})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5
    assert not settings.exists()


# ------------------------------------------------------------ step 6: last Auth ID remembered


async def test_success_remembers_the_auth_id_and_stored_token(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    sandbox.plivo_accounts[OTHER_ID] = TYPED_TOKEN
    app, backend = app_with(make_app, {}, use_settings=True, settings_path=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        await flow.credentials(pilot, TYPED_TOKEN, auth_id=OTHER_ID)
        await flow.pick_agents(pilot, None)
        await flow.map_fields(pilot, {})
        assert not settings.exists()  # nothing before the service accepted
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5
        assert_no_canary(screen_text(app))
    saved = load_settings(settings)
    assert saved.last_auth_id == OTHER_ID
    assert saved.stored_auth_ids == [OTHER_ID]
    assert backend.items[plivo_user(OTHER_ID)] == TYPED_TOKEN
    assert TYPED_TOKEN not in settings.read_text(encoding="utf-8")


async def test_a_prefilled_token_is_not_stored_again(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.json"
    sandbox.plivo_accounts[DEMO_AUTH_ID] = ENV_TOKEN
    environ = {"PLIVO_AUTH_ID": DEMO_AUTH_ID, "PLIVO_AUTH_TOKEN": ENV_TOKEN}
    app, backend = app_with(make_app, environ, use_settings=True, settings_path=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await flow.pick_agents(pilot, None)
        await flow.map_fields(pilot, {})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5
        assert_no_canary(screen_text(app))
    assert sandbox.plivo_config is not None
    assert sandbox.plivo_config["authToken"] == ENV_TOKEN
    assert plivo_user(DEMO_AUTH_ID) not in backend.items  # it came from the environment
    assert load_settings(settings).last_auth_id == DEMO_AUTH_ID


# ------------------------------------------------------------ step 1: where secrets go


async def test_no_keyring_offers_session_or_file_and_the_file_is_used(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TYPED_TOKEN
    store = CredentialStore(fail.Keyring(), environ={}, data_dir=tmp_path / "data")
    app = make_app(store=store, environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No keyring service" in text
        assert "Keep secrets for this session only" in text
        assert "Store them in a file only you can read (insecure)" in text
        where = str(app.query_one("#storage-file-path").render())
        assert f"The file would be {tmp_path / 'data' / 'credentials.json'}" in where
        assert app.query_one("#storage-session", RadioButton).value  # the default
        assert not app.session.context.store.persistent
        await pilot.click("#storage-file")
        await settle(pilot)
        assert app.session.context.store.persistent
        assert "stored unencrypted" in str(app.query_one("#storage-file-path").render())
        await flow.connect(pilot)
        await flow.credentials(pilot, TYPED_TOKEN)
        await flow.pick_agents(pilot, None)
        await flow.map_fields(pilot, {})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == 5
        assert_no_canary(screen_text(app))
    path = tmp_path / "data" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert TYPED_TOKEN in json.dumps(json.loads(path.read_text(encoding="utf-8")))


async def test_insecure_storage_flag_starts_on_the_file_and_session_can_be_chosen(
    make_app: AppFactory, tmp_path: Path
) -> None:
    store = CredentialStore(
        fail.Keyring(), insecure_storage=True, environ={}, data_dir=tmp_path / "data"
    )
    app = make_app(store=store, environ={}, insecure_storage=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one("#storage-file", RadioButton).value
        assert app.session.context.store.persistent
        await pilot.click("#storage-session")
        await settle(pilot)
        assert not app.session.context.store.persistent
        assert "this session only" in screen_text(app)
    assert not (tmp_path / "data").exists()  # nothing written


async def test_a_secure_keyring_offers_no_choice(make_app: AppFactory) -> None:
    app, _ = app_with(make_app, {})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Secret Service" in screen_text(app)
        assert SESSION_LABEL not in screen_text(app) and FILE_LABEL not in screen_text(app)
        assert not app.query("#storage-choice")  # never mounted: no RadioSet on the first frame


# ------------------------------------------------------------------------ --debug


async def test_debug_log_goes_to_a_file_without_secrets(
    make_app: AppFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    from wizard.tui.debug_log import start_debug_log, stop_debug_log

    sandbox.plivo_accounts[DEMO_AUTH_ID] = TYPED_TOKEN
    path = start_debug_log(tmp_path / "logs")
    try:
        app = make_app(debug=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await flow.to_plivo(pilot)
            await flow.credentials(pilot, TYPED_TOKEN)
    finally:
        stop_debug_log()
    assert path == tmp_path / "logs" / "wizard.log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    log = path.read_text(encoding="utf-8")
    assert "/api/accounts/me" in log
    assert TYPED_TOKEN not in log and DEMO_API_KEY not in log


def test_run_wizard_tells_where_the_debug_log_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from wizard.tui import WizardOptions, run_wizard
    from wizard.tui.app import WizardApp

    monkeypatch.setattr(WizardApp, "run", lambda self, **kw: 0)
    options = WizardOptions(debug=True, log_dir=tmp_path)
    assert run_wizard(options) == 0
    assert f"Debug log: {tmp_path / 'wizard.log'}" in capsys.readouterr().err
    options.debug = False
    run_wizard(options)
    assert "Debug log" not in capsys.readouterr().err


async def test_a_hanging_keyring_never_blocks_step_2(
    make_app: AppFactory, sandbox: Sandbox, hanging_keyring: HangingKeyring
) -> None:
    environ = {"PLIVO_AUTH_ID": DEMO_AUTH_ID}
    store = CredentialStore(hanging_keyring, environ=environ, timeout=0.2)
    app = make_app(store=store, environ=environ)
    async with app.run_test(size=(80, 24)) as pilot:
        await flow.to_plivo(pilot)
        assert value(app, "#auth-id") == DEMO_AUTH_ID
        assert "Could not read a saved token" in hint(app, "#auth-token-source")
        await type_into(pilot, "#auth-token", DEMO_AUTH_TOKEN)
        assert app.step().problems() == []


async def test_the_storage_choice_takes_a_second_answer_before_it_has_drawn() -> None:
    # show_choice mounts the RadioSet; its buttons appear only once it has composed.
    from textual.app import App, ComposeResult
    from textual.widgets import RadioButton

    from wizard.tui.widgets.storage_choice import StorageChoice

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield StorageChoice()

    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(StorageChoice)
        box.show_choice("No keyring.", "for this session", False, Path("/tmp/c.json"))
        box.show_choice("No keyring.", "stored in /tmp/c.json", True, Path("/tmp/c.json"))
        await pilot.pause()
        chosen = app.query_one("#storage-file", RadioButton)
        assert chosen.value and not app.query_one("#storage-session", RadioButton).value
        assert str(chosen.label).endswith("(chosen)")
        assert box.use_file is True

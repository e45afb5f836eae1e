"""The wizard session without any face: every operation, the token rule, the keep-token defect.

Each test drives `WizardSession` as a face would (set values, run operations) against a real
sandbox on loopback, and asserts what the sandbox received.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests import held
from tests.keyrings import FakeSecretService
from wizard.core.credentials import CredentialStore, SecretSource
from wizard.core.errors import UsageError
from wizard.core.http import HttpSettings
from wizard.flow.agents import AgentSelection
from wizard.flow.context import ContextRecipe, SettingsInMemory
from wizard.flow.operations import OpState
from wizard.flow.precedence import AuthIdSource
from wizard.flow.session import WizardSession
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, Sandbox

FAST = HttpSettings(max_attempts=1, backoff_base=0.0, backoff_max=0.0, retry_after_cap=0.0)
PATH = "/api/telephony_configs/plivo"
ROTATED = "Rotated_" + "r7Xy2-" * 5 + "ab"  # the token Ultravox holds after a rotation
STALE = "StaleTok_" + "s4Qw9_" * 5 + "c"  # an older token left in the keyring
TYPED = "TypedTok_" + "t5Mn1_" * 5 + "d"


def session_for(
    sandbox: Sandbox,
    *,
    keyring: Mapping[str, str] | None = None,
    api_key: str | None = DEMO_API_KEY,
    environ: Mapping[str, str] | None = None,
) -> tuple[WizardSession, FakeSecretService]:
    backend = FakeSecretService(keyring, api_key=api_key)
    recipe = ContextRecipe(
        api_base=sandbox.base_url,
        plivo_api_base=sandbox.base_url,
        store=CredentialStore(backend, environ=environ or {}),
        environ=environ or {},
        remember=False,
        http_settings=FAST,
    )
    return WizardSession(recipe), backend


def hold_config(sandbox: Sandbox, token: str = ROTATED) -> str:
    return held.hold_config(sandbox, token)


def bodies(sandbox: Sandbox, method: str) -> list[Any]:
    return [r.json for r in sandbox.requests if r.method == method and r.path == PATH]


async def through_step_2(session: WizardSession) -> None:
    """Step 1 and the start of step 2, as a face runs them: stored key, check, current config,
    the chosen Auth ID and its stored token."""
    session.read_stored_key()
    assert await session.check_key()
    assert await session.read_current_config()
    session.read_remembered_auth_ids()
    chosen = session.chosen_auth_id()
    assert chosen is not None
    session.set_auth_id(chosen.value, typed=False)
    session.lookup_stored_token(chosen.value)


# -- the defect of issue 6: "keep the current token" sent the keyring's token ----------------


async def test_keep_ticked_sends_no_token_even_with_one_in_the_keyring(sandbox: Sandbox) -> None:
    hold_config(sandbox)
    session, backend = session_for(sandbox, keyring={DEMO_AUTH_ID: STALE})
    try:
        await through_step_2(session)
        assert session.token is not None and session.token.source is SecretSource.KEYRING
        assert session.keep_current_token and session.keeping_token
        assert session.plivo_problems() == []  # nothing to verify: the token is kept
        session.set_mapping({"From": "user.phone", "To": "call.to"})
        plan = session.plan()
        assert plan.method == "PATCH"
        assert [c.field for c in plan.changed] == ["requestContextMapping"]
        token_row = next(c for c in plan.changes if c.field == "authToken")
        assert token_row.new == "kept" and not token_row.changed
        assert await session.send()
    finally:
        await session.aclose()
    assert bodies(sandbox, "PATCH") == [
        {"requestContextMapping": {"From": "user.phone", "To": "call.to"}}
    ]
    assert sandbox.plivo_config is not None and sandbox.plivo_config["authToken"] == ROTATED
    outcome = session.outcome
    assert outcome is not None and outcome.token.kept
    assert session.store_credentials() == "Nothing new to store."
    assert backend.items["plivo:" + DEMO_AUTH_ID] == STALE  # not rewritten either


async def test_keep_unticked_and_a_token_typed_sends_the_typed_token(sandbox: Sandbox) -> None:
    hold_config(sandbox)
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TYPED
    session, backend = session_for(sandbox, keyring={DEMO_AUTH_ID: STALE})
    try:
        await through_step_2(session)
        session.type_token(TYPED)
        assert not session.keep_current_token  # typing a token replaces the kept one
        assert await session.verify_credentials()
        assert session.plivo_problems() == []
        assert await session.send()
    finally:
        await session.aclose()
    assert bodies(sandbox, "PATCH") == [{"authToken": TYPED}]
    outcome = session.outcome
    assert outcome is not None and outcome.token.send is not None
    assert outcome.token.send.source is SecretSource.TYPED
    assert "Auth Token" in session.store_credentials()
    assert backend.items["plivo:" + DEMO_AUTH_ID] == TYPED


async def test_unticking_keep_with_only_the_keyring_token_sends_it_and_says_so(
    sandbox: Sandbox,
) -> None:
    hold_config(sandbox)
    sandbox.plivo_accounts[DEMO_AUTH_ID] = STALE
    session, _ = session_for(sandbox, keyring={DEMO_AUTH_ID: STALE})
    try:
        await through_step_2(session)
        session.set_keep_current_token(False)
        assert await session.verify_credentials()
        plan = session.plan()
        row = next(c for c in plan.changes if c.field == "authToken")
        assert row.changed and "from the keyring" in row.new
        assert await session.send()
    finally:
        await session.aclose()
    assert bodies(sandbox, "PATCH") == [{"authToken": STALE}]
    # A token that came from the keyring is not written back to it.
    assert session.store_credentials() == "Nothing new to store."


async def test_a_new_config_sends_the_keyring_token_it_needs(sandbox: Sandbox) -> None:
    sandbox.plivo_accounts[DEMO_AUTH_ID] = DEMO_AUTH_TOKEN
    session, _ = session_for(
        sandbox, keyring={DEMO_AUTH_ID: DEMO_AUTH_TOKEN}, environ={"PLIVO_AUTH_ID": DEMO_AUTH_ID}
    )
    try:
        await through_step_2(session)
        assert not session.keeping_token
        assert await session.verify_credentials()
        session.set_selection(AgentSelection(True, ()))
        assert session.plan().method == "POST"
        assert await session.send()
    finally:
        await session.aclose()
    assert bodies(sandbox, "POST")[0]["authToken"] == DEMO_AUTH_TOKEN


async def test_a_new_auth_id_needs_its_own_token(sandbox: Sandbox) -> None:
    hold_config(sandbox)
    other = "SA" + "B" * 18
    session, _ = session_for(sandbox)
    try:
        await through_step_2(session)
        session.set_auth_id(other)
        session.lookup_stored_token(other)
        assert session.plivo_problems() == ["Enter your Plivo Auth Token."]
        with pytest.raises(UsageError, match="new Auth ID"):
            session.plan()
    finally:
        await session.aclose()


# -- precedence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "held", "last", "expected", "source"),
    [
        ({"PLIVO_AUTH_ID": "MA" + "E" * 18}, True, "MA" + "L" * 18, "MA" + "E" * 18, "ENV"),
        ({}, True, "MA" + "L" * 18, DEMO_AUTH_ID, "CURRENT"),
        ({}, False, "MA" + "L" * 18, "MA" + "L" * 18, "SETTINGS"),
        ({}, False, None, None, None),
    ],
)
async def test_auth_id_precedence(
    sandbox: Sandbox,
    environ: dict[str, str],
    held: bool,
    last: str | None,
    expected: str | None,
    source: str | None,
) -> None:
    if held:
        hold_config(sandbox)
    session, _ = session_for(sandbox, environ=environ)
    context = session.prepare()
    assert isinstance(context.settings, SettingsInMemory)
    context.settings.last = last
    try:
        session.read_stored_key()
        await session.check_key()
        await session.read_current_config()
        chosen = session.read_remembered_auth_ids()
    finally:
        await session.aclose()
    assert (chosen.value if chosen else None) == expected
    assert (chosen.source.name if chosen else None) == source
    # One typed here always wins.
    session.set_auth_id("MA" + "T" * 18)
    best = session.chosen_auth_id()
    assert best is not None and best.source is AuthIdSource.GIVEN


async def test_env_token_beats_the_keyring_and_is_never_stored(sandbox: Sandbox) -> None:
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TYPED
    session, backend = session_for(
        sandbox,
        keyring={DEMO_AUTH_ID: STALE},
        environ={"PLIVO_AUTH_TOKEN": TYPED, "PLIVO_AUTH_ID": DEMO_AUTH_ID},
    )
    try:
        await through_step_2(session)
        assert session.token is not None and session.token.source is SecretSource.ENV
        assert await session.verify_credentials()
        session.set_selection(AgentSelection(True, ()))
        assert await session.send()
    finally:
        await session.aclose()
    assert bodies(sandbox, "POST")[0]["authToken"] == TYPED
    session.store_credentials()
    assert backend.items["plivo:" + DEMO_AUTH_ID] == STALE


# -- operations fail plainly and can be retried ------------------------------------------------


async def test_a_wrong_key_fails_the_check_without_retry(sandbox: Sandbox) -> None:
    session, _ = session_for(sandbox, api_key=None)
    try:
        session.type_api_key("Wrong123." + "x" * 32)
        assert await session.check_key()
    finally:
        await session.aclose()
    assert session.key_check.state is OpState.FAILED
    assert not session.key_check.retryable
    assert session.key_problems() == [session.key_check.message]
    assert "Wrong123" not in session.key_check.message or "x" * 32 not in session.key_check.message


async def test_a_server_error_on_send_is_retryable_and_nothing_is_stored(sandbox: Sandbox) -> None:
    session, _ = session_for(sandbox, keyring={DEMO_AUTH_ID: DEMO_AUTH_TOKEN})
    try:
        session.read_stored_key()
        assert await session.check_key()
        assert await session.read_current_config()
        session.set_auth_id(DEMO_AUTH_ID)
        session.lookup_stored_token(DEMO_AUTH_ID)
        session.set_selection(AgentSelection(True, ()))
        sandbox.inject(Fault(status=503, path_prefix=PATH, method="POST"))
        assert await session.send()
        assert session.send_op.failed and session.send_op.retryable
        assert not session.finished
        with pytest.raises(Exception, match="Nothing was saved"):
            session.store_credentials()
    finally:
        await session.aclose()
    assert sandbox.plivo_config is None


async def test_a_stale_result_is_dropped(sandbox: Sandbox) -> None:
    session, _ = session_for(sandbox)
    ticket = session.verify.start()
    session.type_token(TYPED)  # the input changed while Plivo was being asked
    assert not session.verify.succeed(ticket, object())  # type: ignore[arg-type]
    assert session.verify.state is OpState.IDLE


async def test_unsaved_input_is_what_the_user_changed(sandbox: Sandbox) -> None:
    hold_config(sandbox)
    session, _ = session_for(sandbox, keyring={DEMO_AUTH_ID: STALE})
    try:
        await through_step_2(session)
        assert not session.has_unsaved_input()  # only looked
        session.set_mapping({"From": "user.phone", "To": "call.to"})
        assert session.has_unsaved_input()
        session.set_mapping({"From": "user.phone"})
        assert not session.has_unsaved_input()
        session.type_token(TYPED)
        assert session.has_unsaved_input()
    finally:
        await session.aclose()


async def test_a_retry_after_a_failed_page_goes_on_from_that_page(
    sandbox_factory: Any,
) -> None:
    """Loading agents: page 1 arrives, page 2 fails; the retry asks for page 2, not page 1,
    and keeps what loaded (issue 9)."""
    box = sandbox_factory(agent_count=250)
    session, _ = session_for(box)
    try:
        session.read_stored_key()
        assert await session.check_key()
        # Page 1 passes untouched (a fault with no status), page 2 fails.
        box.inject(Fault(path_prefix="/api/agents"), Fault(status=503, path_prefix="/api/agents"))
        loading = session.agent_loading
        await loading.load()
        assert loading.error is not None and len(loading.catalog) == 100
        box.clear_faults()
        before = len(box.requests)
        await loading.load()
        assert loading.complete and len(loading.catalog) == 250
        retried = [r for r in box.requests[before:] if r.path == "/api/agents"]
        assert "cursor" in retried[0].query  # went on from page 2
    finally:
        await session.aclose()


async def test_a_recheck_after_an_unclear_patch_keeps_the_users_edits(sandbox: Sandbox) -> None:
    """A 500 on a PATCH that Ultravox did not apply: reading the config again must not replace
    the user's mapping with the held one (it would then look 'already saved')."""
    hold_config(sandbox)
    session, _ = session_for(sandbox, keyring={DEMO_AUTH_ID: STALE})
    try:
        await through_step_2(session)
        session.set_mapping({"From": "user.phone", "To": "call.to"})
        sandbox.inject(Fault(status=500, path_prefix=PATH, method="PATCH"))
        assert await session.send()
        assert session.outcome_unknown
        assert await session.recheck()
        assert session.mapping == {"From": "user.phone", "To": "call.to"}
        assert not session.accept_held()  # the change is not there: not reported as saved
        assert session.plan().method == "PATCH"
    finally:
        await session.aclose()

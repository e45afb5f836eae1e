"""The notebook face without a kernel: the whole flow and its failures, through the widgets,
asserting what the sandbox received and that no secret stays in any widget's state."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from tests import held
from tests.notebook.conftest import MakeWizard
from tests.notebook.walk import all_widget_states, next_step, type_into
from wizard.core.models import MAX_AGENTS
from wizard.notebook import Wizard
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, Sandbox

PATH = "/api/telephony_configs/plivo"
TYPED = "TypedTok_" + "t5Mn1_" * 5 + "d"
ROTATED = "Rotated_" + "r7Xy2-" * 5 + "ab"
STALE = "StaleTok_" + "s4Qw9_" * 5 + "c"


def hold_config(sandbox: Sandbox, token: str = ROTATED) -> str:
    return held.hold_config(sandbox, token)


def bodies(sandbox: Sandbox, method: str) -> list[Any]:
    return [r.json for r in sandbox.requests if r.method == method and r.path == PATH]


def text(widget: Any) -> str:
    return str(widget.value)


async def to_plivo(wizard: Wizard) -> None:
    assert "Connected to account: Demo Company" in text(wizard.connect.status)
    await next_step(wizard)
    assert wizard.index == 1


async def to_agents(wizard: Wizard) -> None:
    """Steps 1-2 with the demo Auth ID and token typed (a new config)."""
    await to_plivo(wizard)
    type_into(wizard.plivo.auth_id, DEMO_AUTH_ID)
    type_into(wizard.plivo.token.password, DEMO_AUTH_TOKEN)
    await wizard.idle()
    await next_step(wizard)
    assert wizard.index == 2


async def test_a_new_config_typed_through_the_widgets(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TYPED
    wizard, backend = await make_wizard(api_key=None)
    assert wizard.next.disabled  # no key yet
    type_into(wizard.connect.key.password, DEMO_API_KEY)
    assert wizard.connect.key.password.value == ""  # moved into the session at once
    await wizard.idle()
    assert "typed here" in text(wizard.connect.key.hint)
    await to_plivo(wizard)
    assert "no Plivo config yet" in text(wizard.plivo.current_note)
    type_into(wizard.plivo.auth_id, DEMO_AUTH_ID)
    type_into(wizard.plivo.token.password, TYPED)
    assert wizard.plivo.token.password.value == ""
    await wizard.idle()
    assert "Plivo account: Demo Plivo Account" in text(wizard.plivo.verify_status)
    await next_step(wizard)
    assert "All 25 agents loaded." in text(wizard.agents.status)
    assert wizard.next.disabled  # nothing picked
    wizard.agents.boxes[0].set_state({"value": True})
    wizard.agents.boxes[2].set_state({"value": True})
    picked = [str(sandbox.agents[i]["agentId"]) for i in (0, 2)]
    assert "2 / 100 selected" in text(wizard.agents.counter)
    await next_step(wizard)
    row = wizard.mapping.rows[0]
    type_into(row.request, "From")
    type_into(row.context, "user.phone_number")
    assert "+" not in text(wizard.mapping.preview)
    assert "14155550123" in text(wizard.mapping.preview)
    await next_step(wizard)
    assert wizard.next.description == "Send"
    assert "POST /api/telephony_configs/plivo" in text(wizard.review.method)
    assert "••••••••" in text(wizard.review.body) and TYPED not in text(wizard.review.body)
    await next_step(wizard)
    assert wizard.index == 5
    assert bodies(sandbox, "POST") == [
        {
            "authId": DEMO_AUTH_ID,
            "authToken": TYPED,
            "callCreationAllowedAgentIds": picked,
            "callCreationAllowAllAgents": False,
            "requestContextMapping": {"From": "user.phone_number"},
        }
    ]
    assert f">{TYPED[:6]}<" in text(wizard.result.prefix)
    assert "Matches the start of the token you typed" in text(wizard.result.prefix_check)
    assert wizard.result.urls == [
        f"https://app.ultravox.ai/api/agents/{agent}/telephony_xml" for agent in picked
    ]
    assert all(url in text(wizard.result.urls_html) for url in wizard.result.urls)
    assert "uvp-copy" in text(wizard.result.urls_html)
    # Stored only now, and only what was typed here.
    assert backend.items["plivo:" + DEMO_AUTH_ID] == TYPED
    assert backend.items["ultravox-api-key"] == DEMO_API_KEY
    assert "Auth Token" in text(wizard.result.store_status)
    states = all_widget_states()
    assert TYPED not in states and DEMO_API_KEY not in states
    assert TYPED not in repr(wizard) and TYPED not in text(wizard.error)
    assert wizard.back.disabled and wizard.next.layout.display == "none"


async def test_an_update_keeping_the_current_token_sends_no_token(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    agent = hold_config(sandbox)
    wizard, backend = await make_wizard(keyring={DEMO_AUTH_ID: STALE})
    await to_plivo(wizard)
    assert "already holds a Plivo config: Auth ID " + DEMO_AUTH_ID in text(
        wizard.plivo.current_note
    )
    assert wizard.plivo.auth_id.value == DEMO_AUTH_ID
    assert "from the config Ultravox holds" in text(wizard.plivo.auth_id_source)
    assert wizard.plivo.keep.value and wizard.plivo.keep.layout.display == "flex"
    assert "Keeping the token Ultravox holds" in text(wizard.plivo.token.hint)
    assert STALE not in all_widget_states()  # the keyring's token is never put in a widget
    await next_step(wizard)
    assert wizard.agents.picks.ids == {agent: None}  # what Ultravox holds, preselected
    wizard.agents.allow_all.set_state({"value": True})
    await next_step(wizard)
    assert wizard.mapping.rows[0].request.value == "From"
    await next_step(wizard)
    assert "PATCH" in text(wizard.review.method)
    assert "kept" in text(wizard.review.changes)
    await next_step(wizard)
    assert bodies(sandbox, "PATCH") == [
        {"callCreationAllowedAgentIds": [], "callCreationAllowAllAgents": True}
    ] or bodies(sandbox, "PATCH") == [{"callCreationAllowAllAgents": True}]
    assert "Kept the current token" in text(wizard.result.prefix_check)
    assert "{agent_id}" in text(wizard.result.urls_html)
    assert backend.items["plivo:" + DEMO_AUTH_ID] == STALE
    assert "Nothing new to store" in text(wizard.result.store_status)


async def test_typing_a_token_on_an_update_unticks_keep_and_sends_it(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    hold_config(sandbox)
    sandbox.plivo_accounts[DEMO_AUTH_ID] = TYPED
    wizard, _backend = await make_wizard()
    await to_plivo(wizard)
    type_into(wizard.plivo.token.password, TYPED)
    await wizard.idle()
    assert not wizard.plivo.keep.value
    assert wizard.plivo.forget.layout.display == "flex"
    for _ in range(3):
        await next_step(wizard)
    await next_step(wizard)
    assert bodies(sandbox, "PATCH") == [{"authToken": TYPED}]


async def test_the_typed_token_can_be_dropped_for_the_current_one(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    hold_config(sandbox)
    wizard, _backend = await make_wizard()
    await to_plivo(wizard)
    type_into(wizard.plivo.token.password, TYPED)
    await wizard.idle()
    wizard.plivo.forget.click()
    await wizard.idle()
    assert wizard.plivo.forget.layout.display == "none"
    assert "typed here" not in text(wizard.plivo.token.hint)
    wizard.plivo.keep.set_state({"value": True})
    assert "Keeping the token Ultravox holds" in text(wizard.plivo.token.hint)
    for _ in range(3):
        await next_step(wizard)
    assert "Nothing to send" in text(wizard.status)


async def test_a_wrong_key_says_so_and_blocks_next(make_wizard: MakeWizard) -> None:
    wizard, _ = await make_wizard(api_key=None)
    type_into(wizard.connect.key.password, "Zk9Ht7Lm.wX7pN9fM3kLj6tRq2bGhA8yE5cZvD4sT")
    await wizard.idle()
    assert "✗" in text(wizard.connect.status)
    assert wizard.next.disabled
    type_into(wizard.connect.key.password, "too short")
    assert "✗" in text(wizard.connect.key.message)
    assert "too short" not in all_widget_states()


async def test_a_wrong_plivo_token_blocks_until_verify_is_off(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    wizard, _ = await make_wizard()
    await to_plivo(wizard)
    type_into(wizard.plivo.auth_id, DEMO_AUTH_ID)
    type_into(wizard.plivo.token.password, TYPED)  # not the sandbox's token
    await wizard.idle()
    assert "✗" in text(wizard.plivo.verify_status)
    assert wizard.plivo.retry.layout.display == "flex"
    assert wizard.next.disabled
    wizard.plivo.verify_box.set_state({"value": False})
    assert "Not verified" in text(wizard.plivo.verify_status)
    assert not wizard.next.disabled


async def test_agent_loading_fails_then_retry_loads(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    wizard, _ = await make_wizard()
    sandbox.inject(Fault(status=500, path_prefix="/api/agents", times=1))
    await to_agents(wizard)
    assert "loading stopped" in text(wizard.agents.status) or "None loaded" in text(
        wizard.agents.status
    )
    assert wizard.agents.retry.layout.display == "flex"
    wizard.agents.retry.click()
    await wizard.idle()
    assert "All 25 agents loaded." in text(wizard.agents.status)


async def test_search_filters_and_the_cap_refuses_the_101st(
    make_wizard: MakeWizard, sandbox_factory: Any
) -> None:
    box = sandbox_factory(agent_count=120)
    wizard, _ = await make_wizard(box=box)
    await to_agents(wizard)
    assert "All 120 agents loaded." in text(wizard.agents.status)
    ids = [str(agent["agentId"]) for agent in box.agents]
    type_into(wizard.agents.paste, " ".join(ids[:101]))
    wizard.agents.add_ids.click()
    assert len(wizard.agents.picks.ids) == MAX_AGENTS
    assert ids[100] in wizard.agents.paste.value  # left in the field
    assert "At most 100" in text(wizard.agents.note)
    name = str(box.agents[110]["name"])
    type_into(wizard.agents.search, ids[110][:8])
    shown = [b for b in wizard.agents.boxes if b.layout.display == "flex"]
    assert any(name in b.description for b in shown)
    target = next(b for b in shown if ids[110][:8] in b.description)
    target.set_state({"value": True})
    assert not target.value and ids[110] not in wizard.agents.picks.ids
    assert "untick one first" in text(wizard.agents.note)


async def test_mapping_rows_say_what_is_wrong_and_block_next(make_wizard: MakeWizard) -> None:
    wizard, _ = await make_wizard()
    await to_agents(wizard)
    wizard.agents.allow_all.set_state({"value": True})
    await next_step(wizard)
    first = wizard.mapping.rows[0]
    type_into(first.request, "From")
    type_into(first.context, "user")
    second = wizard.mapping.add_row()
    type_into(second.request, "To")
    type_into(second.context, "user.phone")
    assert "✗" in text(second.message) or "✗" in text(first.message)
    assert wizard.next.disabled and "Row" in text(wizard.status)
    assert "Rows with errors are left out." in text(wizard.mapping.preview_note)
    wizard.mapping.remove_row(first)
    assert not wizard.next.disabled
    assert "user" in text(wizard.mapping.preview) and "14155550199" in text(wizard.mapping.preview)


async def test_a_server_error_on_send_keeps_review_and_stores_nothing(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    wizard, backend = await make_wizard()
    await to_agents(wizard)
    wizard.agents.allow_all.set_state({"value": True})
    await next_step(wizard)
    await next_step(wizard)
    sandbox.inject(Fault(status=503, path_prefix=PATH, method="POST"))
    await next_step(wizard)
    assert wizard.index == 4
    assert "✗" in text(wizard.review.status)
    assert not wizard.next.disabled  # Send again
    assert (
        "plivo:" + DEMO_AUTH_ID not in backend.items
        or backend.items["plivo:" + DEMO_AUTH_ID] == DEMO_AUTH_TOKEN
    )
    await next_step(wizard)
    assert wizard.index == 5


async def test_a_refused_field_offers_to_go_to_its_step(
    make_wizard: MakeWizard, sandbox: Sandbox
) -> None:
    wizard, _ = await make_wizard()
    await to_agents(wizard)
    wizard.agents.allow_all.set_state({"value": True})
    await next_step(wizard)
    await next_step(wizard)
    body = '{"authToken": ["This token is not accepted."]}'
    sandbox.inject(Fault(status=400, body=body, path_prefix=PATH, method="POST"))
    await next_step(wizard)
    assert "Fix it in Plivo credentials (step 2)" in text(wizard.review.status)
    assert wizard.go_to_field.layout.display == "flex"
    wizard.go_to_field.click()
    assert wizard.index == 1
    assert "Ultravox: This token is not accepted." in text(wizard.plivo.token.message)


async def test_made_outside_a_running_loop_says_where_it_runs() -> None:
    def make() -> None:
        Wizard(demo=True)

    import asyncio

    with pytest.raises(RuntimeError, match="runs in a Jupyter kernel"):
        await asyncio.to_thread(make)


def test_without_ipywidgets_the_import_names_the_extra() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'ipywidgets' or name.startswith('ipywidgets.'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "try:\n"
        "    import wizard.notebook\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    assert out == (
        "The notebook face needs ipywidgets: install the extra with"
        " pip install 'ultravox-plivo-wizard[notebook]'."
    )


async def test_a_message_from_a_subshell_thread_runs_on_the_wizards_loop(
    make_wizard: MakeWizard,
) -> None:
    """JupyterLab may deliver a widget's message on a kernel subshell (another thread and
    loop); the wizard handles it on its own loop. Leans on ipywidgets: a widget's comm calls
    `_handle_msg` through the callback `comm.on_msg` set (replaced by `Tasks.adopt`)."""
    import asyncio
    import threading

    wizard, _ = await make_wizard(api_key=None)
    seen: list[int] = []
    wizard.connect.key.password.observe(lambda _c: seen.append(threading.get_ident()), "value")
    message = {
        "content": {
            "data": {"method": "update", "state": {"value": DEMO_API_KEY}, "buffer_paths": []}
        },
        "buffers": [],
    }
    comm = wizard.connect.key.password.comm
    await asyncio.to_thread(comm.handle_msg, message)
    await asyncio.sleep(0.05)
    await wizard.idle()
    assert seen and set(seen) == {threading.get_ident()}
    assert wizard.connect.key.password.value == ""
    assert "Connected to account" in text(wizard.connect.status)

"""make_plan: POST or PATCH, the minimal body, the Review rows, and the token kept secret."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.core.errors import UsageError
from wizard.core.models import PlivoConfig, PlivoDraft, build_draft, mask_secret
from wizard.core.plan import FieldChange, Plan, make_plan, show_agents, show_mapping

AUTH_ID = "MAA1B2C3D4E5F6G7H8J9"
OTHER_ID = "SA00000000000000000Z"
CANARY = "Canary_9d2f7c41b8e3a6f05d1c9e2b7a4f8c3d6e0a"  # 41 chars
AGENT_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
AGENT_B = "5e8f1d2a-9b7c-4c3e-a1f0-6d2b8e4c7a91"
AGENT_C = "0b6d4e2f-1a3c-4d5e-8f70-9a1b2c3d4e5f"


def draft(**fields: Any) -> PlivoDraft:
    fields.setdefault("auth_id", AUTH_ID)
    return build_draft(**fields)


def config(**fields: Any) -> PlivoConfig:
    body: dict[str, Any] = {
        "authId": AUTH_ID,
        "authTokenPrefix": {"prefix": "Cana"},
        "callCreationAllowedAgentIds": [AGENT_A],
        "callCreationAllowAllAgents": False,
        "requestContextMapping": {"From": "user.phone"},
    }
    body.update(fields)
    return PlivoConfig.model_validate(body)


def by_label(plan: Plan) -> dict[str, FieldChange]:
    return {c.label: c for c in plan.changes}


# --- POST ------------------------------------------------------------------------------------


def test_post_sends_full_body() -> None:
    plan = make_plan(
        draft(auth_token=CANARY, agent_ids=[AGENT_A], context_mapping={"From": "user.phone"}),
        None,
    )
    assert plan.method == "POST"
    assert plan.wire_body() == {
        "authId": AUTH_ID,
        "authToken": CANARY,
        "callCreationAllowedAgentIds": [AGENT_A],
        "callCreationAllowAllAgents": False,
        "requestContextMapping": {"From": "user.phone"},
    }
    shown = plan.display_body()
    assert shown.keys() == plan.wire_body().keys()
    assert shown["authToken"] == mask_secret(CANARY)
    assert CANARY not in repr(shown)


def test_post_allow_all_sends_empty_list() -> None:
    body = make_plan(draft(auth_token=CANARY, allow_all_agents=True), None).wire_body()
    assert body["callCreationAllowAllAgents"] is True
    assert body["callCreationAllowedAgentIds"] == []


def test_post_rows_are_all_new() -> None:
    plan = make_plan(draft(auth_token=CANARY, allow_all_agents=True), None)
    rows = by_label(plan)
    assert list(rows) == ["Auth ID", "Auth Token", "Agents", "Context mapping"]
    assert all(c.changed and c.current == "—" for c in plan.changes)
    assert rows["Auth Token"].new == "new token (masked)"
    assert rows["Agents"].new == "all agents"
    assert rows["Context mapping"].new == "none"
    assert [c.field for c in plan.changes] == [
        "authId",
        "authToken",
        "callCreationAllowedAgentIds",
        "requestContextMapping",
    ]


def test_post_without_token_is_usage_error() -> None:
    with pytest.raises(UsageError, match="Auth Token"):
        make_plan(draft(), None)


# --- PATCH -----------------------------------------------------------------------------------


def test_nothing_to_change_has_no_method() -> None:
    plan = make_plan(draft(agent_ids=[AGENT_A], context_mapping={"From": "user.phone"}), config())
    assert plan.method is None
    assert plan.wire_body() == {}
    assert plan.display_body() == {}
    assert plan.changed == []
    rows = by_label(plan)
    assert rows["Auth Token"].current == "prefix Cana…"
    assert rows["Auth Token"].new == "kept"
    assert rows["Agents"].current == rows["Agents"].new == f"1 agent: {AGENT_A}"


def test_token_only_patch() -> None:
    plan = make_plan(
        draft(auth_token=CANARY, agent_ids=[AGENT_A], context_mapping={"From": "user.phone"}),
        config(),
    )
    assert plan.method == "PATCH"
    assert plan.wire_body() == {"authToken": CANARY}
    assert plan.display_body() == {"authToken": mask_secret(CANARY)}
    assert [c.label for c in plan.changed] == ["Auth Token"]


def test_new_auth_id_with_token() -> None:
    plan = make_plan(
        draft(
            auth_id=OTHER_ID,
            auth_token=CANARY,
            agent_ids=[AGENT_A],
            context_mapping={"From": "user.phone"},
        ),
        config(),
    )
    assert plan.wire_body() == {"authId": OTHER_ID, "authToken": CANARY}
    row = by_label(plan)["Auth ID"]
    assert (row.current, row.new, row.changed) == (AUTH_ID, OTHER_ID, True)


def test_new_auth_id_without_token_is_usage_error() -> None:
    # The stored token belongs to the old Auth ID: keeping it cannot work.
    with pytest.raises(UsageError, match="Auth Token for the new Auth ID"):
        make_plan(draft(auth_id=OTHER_ID, agent_ids=[AGENT_A]), config())


def test_switch_to_allow_all_sends_empty_list() -> None:
    plan = make_plan(draft(allow_all_agents=True, context_mapping={"From": "user.phone"}), config())
    assert plan.wire_body() == {
        "callCreationAllowAllAgents": True,
        "callCreationAllowedAgentIds": [],
    }
    row = by_label(plan)["Agents"]
    assert (row.current, row.new, row.changed) == (f"1 agent: {AGENT_A}", "all agents", True)


def test_switch_from_allow_all_to_list_sends_false_and_list() -> None:
    current = config(callCreationAllowAllAgents=True, callCreationAllowedAgentIds=[])
    plan = make_plan(
        draft(agent_ids=[AGENT_A, AGENT_B], context_mapping={"From": "user.phone"}), current
    )
    assert plan.wire_body() == {
        "callCreationAllowAllAgents": False,
        "callCreationAllowedAgentIds": [AGENT_A, AGENT_B],
    }
    row = by_label(plan)["Agents"]
    assert (row.current, row.new) == ("all agents", f"2 agents: {AGENT_A}…")


def test_allow_all_kept_is_no_change() -> None:
    current = config(callCreationAllowAllAgents=True, callCreationAllowedAgentIds=[])
    plan = make_plan(draft(allow_all_agents=True, context_mapping={"From": "user.phone"}), current)
    assert plan.method is None


def test_agent_ids_compared_as_a_set() -> None:
    current = config(callCreationAllowedAgentIds=[AGENT_B.upper(), AGENT_A])
    same = make_plan(
        draft(agent_ids=[AGENT_A, AGENT_B], context_mapping={"From": "user.phone"}), current
    )
    assert same.method is None
    other = make_plan(
        draft(agent_ids=[AGENT_A, AGENT_C], context_mapping={"From": "user.phone"}), current
    )
    assert other.wire_body() == {"callCreationAllowedAgentIds": [AGENT_A, AGENT_C]}
    assert by_label(other)["Agents"].new == f"2 agents: {AGENT_A}… (+1, −1)"


def test_mapping_change_sends_whole_mapping() -> None:
    new_mapping = {"From": "user.phone", "To": "call.to"}
    plan = make_plan(draft(agent_ids=[AGENT_A], context_mapping=new_mapping), config())
    assert plan.wire_body() == {"requestContextMapping": new_mapping}
    row = by_label(plan)["Context mapping"]
    assert (row.current, row.new) == ("From → user.phone", "From → user.phone; To → call.to")
    cleared = make_plan(draft(agent_ids=[AGENT_A]), config())
    assert cleared.wire_body() == {"requestContextMapping": {}}
    assert by_label(cleared)["Context mapping"].new == "none"


def test_no_prefix_shows_dash() -> None:
    plan = make_plan(
        draft(agent_ids=[AGENT_A], context_mapping={"From": "user.phone"}),
        config(authTokenPrefix=None),
    )
    assert by_label(plan)["Auth Token"].current == "—"


# --- display strings -------------------------------------------------------------------------


def test_show_helpers() -> None:
    assert show_agents(True, [AGENT_A]) == "all agents"
    assert show_agents(False, []) == "no agents"
    assert show_mapping({}) == "none"
    long = {f"X-PH-H{i}": f"h.h{i}" for i in range(5)}
    assert show_mapping(long) == "X-PH-H0 → h.h0; X-PH-H1 → h.h1; X-PH-H2 → h.h2; +2 more"


# --- the token stays secret ------------------------------------------------------------------


def test_plan_never_shows_token() -> None:
    for current in (None, config()):
        plan = make_plan(draft(auth_token=CANARY, allow_all_agents=True), current)
        for text in (repr(plan), str(plan), repr(plan.changes), repr(plan.display_body())):
            assert CANARY not in text
        assert CANARY in plan.wire_body().values()


def test_bodies_are_copies() -> None:
    plan = make_plan(
        draft(auth_token=CANARY, agent_ids=[AGENT_A], context_mapping={"From": "a"}), None
    )
    body = plan.wire_body()
    body["callCreationAllowedAgentIds"].append(AGENT_B)
    body["requestContextMapping"]["To"] = "b"
    assert plan.wire_body()["callCreationAllowedAgentIds"] == [AGENT_A]
    assert plan.display_body()["requestContextMapping"] == {"From": "a"}


# --- property: a PATCH moves the service to the draft ------------------------------------------

_agents = st.lists(st.sampled_from([AGENT_A, AGENT_B, AGENT_C]), unique=True, max_size=3)
_mappings = st.sampled_from([{}, {"From": "user.phone"}, {"From": "a", "To": "b"}])


@given(
    cur_all=st.booleans(),
    cur_ids=_agents,
    cur_map=_mappings,
    new_all=st.booleans(),
    new_ids=_agents,
    new_map=_mappings,
    token=st.booleans(),
)
def test_patch_applied_gives_the_draft(
    cur_all: bool,
    cur_ids: list[str],
    cur_map: dict[str, str],
    new_all: bool,
    new_ids: list[str],
    new_map: dict[str, str],
    token: bool,
) -> None:
    current = config(
        callCreationAllowAllAgents=cur_all,
        callCreationAllowedAgentIds=[] if cur_all else cur_ids,
        requestContextMapping=cur_map,
    )
    wanted = draft(
        auth_token=CANARY if token else None,
        allow_all_agents=new_all,
        agent_ids=[] if new_all else new_ids,
        context_mapping=new_map,
    )
    plan = make_plan(wanted, current)
    body = plan.wire_body()
    # Never a list together with allow-all.
    if body.get("callCreationAllowAllAgents"):
        assert body["callCreationAllowedAgentIds"] == []
    # Merging the PATCH into the current state gives what the draft asks for.
    state = current.to_json() | body
    assert state["callCreationAllowAllAgents"] == new_all
    if not new_all:
        assert set(state["callCreationAllowedAgentIds"]) == set(new_ids)
    assert state["requestContextMapping"] == new_map
    assert ("authToken" in body) == token
    assert (plan.method is None) == (body == {})
    assert {c.field for c in plan.changed} <= {
        "authId",
        "authToken",
        "callCreationAllowedAgentIds",
        "requestContextMapping",
    }
    assert bool(plan.changed) == (plan.method is not None)

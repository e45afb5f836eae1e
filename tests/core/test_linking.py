"""The link plan: pure functions over agents, numbers and applications."""

from __future__ import annotations

import pytest

from wizard.core.errors import UsageError
from wizard.core.linking import (
    AgentRef,
    AppAction,
    Serving,
    answer_url_for,
    app_name_for,
    check_agents_allowed,
    check_app_name,
    describe_numbers,
    plan_links,
    slugify,
    ultravox_agent_of,
)
from wizard.core.plivo_numbers import PlivoApplication, PlivoNumber, app_id_of, normalise_number

SALES = AgentRef("6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d", "Sales – EU")
SUPPORT = AgentRef("0f0e0d0c-0b0a-4908-8706-050403020100", "Support")
AGENTS = [SALES, SUPPORT]


def app(app_id: str, name: str, url: str = "", method: str = "POST") -> PlivoApplication:
    return PlivoApplication(app_id=app_id, app_name=name, answer_url=url, answer_method=method)


def number(digits: str, app_id: str | None = None, alias: str = "") -> PlivoNumber:
    uri = f"/v1/Account/MA0/Application/{app_id}/" if app_id else None
    return PlivoNumber(number=digits, alias=alias, application=uri)


FOREIGN = app("900", "Legacy IVR", "https://ivr.example.com/answer/")


def test_names_and_urls() -> None:
    assert slugify("Sales – EU") == "sales-eu"
    assert slugify("Réception (Front Desk)") == "reception-front-desk"
    assert slugify("!!!") == ""
    assert app_name_for(SALES) == "ultravox-sales-eu"
    assert app_name_for(AgentRef(SALES.agent_id, "***")) == "ultravox-6b2b6b8e"
    assert len(app_name_for(AgentRef(SALES.agent_id, "x" * 100))) == len("ultravox-") + 40
    assert check_app_name("ultravox-sales_1") is None
    assert check_app_name("has space") and check_app_name("")
    url = answer_url_for(SALES.agent_id)
    assert url == f"https://app.ultravox.ai/api/agents/{SALES.agent_id}/telephony_xml"
    assert ultravox_agent_of(url) == SALES.agent_id
    assert ultravox_agent_of(url.replace("app.", "api.") + "/") == SALES.agent_id
    assert ultravox_agent_of("https://example.com/answer/") is None
    assert app_id_of("/v1/Account/MA0/Application/123/") == "123"
    assert app_id_of(None) is None
    assert normalise_number("+1 (415) 555-0123") == "14155550123"
    with pytest.raises(UsageError, match="international form"):
        normalise_number("555-CALL")


def test_first_run_creates_one_application_per_agent() -> None:
    numbers = [number("14155550100"), number("14155550101"), number("14155550102")]
    plan = plan_links(
        agents=AGENTS,
        numbers=numbers,
        apps=[FOREIGN],
        choices={
            "14155550100": SALES.agent_id,
            "14155550101": SALES.agent_id,
            "14155550102": SUPPORT.agent_id,
        },
    )
    assert [(a.action, a.app_name) for a in plan.apps] == [
        (AppAction.CREATE, "ultravox-sales-eu"),
        (AppAction.CREATE, "ultravox-support"),
    ]
    assert dict(plan.apps[0].changes) == {
        "app_name": "ultravox-sales-eu",
        "answer_url": answer_url_for(SALES.agent_id),
        "answer_method": "POST",
    }
    assert [n.number for n in plan.relinks] == ["14155550100", "14155550101", "14155550102"]
    assert all(n.previous.serving is Serving.NOTHING for n in plan.numbers)
    assert not plan.nothing_to_change
    assert len(plan.steps) == 5


def test_found_by_answer_url_is_reused_and_a_rerun_changes_nothing() -> None:
    mine = app("100", "Ultravox inbound", answer_url_for(SALES.agent_id))
    plan = plan_links(
        agents=AGENTS,
        numbers=[number("14155550100", "100")],
        apps=[FOREIGN, mine],
        choices={"14155550100": SALES.agent_id},
    )
    assert plan.apps[0].action is AppAction.KEEP and plan.apps[0].found_by == "answer URL"
    assert plan.apps[0].app_name == "Ultravox inbound"  # the user's name is kept
    assert plan.nothing_to_change and plan.steps == ()
    assert [n.number for n in plan.unchanged] == ["14155550100"]


def test_update_sends_only_what_differs() -> None:
    wrong_method = app("100", "x", answer_url_for(SALES.agent_id), method="GET")
    plan = plan_links(
        agents=AGENTS,
        numbers=[number("14155550100"), number("14155550101", "100")],
        apps=[wrong_method],
        choices={"14155550100": SALES.agent_id},
    )
    step = plan.apps[0]
    assert step.action is AppAction.UPDATE
    assert dict(step.changes) == {"answer_method": "POST"}
    assert dict(step.previous) == {"answer_method": "GET"}
    assert step.also_serves == ("14155550101",)  # its calls are affected too: called out

    wrong_host = app("101", "y", answer_url_for(SALES.agent_id).replace("app.", "api."))
    plan = plan_links(
        agents=AGENTS,
        numbers=[number("14155550100")],
        apps=[wrong_host],
        choices={"14155550100": SALES.agent_id},
    )
    assert dict(plan.apps[0].changes) == {"answer_url": answer_url_for(SALES.agent_id)}


def test_found_by_name_only_when_it_has_no_answer_url() -> None:
    empty = app("100", "ultravox-support")
    plan = plan_links(
        agents=AGENTS,
        numbers=[number("14155550100")],
        apps=[empty],
        choices={"14155550100": SUPPORT.agent_id},
    )
    assert plan.apps[0].action is AppAction.UPDATE and plan.apps[0].found_by == "name"
    assert plan.numbers[0].app_id == "100"


def test_a_name_held_by_another_application_is_never_modified() -> None:
    taken = app("100", "ultravox-support", "https://ivr.example.com/")
    plan = plan_links(
        agents=AGENTS,
        numbers=[number("14155550100")],
        apps=[taken],
        choices={"14155550100": SUPPORT.agent_id},
    )
    assert plan.apps[0].action is AppAction.CREATE
    assert plan.apps[0].app_name == "ultravox-support-0f0e0d0c"
    assert all(a.app_id != "100" for a in plan.app_writes)

    other_agent = app("101", "ultravox-support", answer_url_for(SALES.agent_id))
    plan = plan_links(
        agents=AGENTS,
        numbers=[number("14155550100")],
        apps=[other_agent],
        choices={"14155550100": SUPPORT.agent_id},
    )
    assert plan.apps[0].action is AppAction.CREATE and plan.apps[0].app_id is None

    with pytest.raises(UsageError, match="not ours to change"):
        plan_links(
            agents=AGENTS,
            numbers=[number("14155550100")],
            apps=[taken],
            choices={"14155550100": SUPPORT.agent_id},
            app_names={SUPPORT.agent_id: "ultravox-support"},
        )


def test_two_agents_with_the_same_slug_get_different_names() -> None:
    twin = AgentRef("11111111-2222-4333-8444-555555555555", "Support")
    plan = plan_links(
        agents=[SUPPORT, twin],
        numbers=[number("14155550100"), number("14155550101")],
        apps=[],
        choices={"14155550100": SUPPORT.agent_id, "14155550101": twin.agent_id},
    )
    assert [a.app_name for a in plan.apps] == ["ultravox-support", "ultravox-support-11111111"]


def test_numbers_serving_something_else_are_called_out() -> None:
    mine = app("100", "ultravox-support", answer_url_for(SUPPORT.agent_id))
    plan = plan_links(
        agents=AGENTS,
        numbers=[number("14155550100", "900"), number("14155550101", "100")],
        apps=[FOREIGN, mine],
        choices={"14155550100": SALES.agent_id, "14155550101": SALES.agent_id},
    )
    foreign, moved = plan.numbers
    assert foreign.serves_other and foreign.previous.app_name == "Legacy IVR"
    assert foreign.previous.describe() == "Legacy IVR (another application)"
    assert not moved.serves_other and moved.moves_from_agent == SUPPORT.agent_id
    assert "Ultravox agent Support" in moved.previous.describe({SUPPORT.agent_id: SUPPORT})


def test_describe_numbers() -> None:
    mine = app("100", "ultravox-support", answer_url_for(SUPPORT.agent_id))
    views = describe_numbers(
        [number("1", None), number("2", "900"), number("3", "100"), number("4", "gone")],
        [FOREIGN, mine],
    )
    assert [v.current.serving for v in views] == [
        Serving.NOTHING,
        Serving.OTHER,
        Serving.ULTRAVOX,
        Serving.OTHER,
    ]
    assert views[2].current.agent_id == SUPPORT.agent_id
    assert "not found" in views[3].current.describe()


def test_unknown_numbers_agents_and_names_are_refused() -> None:
    with pytest.raises(UsageError, match=r"\+14155550999 is not a voice number"):
        plan_links(agents=AGENTS, numbers=[], apps=[], choices={"14155550999": SALES.agent_id})
    with pytest.raises(UsageError, match="cannot be chosen"):
        plan_links(
            agents=AGENTS,
            numbers=[number("14155550100")],
            apps=[],
            choices={"14155550100": "99999999-2222-4333-8444-555555555555"},
        )
    with pytest.raises(UsageError, match="letters, digits"):
        plan_links(
            agents=AGENTS,
            numbers=[number("14155550100")],
            apps=[],
            choices={"14155550100": SALES.agent_id},
            app_names={SALES.agent_id: "bad name"},
        )


def test_agents_must_be_allowed_by_the_config() -> None:
    check_agents_allowed([SALES.agent_id], allow_all=True, allowed=[], configured=True)
    check_agents_allowed(
        [SALES.agent_id], allow_all=False, allowed=[SALES.agent_id.upper()], configured=True
    )
    with pytest.raises(UsageError, match="does not allow the agent"):
        check_agents_allowed([SUPPORT.agent_id], allow_all=False, allowed=[], configured=True)
    with pytest.raises(UsageError, match="no Plivo config"):
        check_agents_allowed([SALES.agent_id], allow_all=True, allowed=[], configured=False)


def test_plivo_names_are_cleaned_where_they_enter() -> None:
    """An application or number name with escape sequences (printed by `numbers`, `link` and
    the wizard) is made plain on arrival, as every service model's strings are."""
    from wizard.core.plivo_numbers import PlivoApplication

    app = PlivoApplication.model_validate(
        {"app_id": "1", "app_name": "x\x1b]0;pwned\x07\x1b[2Jy", "answer_url": ""}
    )
    assert "\x1b" not in app.app_name and "\x07" not in app.app_name
    assert app.app_name.startswith("x") and app.app_name.endswith("y")

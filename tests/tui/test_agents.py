"""Step 3 (agents) mounted alone in a small host app, against the sandbox over loopback."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static, Switch

from tests.conftest import SandboxFactory
from tests.tui.hosts import StepHost, host_session
from wizard.core.http import HttpSettings
from wizard.core.ultravox import UltravoxClient
from wizard.flow.agents import (
    LoadState,
    list_rows,
    paste_findings_text,
    selection_problems,
    sort_pasted,
)
from wizard.flow.agents import status_text as load_status_text
from wizard.sandbox import DEMO_API_KEY, Fault, Sandbox
from wizard.tui.steps.agents import (
    SHOWN_MATCHES,
    AgentCatalog,
    AgentPicker,
    AgentSelection,
    AgentsStep,
    split_agent_ids,
)

FAST = HttpSettings(max_attempts=2, backoff_base=0.0, backoff_max=0.0, retry_after_cap=0.0)


async def _no_sleep(_seconds: float) -> None:
    return None


class GatedTransport(httpx.AsyncHTTPTransport):
    """Holds every request for a page after the first until `gate` is set (no timing games)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "cursor" in request.url.params:
            await self.gate.wait()
        return await super().handle_async_request(request)


class AgentsHost(StepHost[AgentsStep]):
    """The agents step alone; `load_from` starts loading as the wizard does on entering it."""

    TITLE_TEXT = "Step 3/6: Agents"

    def __init__(
        self, step: AgentsStep, on_ready: Callable[[AgentsStep], None] | None = None
    ) -> None:
        super().__init__(step, on_ready)
        self.clients: list[UltravoxClient] = []

    def load_from(self, client: UltravoxClient) -> None:
        """Start the step loading through `client`, closed when the app ends."""
        self.clients.append(client)
        self.step.start_loading(client)

    async def on_unmount(self) -> None:
        for client in self.clients:
            await client.aclose()


def make_client(box: Sandbox, **kwargs: Any) -> UltravoxClient:
    return UltravoxClient(SecretStr(DEMO_API_KEY), box.base_url, **kwargs)


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], what: str) -> None:
    """Let the app run until `predicate` holds (a guard against hanging, not a timing check)."""
    for _ in range(1000):
        if predicate():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"gave up waiting for {what}")


def status_text(step: AgentsStep, selector: str = "#agents-status") -> str:
    return str(step.query_one(selector, Static).render())


def shown_ids(step: AgentsStep) -> list[str]:
    picker = step.query_one(AgentPicker)
    return [picker.get_option_at_index(i).value for i in range(picker.option_count)]


def ids(box: Sandbox, *indexes: int) -> list[str]:
    return [str(box.agents[i]["agentId"]) for i in indexes]


# --- pure helpers ---------------------------------------------------------------------------


def test_split_agent_ids_accepts_commas_spaces_and_newlines() -> None:
    assert split_agent_ids(" a, b;c\n d\r\n\te ,, ") == ["a", "b", "c", "d", "e"]


def test_catalog_filters_by_name_or_id_and_caps_what_it_returns() -> None:
    from wizard.core.models import Agent

    catalog = AgentCatalog()
    agents = [Agent(agent_id=str(uuid.uuid4()), name=f"Agent {i}") for i in range(300)]
    assert catalog.add(agents) == 300
    assert catalog.add(agents[:10]) == 0  # repeats (retry, search) are ignored
    first, count = catalog.matching("AGENT 1", 5)
    assert count == 111  # "Agent 1", "Agent 10".."19", "Agent 100".."199"
    assert len(first) == 5
    by_id, count = catalog.matching(agents[42].agent_id[:13], 10)
    assert by_id == [agents[42].agent_id] and count == 1
    everything, count = catalog.matching("", 200)
    assert len(everything) == 200 and count == 300


def test_pasted_ids_are_sorted_into_added_kept_and_refused() -> None:
    ticked = str(uuid.uuid4())
    fresh = [str(uuid.uuid4()) for _ in range(3)]
    tokens = [ticked, "not-an-id", fresh[0], fresh[0].upper(), fresh[1], fresh[2]]
    pasted = sort_pasted(tokens, {ticked: None}, limit=3)
    assert pasted.added == (fresh[0], fresh[1])  # the upper-case repeat is the same id
    assert pasted.kept == ("not-an-id", fresh[2])  # invalid, and over the limit, stay
    assert pasted.refused == 1


def test_list_rows_pin_ticked_agents_that_are_not_loaded() -> None:
    from wizard.core.models import Agent

    catalog = AgentCatalog()
    agents = [Agent(agent_id=str(uuid.uuid4()), name=f"Support {i}") for i in range(5)]
    catalog.add(agents)
    gone, later = str(uuid.uuid4()), str(uuid.uuid4())
    selected = [agents[1].agent_id, gone, later]
    rows, matches = list_rows(selected, catalog, {gone}, "", limit=2)
    assert rows == [
        (gone, "missing"),
        (later, "unknown"),
        (agents[0].agent_id, "agent"),
        (agents[1].agent_id, "agent"),
    ]
    assert matches == 5
    rows, matches = list_rows(selected, catalog, {gone}, "support 3")
    assert rows == [(agents[3].agent_id, "agent")] and matches == 1


@pytest.mark.parametrize(
    ("state", "query", "matches", "expected"),
    [
        (LoadState(0, None, False, None, False), "", 0, "Agents not loaded."),
        (LoadState(0, None, False, None, True), "", 0, "Loading agents…"),
        (LoadState(150, 1234, False, None, True), "", 150, "150 of 1,234 loaded…"),
        (LoadState(1, 1, True, None, True), "x", 1, "All 1 agent loaded. 1 match."),
        (LoadState(25, 25, True, None, True), "a", 3, "All 25 agents loaded. 3 matches."),
        (LoadState(0, None, False, "Ultravox failed.", True), "", 0, "None loaded."),
        (
            LoadState(100, 900, False, "Ultravox failed.", True),
            "",
            100,
            "100 of 900 loaded; loading stopped.",
        ),
        (
            LoadState(10_000, 10_000, True, None, True),
            "",
            10_000,
            "All 10,000 agents loaded. Showing 200 of 10,000 matches; type to narrow.",
        ),
    ],
)
def test_status_text_says_how_far_loading_got(
    state: LoadState, query: str, matches: int, expected: str
) -> None:
    assert load_status_text(state, query, matches) == expected


def test_selection_problems_name_each_reason() -> None:
    assert selection_problems(0, 0, "") == ["Pick at least one agent, or allow all agents."]
    assert selection_problems(3, 0, "") == []
    too_many = selection_problems(101, 2, "")
    assert "At most 100 agents" in too_many[0] and "2 ticked agents no longer exist" in too_many[1]
    assert "Press Enter" in selection_problems(1, 0, str(uuid.uuid4()))[0]
    assert selection_problems(1, 0, "nope") != []
    assert paste_findings_text(["a", "b", "c", "d"]) == "a b (and 2 more)"


# --- loading --------------------------------------------------------------------------------


async def test_loads_every_agent_from_the_service(sandbox: Sandbox) -> None:
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert step.loading_complete
        assert shown_ids(step) == [str(a["agentId"]) for a in sandbox.agents]
        assert status_text(step) == "All 25 agents loaded."
        assert step.problems() == ["Pick at least one agent, or allow all agents."]
        assert "Pick at least one agent" in str(app.query_one("#next-status", Static).render())


async def test_first_page_is_usable_before_the_rest_arrives(
    sandbox_factory: SandboxFactory,
) -> None:
    box = sandbox_factory(agent_count=1000)
    transport = GatedTransport()
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(box, transport=transport))
        await wait_for(pilot, lambda: step.query_one(AgentPicker).option_count > 0, "page 1")
        assert not step.loading_complete
        assert status_text(step).startswith("100 of 1,000 loaded")
        picker = step.query_one(AgentPicker)
        assert picker.option_count == 100
        picker.focus()
        await pilot.press("down", "space")
        assert step.selected_ids == ids(box, 1)

        transport.gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert step.loading_complete
        assert status_text(step) == (
            f"All 1,000 agents loaded. Showing {SHOWN_MATCHES} of 1,000 matches; type to narrow."
        )
        assert picker.option_count == SHOWN_MATCHES  # a window, not 1,000 rows
        assert picker.highlighted == 1  # the pages that arrived did not move the cursor
        assert step.selected_ids == ids(box, 1)
        assert picker.selected == ids(box, 1)


async def test_typing_filters_the_loaded_agents(sandbox: Sandbox) -> None:
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        await pilot.pause()
        step.query_one("#agents-search", Input).focus()
        await pilot.press(*"SUPPORT")
        expected = [str(a["agentId"]) for a in sandbox.agents if "support" in a["name"].lower()]
        assert expected and len(expected) < len(sandbox.agents)
        assert shown_ids(step) == expected
        assert f"{len(expected)} matches" in status_text(step)
        # Everything is loaded: the service is not asked to search.
        assert not any("search" in r.query for r in sandbox.requests)
        await pilot.press("enter")
        assert step.query_one(AgentPicker).has_focus


async def test_typing_asks_the_service_for_agents_not_loaded_yet(
    sandbox_factory: SandboxFactory,
) -> None:
    box = sandbox_factory(agent_count=1000)
    box.agents[700]["name"] = "Zebra Hotline"
    transport = GatedTransport()  # page 2 never comes: only the search can find agent 700
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(box, transport=transport))
        await wait_for(pilot, lambda: step.query_one(AgentPicker).option_count > 0, "page 1")
        step.query_one("#agents-search", Input).focus()
        await pilot.press(*"zeb")
        assert shown_ids(step) == []  # the local filter answers at once: nothing loaded matches
        await wait_for(pilot, lambda: shown_ids(step) == ids(box, 700), "the search result")
        searches = [r.query["search"] for r in box.requests if "search" in r.query]
        assert searches == ["zeb"]  # debounced: one request for three keystrokes
        await pilot.press("enter", "space")
        assert step.selected_ids == ids(box, 700)
        transport.gate.set()


# --- the selection --------------------------------------------------------------------------


async def test_the_101st_agent_is_refused(sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(agent_count=150)
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        step.load_model(AgentSelection(False, tuple(ids(box, *range(100)))))
        app.load_from(make_client(box))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(step.query_one("#agents-counter", Static).render()) == "100 / 100 selected"
        picker = step.query_one(AgentPicker)
        picker.focus()
        picker.highlighted = 120
        await pilot.press("space")
        assert len(step.selected_ids) == 100
        assert ids(box, 120)[0] not in picker.selected
        note = step.query_one("#agents-note", Static)
        assert note.has_class("-shown")
        assert "At most 100 agents can be allowed" in str(note.render())
        # Unticking one makes room again.
        picker.highlighted = 5
        await pilot.press("space")
        picker.highlighted = 120
        await pilot.press("space")
        assert len(step.selected_ids) == 100
        assert ids(box, 120)[0] in step.selected_ids
        assert ids(box, 5)[0] not in step.selected_ids
        assert not note.has_class("-shown")
        # Ticked agents hidden by the filter still count toward the limit.
        step.query_one("#agents-search", Input).value = box.agents[130]["name"]
        await pilot.pause()
        picker.highlighted = 0
        await pilot.press("space")
        assert len(step.selected_ids) == 100
        assert note.has_class("-shown")


async def test_allow_all_greys_the_selection_and_keeps_it(sandbox: Sandbox) -> None:
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        await pilot.pause()
        picker = step.query_one(AgentPicker)
        picker.focus()
        await pilot.press("space", "down", "down", "space")
        assert step.to_model() == AgentSelection(False, tuple(ids(sandbox, 0, 2)))
        changes = app.changes

        await pilot.press("ctrl+t")
        assert step.query_one(Switch).value
        assert picker.disabled and step.query_one("#agents-search", Input).disabled
        assert step.to_model() == AgentSelection(True, ())
        assert step.selected_ids == ids(sandbox, 0, 2)
        assert step.problems() == []
        assert app.changes > changes
        assert "Ready" in str(app.query_one("#next-status", Static).render())

        step.query_one(Switch).focus()
        await pilot.press("enter")  # Enter never flips a switch: it is Next's key
        assert step.query_one(Switch).value and picker.disabled
        await pilot.press("space")  # Space does
        assert not picker.disabled
        assert step.to_model() == AgentSelection(False, tuple(ids(sandbox, 0, 2)))
        assert picker.selected == ids(sandbox, 0, 2)


async def test_current_agents_are_preselected_and_missing_ones_flagged(
    sandbox: Sandbox,
) -> None:
    gone = str(uuid.uuid4())
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        step.load_model(AgentSelection(False, (ids(sandbox, 3)[0], gone.upper())))
        step.mark_current([ids(sandbox, 3)[0], gone])
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        await pilot.pause()
        picker = step.query_one(AgentPicker)
        assert step.selected_ids == [ids(sandbox, 3)[0], gone]  # normalised, not doubled
        assert set(picker.selected) == {ids(sandbox, 3)[0], gone}
        assert step.missing_ids == {gone}
        # The missing agent is pinned first and says so in words.
        assert shown_ids(step)[0] == gone
        assert "missing" in str(picker.get_option_at_index(0).prompt)
        assert step.problems() == ["1 ticked agent no longer exists (marked missing); untick it."]
        picker.focus()
        picker.highlighted = 0
        await pilot.press("space")
        assert step.problems() == []
        assert step.to_model() == AgentSelection(False, tuple(ids(sandbox, 3)))


async def test_pasted_ids_join_the_selection(sandbox: Sandbox) -> None:
    gone = str(uuid.uuid4())
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        field = step.query_one("#agents-paste", Input)
        field.focus()
        first, second = ids(sandbox, 4, 9)
        field.post_message(events.Paste(f"{first}\n{second.upper()},\nnot-an-id\n{gone}"))
        await pilot.pause()
        assert field.value == f"{first} {second.upper()} not-an-id {gone}"
        findings = step.query_one("#agents-paste-findings", Static)
        assert "'not-an-id' is not an agent id" in str(findings.render())
        assert "'not-an-id' is not an agent id (a UUID)." in step.problems()

        await pilot.press("enter")
        assert step.selected_ids == [first, second]
        # What could not be added stays, with its reason: the full list is loaded and lacks
        # `gone`, so it is refused now rather than ticked and flagged as missing later.
        assert field.value == f"not-an-id {gone}"
        assert step.missing_ids == set()
        assert set(step.query_one(AgentPicker).selected) == {first, second}
        refusal = f"No agent with id {gone} in this account."
        assert refusal in status_text(step, "#agents-note")
        assert refusal in str(findings.render())
        assert any(refusal in problem for problem in step.problems())

        await pilot.press("ctrl+u")
        assert field.value == ""
        assert step.problems() == []


async def test_pasted_ids_are_checked_with_the_service_while_loading(
    sandbox_factory: SandboxFactory,
) -> None:
    box = sandbox_factory(agent_count=300)
    gone = str(uuid.uuid4())
    transport = GatedTransport()
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(box, transport=transport))
        await wait_for(pilot, lambda: step.query_one(AgentPicker).option_count > 0, "page 1")
        field = step.query_one("#agents-paste", Input)
        field.focus()
        late = ids(box, 250)[0]
        field.value = f"{late} {gone}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(step.missing_ids), "the existence check")
        assert step.missing_ids == {gone}
        assert step.selected_ids == [late, gone]
        gets = [r.path for r in box.requests if r.path.startswith("/api/agents/")]
        assert sorted(gets) == sorted([f"/api/agents/{late}", f"/api/agents/{gone}"])
        picker = step.query_one(AgentPicker)
        row = shown_ids(step).index(late)  # found by the check: shown with its name
        assert str(box.agents[250]["name"]) in str(picker.get_option_at_index(row).prompt)
        transport.gate.set()


# --- failures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault(status=500, path_prefix="/api/agents"), "Ultravox"),
        (Fault(status=429, retry_after="0", path_prefix="/api/agents", times=2), "Ultravox"),
        (Fault(drop=True, path_prefix="/api/agents", times=2), "Ultravox"),
    ],
    ids=["500", "429", "dropped"],
)
async def test_a_load_error_keeps_what_loaded_and_offers_retry(
    sandbox_factory: SandboxFactory, fault: Fault, message: str
) -> None:
    box = sandbox_factory(agent_count=250)
    box.inject(Fault(path_prefix="/api/agents"), fault)  # page 1 passes, page 2 fails
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(box, settings=FAST, sleep=_no_sleep))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not step.loading_complete
        assert step.query_one(AgentPicker).option_count == 100  # page 1 kept
        error = step.query_one("#agents-error", Static)
        assert error.has_class("-shown")
        text = str(error.render())
        assert message in text and text.endswith("Press F5 to retry.")
        assert "Traceback" not in text
        assert status_text(step).startswith("100 of 250 loaded")
        step.query_one(AgentPicker).focus()
        await pilot.pause()
        retry = step.retry_button()  # what the wizard's F5 presses
        assert retry is not None
        retry.press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert step.loading_complete
        assert not error.has_class("-shown")
        assert status_text(step).startswith("All 250 agents loaded.")


async def test_retry_is_only_offered_after_an_error(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=503, path_prefix="/api/agents", times=4))
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        assert step.retry_button() is None
        app.load_from(make_client(sandbox, settings=FAST, sleep=_no_sleep))
        await app.workers.wait_for_complete()
        await pilot.pause()
        retry = step.retry_button()
        assert retry is not None
        assert step.query_one(AgentPicker).option_count == 0
        sandbox.clear_faults()
        retry.press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert step.query_one(AgentPicker).option_count == 25
        assert step.retry_button() is None


# --- snapshots (80x24) ----------------------------------------------------------------------


def _snapshot_app(box: Sandbox, selection: AgentSelection, missing: list[str]) -> AgentsHost:
    def ready(step: AgentsStep) -> None:
        step.load_model(selection)
        step.mark_current(missing)
        app.load_from(make_client(box, settings=FAST, sleep=_no_sleep))
        step.on_show_step()

    app = AgentsHost(AgentsStep(host_session()), ready)
    return app


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_agents_typical(snap_compare: Any, sandbox: Sandbox) -> None:
    picked = AgentSelection(False, tuple(ids(sandbox, 0, 2)))
    app = _snapshot_app(sandbox, picked, ["6f1d3c9e-0000-4000-8000-00000000dead"])
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_snapshot_agents_load_error(snap_compare: Any, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=500, path_prefix="/api/agents"))
    app = _snapshot_app(sandbox, AgentSelection(False, ()), [])
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


async def test_enter_in_the_fields_acts_there_and_bubbles_when_empty(sandbox: Sandbox) -> None:
    submitted: list[str] = []

    class Recorder(AgentsHost):
        def on_input_submitted(self, message: Input.Submitted) -> None:
            submitted.append(message.input.id or "")

    step = AgentsStep(host_session())
    app = Recorder(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        step.query_one("#agents-search", Input).focus()
        await pilot.press("enter")  # empty search: Enter is the app's (Next)
        await pilot.press(*"desk", "enter")  # a search: Enter goes to the results
        assert step.query_one(AgentPicker).has_focus
        paste = step.query_one("#agents-paste", Input)
        paste.focus()
        paste.value = ids(sandbox, 1)[0]
        await pilot.press("enter")
        assert step.selected_ids == ids(sandbox, 1)
        assert submitted == ["agents-search"]


class NextHost(AgentsHost):
    """A host whose Enter means Next, as in the wizard (a non-priority app binding)."""

    BINDINGS = [("enter", "next", "Next")]

    def __init__(self, step: AgentsStep) -> None:
        super().__init__(step)
        self.nexts = 0

    def action_next(self) -> None:
        self.nexts += 1


async def test_enter_in_the_list_goes_next_and_space_ticks(sandbox: Sandbox) -> None:
    step = AgentsStep(host_session())
    app = NextHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        await pilot.pause()
        picker = step.query_one(AgentPicker)
        picker.focus()
        await pilot.press("enter")
        assert step.selected_ids == []  # Enter does not tick ...
        assert app.nexts == 1  # ... it reaches the app's Next
        await pilot.press("space")
        assert step.selected_ids == ids(sandbox, 0)
        assert app.nexts == 1


async def test_allow_all_keeps_focus_and_its_key(sandbox: Sandbox) -> None:
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        app.load_from(make_client(sandbox))
        await app.workers.wait_for_complete()
        await pilot.pause()
        switch = step.query_one(Switch)
        for selector in ("#agents-picker", "#agents-search", "#agents-paste"):
            step.query_one(selector).focus()
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert switch.value
            # The focused field got disabled: focus moved to the switch, not nowhere.
            assert app.focused is switch
            footer_keys = {b.binding.key for b in app.screen.active_bindings.values()}
            assert "ctrl+t" in footer_keys
            await pilot.press("ctrl+t")  # a second Ctrl+T still works
            await pilot.pause()
            assert not switch.value
            assert app.focused is not None


async def test_counter_shows_zero_before_the_first_tick(sandbox: Sandbox) -> None:
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert status_text(step, "#agents-counter") == "0 / 100 selected"


@pytest.mark.parametrize("allow_all", [False, True])
async def test_allow_all_label_fits_at_60_columns(sandbox: Sandbox, allow_all: bool) -> None:
    step = AgentsStep(host_session())
    app = AgentsHost(step)
    async with app.run_test(size=(60, 20)) as pilot:
        step.load_model(AgentSelection(allow_all, ()))
        await pilot.pause()
        await pilot.pause()
        label = step.query_one("#agents-allow-all-label", Static)
        text = status_text(step, "#agents-allow-all-label")
        assert ("on" if allow_all else "off") in text
        assert len(text) <= label.content_size.width  # not clipped
    async with AgentsHost(wide := AgentsStep(host_session())).run_test(size=(100, 24)) as pilot:
        wide.load_model(AgentSelection(allow_all, ()))
        await pilot.pause()
        assert status_text(wide, "#agents-allow-all-label").startswith("Allow all agents")

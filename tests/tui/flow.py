"""Drive the wizard through its steps like a user (shared by flow, snapshot and canary tests)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests import held
from tests.tui.conftest import settle, type_into
from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, Sandbox
from wizard.tui.steps.agents import AgentsStep
from wizard.tui.steps.mapping import MappingStep


def hold_existing_config(sandbox: Sandbox) -> str:
    """Make the sandbox hold a config (one agent, From -> user.phone); return that agent's id."""
    return held.hold_config(sandbox)


async def connect(pilot: Pilot[Any], key: str = DEMO_API_KEY) -> None:
    await type_into(pilot, "#api-key", key)
    await pilot.press("enter")
    await settle(pilot)


async def to_plivo(pilot: Pilot[Any], key: str = DEMO_API_KEY) -> None:
    """Type the key and go on: the wizard is on step 2."""
    await connect(pilot, key)
    assert pilot.app.step_index == 1  # type: ignore[attr-defined]


async def drive_to(
    pilot: Pilot[Any],
    step_id: str,
    *,
    agents: list[str] | None = None,
    mapping: dict[str, str] | None = None,
) -> None:
    """Drive a demo wizard (its key and Plivo credentials come from the demo store) to
    `step_id`: Next through Connect and Plivo, then `agents` (None: all) and `mapping`."""
    order = ("connect", "plivo", "agents", "mapping", "review")
    await settle(pilot)
    for done in order[: order.index(step_id)]:
        if done == "agents":
            await pick_agents(pilot, agents)
        elif done == "mapping":
            await map_fields(pilot, mapping or {})
        else:
            await pilot.press("ctrl+n")
            await settle(pilot)


async def credentials(pilot: Pilot[Any], token: str, auth_id: str = DEMO_AUTH_ID) -> None:
    app = pilot.app
    if app.query_one("#auth-id", Input).value != auth_id:
        await type_into(pilot, "#auth-id", auth_id)
    await type_into(pilot, "#auth-token", token)
    await pilot.press("ctrl+n")
    await settle(pilot)


async def pick_agents(pilot: Pilot[Any], ids: list[str] | None) -> None:
    """`None` allows all agents; otherwise paste these ids."""
    step = pilot.app.query_one(AgentsStep)
    if ids is None:
        await pilot.press("ctrl+t")
    else:
        from wizard.tui.steps.agents import AgentSelection

        step.load_model(AgentSelection(allow_all=False, agent_ids=tuple(ids)))
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)


async def map_fields(pilot: Pilot[Any], mapping: dict[str, str]) -> None:
    pilot.app.query_one(MappingStep).load_model(mapping)
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)

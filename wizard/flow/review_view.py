"""What Review says, in plain text every face shows the same way: the agents as short ids with
names, and where to fix a field Ultravox refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard.flow.steps import STEP_IDS

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession

MAX_AGENTS_SHOWN = 4
"""Agents listed by name in a Review cell; the rest are counted (the body lists them all)."""


@dataclass(frozen=True)
class FixPlace:
    """Where a refused wire field is fixed: the step's id and what the user calls it."""

    step_id: str
    label: str

    @property
    def number(self) -> int:
        return STEP_IDS.index(self.step_id) + 1


FIELD_PLACES: Mapping[str, FixPlace] = {
    "authId": FixPlace("plivo", "Plivo credentials (step 2), Auth ID"),
    "authToken": FixPlace("plivo", "Plivo credentials (step 2), Auth Token"),
    "callCreationAllowedAgentIds": FixPlace("agents", "Agents (step 3)"),
    "callCreationAllowAllAgents": FixPlace("agents", "Agents (step 3)"),
    "requestContextMapping": FixPlace("mapping", "Context mapping (step 4)"),
}


def fix_places(fields: Sequence[str]) -> list[FixPlace]:
    """The places to fix these refused fields, each once, in the order given."""
    found: list[FixPlace] = []
    for field in fields:
        place = FIELD_PLACES.get(field)
        if place is not None and place not in found:
            found.append(place)
    return found


def agents_text(session: WizardSession, ids: Sequence[str]) -> str:
    """`3 agents:` then a short id and name a line (a full UUID does not fit a cell)."""
    if not ids:
        return "no agents"
    lines = [f"{len(ids)} agents:"] if len(ids) > 1 else []
    for agent_id in ids[:MAX_AGENTS_SHOWN]:
        lines.append(f"{agent_id[:8]}… {session.agent_name(agent_id)}".rstrip())
    extra = len(ids) - MAX_AGENTS_SHOWN
    if extra > 0:
        lines.append(f"+{extra} more (see the body)")
    return "\n".join(lines)


def agents_cells(session: WizardSession) -> tuple[str, str]:
    """(what Ultravox allows now, what will be allowed), as Review's Agents row shows them."""
    held = session.held_config
    current = "—"
    if held is not None:
        current = (
            "all agents" if held.allow_all_agents else agents_text(session, held.allowed_agent_ids)
        )
    chosen = session.selection
    new = "all agents" if chosen.allow_all else agents_text(session, chosen.agent_ids)
    return current, new

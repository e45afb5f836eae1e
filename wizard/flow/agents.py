"""The agents step's bookkeeping, in plain Python (no Textual): tested without a running app.

`AgentCatalog` holds the agents loaded so far with a lowercase index, so a filter keystroke over
10,000 agents is one substring scan; the functions below turn the step's state into its texts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard.core.rules import MAX_AGENTS, check_agent_ids, errors, normalise_agent_id

if TYPE_CHECKING:  # the pydantic models load after the first frame (docs/architecture.md)
    from wizard.core.models import Agent

SHOWN_MATCHES = 200
"""Most agents the list shows at once; typing narrows the rest (keeps 10,000 agents cheap)."""

_ID_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class AgentSelection:
    """The agents step as a model: all agents, or this list (empty when `allow_all`)."""

    allow_all: bool
    agent_ids: tuple[str, ...]


def split_agent_ids(text: str) -> list[str]:
    """The ids in pasted text: separated by commas, semicolons, spaces or newlines."""
    return [part for part in _ID_SEPARATORS.split(text) if part]


def plural(count: int, word: str) -> str:
    """`1 agent`, `1,234 agents`."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


class AgentCatalog:
    """The agents loaded so far, in service order, with a lowercase index for instant filtering."""

    def __init__(self) -> None:
        self._agents: dict[str, Agent] = {}
        self._keys: list[str] = []
        self._ids: list[str] = []

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._agents

    def get(self, agent_id: str) -> Agent | None:
        return self._agents.get(agent_id)

    def add(self, agents: Iterable[Agent]) -> int:
        """Add agents not seen yet (a retry or a search may repeat some); returns how many."""
        added = 0
        for agent in agents:
            agent_id = normalise_agent_id(agent.agent_id) or agent.agent_id
            if agent_id in self._agents:
                continue
            self._agents[agent_id] = agent
            self._ids.append(agent_id)
            self._keys.append(f"{agent.name.lower()}\n{agent_id}")
            added += 1
        return added

    def matching(self, query: str, limit: int) -> tuple[list[str], int]:
        """The first `limit` ids whose name or id contains `query`, and how many match in all."""
        needle = query.strip().lower()
        if not needle:
            return self._ids[:limit], len(self._ids)
        hits = [i for i, key in enumerate(self._keys) if needle in key]
        return [self._ids[i] for i in hits[:limit]], len(hits)


@dataclass(frozen=True)
class PastedIds:
    """Enter in the ids field: ids to add, text left in the field, how many over the limit."""

    added: tuple[str, ...]
    kept: tuple[str, ...]
    refused: int


def sort_pasted(tokens: Sequence[str], selected: Collection[str], limit: int) -> PastedIds:
    """Split pasted tokens into new valid ids (up to `limit` in all) and the rest.

    Invalid tokens and ids over the limit stay in the field for the user to fix; ids already
    ticked (or repeated) are dropped quietly.
    """
    added: list[str] = []
    kept: list[str] = []
    refused = 0
    for token in tokens:
        agent_id = normalise_agent_id(token)
        if agent_id is None:
            kept.append(token)
        elif agent_id in selected or agent_id in added:
            continue
        elif len(selected) + len(added) >= limit:
            kept.append(token)
            refused += 1
        else:
            added.append(agent_id)
    return PastedIds(tuple(added), tuple(kept), refused)


def list_rows(
    selected: Iterable[str],
    catalog: AgentCatalog,
    missing: Collection[str],
    query: str,
    limit: int = SHOWN_MATCHES,
) -> tuple[list[tuple[str, str]], int]:
    """What the list shows, as (id, kind) rows, and how many loaded agents match `query`.

    Ticked agents that are not loaded come first (kind "missing" or "unknown"), then up to
    `limit` loaded matches (kind "agent").
    """
    needle = query.strip().lower()
    rows: list[tuple[str, str]] = []
    for agent_id in selected:
        if agent_id in catalog or (needle and needle not in agent_id):
            continue
        rows.append((agent_id, "missing" if agent_id in missing else "unknown"))
    shown, match_count = catalog.matching(needle, limit)
    rows.extend((agent_id, "agent") for agent_id in shown)
    return rows, match_count


@dataclass(frozen=True)
class LoadState:
    """Where loading the account's agents stands (for the status line)."""

    loaded: int
    total: int | None
    complete: bool
    error: str | None
    started: bool


def status_text(state: LoadState, query: str, matches: int, limit: int = SHOWN_MATCHES) -> str:
    """The line under the list: how many agents are loaded, and how many match the search."""
    if not state.started:
        text = "Agents not loaded."
    elif state.error is not None:
        of_total = f" of {state.total:,}" if state.total is not None else ""
        text = (
            f"{state.loaded:,}{of_total} loaded; loading stopped."
            if state.loaded
            else ("None loaded.")
        )
    elif state.complete:
        text = f"All {plural(state.loaded, 'agent')} loaded."
    elif state.total is not None:
        text = f"{state.loaded:,} of {state.total:,} loaded…"
    else:
        text = f"{state.loaded:,} loaded…" if state.loaded else "Loading agents…"
    if matches > limit:
        text += f" Showing {limit} of {matches:,} matches; type to narrow."
    elif query.strip():
        text += f" {matches:,} {'match' if matches == 1 else 'matches'}."
    return text


def selection_problems(selected_count: int, missing_count: int, pasted: str) -> list[str]:
    """Why the picked list cannot be sent yet (empty when it can); "all agents" has none."""
    found: list[str] = []
    if selected_count == 0:
        found.append("Pick at least one agent, or allow all agents.")
    elif selected_count > MAX_AGENTS:
        found.append(
            f"At most {MAX_AGENTS} agents can be allowed ({selected_count} ticked);"
            " untick some, or allow all agents."
        )
    if missing_count:
        found.append(
            "1 ticked agent no longer exists (marked missing); untick it."
            if missing_count == 1
            else f"{missing_count} ticked agents no longer exist (marked missing); untick them."
        )
    if pasted.strip():
        paste_errors = errors(check_agent_ids(split_agent_ids(pasted)))
        if paste_errors:
            found.extend(f.message for f in paste_errors[:3])
        else:
            found.append("Press Enter in the ids field to add the pasted ids, or clear it.")
    return found


def paste_findings_text(messages: Sequence[str]) -> str:
    """At most two findings about the ids field, then how many more."""
    shown = list(messages[:2])
    if len(messages) > 2:
        shown.append(f"(and {len(messages) - 2} more)")
    return " ".join(shown)

"""Loading the account's agents page by page, and the picked list, with no UI in it.

The terminal face keeps its own loop in its agents step; faces written after it (the notebook)
drive this instead: `AgentLoading` fills the session's catalog page by page and says where it
stands (`LoadState`), `AgentPicks` is the ordered picked list with the 100 cap, and both only
call the rules in `wizard.flow.agents`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wizard.core.errors import NotFoundError, WizardError
from wizard.core.models import MAX_AGENTS, check_agent_ids, errors, normalise_agent_id
from wizard.flow.agents import (
    SHOWN_MATCHES,
    AgentCatalog,
    AgentSelection,
    LoadState,
    selection_problems,
    sort_pasted,
    split_agent_ids,
)
from wizard.flow.operations import plain_message

if TYPE_CHECKING:
    from wizard.core.ultravox import UltravoxClient
    from wizard.flow.session import WizardSession


class AgentLoading:
    """The session's agent catalog, filled page by page with the checked key's client.

    `load()` runs on the face's loop; `on_progress` is called after every page so the face can
    redraw. Another client (another key, maybe another account) starts the catalog afresh.
    """

    def __init__(self, session: WizardSession) -> None:
        self.session = session
        self.client: UltravoxClient | None = None
        self.total: int | None = None
        self.complete = False
        self.error: str | None = None
        self._resume_from: str | None = None
        """The page to load next after a failure (None: from the start)."""

    @property
    def catalog(self) -> AgentCatalog:
        return self.session.agents

    def state(self) -> LoadState:
        return LoadState(
            loaded=len(self.catalog),
            total=self.total,
            complete=self.complete,
            error=self.error,
            started=self.client is not None,
        )

    def needs_loading(self) -> bool:
        """True when the session's checked client differs from the one loaded with."""
        return self.session.connected and self.session.client is not self.client

    async def load(
        self,
        on_progress: Callable[[], None] = lambda: None,
        client: UltravoxClient | None = None,
    ) -> None:
        """Load every page with `client` (default: the session's); errors end as `self.error`
        (one line). A retry after a failed page goes on from that page, keeping what loaded;
        another client (another key, maybe another account) starts the catalog afresh."""
        client = client or self.session.client
        if client is not self.client:
            self.session.agents = AgentCatalog()
            self.total = None
            self._resume_from = None
        self.client, self.complete, self.error = client, False, None
        on_progress()
        try:
            async for page in client.iter_agent_pages(resume_from=self._resume_from):
                self._resume_from = page.next_url
                if page.total is not None:
                    self.total = page.total
                self.catalog.add(page.agents)
                on_progress()
        except Exception as exc:  # a WizardError, or a bug said plainly (never a traceback)
            self.error = plain_message(exc)
            on_progress()
            return
        self.complete = True
        self._resume_from = None
        self.total = len(self.catalog)
        on_progress()

    async def search(self, query: str) -> int:
        """Ask the service for agents matching `query` that are not loaded yet; how many came.

        Failures are quiet: the local filter still works and `load()` reports errors.
        """
        if self.client is None or self.complete or not query.strip():
            return 0
        found = 0
        try:
            async for page in self.client.iter_agent_pages(search=query.strip()):
                found += len(page.agents)
                self.catalog.add(page.agents)
                if found >= SHOWN_MATCHES:
                    break
        except WizardError:
            return found
        return found

    async def check_exist(self, ids: Iterable[str]) -> set[str]:
        """Ask for each id not loaded; returns the ids the account does not have."""
        missing: set[str] = set()
        if self.client is None:
            return missing
        for agent_id in ids:
            if agent_id in self.catalog:
                continue
            try:
                agent = await self.client.get_agent(agent_id)
            except NotFoundError:
                missing.add(agent_id)
            except WizardError:
                continue  # unknown: the full list settles it when loading completes
            else:
                self.catalog.add([agent])
        return missing


@dataclass
class AgentPicks:
    """The picked agents in the order picked, at most `MAX_AGENTS`, and those found missing."""

    allow_all: bool = False
    ids: dict[str, None] = field(default_factory=dict)  # an ordered set
    missing: set[str] = field(default_factory=set)

    @classmethod
    def from_selection(cls, selection: AgentSelection) -> AgentPicks:
        ids = {normalise_agent_id(raw) or raw: None for raw in selection.agent_ids}
        return cls(selection.allow_all, ids)

    def to_selection(self) -> AgentSelection:
        """With allow-all the list is empty (the service refuses both)."""
        return AgentSelection(self.allow_all, () if self.allow_all else tuple(self.ids))

    def tick(self, agent_id: str, on: bool) -> bool:
        """Tick or untick one agent; False when ticking would pass the cap (refused)."""
        if not on:
            self.ids.pop(agent_id, None)
            return True
        if agent_id in self.ids:
            return True
        if len(self.ids) >= MAX_AGENTS:
            return False
        self.ids[agent_id] = None
        return True

    def add_pasted(self, text: str, catalog: AgentCatalog, complete: bool) -> tuple[str, str]:
        """Add the valid ids in `text`; returns (text left in the field, a note or "")."""
        tokens = split_agent_ids(text)
        unknown = self.unknown(tokens, catalog, complete)
        refused = {normalise_agent_id(token) for token in unknown}
        pasted = sort_pasted(
            [t for t in tokens if normalise_agent_id(t) not in refused], self.ids, MAX_AGENTS
        )
        for agent_id in pasted.added:
            self.ids[agent_id] = None
        note = ""
        if unknown:
            note = f"No agent with id {unknown[0]} in this account; it was not added."
        elif pasted.refused:
            note = (
                f"At most {MAX_AGENTS} agents can be allowed; {pasted.refused} left in the field."
            )
        return " ".join([*pasted.kept, *unknown]), note

    def unknown(self, tokens: Sequence[str], catalog: AgentCatalog, complete: bool) -> list[str]:
        """Valid ids in `tokens` that the fully loaded list lacks (none while loading)."""
        if not complete:
            return []
        found: list[str] = []
        for token in tokens:
            agent_id = normalise_agent_id(token)
            if agent_id is None or agent_id in catalog or agent_id in self.ids:
                continue
            if token not in found:
                found.append(token)
        return found

    def flag_missing(self, catalog: AgentCatalog, complete: bool) -> None:
        """Once every agent is loaded, a picked id the account lacks is missing."""
        if complete:
            self.missing |= {i for i in self.ids if i not in catalog}

    def problems(self, pasted: str, catalog: AgentCatalog, complete: bool) -> list[str]:
        """Why Next cannot go on (none with allow-all)."""
        if self.allow_all:
            return []
        found = selection_problems(len(self.ids), len(self.missing & set(self.ids)), pasted)
        unknown = self.unknown(split_agent_ids(pasted), catalog, complete)
        if unknown:
            found.append(f"No agent with id {unknown[0]} in this account; clear it from the ids.")
        return found


def paste_messages(text: str) -> list[str]:
    """What is wrong with the ids field's text (malformed ids), one sentence each."""
    return [f.message for f in errors(check_agent_ids(split_agent_ids(text)))]

"""Step 3: allow all agents, or pick at most 100 (searchable, loaded page by page), or paste ids.

The list is a fixed pool of check boxes reused as the filter changes (a widget per agent of a
10,000-agent account would flood the kernel's comms); `AgentLoading` and `AgentPicks` from the
session layer hold the rules, this step only draws them.
"""

from __future__ import annotations

import asyncio

import ipywidgets as widgets

from wizard.core.models import MAX_AGENTS
from wizard.flow.agent_loading import AgentPicks, paste_messages
from wizard.flow.agents import list_rows, paste_findings_text, status_text
from wizard.notebook.parts import Message, css
from wizard.notebook.steps.base import Step

SHOWN = 30
"""Check boxes in the list; typing narrows the rest."""
SEARCH_DEBOUNCE = 0.3
_NOT_LOADED = object()


class AgentsStep(Step):
    title = "Agents"

    def build(self) -> list[widgets.Widget]:
        self.loading = self.session.agent_loading
        self.picks = AgentPicks()
        self._loaded_from: object = _NOT_LOADED
        self._rows: list[str] = []
        self.allow_all = css(
            widgets.Checkbox(
                description="Allow all agents (any agent, now and later)",
                indent=False,
                layout={"width": "auto"},
            ),
            "uvp-allow-all",
        )
        self.allow_all.observe(self._allow_all_changed, names="value")
        self.counter = css(Message(), "uvp-agents-counter")
        self.search = css(
            widgets.Text(placeholder="type part of a name or id", description="Search"),
            "uvp-agents-search",
        )
        self.search.observe(self._search_changed, names="value")
        self.boxes = [
            css(
                widgets.Checkbox(indent=False, layout={"display": "none", "width": "auto"}),
                "uvp-agent",
            )
            for _ in range(SHOWN)
        ]
        for box in self.boxes:
            box.observe(self._box_changed, names="value")
        self.list_box = widgets.VBox(
            self.boxes, layout={"max_height": "16em", "overflow": "auto", "width": "36em"}
        )
        self.status = css(Message(), "uvp-agents-status")
        self.retry = widgets.Button(description="Retry", layout={"display": "none"})
        self.retry.on_click(lambda _b: self._start_loading())
        self.note = css(Message(), "uvp-agents-note")
        self.paste = css(
            widgets.Text(
                placeholder="agent ids, comma or space separated",
                description="Add ids",
                continuous_update=True,
                layout={"width": "36em"},
            ),
            "uvp-agents-paste",
        )
        self.paste.observe(self._paste_changed, names="value")
        self.add_ids = css(widgets.Button(description="Add these ids"), "uvp-agents-add")
        self.add_ids.on_click(lambda _b: self._add_pasted())
        self.paste_findings = Message()
        return [
            widgets.HBox([self.allow_all, self.counter]),
            self.search,
            self.list_box,
            widgets.HBox([self.status, self.retry]),
            self.note,
            widgets.HBox([self.paste, self.add_ids]),
            self.paste_findings,
        ]

    # -- visits -----------------------------------------------------------------------------

    def on_show(self) -> None:
        held = self.session.held_config
        if self._loaded_from is not held:
            # First visit, or a config read again with another key: show what it holds.
            self._loaded_from = held
            self.load_model()
        if self.loading.needs_loading():
            self._start_loading()
        self.refresh()

    def load_model(self) -> None:
        self.picks = AgentPicks.from_selection(self.session.selection)
        self.allow_all.unobserve(self._allow_all_changed, names="value")
        self.allow_all.value = self.picks.allow_all
        self.allow_all.observe(self._allow_all_changed, names="value")

    def _start_loading(self) -> None:
        self.tasks.start(self._load(), group="agents-load")

    async def _load(self) -> None:
        await self.loading.load(self.refresh)
        self.picks.flag_missing(self.loading.catalog, self.loading.complete)
        self.refresh()

    # -- events -----------------------------------------------------------------------------

    def _allow_all_changed(self, change: dict[str, object]) -> None:
        self.picks.allow_all = bool(change["new"])
        self.refresh()

    def _search_changed(self, change: dict[str, object]) -> None:
        query = str(change["new"]).strip()
        self.refresh()  # the loaded agents filter at once: typing never waits on the network
        if query and not self.loading.complete and self.loading.client is not None:
            self.tasks.start(self._search_service(query), group="agents-search")
        else:
            self.tasks.cancel("agents-search")

    async def _search_service(self, query: str) -> None:
        await asyncio.sleep(SEARCH_DEBOUNCE)  # cancelled by the next keystroke (same group)
        if await self.loading.search(query):
            self.refresh()

    def _box_changed(self, change: dict[str, object]) -> None:
        box = change["owner"]
        index = self.boxes.index(box)
        if index >= len(self._rows):
            return
        agent_id = self._rows[index]
        if not self.picks.tick(agent_id, bool(change["new"])):
            self.note.show(
                "warning",
                f"At most {MAX_AGENTS} agents can be allowed; untick one first, or allow all.",
            )
            self._set_box(box, False)
            return
        self.note.show("", "")
        self.refresh(rebuild=False)

    def _paste_changed(self, change: dict[str, object]) -> None:
        self.paste_findings.show("error", paste_findings_text(paste_messages(str(change["new"]))))
        self.changed()

    def _add_pasted(self) -> None:
        before = set(self.picks.ids)
        left, note = self.picks.add_pasted(
            self.paste.value, self.loading.catalog, self.loading.complete
        )
        self.paste.value = left
        self.note.show("warning" if note else "", note)
        added = [i for i in self.picks.ids if i not in before]
        if added and not self.loading.complete:
            self.tasks.start(self._check_exist(added), group=f"agents-check-{added[0]}")
        self.picks.flag_missing(self.loading.catalog, self.loading.complete)
        self.refresh()

    async def _check_exist(self, ids: list[str]) -> None:
        self.picks.missing |= await self.loading.check_exist(ids)
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def refresh(self, *, rebuild: bool = True) -> None:
        self.session.set_selection(self.picks.to_selection())
        allow_all = self.picks.allow_all
        for widget in (self.search, self.paste, self.add_ids):
            widget.disabled = allow_all
        count = len(self.picks.ids)
        if allow_all:
            self.counter.show("", f"{count} kept, greyed" if count else "")
        else:
            self.counter.show(
                "warning" if count >= MAX_AGENTS else "", f"{count} / {MAX_AGENTS} selected"
            )
        rows, matches = list_rows(
            self.picks.ids, self.loading.catalog, self.picks.missing, self.search.value, SHOWN
        )
        if rebuild:
            self._draw_list(rows)
        for box in self.boxes:
            box.disabled = allow_all
        state = self.loading.state()
        self.status.show(
            "error" if state.error else "",
            status_text(state, self.search.value, matches, SHOWN)
            + (f" {state.error}" if state.error else ""),
        )
        self.retry.layout.display = "flex" if state.error else "none"
        self.changed()

    def _draw_list(self, rows: list[tuple[str, str]]) -> None:
        self._rows = [agent_id for agent_id, _kind in rows]
        for index, box in enumerate(self.boxes):
            if index >= len(rows):
                box.layout.display = "none"
                continue
            agent_id, kind = rows[index]
            agent = self.loading.catalog.get(agent_id)
            if kind == "missing":
                label = f"missing: {agent_id} (no longer exists)"
            elif kind == "unknown":
                label = f"{agent_id} (not loaded yet)"
            else:
                name = agent.name if agent is not None and agent.name else "(unnamed agent)"
                label = f"{name}  {agent_id[:8]}"
            box.description = label
            self._set_box(box, agent_id in self.picks.ids)
            box.layout.display = "flex"

    def _set_box(self, box: widgets.Checkbox, value: bool) -> None:
        if box.value != value:
            box.unobserve(self._box_changed, names="value")
            box.value = value
            box.observe(self._box_changed, names="value")

    def problems(self) -> list[str]:
        return self.picks.problems(self.paste.value, self.loading.catalog, self.loading.complete)

"""Step 3: which agents Plivo may start calls for (all of them, or a picked list of at most 100).

The account's agents load page by page in a background worker while the list is already usable;
typing filters what is loaded at once (a lowercase index, first `SHOWN_MATCHES` shown) and, after a
short pause, asks the service for the rest. The selection lives in this widget, not in the list:
the list only ever shows a window of the agents, rebuilt as the filter changes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input, Label, OptionList, SelectionList, Static, Switch
from textual.widgets.selection_list import Selection

from wizard.core.errors import NotFoundError, WizardError
from wizard.core.models import MAX_AGENTS, Agent, check_agent_ids, errors, normalise_agent_id
from wizard.tui.step import StepView

if TYPE_CHECKING:
    from wizard.core.ultravox import UltravoxClient

SHOWN_MATCHES = 200
"""Most agents the list shows at once; typing narrows the rest (keeps 10,000 agents cheap)."""

SEARCH_DEBOUNCE = 0.3
"""Seconds of no typing before the service is asked to search what is not loaded yet."""

_ID_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class AgentSelection:
    """The agents step as a model: all agents, or this list (empty when `allow_all`)."""

    allow_all: bool
    agent_ids: tuple[str, ...]


def split_agent_ids(text: str) -> list[str]:
    """The ids in pasted text: separated by commas, semicolons, spaces or newlines."""
    return [part for part in _ID_SEPARATORS.split(text) if part]


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


class AgentPicker(SelectionList[str]):
    """A multi-select list that asks before ticking, so the 101st agent can be refused."""

    class Refused(Message):
        """The user tried to tick an agent beyond the limit."""

        def __init__(self, agent_id: str) -> None:
            super().__init__()
            self.agent_id = agent_id

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.limit = MAX_AGENTS
        self.outside_count = 0
        """Ticked agents that the list does not show (filtered out), counted toward the limit."""

    def render_line(self, y: int) -> Strip:
        # SelectionList draws "X" in every box and tells ticked from unticked by colour only;
        # blank the unticked ones so the difference survives NO_COLOR and 16-colour terminals.
        line = super().render_line(y)
        segments = list(line)
        index = self.scroll_offset.y + y
        if len(segments) < 4 or not 0 <= index < self.option_count:
            return line
        if self.get_option_at_index(index).value in self._selected:
            return line
        inner = segments[1]
        segments[1] = Segment(" " * len(inner.text), inner.style, inner.control)
        return Strip(segments, line.cell_length)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        event.prevent_default()  # replaces SelectionList's handler, which toggles unconditionally
        value = self.get_option_at_index(event.option_index).value
        if value not in self.selected and self.outside_count + len(self.selected) >= self.limit:
            self.post_message(self.Refused(value))
            return
        self.toggle(value)


class AgentIdsInput(Input):
    """An Input that keeps every line of a multi-line paste (ids one per line are common)."""

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Input's own handler would insert the first line again
        if event.text:
            text = " ".join(split_agent_ids(event.text))
            if self.value and not self.value.endswith(" "):
                text = " " + text
            self.insert_text_at_cursor(text)
        event.stop()


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


class AgentsStep(StepView):
    """Allow all agents, or pick up to 100 of the account's agents (searchable, or pasted ids)."""

    step_title: ClassVar[str] = "Agents"

    DEFAULT_CSS = """
    AgentsStep {
        #agents-top { height: 1; }
        #agents-allow-all {
            border: none;
            height: 1;
            padding: 0 1;
            &:focus { background: $boost; text-style: bold; }
        }
        #agents-allow-all-label { width: 1fr; padding: 0 1; }
        #agents-counter { width: auto; padding: 0 1; }
        #agents-counter.-full { text-style: bold; color: $text-warning; }
        .agents-field { height: 1; }
        .agents-field-label { width: 9; color: $text-muted; }
        #agents-picker { height: 1fr; min-height: 3; }
        #agents-status { color: $text-muted; height: 1; }
        #agents-error { color: $text-error; }
        #agents-note { color: $text-warning; }
        #agents-paste-findings { color: $text-error; }
        #agents-error, #agents-note, #agents-paste-findings { display: none; }
        #agents-error.-shown, #agents-note.-shown, #agents-paste-findings.-shown {
            display: block;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "toggle_allow_all", "All agents", tooltip="Allow all agents, or a list"),
        Binding("ctrl+r", "retry", "Retry", tooltip="Load the agents again"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._catalog = AgentCatalog()
        self._selected: dict[str, None] = {}  # ordered set: the order the user picked
        self._missing: set[str] = set()
        self._client: UltravoxClient | None = None
        self._total: int | None = None
        self._complete = False
        self._load_error: str | None = None
        self._shown: list[tuple[str, str]] = []  # (id, kind) as the list shows them now
        self._match_count = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="agents-top"):
            yield Switch(id="agents-allow-all", tooltip="Allow every agent, now and later")
            yield Static(id="agents-allow-all-label")
            yield Static(id="agents-counter")
        with Horizontal(classes="agents-field"):
            yield Label("Search", classes="agents-field-label")
            yield Input(
                placeholder="type part of a name or id",
                id="agents-search",
                compact=True,
            )
        yield AgentPicker(id="agents-picker")
        yield Static(id="agents-status")
        yield Static(id="agents-error")
        yield Static(id="agents-note")
        with Horizontal(classes="agents-field"):
            yield Label("Add ids", classes="agents-field-label")
            yield AgentIdsInput(
                placeholder="paste agent ids (comma, space or newline separated), Enter",
                id="agents-paste",
                compact=True,
            )
        yield Static(id="agents-paste-findings")

    def on_mount(self) -> None:
        self._apply_allow_all(self.query_one("#agents-allow-all", Switch).value)
        self._refresh_list()
        self._refresh_counter()
        self._refresh_status()

    # --- public API -------------------------------------------------------------------------

    def load_model(self, selection: AgentSelection) -> None:
        """Show this selection (replacing the current one)."""
        self._selected = {}
        for raw in selection.agent_ids:
            self._selected[normalise_agent_id(raw) or raw] = None
        self.query_one("#agents-allow-all", Switch).value = selection.allow_all
        self._apply_allow_all(selection.allow_all)
        self._selection_changed(rebuild=True)

    def to_model(self) -> AgentSelection:
        """The selection to send; with allow-all the list is empty (the service refuses both)."""
        allow_all = self.query_one("#agents-allow-all", Switch).value
        return AgentSelection(allow_all, () if allow_all else tuple(self._selected))

    def mark_current(self, ids: Iterable[str]) -> None:
        """Preselect the agents the service holds now; those that no longer exist get flagged."""
        for raw in ids:
            self._selected[normalise_agent_id(raw) or raw] = None
        self._flag_missing_if_complete()
        self._selection_changed(rebuild=True)

    def start_loading(self, client: UltravoxClient) -> None:
        """Load the account's agents in the background with `client` (kept for search and retry).

        A different client may mean a different account: what was loaded is dropped, the
        ticked ids are kept (they are checked again against the new list).
        """
        if client is not self._client:
            self._catalog = AgentCatalog()
            self._missing.clear()
            self._total = None
        self._client = client
        self._load_error = None
        self._complete = False
        self._refresh_status()
        self._load_pages()

    @property
    def selected_ids(self) -> list[str]:
        """The ticked agents (kept while "all agents" is on)."""
        return list(self._selected)

    @property
    def missing_ids(self) -> set[str]:
        """Ticked agents the service does not have (any more)."""
        return self._missing & set(self._selected)

    @property
    def loading_complete(self) -> bool:
        return self._complete

    def problems(self) -> list[str]:
        if self.query_one("#agents-allow-all", Switch).value:
            return []
        found: list[str] = []
        count = len(self._selected)
        if count == 0:
            found.append("Pick at least one agent, or allow all agents.")
        elif count > MAX_AGENTS:
            found.append(
                f"At most {MAX_AGENTS} agents can be allowed ({count} ticked);"
                " untick some, or allow all agents."
            )
        missing = len(self.missing_ids)
        if missing:
            found.append(
                "1 ticked agent no longer exists (marked missing); untick it."
                if missing == 1
                else f"{missing} ticked agents no longer exist (marked missing); untick them."
            )
        pasted = self.query_one("#agents-paste", Input).value
        if pasted.strip():
            paste_errors = errors(check_agent_ids(split_agent_ids(pasted)))
            if paste_errors:
                found.extend(f.message for f in paste_errors[:3])
            else:
                found.append("Press Enter in the ids field to add the pasted ids, or clear it.")
        return found

    def on_show_step(self) -> None:
        if not self.query_one("#agents-allow-all", Switch).value:
            self.query_one("#agents-search", Input).focus()
        else:
            self.query_one("#agents-allow-all", Switch).focus()

    # --- actions ----------------------------------------------------------------------------

    def action_toggle_allow_all(self) -> None:
        switch = self.query_one("#agents-allow-all", Switch)
        switch.value = not switch.value

    def action_retry(self) -> None:
        if self._client is not None:
            self.start_loading(self._client)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self._load_error is not None
        return True

    # --- events -----------------------------------------------------------------------------

    @on(Switch.Changed, "#agents-allow-all")
    def _allow_all_changed(self, event: Switch.Changed) -> None:
        self._apply_allow_all(event.value)
        self.notify_changed()

    @on(Input.Changed, "#agents-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._refresh_list()
        self._refresh_status()
        if not self._complete and self._client is not None and event.value.strip():
            self._search_service(event.value.strip())
        else:
            self.workers.cancel_group(self, "agents-search")

    @on(Input.Submitted, "#agents-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        # Enter after a search goes to the results; on an empty search it bubbles (Next).
        if event.value.strip():
            event.stop()
            self.query_one(AgentPicker).focus()

    @on(SelectionList.SelectionToggled, "#agents-picker")
    def _picker_toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        event.stop()
        value = event.selection.value
        if value in event.selection_list.selected:
            self._selected[value] = None
        else:
            self._selected.pop(value, None)
        self._set_note(None)
        self._selection_changed(rebuild=False)

    @on(SelectionList.SelectedChanged, "#agents-picker")
    def _picker_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()  # our own SelectionToggled handler keeps the model

    @on(AgentPicker.Refused)
    def _picker_refused(self, event: AgentPicker.Refused) -> None:
        event.stop()
        self._set_note(
            f"At most {MAX_AGENTS} agents can be allowed; untick one first, or allow all agents."
        )
        self.app.bell()

    @on(Input.Changed, "#agents-paste")
    def _paste_changed(self, event: Input.Changed) -> None:
        findings = errors(check_agent_ids(split_agent_ids(event.value)))
        self._set_paste_findings([f.message for f in findings])
        self.notify_changed()

    @on(Input.Submitted, "#agents-paste")
    def _paste_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            event.stop()
            self._add_pasted(event.input)

    # --- workers ----------------------------------------------------------------------------

    @work(exclusive=True, group="agents-load", exit_on_error=False)
    async def _load_pages(self) -> None:
        client = self._client
        if client is None:
            return
        try:
            async for page in client.iter_agent_pages():
                if page.total is not None:
                    self._total = page.total
                if self._catalog.add(page.agents):
                    self._refresh_list()
                self._refresh_status()
        except WizardError as exc:
            self._load_failed(str(exc))
            return
        except Exception as exc:  # a bug or an unexpected transport error: say so plainly
            self._load_failed(f"Loading agents failed unexpectedly ({type(exc).__name__}).")
            return
        self._complete = True
        self._total = len(self._catalog)
        self._flag_missing_if_complete()
        self._refresh_list()
        self._refresh_status()
        self.notify_changed()

    @work(exclusive=True, group="agents-search", exit_on_error=False)
    async def _search_service(self, query: str) -> None:
        await asyncio.sleep(SEARCH_DEBOUNCE)  # cancelled by the next keystroke (exclusive)
        client = self._client
        if client is None or self._complete:
            return
        found = 0
        try:
            async for page in client.iter_agent_pages(search=query):
                found += len(page.agents)
                if self._catalog.add(page.agents):
                    self._refresh_list()
                    self._refresh_status()
                if found >= SHOWN_MATCHES:
                    break
        except WizardError:
            return  # the local filter still works; the background load reports errors

    @work(group="agents-check", exit_on_error=False)
    async def _check_exist(self, ids: Sequence[str]) -> None:
        client = self._client
        if client is None:
            return
        for agent_id in ids:
            if agent_id in self._catalog:
                continue
            try:
                agent = await client.get_agent(agent_id)
            except NotFoundError:
                self._missing.add(agent_id)
            except WizardError:
                continue  # unknown: the full list settles it when loading completes
            else:
                self._catalog.add([agent])
        self._refresh_list()
        self._refresh_counter()
        self.notify_changed()

    # --- internals --------------------------------------------------------------------------

    def _load_failed(self, message: str) -> None:
        self._load_error = message
        self._refresh_status()
        self.refresh_bindings()

    def _flag_missing_if_complete(self) -> None:
        if self._complete:
            self._missing |= {i for i in self._selected if i not in self._catalog}

    def _apply_allow_all(self, allow_all: bool) -> None:
        # Greyed, not cleared: switching back restores the picked agents.
        for selector in ("#agents-search", "#agents-picker", "#agents-paste"):
            self.query_one(selector).disabled = allow_all
        self.query_one("#agents-allow-all-label", Static).update(
            "Allow all agents: on (any agent, now and later)"
            if allow_all
            else "Allow all agents: off (only those ticked below)"
        )
        self._refresh_counter()

    def _selection_changed(self, *, rebuild: bool) -> None:
        if rebuild:
            self._refresh_list()
        else:
            self._sync_outside_count()
        self._refresh_counter()
        self.notify_changed()

    def _add_pasted(self, field: Input) -> None:
        tokens = split_agent_ids(field.value)
        keep: list[str] = []
        added: list[str] = []
        refused = 0
        for token in tokens:
            agent_id = normalise_agent_id(token)
            if agent_id is None:
                keep.append(token)
            elif agent_id in self._selected or agent_id in added:
                continue
            elif len(self._selected) + len(added) >= MAX_AGENTS:
                keep.append(token)
                refused += 1
            else:
                added.append(agent_id)
        for agent_id in added:
            self._selected[agent_id] = None
        field.value = " ".join(keep)
        if refused:
            self._set_note(
                f"At most {MAX_AGENTS} agents can be allowed; {_plural(refused, 'id')}"
                " left in the field."
            )
        elif added:
            self._set_note(None)
        self._set_paste_findings([f.message for f in errors(check_agent_ids(keep))])
        if added:
            self._flag_missing_if_complete()
            if not self._complete:
                self._check_exist(added)
        self._selection_changed(rebuild=True)

    def _desired_rows(self) -> list[tuple[str, str]]:
        """What the list should show: ticked agents not loaded (pinned first), then matches."""
        query = self.query_one("#agents-search", Input).value.strip().lower()
        rows: list[tuple[str, str]] = []
        for agent_id in self._selected:
            if agent_id in self._catalog or (query and query not in agent_id):
                continue
            rows.append((agent_id, "missing" if agent_id in self._missing else "unknown"))
        shown, self._match_count = self._catalog.matching(query, SHOWN_MATCHES)
        rows.extend((agent_id, "agent") for agent_id in shown)
        return rows

    def _prompt(self, agent_id: str, kind: str) -> Content:
        if kind == "missing":
            return Content.assemble(("missing: ", "bold"), agent_id, (" no longer exists", "dim"))
        if kind == "unknown":
            state = "not loaded yet" if not self._complete else "checking"
            return Content.assemble(agent_id, (f" ({state})", "dim"))
        agent = self._catalog.get(agent_id)
        name = agent.name if agent is not None and agent.name else "(unnamed agent)"
        return Content.assemble(name, ("  " + agent_id[:8], "dim"))

    def _refresh_list(self) -> None:
        if not self.is_mounted:
            return
        picker = self.query_one(AgentPicker)
        rows = self._desired_rows()
        if rows != self._shown:
            selections = [
                Selection(self._prompt(agent_id, kind), agent_id, agent_id in self._selected)
                for agent_id, kind in rows
            ]
            old = len(self._shown)
            with picker.prevent(SelectionList.SelectedChanged):
                if rows[:old] == self._shown:
                    picker.add_options(selections[old:])  # a page arrived: keep the cursor
                    if picker.highlighted is None and rows:
                        picker.highlighted = 0
                else:
                    highlighted = picker.highlighted_option
                    picker.clear_options()
                    picker.add_options(selections)
                    if rows:
                        picker.highlighted = self._index_of(
                            rows, highlighted.value if isinstance(highlighted, Selection) else None
                        )
            self._shown = rows
        self._sync_outside_count()

    @staticmethod
    def _index_of(rows: list[tuple[str, str]], agent_id: str | None) -> int:
        for index, (row_id, _) in enumerate(rows):
            if row_id == agent_id:
                return index
        return 0

    def _sync_outside_count(self) -> None:
        picker = self.query_one(AgentPicker)
        shown = {agent_id for agent_id, _ in self._shown}
        picker.outside_count = sum(1 for agent_id in self._selected if agent_id not in shown)

    def _refresh_counter(self) -> None:
        if not self.is_mounted:
            return
        counter = self.query_one("#agents-counter", Static)
        count = len(self._selected)
        if self.query_one("#agents-allow-all", Switch).value:
            counter.update(f"{count} kept, greyed" if count else "")
        else:
            counter.update(f"{count} / {MAX_AGENTS} selected")
        counter.set_class(count >= MAX_AGENTS, "-full")

    def _refresh_status(self) -> None:
        if not self.is_mounted:
            return
        loaded = len(self._catalog)
        if self._client is None:
            text = "Agents not loaded."
        elif self._load_error is not None:
            of_total = f" of {self._total:,}" if self._total is not None else ""
            text = f"{loaded:,}{of_total} loaded; loading stopped." if loaded else "None loaded."
        elif self._complete:
            text = f"All {_plural(loaded, 'agent')} loaded."
        elif self._total is not None:
            text = f"{loaded:,} of {self._total:,} loaded…"
        else:
            text = f"{loaded:,} loaded…" if loaded else "Loading agents…"
        query = self.query_one("#agents-search", Input).value.strip()
        matches = self._match_count
        if matches > SHOWN_MATCHES:
            text += f" Showing {SHOWN_MATCHES} of {matches:,} matches; type to narrow."
        elif query:
            text += f" {matches:,} {'match' if matches == 1 else 'matches'}."
        self.query_one("#agents-status", Static).update(text)
        error = self.query_one("#agents-error", Static)
        if self._load_error:
            error.update(f"{self._load_error} Press Ctrl+R to retry.")
        error.set_class(self._load_error is not None, "-shown")

    def _set_note(self, message: str | None) -> None:
        note = self.query_one("#agents-note", Static)
        note.update(message or "")
        note.set_class(message is not None, "-shown")

    def _set_paste_findings(self, messages: list[str]) -> None:
        field = self.query_one("#agents-paste-findings", Static)
        shown = messages[:2] + ([f"(and {len(messages) - 2} more)"] if len(messages) > 2 else [])
        field.update(" ".join(shown))
        field.set_class(bool(messages), "-shown")

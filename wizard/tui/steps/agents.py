"""Step 3: which agents Plivo may start calls for (all of them, or a picked list of at most 100).

The account's agents load page by page in a background worker while the list is already usable;
typing filters what is loaded at once (a lowercase index, first `SHOWN_MATCHES` shown) and, after a
short pause, asks the service for the rest. The selection lives in this widget, not in the list:
the list only ever shows a window of the agents, rebuilt as the filter changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Button, Input, Label, SelectionList, Static, Switch

from wizard.core.models import MAX_AGENTS, check_agent_ids, errors, normalise_agent_id
from wizard.flow.agents import (
    SHOWN_MATCHES,
    AgentCatalog,
    AgentSelection,
    list_rows,
    paste_findings_text,
    plural,
    selection_problems,
    sort_pasted,
    split_agent_ids,
    status_text,
)
from wizard.tui.steps.base import StepView
from wizard.tui.widgets.agent_picker import AgentIdsInput, AgentPicker, agent_prompt
from wizard.tui.widgets.toggles import SpaceSwitch

_NOT_LOADED = object()

if TYPE_CHECKING:
    from wizard.core.ultravox import UltravoxClient
    from wizard.flow.session import WizardSession

SEARCH_DEBOUNCE = 0.3
"""Seconds of no typing before the service is asked to search what is not loaded yet."""

ALLOW_ALL_LABELS: dict[bool, tuple[str, ...]] = {
    True: ("Allow all agents: on (any agent, now and later)", "All agents: on (any agent)"),
    False: ("Allow all agents: off (only those ticked below)", "All agents: off (tick below)"),
}
"""The switch's label by state, longest first: the longest that fits the row is shown."""


def unknown_agent_text(unknown: Sequence[str]) -> str:
    """`No agent with id … in this account.` (and how many more ids are unknown)."""
    more = f" (and {plural(len(unknown) - 1, 'more id')})" if len(unknown) > 1 else ""
    return f"No agent with id {unknown[0]} in this account{more}."


__all__ = [
    "SEARCH_DEBOUNCE",
    "SHOWN_MATCHES",
    "AgentCatalog",
    "AgentIdsInput",
    "AgentPicker",
    "AgentSelection",
    "AgentsStep",
    "split_agent_ids",
]


class AgentsStep(StepView):
    """Allow all agents, or pick up to 100 of the account's agents (searchable, or pasted ids)."""

    step_title: ClassVar[str] = "Agents"
    STYLESHEET: ClassVar[str] = "agents.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "toggle_allow_all", "All agents", tooltip="Allow all agents, or a list"),
        Binding("down", "into_list", "To the list", show=False),
    ]

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(session, id=id)
        self._loaded_from: object = _NOT_LOADED
        """The config Ultravox holds that the selection was last loaded from."""
        self._selected: dict[str, None] = {}  # ordered set: the order the user picked
        self._missing: set[str] = set()
        self._loading = session.agent_loading
        """The session's operation that loads the account's agents page by page."""
        self._match_count = 0
        self._ready = False
        """Composed and mounted: the texts can be filled in (`is_mounted` is still False in
        `on_mount`, so it cannot guard the first fill)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="agents-top"):
            yield SpaceSwitch(id="agents-allow-all", tooltip="Allow every agent, now and later")
            yield Static(id="agents-allow-all-label")
            yield Static(id="agents-counter")
        with Horizontal(classes="agents-field"):
            yield Label("Search", classes="agents-field-label")
            yield Input(
                placeholder="type part of a name or id; Down to the list, Space ticks",
                id="agents-search",
                compact=True,
            )
        yield AgentPicker(id="agents-picker")
        yield Static(id="agents-status")
        with Horizontal(id="agents-error-row"):
            yield Static(id="agents-error", markup=False)  # service text: never markup
            yield Button("Retry (F5)", id="retry-agents", classes="retry")
        yield Static(id="agents-note", markup=False)
        with Horizontal(classes="agents-field"):
            yield Label("Add ids", classes="agents-field-label")
            yield AgentIdsInput(
                placeholder="paste agent ids (comma, space or newline separated), Enter",
                id="agents-paste",
                compact=True,
            )
        yield Static(id="agents-paste-findings")

    @property
    def _catalog(self) -> AgentCatalog:
        """The agents loaded so far: the session keeps them (Review names agents with it)."""
        return self.session.agents

    def on_mount(self) -> None:
        self._ready = True
        self._load_from_session()
        self._apply_allow_all(self.query_one("#agents-allow-all", Switch).value)
        self._refresh_list()
        self._refresh_counter()
        self._refresh_status()

    def on_resize(self, _event: events.Resize) -> None:
        # The label's width is known after the layout this resize triggers.
        self.call_after_refresh(self._refresh_allow_all_label)

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

    @property
    def _client(self) -> UltravoxClient | None:
        return self._loading.client

    @property
    def _complete(self) -> bool:
        return self._loading.complete

    @property
    def _load_error(self) -> str | None:
        return self._loading.error

    def start_loading(self, client: UltravoxClient) -> None:
        """Load the account's agents in the background with `client` (kept for search and retry).

        A different client may mean a different account: what was loaded is dropped, the
        ticked ids are kept (they are checked again against the new list).
        """
        if client is not self._client:
            self._missing.clear()
        self._load_pages(client)

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
        pasted = self.query_one("#agents-paste", Input).value
        problems = selection_problems(len(self._selected), len(self.missing_ids), pasted)
        unknown = self._unknown_pasted(split_agent_ids(pasted))
        if unknown:
            generic = "Press Enter in the ids field to add the pasted ids, or clear it."
            problems = [p for p in problems if p != generic]
            problems.append(f"{unknown_agent_text(unknown)} Clear it from the ids field.")
        return problems

    def _load_from_session(self) -> None:
        """Show the selection the session holds when the config it came from is new to us (the
        first visit, or a config read again with another key)."""
        held = self.session.held_config
        if self._loaded_from is held:
            return
        self._loaded_from = held
        self.load_model(self.session.selection)
        if held is not None:
            self.mark_current(list(held.allowed_agent_ids))

    def on_show_step(self) -> None:
        self._load_from_session()
        if self.session.connected and self.session.client is not self._client:
            self.start_loading(self.session.client)
        if not self.query_one("#agents-allow-all", Switch).value:
            self.query_one("#agents-search", Input).focus()
        else:
            self.query_one("#agents-allow-all", Switch).focus()

    # --- actions ----------------------------------------------------------------------------

    def action_toggle_allow_all(self) -> None:
        switch = self.query_one("#agents-allow-all", Switch)
        switch.value = not switch.value

    def notify_changed(self) -> None:
        if self._ready:
            self.session.set_selection(self.to_model())
        super().notify_changed()

    @on(Button.Pressed, "#retry-agents")
    def action_retry(self) -> None:
        if self._client is not None:
            self.start_loading(self._client)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self._load_error is not None
        if action == "into_list":
            return self.query_one("#agents-search", Input).has_focus
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
        # Enter goes on when the step is valid, from any field; while it cannot, Enter after a
        # search goes to the results instead of only saying "not yet".
        if event.value.strip() and self.problems():
            event.stop()
            self.query_one(AgentPicker).focus()

    def action_into_list(self) -> None:
        """Down in the search field: into the list."""
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
        self._set_paste_findings(self._paste_messages(split_agent_ids(event.value)))
        self.notify_changed()

    @on(Input.Submitted, "#agents-paste")
    def _paste_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            event.stop()
            self._add_pasted(event.input)

    # --- workers ----------------------------------------------------------------------------

    @work(exclusive=True, group="agents-load", exit_on_error=False)
    async def _load_pages(self, client: UltravoxClient) -> None:
        """The session's load (a retry goes on from the page that failed)."""

        def progress() -> None:
            self._refresh_list()
            self._refresh_status()

        await self._loading.load(progress, client)
        if self._loading.error is not None:
            self._load_failed()
            return
        self._flag_missing_if_complete()
        self._refresh_list()
        self._refresh_status()
        if self._ready:  # ids typed while loading can now be checked against the full list
            pasted = split_agent_ids(self.query_one("#agents-paste", Input).value)
            self._set_paste_findings(self._paste_messages(pasted))
        self.notify_changed()

    @work(exclusive=True, group="agents-search", exit_on_error=False)
    async def _search_service(self, query: str) -> None:
        await asyncio.sleep(SEARCH_DEBOUNCE)  # cancelled by the next keystroke (exclusive)
        if await self._loading.search(query):
            self._refresh_list()
            self._refresh_status()

    @work(group="agents-check", exit_on_error=False)
    async def _check_exist(self, ids: Sequence[str]) -> None:
        self._missing |= await self._loading.check_exist(ids)
        self._refresh_list()
        self._refresh_counter()
        self.notify_changed()

    # --- internals --------------------------------------------------------------------------

    def _load_failed(self) -> None:
        self._refresh_status()
        self._keep_focus()
        self.refresh_bindings()

    def _keep_focus(self) -> None:
        """If focus was lost inside this step (a focused field got disabled), give it to the
        first enabled field, so the step's keys stay in the footer and keep working."""
        if not self._ready or not self.display:
            return
        try:
            focused = self.screen.focused
        except Exception:  # no screen yet
            return
        if focused is not None and (not focused.disabled or self not in focused.ancestors):
            return
        for widget in self._focus_candidates():
            if widget.focusable:
                widget.focus()
                return

    def _focus_candidates(self) -> list[Widget]:
        order = ["#agents-search", "#agents-picker", "#agents-paste", "#agents-allow-all"]
        if self.query_one("#agents-allow-all", Switch).value:
            order = ["#agents-allow-all"]
        found: list[Widget] = []
        for selector in order:
            try:
                found.append(self.query_one(selector))
            except NoMatches:
                continue
        return found

    def _unknown_pasted(self, tokens: Sequence[str]) -> list[str]:
        """Valid ids in `tokens` that the fully loaded list lacks (none while loading)."""
        if not self._complete:
            return []
        unknown: list[str] = []
        for token in tokens:
            agent_id = normalise_agent_id(token)
            if agent_id is None or agent_id in self._catalog or agent_id in self._selected:
                continue
            if token not in unknown:
                unknown.append(token)
        return unknown

    def _paste_messages(self, tokens: Sequence[str]) -> list[str]:
        """What is wrong with the ids field: malformed ids, then ids the account lacks."""
        messages = [f.message for f in errors(check_agent_ids(tokens))]
        unknown = self._unknown_pasted(tokens)
        if unknown:
            messages.append(unknown_agent_text(unknown))
        return messages

    def _flag_missing_if_complete(self) -> None:
        if self._complete:
            self._missing |= {i for i in self._selected if i not in self._catalog}

    def _apply_allow_all(self, allow_all: bool) -> None:
        # Greyed, not cleared: switching back restores the picked agents.
        for selector in ("#agents-search", "#agents-picker", "#agents-paste"):
            self.query_one(selector).disabled = allow_all
        # Disabling the focused field blurs it and leaves nothing focused: move focus on.
        self._keep_focus()
        self._refresh_allow_all_label()
        self._refresh_counter()

    def _refresh_allow_all_label(self) -> None:
        if not self._ready:
            return
        label = self.query_one("#agents-allow-all-label", Static)
        allow_all = self.query_one("#agents-allow-all", Switch).value
        texts = ALLOW_ALL_LABELS[allow_all]
        width = label.content_size.width
        text = next((t for t in texts if width == 0 or len(t) <= width), texts[-1])
        label.update(text)

    def _selection_changed(self, *, rebuild: bool) -> None:
        if rebuild:
            self._refresh_list()
        else:
            self._sync_outside_count()
        self._refresh_counter()
        self.notify_changed()

    def _add_pasted(self, field: Input) -> None:
        tokens = split_agent_ids(field.value)
        # Once every agent is loaded, an id the account lacks is refused here, not ticked
        # (it would only block Next later as "missing").
        unknown = self._unknown_pasted(tokens)
        refused_unknown = {normalise_agent_id(token) for token in unknown}
        tokens = [t for t in tokens if normalise_agent_id(t) not in refused_unknown]
        pasted = sort_pasted(tokens, self._selected, MAX_AGENTS)
        for agent_id in pasted.added:
            self._selected[agent_id] = None
        kept = [*pasted.kept, *unknown]
        field.value = " ".join(kept)
        if unknown:
            self._set_note(f"{unknown_agent_text(unknown)} It was not added.")
            self.app.bell()
        elif pasted.refused:
            self._set_note(
                f"At most {MAX_AGENTS} agents can be allowed; {plural(pasted.refused, 'id')}"
                " left in the field."
            )
        elif pasted.added:
            self._set_note(None)
        self._set_paste_findings(self._paste_messages(kept))
        if pasted.added:
            self._flag_missing_if_complete()
            if not self._complete:
                self._check_exist(pasted.added)
        self._selection_changed(rebuild=True)

    def _refresh_list(self) -> None:
        if not self._ready:
            return
        picker = self.query_one(AgentPicker)
        query = self.query_one("#agents-search", Input).value
        rows, self._match_count = list_rows(self._selected, self._catalog, self._missing, query)
        if rows != picker.rows:
            prompts = [
                agent_prompt(agent_id, kind, self._catalog.get(agent_id), self._complete)
                for agent_id, kind in rows
            ]
            picker.show_rows(rows, prompts, self._selected)
        else:
            picker.sync_ticks(self._selected)
        self._sync_outside_count()

    def _sync_outside_count(self) -> None:
        self.query_one(AgentPicker).count_outside(self._selected)

    def _refresh_counter(self) -> None:
        if not self._ready:
            return
        counter = self.query_one("#agents-counter", Static)
        count = len(self._selected)
        if self.query_one("#agents-allow-all", Switch).value:
            counter.update(f"{count} kept, greyed" if count else "")
        else:
            counter.update(f"{count} / {MAX_AGENTS} selected")
        counter.set_class(count >= MAX_AGENTS, "-full")

    def _refresh_status(self) -> None:
        if not self._ready:
            return
        state = self._loading.state()
        query = self.query_one("#agents-search", Input).value
        text = status_text(state, query, self._match_count)
        self.query_one("#agents-status", Static).update(text)
        error = self.query_one("#agents-error", Static)
        if self._load_error:
            error.update(f"{self._load_error} Press F5 to retry.")
        error.set_class(self._load_error is not None, "-shown")
        self.query_one("#retry-agents", Button).display = self._load_error is not None

    def _set_note(self, message: str | None) -> None:
        note = self.query_one("#agents-note", Static)
        note.update(message or "")
        note.set_class(message is not None, "-shown")

    def _set_paste_findings(self, messages: list[str]) -> None:
        field = self.query_one("#agents-paste-findings", Static)
        field.update(paste_findings_text(messages))
        field.set_class(bool(messages), "-shown")

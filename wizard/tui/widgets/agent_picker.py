"""The agents step's two input widgets: the capped multi-select list and the ids field."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input, OptionList, SelectionList
from textual.widgets.selection_list import Selection

from wizard.core.models import MAX_AGENTS, Agent
from wizard.flow.agents import split_agent_ids


class AgentPicker(SelectionList[str], inherit_bindings=False):
    """A multi-select list that asks before ticking, so the 101st agent can be refused.

    Space ticks; Enter is not bound here (OptionList binds it to select), so it reaches the
    app's Next like everywhere else in the wizard.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "Tick", tooltip="Tick or untick the highlighted agent"),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
    ]

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
        self.rows: list[tuple[str, str]] = []
        """(agent id, kind) as the list shows them now; kind as in `list_rows`."""

    def show_rows(
        self, rows: list[tuple[str, str]], prompts: Sequence[Content], selected: Collection[str]
    ) -> None:
        """Show `rows`; when they only add to what is shown (a page arrived), keep the cursor."""
        selections = [
            Selection(prompt, agent_id, agent_id in selected)
            for (agent_id, _), prompt in zip(rows, prompts, strict=True)
        ]
        old = len(self.rows)
        with self.prevent(SelectionList.SelectedChanged):
            if rows[:old] == self.rows:
                self.add_options(selections[old:])
                if self.highlighted is None and rows:
                    self.highlighted = 0
            else:
                highlighted = self.highlighted_option
                keep = highlighted.value if isinstance(highlighted, Selection) else None
                self.clear_options()
                self.add_options(selections)
                if rows:
                    self.highlighted = next(
                        (i for i, (agent_id, _) in enumerate(rows) if agent_id == keep), 0
                    )
        self.rows = rows

    def sync_ticks(self, selected: Collection[str]) -> None:
        """Tick exactly the shown agents in `selected` (ids pasted or loaded elsewhere)."""
        ticked = set(self.selected)
        with self.prevent(SelectionList.SelectedChanged, SelectionList.SelectionToggled):
            for agent_id, _ in self.rows:
                if (agent_id in selected) != (agent_id in ticked):
                    if agent_id in selected:
                        self.select(agent_id)
                    else:
                        self.deselect(agent_id)

    def count_outside(self, selected: Collection[str]) -> None:
        """Count the ticked agents this list does not show (they still use up the limit)."""
        shown = {agent_id for agent_id, _ in self.rows}
        self.outside_count = sum(1 for agent_id in selected if agent_id not in shown)

    def render_line(self, y: int) -> Strip:
        # SelectionList draws "X" in every box and tells ticked from unticked by colour only;
        # blank the unticked ones so the difference survives NO_COLOR and 16-colour terminals.
        # No public API for this: tests/tui/test_textual_internals.py fails if the box moves.
        line = super().render_line(y)
        segments = list(line)
        index = self.scroll_offset.y + y
        if len(segments) < 4 or not 0 <= index < self.option_count:
            return line
        if self.get_option_at_index(index).value in self.selected:
            return line
        inner = segments[1]
        segments[1] = Segment(" " * len(inner.text), inner.style, inner.control)
        return Strip(segments, line.cell_length)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        # Runs before SelectionList's own handler (which toggles unconditionally) and stops it.
        event.prevent_default()
        value = self.get_option_at_index(event.option_index).value
        if value not in self.selected and self.outside_count + len(self.selected) >= self.limit:
            self.post_message(self.Refused(value))
            return
        self.toggle(value)


class AgentIdsInput(Input):
    """An Input that keeps every line of a multi-line paste (ids one per line are common)."""

    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # stops Input's own handler, which keeps only the first line
        if event.text:
            text = " ".join(split_agent_ids(event.text))
            if self.value and not self.value.endswith(" "):
                text = " " + text
            self.insert_text_at_cursor(text)
        event.stop()


def agent_prompt(agent_id: str, kind: str, agent: Agent | None, complete: bool) -> Content:
    """How the list shows one row: the agent's name and short id, or why it has no name."""
    if kind == "missing":
        return Content.assemble(("missing: ", "bold"), agent_id, (" no longer exists", "dim"))
    if kind == "unknown":
        state = "not loaded yet" if not complete else "checking"
        return Content.assemble(agent_id, (f" ({state})", "dim"))
    name = agent.name if agent is not None and agent.name else "(unnamed agent)"
    return Content.assemble(name, ("  " + agent_id[:8], "dim"))

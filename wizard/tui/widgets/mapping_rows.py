"""The mapping step's row editor: two compact cells (request field -> context path) and a
findings line, repainted in place as the user types.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from wizard.core.mapping import (
    PLIVO_REQUEST_FIELDS,
    SIP_HEADER_PREFIX,
    MappingFinding,
    MappingRow,
)
from wizard.flow.mapping_text import finding_line

REQUEST_SUGGESTIONS = (*PLIVO_REQUEST_FIELDS, SIP_HEADER_PREFIX)


class CellInput(Input):
    """A compact Input whose typing repaints only itself.

    Input grows its virtual size with every character, and Textual answers a virtual-size change
    with a layout of the whole screen: with 100 rows (700 widgets) that costs a frame per key.
    A cell's box never depends on its text (fixed height, `1fr` width), so a repaint suffices.
    """

    # No public API for this: tests/tui/test_textual_internals.py fails if Textual changes it.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, value: str, *, hints: Sequence[str], **kwargs: Any) -> None:
        super().__init__(value, placeholder=hints[0], **kwargs)
        self.hints = tuple(hints)
        """Placeholders, longest first; the longest that fits the cell is shown."""

    def on_resize(self, event: events.Resize) -> None:
        self.placeholder = fit_hint(self.hints, event.size.width)


def fit_hint(hints: Sequence[str], width: int) -> str:
    """The longest of `hints` (longest first) that fits `width` cells; else the shortest."""
    return next((hint for hint in hints if len(hint) <= width), hints[-1])


REQUEST_HINTS = ("Plivo field, e.g. From", "field, e.g. From", "e.g. From")
CONTEXT_HINTS = (
    "context path, e.g. user.phone",
    "path, e.g. user.phone",
    "e.g. user.phone",
    "e.g. user",
)
"""Empty cells' placeholders: they say "e.g." so they never read as typed values."""


class MappingRowEditor(Vertical):
    """One row: number, request field (with Plivo's fields suggested), context path, findings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move_row(-1)", "Row up", show=False),
        Binding("down", "move_row(1)", "Row down", show=False),
    ]

    class Move(Message):
        """Focus the same column `delta` rows away."""

        def __init__(self, editor: MappingRowEditor, delta: int) -> None:
            super().__init__()
            self.editor = editor
            self.delta = delta

    def __init__(self, row: MappingRow, number: int, *, blink: bool = True) -> None:
        super().__init__(classes="mapping-row")
        self._number = Label(f"{number:>2}", classes="mapping-number")
        self.request = CellInput(
            row.request_field,
            hints=REQUEST_HINTS,
            suggester=SuggestFromList(REQUEST_SUGGESTIONS, case_sensitive=False),
            compact=True,
            classes="mapping-request",
        )
        self.context = CellInput(
            row.context_path,
            hints=CONTEXT_HINTS,
            compact=True,
            classes="mapping-context",
        )
        for field in (self.request, self.context):
            field.cursor_blink = blink
        self._findings = Static(classes="mapping-findings", markup=False)
        self._findings_key: tuple[MappingFinding, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="mapping-line"):
            yield self._number
            yield self.request
            yield Label("→", classes="mapping-arrow")
            yield self.context
        yield self._findings

    @property
    def row(self) -> MappingRow:
        return MappingRow(self.request.value, self.context.value)

    @property
    def findings_text(self) -> str:
        """What the findings line shows (empty when the row is fine)."""
        return "\n".join(finding_line(f) for f in self._findings_key)

    def set_number(self, number: int) -> None:
        self._number.update(f"{number:>2}")

    def show_findings(self, findings: Sequence[MappingFinding]) -> None:
        """Show this row's findings; does nothing (no repaint) when they did not change."""
        key = tuple(findings)
        if key == self._findings_key:
            return
        self._findings_key = key
        self._findings.update(self.findings_text)
        has_error = any(f.is_error for f in key)
        self._findings.set_class(has_error, "-error")
        self._findings.set_class(bool(key) and not has_error, "-warning")
        self._findings.set_class(bool(key), "-shown")
        for field, side in ((self.request, "request"), (self.context, "context")):
            field.set_class(any(f.is_error and f.side == side for f in key), "-invalid")

    def focused_column(self) -> Input:
        return self.context if self.context.has_focus else self.request

    def action_move_row(self, delta: int) -> None:
        self.post_message(self.Move(self, delta))

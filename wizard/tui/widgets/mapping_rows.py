"""The mapping step's table: rows drawn by one Line-API widget, one Input over the focused cell.

A table of widgets (seven per row) took 1.8 s to open with 100 rows and rebuilt a compositor
map of 700 widgets on some keystrokes. Here the rows are data: `MappingRowsView` draws only the
lines on screen (as Textual's `Log` and `DataTable` do), and a single `CellInput` sits over the
focused cell on a layer of its own. A keystroke changes the editor's value; `MappingGrid`
writes it into the row and calls its owner back at once (not by a message), so the row's
findings, the summary and the preview change in the same frame as the echo. See
docs/architecture.md, "Typing in the mapping table".
"""

from __future__ import annotations

import bisect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from wizard.core.mapping import (
    PLIVO_REQUEST_FIELDS,
    SIP_HEADER_PREFIX,
    MappingFinding,
    MappingReport,
    MappingRow,
)
from wizard.flow.mapping_text import finding_line

REQUEST_SUGGESTIONS = (*PLIVO_REQUEST_FIELDS, SIP_HEADER_PREFIX)

Column = Literal["request", "context"]

REQUEST_HINTS = ("Plivo field, e.g. From", "field, e.g. From", "e.g. From")
CONTEXT_HINTS = (
    "context path, e.g. user.phone",
    "path, e.g. user.phone",
    "e.g. user.phone",
    "e.g. user",
)
"""Empty cells' placeholders: they say "e.g." so they never read as typed values."""

CURSOR_MARK = "▶"
"""Drawn in the number gutter of the focused row: the cursor reads without colour."""


def suggest(options: Sequence[str], value: str) -> str:
    """The first of `options` that starts with `value`, ignoring case ("" when none or empty)."""
    if not value:
        return ""
    folded = value.casefold()
    return next((option for option in options if option.casefold().startswith(folded)), "")


def fit_hint(hints: Sequence[str], width: int) -> str:
    """The longest of `hints` (longest first) that fits `width` cells; else the shortest."""
    return next((hint for hint in hints if len(hint) <= width), hints[-1])


def clip_start(text: str, width: int) -> str:
    """The start of `text` in `width` cells, with "…" when it is cut (never the tail)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


@dataclass(frozen=True)
class Columns:
    """Where each part of a row line sits, for a given width and row count."""

    gutter: int
    request_x: int
    request_width: int
    context_x: int
    context_width: int

    ARROW: ClassVar[str] = " → "

    def x_of(self, column: Column) -> int:
        return self.request_x if column == "request" else self.context_x

    def width_of(self, column: Column) -> int:
        return self.request_width if column == "request" else self.context_width

    def column_at(self, x: int) -> Column:
        return "context" if x >= self.context_x - len(self.ARROW) // 2 else "request"


def columns_for(width: int, row_count: int) -> Columns:
    """The number gutter (mark, number, space), two equal cells and the arrow between them."""
    gutter = 1 + max(2, len(str(row_count))) + 1
    cells = max(2, width - gutter - len(Columns.ARROW))
    request = cells // 2
    return Columns(gutter, gutter, request, gutter + request + len(Columns.ARROW), cells - request)


class CellInput(Input):
    """The one editor of the table: an Input that tells its owner about each edit at once.

    Input grows its virtual size with every character, and Textual answers a virtual-size change
    with a layout of the whole screen. A cell's box never depends on its text, so a repaint
    suffices.
    """

    # No public API for this: tests/tui/test_textual_internals.py fails if Textual changes it.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    suggestions: tuple[str, ...] = ()
    """Completions offered (case-insensitive prefix), drawn after the cursor; Right accepts."""

    def __init__(self, *, on_edit: Callable[[str], None], **kwargs: Any) -> None:
        # Never select on focus: moving between cells does not refocus this one Input, so the
        # first cell would be the only one a key replaces whole; the cursor goes to the end.
        super().__init__(compact=True, select_on_focus=False, **kwargs)
        self._on_edit = on_edit

    def watch_value(self, value: str) -> None:
        # Synchronous, unlike the Changed message: whatever the edit changes is drawn in the
        # frame that echoes the key (a message is handled after that frame).
        self._on_edit(value)
        # Textual's Suggester answers from a worker, a frame after the echo; a prefix match over
        # seven names is cheap enough to do here. `_suggestion` is what Input draws and what
        # Right accepts (tests/tui/test_textual_internals.py).
        if self.suggestions:
            self._suggestion = suggest(self.suggestions, value)


class MappingRowsView(ScrollView, can_focus=False):
    """Draws the rows (and each row's findings under it) through the Line API.

    The virtual height changes as findings come and go; the vertical scrollbar is always shown
    and `virtual_size` asks for no layout, so that never re-lays out the screen.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "mapping-rows--muted",
        "mapping-rows--hint",
        "mapping-rows--cursor",
        "mapping-rows--invalid",
        "mapping-rows--error",
        "mapping-rows--warning",
    }

    # As CellInput: the table's box never depends on its rows (test_textual_internals.py).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, grid: MappingGrid) -> None:
        super().__init__(id="mapping-rows-view")
        self._grid = grid

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        line = self._grid.line_strip(y + round(self.scroll_y), width, base, self._style)
        return line.crop_extend(0, width, base)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"mapping-rows--{name}", partial=True)

    def set_height(self, height: int) -> None:
        """Set the number of lines; updates the scrollbar without a layout."""
        size = Size(self.scrollable_content_region.width, height)
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._grid.place_editor()

    def on_resize(self, event: events.Resize) -> None:
        self._grid.relayout_lines()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self._grid.click(offset.x, offset.y + round(self.scroll_y))


class MappingGrid(Container, can_focus=False):
    """The rows of the mapping: the model, the lines view and the editor over the focused cell.

    The owner (the mapping step) passes `on_change`, called synchronously after every edit, and
    answers with `show_report`; rows, cursor and findings are read and set through methods.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Row up", show=False),
        Binding("down", "move(1)", "Row down", show=False),
        Binding("tab", "step(1)", "Next cell", show=False),
        Binding("shift+tab", "step(-1)", "Previous cell", show=False),
    ]

    def __init__(
        self,
        rows: Sequence[MappingRow],
        *,
        on_change: Callable[[], None],
        blink: bool = True,
        id: str | None = None,  # noqa: A002
    ) -> None:
        super().__init__(id=id)
        self._rows: list[MappingRow] = list(rows) or [MappingRow("", "")]
        self._findings: list[tuple[MappingFinding, ...]] = [() for _ in self._rows]
        self._wrapped: dict[int, list[tuple[str, bool]]] = {}
        """Row -> its findings as wrapped lines (text, is_error), for the current width."""
        self._starts: list[int] = []
        """The first line of each row (row lines and findings lines, in order)."""
        self._on_change = on_change
        self._row = 0
        self._column: Column = "request"
        self._columns = columns_for(40, len(self._rows))
        self._view = MappingRowsView(self)
        self.editor = CellInput(on_edit=self._edited, id="mapping-cell")
        self.editor.cursor_blink = blink
        self._head = Static(id="mapping-head", markup=False)
        self._compute_starts()

    def compose(self) -> ComposeResult:
        yield self._head
        yield self._view
        yield self.editor

    def on_mount(self) -> None:
        self._load_editor()

    # --- the model ------------------------------------------------------------------------

    @property
    def rows(self) -> list[MappingRow]:
        return list(self._rows)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor(self) -> tuple[int, Column]:
        """(row index, column) of the cell the editor is over."""
        return self._row, self._column

    def load_rows(self, rows: Sequence[MappingRow]) -> None:
        """Replace every row (one empty row when `rows` is empty); the cursor goes to row 1."""
        self._rows = list(rows) or [MappingRow("", "")]
        self._findings = [() for _ in self._rows]
        self._wrapped.clear()
        self._row, self._column = 0, "request"
        if not self.is_mounted:  # on_mount loads the editor
            self._compute_starts()
            return
        self.relayout_lines()
        self._view.scroll_to(y=0, animate=False, immediate=True)
        self._load_editor()

    def findings_text(self, row: int) -> str:
        """What the findings lines under `row` say (empty when the row is fine)."""
        return "\n".join(finding_line(f) for f in self._findings[row])

    def show_report(self, report: MappingReport) -> None:
        """Show each row's findings; repaints only rows whose findings changed."""
        changed: list[int] = []
        for index in range(len(self._rows)):
            findings = tuple(report.for_row(index))
            if findings != self._findings[index]:
                self._findings[index] = findings
                self._wrapped.pop(index, None)
                changed.append(index)
        focused = self._findings[self._row]
        self.editor.set_class(
            any(f.is_error and f.side == self._column for f in focused), "-invalid"
        )
        if not changed:
            return
        heights_before = self._starts[-1]
        self._compute_starts()
        if self._starts[-1] != heights_before:
            self._view.refresh()  # rows below moved
            self._scroll_to_cursor()
            self.place_editor()
        else:
            for index in changed:
                self._refresh_row(index)

    # --- editing --------------------------------------------------------------------------

    def _edited(self, value: str) -> None:
        row = self._rows[self._row]
        current = row.request_field if self._column == "request" else row.context_path
        if value == current:
            return  # the editor was loaded with the cell's value
        if self._column == "request":
            self._rows[self._row] = MappingRow(value, row.context_path)
        else:
            self._rows[self._row] = MappingRow(row.request_field, value)
        # No repaint of the row: the editor covers the cell, and the rest of the line is
        # unchanged (its findings repaint through show_report if they change).
        self._scroll_to_cursor()  # typing into a row scrolled away brings it back
        self._on_change()

    def focus_cell(self, row: int, column: Column) -> None:
        """Put the editor over (`row`, `column`), scrolled into view, and focus it."""
        self._row = max(0, min(row, len(self._rows) - 1))
        self._column = column
        self._load_editor()
        self.editor.focus()

    def add_row(self) -> None:
        """An empty row below the cursor's, focused on its left cell."""
        index = self._row + 1 if self.editor.has_focus else len(self._rows)
        self._rows.insert(index, MappingRow("", ""))
        self._findings.insert(index, ())
        self._wrapped.clear()
        self.relayout_lines()
        self.focus_cell(index, "request")
        self._on_change()

    def remove_row(self) -> None:
        """Remove the cursor's row (the last row is emptied instead); focus stays in its column."""
        if len(self._rows) == 1:
            self._rows[0] = MappingRow("", "")
            self.focus_cell(0, "request")
        else:
            del self._rows[self._row]
            del self._findings[self._row]
            self._wrapped.clear()
            self.relayout_lines()
            self.focus_cell(min(self._row, len(self._rows) - 1), self._column)
        self._on_change()

    def action_move(self, delta: int) -> None:
        target = self._row + delta
        if 0 <= target < len(self._rows):
            self.focus_cell(target, self._column)

    def tab_step(self, delta: int) -> bool:
        """Tab: left cell -> right cell -> next row's left cell. False past the first or last
        cell, where the caller (the app's priority Tab) moves focus out of the table."""
        cells: list[tuple[int, Column]] = [
            (r, c)
            for r in (self._row - 1, self._row, self._row + 1)
            for c in ("request", "context")
        ]
        target_row, target_column = cells[cells.index((self._row, self._column)) + delta]
        if not 0 <= target_row < len(self._rows):
            return False
        self.focus_cell(target_row, target_column)
        return True

    def action_step(self, delta: int) -> None:
        """The table's own Tab, for an app that has no priority Tab of its own."""
        if not self.tab_step(delta):
            if delta > 0:
                self.screen.focus_next()
            else:
                self.screen.focus_previous()

    def click(self, x: int, line: int) -> None:
        if not self._starts or line >= self._starts[-1]:
            return
        row = bisect.bisect_right(self._starts, line) - 1
        self.focus_cell(row, self._columns.column_at(x))

    # --- drawing --------------------------------------------------------------------------

    def relayout_lines(self) -> None:
        """Recompute columns and line positions (after a resize or rows added/removed)."""
        width = self._view.scrollable_content_region.width or 40
        columns = columns_for(width, len(self._rows))
        if columns != self._columns:
            self._wrapped.clear()
        self._columns = columns
        self._compute_starts()
        self._head.update(self._head_text(), layout=False)
        self._view.refresh()
        self.place_editor()

    def _head_text(self) -> str:
        columns = self._columns
        request = clip_start("Request field", columns.request_width).ljust(columns.request_width)
        return " #".ljust(columns.gutter) + request + Columns.ARROW + "Context path"

    def _compute_starts(self) -> None:
        starts: list[int] = []
        line = 0
        for index, findings in enumerate(self._findings):
            starts.append(line)
            line += 1 + (len(self._wrapped_findings(index)) if findings else 0)
        starts.append(line)
        self._starts = starts
        if self.is_mounted:
            self._view.set_height(line)

    def _wrapped_findings(self, row: int) -> list[tuple[str, bool]]:
        lines = self._wrapped.get(row)
        if lines is None:
            width = max(10, self._columns.request_width + self._columns.context_width + 3)
            lines = [
                (text, finding.is_error)
                for finding in self._findings[row]
                for text in textwrap.wrap(finding_line(finding), width) or [""]
            ]
            self._wrapped[row] = lines
        return lines

    def _refresh_row(self, row: int) -> None:
        start, end = self._starts[row], self._starts[row + 1]
        top = round(self._view.scroll_y)
        self._view.refresh(Region(0, start - top, self._view.size.width, end - start))

    def line_strip(
        self, line: int, width: int, base: Style, style: Callable[[str], Style]
    ) -> Strip:
        """The strip of table line `line` (a row line or one of its findings lines)."""
        if line >= self._starts[-1]:
            return Strip.blank(width, base)
        row = bisect.bisect_right(self._starts, line) - 1
        offset = line - self._starts[row]
        columns = self._columns
        if offset:
            text, is_error = self._wrapped_findings(row)[offset - 1]
            colour = style("error" if is_error else "warning")
            return Strip([Segment(" " * columns.gutter, base), Segment(text, base + colour)])
        value = self._rows[row]
        bad = {f.side for f in self._findings[row] if f.is_error}
        muted = base + style("muted")
        mark = CURSOR_MARK if row == self._row else " "
        number = str(row + 1).rjust(columns.gutter - 2)
        segments = [
            Segment(mark, base + style("cursor") if row == self._row else muted),
            Segment(number + " ", muted),
        ]
        for column, text, hints in (
            ("request", value.request_field, REQUEST_HINTS),
            ("context", value.context_path, CONTEXT_HINTS),
        ):
            cell_width = columns.width_of(column)  # type: ignore[arg-type]
            if text:
                shown = clip_start(text, cell_width)
                cell_style = base + style("invalid") if column in bad else base
            else:
                shown = clip_start(fit_hint(hints, cell_width), cell_width)
                cell_style = base + style("hint")
            segments.append(Segment(shown.ljust(cell_width), cell_style))
            if column == "request":
                segments.append(Segment(Columns.ARROW, muted))
        return Strip(segments)

    # --- the editor over the focused cell --------------------------------------------------

    def _load_editor(self) -> None:
        row = self._rows[self._row]
        editor = self.editor
        request = self._column == "request"
        editor.suggestions = REQUEST_SUGGESTIONS if request else ()
        editor.value = row.request_field if request else row.context_path
        editor.cursor_position = len(editor.value)
        editor.set_class(request, "mapping-request")
        editor.set_class(not request, "mapping-context")
        self._scroll_to_cursor()
        self.place_editor()
        self._view.refresh()  # the cursor mark moved

    def _scroll_to_cursor(self) -> None:
        view = self._view
        height = view.scrollable_content_region.height
        if not height:
            return
        start, end = self._starts[self._row], self._starts[self._row + 1]
        top = round(view.scroll_y)
        if start < top:
            view.scroll_to(y=start, animate=False, immediate=True)
        elif end > top + height:
            view.scroll_to(y=min(start, end - height), animate=False, immediate=True)

    def place_editor(self) -> None:
        """Move the editor over the focused cell (a layout; never done on a keystroke)."""
        columns = self._columns
        width = columns.width_of(self._column)
        hints = REQUEST_HINTS if self._column == "request" else CONTEXT_HINTS
        self.editor.placeholder = fit_hint(hints, width)
        line = self._starts[self._row] - round(self._view.scroll_y)
        if not 0 <= line < self._view.scrollable_content_region.height:
            line = -2  # scrolled out of view (mouse wheel): hidden above, clipped by the grid
        x, y = columns.x_of(self._column), line + 1  # under the head line
        styles = self.editor.styles
        if styles.offset.x.value != x or styles.offset.y.value != y:
            styles.offset = (x, y)
        if styles.width is None or styles.width.value != width:
            styles.width = width

"""Step 4: which field of Plivo's incoming-call request fills which path of the agent's context.

The rows are one `MappingGrid` (a Line-API view with a single Input over the focused cell, see
`widgets/mapping_rows.py`). Every edit re-runs the core's `analyse_mapping` over all rows
(well under a millisecond for 500 rows) and updates only what changed: a row's findings, the
summary, the preview, all in the frame that echoes the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from wizard.core.mapping import (
    SAMPLE_PLIVO_REQUEST,
    MappingReport,
    MappingRow,
    analyse_mapping,
    mapping_from_rows,
    rows_from_mapping,
)
from wizard.flow.mapping_text import (
    finding_line,
    preview_json,
    preview_note,
    sample_text,
    summary_text,
)
from wizard.tui.steps.base import StepView
from wizard.tui.widgets.mapping_rows import (
    REQUEST_SUGGESTIONS,
    CellInput,
    Column,
    MappingGrid,
)
from wizard.tui.widgets.text_lines import TextLinesView

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession

NARROW_WIDTH = 70
"""Below this many columns the preview pane narrows (60x20 must stay usable)."""

__all__ = [
    "REQUEST_SUGGESTIONS",
    "CellInput",
    "MappingGrid",
    "MappingStep",
    "finding_line",
]


class MappingStep(StepView):
    """Plivo request field -> context path rows, checked live, with a preview of the context."""

    step_title: ClassVar[str] = "Context mapping"
    STYLESHEET: ClassVar[str] = "mapping.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Input binds ctrl+a (line start) and ctrl+d (delete right) itself.
        Binding("ctrl+a", "add_row", "Add row", tooltip="Add a row below this one", priority=True),
        Binding("ctrl+d", "remove_row", "Remove row", tooltip="Remove this row", priority=True),
    ]

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(session, id=id)
        # Built from what the session holds, so the first visit shows the held mapping.
        self._loaded_from: object = session.held_config
        """The config Ultravox holds that the rows were last loaded from."""
        rows = rows_from_mapping(session.mapping) or [MappingRow("", "")]
        self._grid = MappingGrid(
            rows, on_change=self._analyse, blink=self._blink(), id="mapping-rows"
        )
        self._report = MappingReport(())
        self._preview_text = ""
        self._preview_note = ""
        self._summary_text = ""
        self._posted_problems: list[str] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="mapping-body"):
            with Vertical(id="mapping-editor"):
                yield self._grid
                yield Static(id="mapping-summary", markup=False)
            with Vertical(id="mapping-side"):
                yield Label("Context a sample call produces", classes="mapping-side-title")
                yield TextLinesView(id="mapping-preview")
                yield Label("Sample call from Plivo", classes="mapping-side-title")
                yield Static(sample_text(SAMPLE_PLIVO_REQUEST), id="mapping-sample", markup=False)

    def on_mount(self) -> None:
        self._load_from_session()
        self._analyse()

    def _load_from_session(self) -> None:
        """Show the mapping the session holds when the config it came from is new to us."""
        held = self.session.held_config
        if self._loaded_from is held:
            return
        self._loaded_from = held
        if self.session.mapping or held is not None:
            self.load_model(self.session.mapping)

    def on_resize(self, event: events.Resize) -> None:
        # TCSS has no media queries: on a narrow terminal the preview pane gives the cells room.
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # --- public API -------------------------------------------------------------------------

    def load_model(self, mapping: Mapping[str, str]) -> None:
        """Replace the rows with `mapping` (one empty row when it is empty)."""
        self._grid.load_rows(rows_from_mapping(mapping))
        if self.is_mounted:
            self._analyse()

    def to_model(self) -> dict[str, str]:
        """The mapping to send (blank rows dropped)."""
        return mapping_from_rows(self.rows)

    @property
    def rows(self) -> list[MappingRow]:
        return self._grid.rows

    @property
    def grid(self) -> MappingGrid:
        """The rows' table (its `editor` is the one Input over the focused cell)."""
        return self._grid

    @property
    def cursor(self) -> tuple[int, Column]:
        """(row index, column) of the cell being edited."""
        return self._grid.cursor

    def findings_text(self, row: int) -> str:
        """What the findings lines under row `row` (0-based) say; empty when it is fine."""
        return self._grid.findings_text(row)

    @property
    def report(self) -> MappingReport:
        """The analysis of the rows as they are now."""
        return self._report

    def problems(self) -> list[str]:
        return [
            f"Row {f.row + 1}: {f.message}" if f.row is not None else f.message
            for f in self._report.errors
        ]

    def on_show_step(self) -> None:
        self._load_from_session()
        if not self._grid.editor.has_focus:
            self._grid.focus_cell(*self._grid.cursor)

    # --- actions ----------------------------------------------------------------------------

    def action_add_row(self) -> None:
        self._grid.add_row()

    def action_remove_row(self) -> None:
        if self._grid.editor.has_focus:
            self._grid.remove_row()

    # --- events -----------------------------------------------------------------------------

    @on(Input.Changed, "#mapping-cell")
    def _cell_changed(self, event: Input.Changed) -> None:
        event.stop()  # already handled, synchronously, by _analyse (see MappingGrid)

    @on(Input.Submitted, "#mapping-cell")
    def _cell_submitted(self, event: Input.Submitted) -> None:
        # Enter goes on (it bubbles to the app) whenever the status line says it will: the
        # mapping has no errors. Otherwise Enter in a left cell moves to its right cell.
        row, column = self._grid.cursor
        if column == "request" and self.problems():
            event.stop()
            self._grid.focus_cell(row, "context")

    # --- internals --------------------------------------------------------------------------

    def _blink(self) -> bool:
        # The app turns blinking off (e.g. over SSH); the editor follows the same option.
        try:
            options = getattr(self.app, "options", None)
        except Exception:  # no active app yet
            options = None
        return bool(getattr(options, "blink", True))

    def _analyse(self) -> None:
        """Re-check every row and update only what changed (called at once after every edit)."""
        rows = self._grid.rows
        report = analyse_mapping(rows)
        self._report = report
        self.session.set_mapping(mapping_from_rows(rows))
        self._grid.show_report(report)
        self._show_summary(rows, report)
        self._show_preview(rows, report)
        # The app re-reads problems() and redraws its status line on Changed: post it when
        # they changed, not on every keystroke.
        problems = self.problems()
        if problems != self._posted_problems:
            self._posted_problems = problems
            self.notify_changed()

    def _show_summary(self, rows: Sequence[MappingRow], report: MappingReport) -> None:
        text, level = summary_text(rows, report)
        if text == self._summary_text:
            return
        self._summary_text = text
        summary = self.query_one("#mapping-summary", Static)
        summary.update(text, layout=False)  # a fixed height (wizard.tcss): never a layout
        summary.set_class(level == "error", "-error")
        summary.set_class(level == "warning", "-warning")

    def _show_preview(self, rows: Sequence[MappingRow], report: MappingReport) -> None:
        text = preview_json(rows, SAMPLE_PLIVO_REQUEST, report)
        note = preview_note(rows, report, SAMPLE_PLIVO_REQUEST)
        if (text, note) == (self._preview_text, self._preview_note):
            return
        self._preview_text, self._preview_note = text, note
        lines = [(line, False) for line in text.splitlines()]
        lines += [(line, True) for line in note.splitlines()]
        self.query_one("#mapping-preview", TextLinesView).set_lines(lines)

    @property
    def preview_text(self) -> str:
        """The JSON the preview pane shows."""
        return self._preview_text

    @property
    def preview_note(self) -> str:
        """The lines under the preview: what it leaves out and why (empty when nothing)."""
        return self._preview_note

"""Step 4: which field of Plivo's incoming-call request fills which path of the agent's context.

Each row is two compact Inputs (request field -> context path) with a findings line under it.
Every keystroke re-runs the core's `analyse_mapping` over all rows (microseconds for 100 rows) and
updates only what changed: a row's findings line, the summary, the preview. Rows are mounted once
and never rebuilt while typing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
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
from wizard.tui.widgets.mapping_rows import REQUEST_SUGGESTIONS, CellInput, MappingRowEditor

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession

NARROW_WIDTH = 70
"""Below this many columns the preview pane narrows (60x20 must stay usable)."""

__all__ = [
    "REQUEST_SUGGESTIONS",
    "CellInput",
    "MappingRowEditor",
    "MappingStep",
    "finding_line",
]


class MappingStep(StepView):
    """Plivo request field -> context path rows, checked live, with a preview of the context."""

    step_title: ClassVar[str] = "Context mapping"

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Input binds ctrl+a (line start) and ctrl+d (delete right) itself.
        Binding("ctrl+a", "add_row", "Add row", tooltip="Add a row below this one", priority=True),
        Binding("ctrl+d", "remove_row", "Remove row", tooltip="Remove this row", priority=True),
    ]

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(session, id=id)
        # Composed from what the session holds (is_mounted is still False in on_mount, so rows
        # replaced there would never reach the screen).
        rows = rows_from_mapping(session.mapping) or [MappingRow("", "")]
        self._editors = [self._new_editor(row, i + 1) for i, row in enumerate(rows)]
        self._loaded_from: object = session.held_config
        """The config Ultravox holds that the rows were last loaded from."""
        self._report = MappingReport(())
        self._preview_text = ""
        self._preview_note = ""
        self._summary_text = ""
        self._posted_problems: list[str] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="mapping-body"):
            with Vertical(id="mapping-editor"):
                with Horizontal(id="mapping-head"):
                    yield Label(" #", classes="mapping-number")
                    yield Label("Request field", classes="mapping-field")
                    yield Label("→", classes="mapping-arrow")
                    yield Label("Context path", classes="mapping-field")
                with VerticalScroll(id="mapping-rows", can_focus=False):
                    yield from self._editors
                yield Static(id="mapping-summary", markup=False)
            with Vertical(id="mapping-side"):
                yield Label("Context a sample call produces", classes="mapping-side-title")
                with VerticalScroll(id="mapping-preview-scroll", can_focus=False):
                    yield Static(id="mapping-preview", markup=False)
                    yield Static(id="mapping-preview-note", markup=False)
                yield Label("Sample call from Plivo", classes="mapping-side-title")
                yield Static(sample_text(SAMPLE_PLIVO_REQUEST), id="mapping-sample", markup=False)

    def on_mount(self) -> None:
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
        rows = rows_from_mapping(mapping) or [MappingRow("", "")]
        old = self._editors
        self._editors = [self._new_editor(row, i + 1) for i, row in enumerate(rows)]
        if self.is_mounted:
            container = self.query_one("#mapping-rows", VerticalScroll)
            for editor in old:
                editor.remove()
            container.mount_all(self._editors)
            self._analyse()

    def to_model(self) -> dict[str, str]:
        """The mapping to send (blank rows dropped)."""
        return mapping_from_rows(self.rows)

    @property
    def rows(self) -> list[MappingRow]:
        return [editor.row for editor in self._editors]

    @property
    def editors(self) -> list[MappingRowEditor]:
        return list(self._editors)

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
        if not any(editor.has_focus_within for editor in self._editors):
            self._editors[0].request.focus()

    # --- actions ----------------------------------------------------------------------------

    async def action_add_row(self) -> None:
        current = self._focused_editor()
        index = self._editors.index(current) + 1 if current else len(self._editors)
        editor = self._new_editor(MappingRow("", ""), index + 1)
        container = self.query_one("#mapping-rows", VerticalScroll)
        if index < len(self._editors):
            await container.mount(editor, before=self._editors[index])
        else:
            await container.mount(editor)
        self._editors.insert(index, editor)
        self._renumber(index + 1)
        editor.request.focus()
        editor.scroll_visible()
        self._analyse()

    async def action_remove_row(self) -> None:
        current = self._focused_editor()
        if current is None:
            return
        column = "context" if current.context.has_focus else "request"
        if len(self._editors) == 1:
            current.request.value = ""
            current.context.value = ""
            current.request.focus()
            self._analyse()
            return
        index = self._editors.index(current)
        self._editors.pop(index)
        await current.remove()
        self._renumber(index)
        neighbour = self._editors[min(index, len(self._editors) - 1)]
        (neighbour.context if column == "context" else neighbour.request).focus()
        self._analyse()

    # --- events -----------------------------------------------------------------------------

    @on(Input.Changed, ".mapping-row Input")
    def _row_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._analyse()

    @on(Input.Submitted, ".mapping-request")
    def _request_submitted(self, event: Input.Submitted) -> None:
        # Enter on the left goes to the right; Enter on the right bubbles up (Next).
        event.stop()
        for editor in self._editors:
            if editor.request is event.input:
                editor.context.focus()
                return

    @on(MappingRowEditor.Move)
    def _move(self, event: MappingRowEditor.Move) -> None:
        event.stop()
        index = self._editors.index(event.editor) + event.delta
        if 0 <= index < len(self._editors):
            target = self._editors[index]
            column = event.editor.focused_column()
            field = target.context if column is event.editor.context else target.request
            field.focus()
            target.scroll_visible()

    # --- internals --------------------------------------------------------------------------

    def _new_editor(self, row: MappingRow, number: int) -> MappingRowEditor:
        # The app turns blinking off (e.g. over SSH) for the Inputs it finds at start-up;
        # rows added later follow the same option.
        try:
            options = getattr(self.app, "options", None)
        except Exception:  # no active app yet
            options = None
        return MappingRowEditor(row, number, blink=bool(getattr(options, "blink", True)))

    def _focused_editor(self) -> MappingRowEditor | None:
        for editor in self._editors:
            if editor.has_focus_within:
                return editor
        return None

    def _renumber(self, start: int) -> None:
        for index in range(start, len(self._editors)):
            self._editors[index].set_number(index + 1)

    def _analyse(self) -> None:
        """Re-check every row and update only the lines whose text changed."""
        rows = self.rows
        report = analyse_mapping(rows)
        self._report = report
        self.session.set_mapping(mapping_from_rows(rows))
        for index, editor in enumerate(self._editors):
            editor.show_findings(report.for_row(index))
        self._show_summary(rows, report)
        self._show_preview(rows, report)
        # The app re-reads problems() and redraws its status line (a full layout) on Changed:
        # post it when they changed, not on every keystroke.
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
        summary.update(text)
        summary.set_class(level == "error", "-error")
        summary.set_class(level == "warning", "-warning")

    def _show_preview(self, rows: Sequence[MappingRow], report: MappingReport) -> None:
        text = preview_json(rows, SAMPLE_PLIVO_REQUEST)
        if text != self._preview_text:
            preview = self.query_one("#mapping-preview", Static)
            content = Content(text)
            # A layout (of all the rows too) costs a frame; skip it while the height holds.
            width, height = preview.size
            rules = preview.styles  # what Widget.get_content_height passes too
            layout = width <= 0 or content.get_height(rules, width) != height  # type: ignore[arg-type]
            self._preview_text = text
            preview.update(content, layout=layout)
        note = preview_note(rows, report, SAMPLE_PLIVO_REQUEST)
        if note != self._preview_note:
            self._preview_note = note
            widget = self.query_one("#mapping-preview-note", Static)
            widget.update(Content(note))
            widget.set_class(bool(note), "-shown")

    @property
    def preview_text(self) -> str:
        """The JSON the preview pane shows."""
        return self._preview_text

    @property
    def preview_note(self) -> str:
        """The lines under the preview: what it leaves out and why (empty when nothing)."""
        return self._preview_note

"""Step 4: which field of Plivo's incoming-call request fills which path of the agent's context.

Each row is two compact Inputs (request field -> context path) with a findings line under it.
Every keystroke re-runs the core's `analyse_mapping` over all rows (microseconds for 100 rows) and
updates only what changed: a row's findings line, the summary, the preview. Rows are mounted once
and never rebuilt while typing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from wizard.core.mapping import (
    PLIVO_REQUEST_FIELDS,
    SAMPLE_PLIVO_REQUEST,
    SIP_HEADER_PREFIX,
    MappingFinding,
    MappingReport,
    MappingRow,
    analyse_mapping,
    mapping_from_rows,
    render_context,
    rows_from_mapping,
)
from wizard.tui.step import StepView

REQUEST_SUGGESTIONS = (*PLIVO_REQUEST_FIELDS, SIP_HEADER_PREFIX)

_ERROR_LABEL = "✗ Error:"
_WARNING_LABEL = "! Warning:"


def finding_line(finding: MappingFinding) -> str:
    """A finding as text that says error or warning in words, not only in colour."""
    return f"{_ERROR_LABEL if finding.is_error else _WARNING_LABEL} {finding.message}"


def _rows_text(indexes: Sequence[int]) -> str:
    numbers = [str(i + 1) for i in indexes]
    if len(numbers) > 4:
        numbers = [*numbers[:4], "…"]
    return ("row " if len(numbers) == 1 else "rows ") + ", ".join(numbers)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class CellInput(Input):
    """A compact Input whose typing repaints only itself.

    Input grows its virtual size with every character, and Textual answers a virtual-size change
    with a layout of the whole screen: with 100 rows (700 widgets) that costs a frame per key.
    A cell's box never depends on its text (fixed height, `1fr` width), so a repaint suffices.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


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
            placeholder="From",
            suggester=SuggestFromList(REQUEST_SUGGESTIONS, case_sensitive=False),
            compact=True,
            classes="mapping-request",
        )
        self.context = CellInput(
            row.context_path,
            placeholder="user.phone_number",
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


class MappingStep(StepView):
    """Plivo request field -> context path rows, checked live, with a preview of the context."""

    step_title: ClassVar[str] = "Context mapping"

    DEFAULT_CSS = """
    MappingStep {
        #mapping-body { height: 1fr; }
        #mapping-editor { width: 1fr; }
        #mapping-head { height: 1; color: $text-muted; text-style: bold; }
        #mapping-rows { height: 1fr; }
        .mapping-row { height: auto; }
        .mapping-line { height: 1; }
        .mapping-number { width: 3; color: $text-muted; }
        .mapping-arrow { width: 3; content-align: center middle; color: $text-muted; }
        #mapping-head .mapping-field { width: 1fr; }
        .mapping-request, .mapping-context { width: 1fr; }
        .mapping-row Input:focus { background-tint: $foreground 15%; }
        .mapping-findings { display: none; padding-left: 3; }
        .mapping-findings.-shown { display: block; }
        .mapping-findings.-error { color: $text-error; }
        .mapping-findings.-warning { color: $text-warning; }
        #mapping-summary { height: auto; margin-top: 1; }
        #mapping-summary.-error { color: $text-error; }
        #mapping-summary.-warning { color: $text-warning; }
        #mapping-side { width: 38; padding-left: 1; border-left: vkey $border-blurred; }
        .mapping-side-title { text-style: bold; }
        #mapping-preview-scroll { height: 1fr; }
        #mapping-preview-note { color: $text-muted; display: none; }
        #mapping-preview-note.-shown { display: block; }
        #mapping-sample { color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Input binds ctrl+a (line start) and ctrl+d (delete right) itself.
        Binding("ctrl+a", "add_row", "Add row", tooltip="Add a row below this one", priority=True),
        Binding("ctrl+d", "remove_row", "Remove row", tooltip="Remove this row", priority=True),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._editors: list[MappingRowEditor] = [self._new_editor(MappingRow("", ""), 1)]
        self._report = MappingReport(())
        self._preview_text = ""
        self._summary_text = ""

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
                    yield Static(
                        "Rows with errors are left out.", id="mapping-preview-note", markup=False
                    )
                yield Label("Sample call from Plivo", classes="mapping-side-title")
                yield Static(self._sample_text(), id="mapping-sample", markup=False)

    def on_mount(self) -> None:
        self._analyse()

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
        for index, editor in enumerate(self._editors):
            editor.show_findings(report.for_row(index))
        self._show_summary(rows, report)
        self._show_preview(rows)
        self.query_one("#mapping-preview-note").set_class(bool(report.errors), "-shown")
        self.notify_changed()

    def _show_summary(self, rows: Sequence[MappingRow], report: MappingReport) -> None:
        error_rows = sorted({f.row for f in report.errors if f.row is not None})
        warning_rows = sorted({f.row for f in report.warnings if f.row is not None})
        filled = sum(1 for row in rows if not row.is_blank)
        parts: list[str] = []
        if report.errors:
            parts.append(f"✗ {_plural(len(report.errors), 'error')} ({_rows_text(error_rows)})")
        if report.warnings:
            parts.append(
                f"! {_plural(len(report.warnings), 'warning')} ({_rows_text(warning_rows)})"
            )
        whole = [finding_line(f) for f in report.for_row(None)]
        if parts:
            tail = " Fix the errors to go on." if report.errors else " Warnings do not block."
            text = ", ".join(parts) + "." + tail
        elif filled:
            text = f"✓ {_plural(filled, 'field')} mapped, no problems."
        else:
            text = "No fields mapped: calls start with an empty context. Ctrl+A adds a row."
        text = "\n".join([text, *whole])
        if text == self._summary_text:
            return
        self._summary_text = text
        summary = self.query_one("#mapping-summary", Static)
        summary.update(text)
        summary.set_class(bool(report.errors), "-error")
        summary.set_class(not report.errors and bool(report.warnings), "-warning")

    def _show_preview(self, rows: Sequence[MappingRow]) -> None:
        text = json.dumps(render_context(rows, SAMPLE_PLIVO_REQUEST), indent=2, ensure_ascii=False)
        if text == self._preview_text:
            return
        self._preview_text = text
        self.query_one("#mapping-preview", Static).update(Content(text))

    @staticmethod
    def _sample_text() -> str:
        width = max(len(key) for key in SAMPLE_PLIVO_REQUEST)
        return "\n".join(f"{key:<{width}} {value}" for key, value in SAMPLE_PLIVO_REQUEST.items())

    @property
    def preview_text(self) -> str:
        """The JSON the preview pane shows."""
        return self._preview_text

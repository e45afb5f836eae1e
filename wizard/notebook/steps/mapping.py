"""Step 4: Plivo request field -> context path rows, checked on every keystroke, with a live
preview of the context a sample incoming call produces.

Rows are widgets made once per row; a keystroke re-runs the core's `analyse_mapping` and
updates only the messages whose text changed.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from wizard.core.mapping import (
    PLIVO_REQUEST_FIELDS,
    SAMPLE_PLIVO_REQUEST,
    SIP_HEADER_PREFIX,
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
from wizard.notebook.parts import Message, css
from wizard.notebook.steps.base import Step

SUGGESTIONS = [*PLIVO_REQUEST_FIELDS, SIP_HEADER_PREFIX]
_NOT_LOADED = object()


class MappingRowWidgets:
    """One row: request field (with Plivo's fields suggested), context path, remove, message."""

    def __init__(self, row: MappingRow, on_change: object, on_remove: object) -> None:
        self.request = css(
            widgets.Combobox(
                value=row.request_field,
                options=SUGGESTIONS,
                placeholder="e.g. From",
                ensure_option=False,
                layout={"width": "11em"},
            ),
            "uvp-map-request",
        )
        self.context = css(
            widgets.Text(
                value=row.context_path, placeholder="e.g. user.phone", layout={"width": "13em"}
            ),
            "uvp-map-context",
        )
        self.remove = widgets.Button(
            description="✕", tooltip="Remove this row", layout={"width": "3em"}
        )
        self.message = css(Message(), "uvp-map-message")
        for field in (self.request, self.context):
            field.observe(on_change, names="value")
        self.remove.on_click(on_remove)
        arrow = widgets.HTML("→")
        self.box = widgets.VBox(
            [widgets.HBox([self.request, arrow, self.context, self.remove]), self.message]
        )

    @property
    def row(self) -> MappingRow:
        return MappingRow(self.request.value, self.context.value)


class MappingStep(Step):
    title = "Mapping"

    def build(self) -> list[widgets.Widget]:
        self._loaded_from: object = _NOT_LOADED
        self.rows: list[MappingRowWidgets] = []
        self.report = MappingReport(())
        self.rows_box = widgets.VBox()
        self.add = css(widgets.Button(description="Add row"), "uvp-map-add")
        self.add.on_click(lambda _b: self.add_row())
        self.summary = css(Message(), "uvp-map-summary")
        self.preview = css(widgets.HTML(), "uvp-map-preview")
        self.preview_note = Message()
        sample = html.escape(sample_text(SAMPLE_PLIVO_REQUEST))
        editor = widgets.VBox(
            [
                widgets.HTML("<b>Plivo request field → context path</b>"),
                self.rows_box,
                self.add,
                self.summary,
            ],
            layout={"width": "31em"},
        )
        side = widgets.VBox(
            [
                widgets.HTML("<b>Context a sample call produces</b>"),
                self.preview,
                self.preview_note,
                widgets.HTML(f"<b>Sample call from Plivo</b><pre>{sample}</pre>"),
            ],
            layout={"width": "22em", "margin": "0 0 0 1em"},
        )
        self.load_model({})
        return [widgets.HBox([editor, side], layout={"flex_flow": "row wrap"})]

    def on_show(self) -> None:
        held = self.session.held_config
        if self._loaded_from is not held:
            self._loaded_from = held
            if self.session.mapping or held is not None:
                self.load_model(self.session.mapping)

    def load_model(self, mapping: dict[str, str]) -> None:
        """Replace the rows with `mapping` (one empty row when it is empty)."""
        rows = rows_from_mapping(mapping) or [MappingRow("", "")]
        self.rows = [self._new_row(row) for row in rows]
        self.rows_box.children = [r.box for r in self.rows]
        self.analyse()

    def to_model(self) -> dict[str, str]:
        return mapping_from_rows([r.row for r in self.rows])

    def add_row(self) -> MappingRowWidgets:
        row = self._new_row(MappingRow("", ""))
        self.rows.append(row)
        self.rows_box.children = [r.box for r in self.rows]
        self.analyse()
        return row

    def remove_row(self, row: MappingRowWidgets) -> None:
        if len(self.rows) == 1:
            row.request.value = ""
            row.context.value = ""
        else:
            self.rows.remove(row)
            self.rows_box.children = [r.box for r in self.rows]
            row.box.close()
        self.analyse()

    def _new_row(self, row: MappingRow) -> MappingRowWidgets:
        holder: list[MappingRowWidgets] = []
        made = MappingRowWidgets(
            row, lambda _change: self.analyse(), lambda _b: self.remove_row(holder[0])
        )
        holder.append(made)
        self.tasks.adopt(made.box)
        return made

    def analyse(self) -> None:
        """Re-check every row; only messages whose text changed are sent to the browser."""
        rows = [r.row for r in self.rows]
        report = analyse_mapping(rows)
        self.report = report
        self.session.set_mapping(mapping_from_rows(rows))
        for index, widgets_row in enumerate(self.rows):
            findings = report.for_row(index)
            level = "error" if any(f.is_error for f in findings) else "warning"
            widgets_row.message.show(level, "\n".join(finding_line(f) for f in findings))
        text, level = summary_text(rows, report)
        self.summary.show(level, text.replace("Ctrl+A adds a row.", "Add row adds one."))
        preview = f"<pre>{html.escape(preview_json(rows, SAMPLE_PLIVO_REQUEST))}</pre>"
        if self.preview.value != preview:
            self.preview.value = preview
        self.preview_note.show("", preview_note(rows, report, SAMPLE_PLIVO_REQUEST))
        self.changed()

    def problems(self) -> list[str]:
        return [
            f"Row {f.row + 1}: {f.message}" if f.row is not None else f.message
            for f in self.report.errors
        ]

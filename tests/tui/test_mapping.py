"""Step 4 (context mapping) mounted alone in a small host app: keyboard editing, live findings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.tui.hosts import StepHost, host_session
from wizard.core.mapping import SAMPLE_PLIVO_REQUEST, MappingRow, analyse_mapping
from wizard.flow.mapping_text import preview_note
from wizard.tui.steps.mapping import MappingRowEditor, MappingStep


class MappingHost(StepHost[MappingStep]):
    """The mapping step alone, shown as the wizard shows it."""

    TITLE_TEXT = "Step 4/6: Context mapping"

    def ready(self) -> None:
        self.step.on_show_step()


def focused_cell(app: App[Any], step: MappingStep) -> tuple[int, str]:
    """(row index, "request" or "context") of the focused Input."""
    for index, editor in enumerate(step.editors):
        if app.focused is editor.request:
            return index, "request"
        if app.focused is editor.context:
            return index, "context"
    raise AssertionError(f"focus is on {app.focused!r}, not in a row")


def preview(step: MappingStep) -> Any:
    return json.loads(step.preview_text)


async def test_rows_are_added_edited_and_removed_from_the_keyboard() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        assert focused_cell(app, step) == (0, "request")
        await pilot.press(*"From", "tab", *"u.p")
        await pilot.press("ctrl+a")  # a new row below, focused on its left side
        assert focused_cell(app, step) == (1, "request")
        await pilot.press(*"To", "enter", *"c.t")  # Enter moves to the right side
        assert step.to_model() == {"From": "u.p", "To": "c.t"}
        assert step.problems() == []

        await pilot.press("up")
        assert focused_cell(app, step) == (0, "context")
        await pilot.press("ctrl+a", "c", "a", "right", "tab", *"c.i")  # suggestion: CallUUID
        assert [r.request_field for r in step.rows] == ["From", "CallUUID", "To"]
        numbers = [str(e.query_one(".mapping-number", Static).render()) for e in step.editors]
        assert numbers == [" 1", " 2", " 3"]

        await pilot.press("up", "ctrl+d")  # remove row 1 from its right side
        assert step.to_model() == {"CallUUID": "c.i", "To": "c.t"}
        assert focused_cell(app, step) == (0, "context")
        numbers = [str(e.query_one(".mapping-number", Static).render()) for e in step.editors]
        assert numbers == [" 1", " 2"]

        await pilot.press("down", "down")  # stops at the last row
        assert focused_cell(app, step) == (1, "context")
        await pilot.press("ctrl+d", "ctrl+d")
        assert step.to_model() == {}
        assert len(step.editors) == 1  # the last row is emptied, not removed
        assert step.rows[0].is_blank
        assert focused_cell(app, step) == (0, "request")


async def test_the_left_side_suggests_plivo_fields() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f", "o", "right")  # case-insensitive: canonical case comes back
        assert step.rows[0].request_field == "ForwardedFrom"
        await pilot.press("ctrl+u", "x", "right", *"Tenant")
        assert step.rows[0].request_field == "X-PH-Tenant"


async def test_typing_never_remounts_rows() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model({"From": "user.phone", "To": "call.to"}))
    async with app.run_test(size=(80, 24)) as pilot:
        editors = step.editors
        inputs = [(e.request, e.context) for e in editors]
        await pilot.press(*"x.y", "backspace", "backspace", "backspace")
        assert step.editors == editors
        assert [(e.request, e.context) for e in step.editors] == inputs
        assert all(e.is_mounted for e in editors)


async def test_a_long_value_scrolls_inside_its_cell() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        cell = step.editors[0].context
        cell.focus()
        cell.value = "customer.profile.primary_phone_numbe"
        await pilot.press("end", "r")
        assert cell.value == "customer.profile.primary_phone_number"
        assert cell.scroll_offset.x == len(cell.value) + 1 - cell.size.width  # cursor in view
        await pilot.press("home")
        assert cell.scroll_offset.x == 0


@pytest.mark.parametrize(
    ("rows", "row", "label", "fragment"),
    [
        ([("From", "user.")], 0, "✗ Error:", "ends with a dot"),
        ([("From", "user phone")], 0, "✗ Error:", "has a space in it"),
        ([("From", "1user")], 0, "✗ Error:", "starts with a digit"),
        ([("Fr om", "user")], 0, "✗ Error:", "has a space in it"),
        ([("From", "")], 0, "✗ Error:", "Enter the context path"),
        ([("", "user.phone")], 0, "✗ Error:", "Enter the request field"),
        ([("From", "a"), ("From", "b")], 1, "✗ Error:", "mapped more than once"),
        ([("From", "user"), ("To", "user.phone")], 0, "✗ Error:", "would hold a value"),
        ([("From", "user"), ("To", "user.phone")], 1, "✗ Error:", "sits inside"),
        ([("From", "caller"), ("To", "caller")], 1, "! Warning:", "also receives"),
        ([("Caller", "user.phone")], 0, "! Warning:", "does not send a field"),
        ([("from", "user.phone")], 0, "! Warning:", "case-sensitive"),
        ([("x-ph-id", "user.id")], 0, "! Warning:", "SIP headers"),
    ],
)
async def test_every_rule_shows_live_on_its_row(
    rows: list[tuple[str, str]], row: int, label: str, fragment: str
) -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        for index, (left, right) in enumerate(rows):
            if index:
                await pilot.press("ctrl+a")
            editor = step.editors[index]
            editor.request.value = left  # posts Input.Changed, as typing does
            editor.context.value = right
        await pilot.press("end")
        editor = step.editors[row]
        text = editor.findings_text
        assert text.startswith(label), text
        assert fragment in text
        findings = editor.query_one(".mapping-findings", Static)
        assert findings.has_class("-shown")
        assert str(findings.render()) == text
        summary = str(step.query_one("#mapping-summary", Static).render())
        if label.startswith("✗"):
            assert summary.startswith("✗ ")
            assert any(p.startswith(f"Row {row + 1}: ") and fragment in p for p in step.problems())
            assert step.query_one("#mapping-summary").has_class("-error")
            assert "Next: not yet." in str(app.query_one("#next-status", Static).render())
        else:
            assert summary.startswith("! 1 warning") or summary.startswith("! 2 warnings")
            assert "Warnings do not block." in summary
            assert step.problems() == []


async def test_fixing_a_row_clears_its_findings_and_marks_the_side_at_fault() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"From", "tab", *"user.")
        editor = step.editors[0]
        assert editor.context.has_class("-invalid")
        assert not editor.request.has_class("-invalid")
        await pilot.press("backspace")
        assert editor.findings_text == ""
        assert not editor.query_one(".mapping-findings").has_class("-shown")
        assert not editor.context.has_class("-invalid")
        summary = str(step.query_one("#mapping-summary", Static).render())
        assert summary == "✓ 1 field mapped, no problems."


async def test_the_preview_follows_every_keystroke() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        assert preview(step) == {}
        await pilot.press(*"From", "tab", *"user.phone")
        assert preview(step) == {"user": {"phone": SAMPLE_PLIVO_REQUEST["From"]}}
        await pilot.press("ctrl+a")
        step.editors[1].request.value = "X-PH-CustomerId"
        await pilot.press("tab", *"user.customer")
        assert preview(step) == {
            "user": {
                "phone": SAMPLE_PLIVO_REQUEST["From"],
                "customer": SAMPLE_PLIVO_REQUEST["X-PH-CustomerId"],
            }
        }
        step.editors[1].context.value = "user"  # clashes with user.phone: both skipped
        await pilot.pause()
        assert step.rows[1].context_path == "user"
        assert preview(step) == {}
        shown = str(step.query_one("#mapping-preview", Static).render())
        assert shown == "{}"
        sample = str(step.query_one("#mapping-sample", Static).render())
        assert "From" in sample and SAMPLE_PLIVO_REQUEST["From"] in sample


async def test_the_preview_says_which_fields_the_sample_call_lacks() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model({"From": "user.phone"}))
    async with app.run_test(size=(80, 24)) as pilot:
        note = step.query_one("#mapping-preview-note", Static)
        assert step.preview_note == "" and not note.display
        await pilot.press("ctrl+a", *"X-PH-Plan", "tab", *"user.plan")
        assert preview(step) == {"user": {"phone": SAMPLE_PLIVO_REQUEST["From"]}}
        assert step.preview_note == "Not in the sample call (left out):\n  X-PH-Plan"
        assert note.display and "X-PH-Plan" in str(note.render())
        pane = step.query_one("#mapping-preview-scroll")
        assert note.region.height == 2 and pane.region.contains_region(note.region)
        step.editors[1].request.value = "To"  # a field the sample carries: the note goes
        await pilot.pause()
        assert step.preview_note == "" and not note.display
        assert preview(step)["user"]["plan"] == SAMPLE_PLIVO_REQUEST["To"]
        # The preview re-lays itself out only when its height changes: it must still fit.
        shown = step.query_one("#mapping-preview", Static)
        assert shown.region.height == len(step.preview_text.splitlines()) == 6
        await pilot.press(*"xyz")  # same lines, longer key: no new layout needed
        assert "planxyz" in step.preview_text
        assert shown.region.height == 6


def test_preview_note_names_absent_fields_briefly_and_rows_with_errors() -> None:
    rows = [MappingRow("From", "a"), MappingRow("X-PH-Plan", "b"), MappingRow("", "")]
    rows += [MappingRow(f"X-PH-H{i}", f"h.x{i}") for i in range(5)]
    note = preview_note(rows, analyse_mapping(rows), SAMPLE_PLIVO_REQUEST)
    assert note.splitlines() == [
        "Not in the sample call (left out):",
        "  X-PH-Plan",
        "  X-PH-H0",
        "  and 4 more",
    ]
    broken = [MappingRow("X-PH-Plan", "9bad"), MappingRow("Nope", "c")]
    note = preview_note(broken, analyse_mapping(broken), SAMPLE_PLIVO_REQUEST)
    # The row with an error is counted as an error, not as an absent field.
    assert note.splitlines() == [
        "Not in the sample call (left out):",
        "  Nope",
        "Rows with errors are left out.",
    ]
    fine = [MappingRow("From", "user.phone")]
    assert preview_note(fine, analyse_mapping(fine), SAMPLE_PLIVO_REQUEST) == ""


async def test_the_current_mapping_is_preloaded() -> None:
    current = {"From": "user.phone_number", "To": "call.to", "X-PH-CustomerId": "customer.id"}
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model(current))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert step.to_model() == current
        assert [(e.request.value, e.context.value) for e in step.editors] == list(current.items())
        assert preview(step) == {
            "user": {"phone_number": SAMPLE_PLIVO_REQUEST["From"]},
            "call": {"to": SAMPLE_PLIVO_REQUEST["To"]},
            "customer": {"id": SAMPLE_PLIVO_REQUEST["X-PH-CustomerId"]},
        }
        assert focused_cell(app, step) == (0, "request")
        # Loading again replaces the rows (an empty mapping leaves one empty row).
        step.load_model({})
        await pilot.pause()
        assert len(step.query(MappingRowEditor)) == 1
        assert step.to_model() == {}


async def test_problems_list_every_error_with_its_row_and_changes_are_posted() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model({"From": "a", "To": "a.b", "Bad key": "c"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        problems = step.problems()
        assert [p.split(":")[0] for p in problems] == ["Row 1", "Row 2", "Row 3"]
        assert "Bad key" in problems[2]
        changes = app.changes
        step.editors[2].request.focus()
        await pilot.press("ctrl+d")
        assert focused_cell(app, step) == (1, "request")
        await pilot.press("tab", "end", "ctrl+u", "c")  # row 2: To -> c
        assert app.changes > changes
        assert step.rows[1].context_path == "c"
        assert step.problems() == []


async def test_a_hundred_rows_stay_live() -> None:
    mapping = {f"X-PH-H{i}": f"headers.h{i}" for i in range(100)}
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model(mapping))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert len(step.editors) == 100
        assert step.problems() == []
        last = step.editors[-1]
        last.context.focus()
        await pilot.press("end", "backspace", *"0")  # headers.h99 -> headers.h90
        assert step.rows[-1].context_path == "headers.h90"
        assert "also receives" in last.findings_text
        assert "also receives" in step.editors[90].findings_text
        assert step.editors[50].findings_text == ""
        assert last.region.y < 24  # scrolled into view when focused


# --- snapshots (80x24) ----------------------------------------------------------------------


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()


def test_snapshot_mapping_typical(snap_compare: Any) -> None:
    current = {"From": "user.phone_number", "To": "call.to", "X-PH-CustomerId": "customer.id"}
    app = MappingHost(MappingStep(host_session()), lambda s: s.load_model(current))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_snapshot_mapping_with_errors_and_warnings(snap_compare: Any) -> None:
    rows = {"From": "user", "To": "user.phone", "Caller": "caller.name"}
    app = MappingHost(MappingStep(host_session()), lambda s: s.load_model(rows))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_an_empty_row_shows_hints_that_fit_not_values(width: int) -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        editor = step.editors[0]
        for cell, name in ((editor.request, "From"), (editor.context, "user")):
            # A hint reads as one ("e.g."), names an example, and is not clipped by the cell.
            assert cell.value == ""
            assert "e.g." in cell.placeholder and name in cell.placeholder
            assert len(cell.placeholder) <= cell.content_size.width
        summary = str(step.query_one("#mapping-summary", Static).render())
        assert summary.startswith("No fields mapped yet")
        assert step.to_model() == {}


async def test_enter_on_the_right_cell_reaches_the_app() -> None:
    submitted: list[Input] = []

    class Recorder(MappingHost):
        def on_input_submitted(self, message: Input.Submitted) -> None:
            submitted.append(message.input)

    step = MappingStep(host_session())
    app = Recorder(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"From", "enter")  # the left cell's Enter moves right, and stops
        assert focused_cell(app, step) == (0, "context")
        assert submitted == []
        await pilot.press(*"u.p", "enter")
        assert submitted == [step.editors[0].context]  # bubbled, with the cell as .input

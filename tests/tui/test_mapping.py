"""Step 4 (context mapping) mounted alone in a small host app: keyboard editing, live findings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.tui.conftest import screen_text
from tests.tui.hosts import StepHost, host_session
from wizard.core.mapping import SAMPLE_PLIVO_REQUEST, MappingRow, analyse_mapping
from wizard.flow.mapping_text import preview_note
from wizard.tui.steps.mapping import MappingStep
from wizard.tui.widgets.text_lines import TextLinesView


class MappingHost(StepHost[MappingStep]):
    """The mapping step alone, shown as the wizard shows it."""

    TITLE_TEXT = "Step 4/6: Context mapping"

    def ready(self) -> None:
        self.step.on_show_step()


def focused_cell(app: App[Any], step: MappingStep) -> tuple[int, str]:
    """(row index, "request" or "context") of the cell being edited, with the editor focused."""
    assert app.focused is step.grid.editor, f"focus is on {app.focused!r}, not in a row"
    return step.cursor


def numbers(step: MappingStep) -> list[str]:
    """The row numbers as the table draws them."""
    view = step.grid.query_one("#mapping-rows-view")
    lines = [view.render_line(y).text for y in range(step.grid.row_count)]
    return [line[1:].split()[0] for line in lines]


def set_cell(step: MappingStep, row: int, column: str, value: str) -> None:
    """Put `value` into a cell as typing would (through the editor)."""
    step.grid.focus_cell(row, column)  # type: ignore[arg-type]
    step.grid.editor.value = value


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
        assert numbers(step) == ["1", "2", "3"]

        await pilot.press("up", "ctrl+d")  # remove row 1 from its right side
        assert step.to_model() == {"CallUUID": "c.i", "To": "c.t"}
        assert focused_cell(app, step) == (0, "context")
        assert numbers(step) == ["1", "2"]

        await pilot.press("down", "down")  # stops at the last row
        assert focused_cell(app, step) == (1, "context")
        await pilot.press("ctrl+d", "ctrl+d")
        assert step.to_model() == {}
        assert step.grid.row_count == 1  # the last row is emptied, not removed
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
        await pilot.press("tab", *"ca")  # the right side suggests nothing
        assert step.grid.editor._suggestion == ""


async def test_a_suggestion_is_drawn_in_the_frame_of_the_key() -> None:
    """No worker: the ghost text is set while the key is handled, not a frame later."""
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = step.grid.editor
        assert editor.suggester is None  # Textual's suggester would answer from a worker
        editor.insert_text_at_cursor("c")  # as a key does, synchronously
        assert editor._suggestion == "CallUUID"
        await pilot.pause()
        assert "allUUID" in editor.render_line(0).text  # the suggestion after the typed "c"


async def test_typing_never_mounts_or_lays_out() -> None:
    """A keystroke in a cell repaints; it neither mounts widgets, lays the screen out, nor makes
    the compositor rebuild its map (a dirty widget that is not on screen does that).

    Counters, not timers: `Screen._refresh_layout` calls and dirty widgets missing from the
    compositor's visible map (docs/architecture.md, "Typing in the mapping table").
    """
    step = MappingStep(host_session())
    mapping = {"From": "user.phone"} | {f"X-PH-H{i}": f"headers.h{i}" for i in range(99)}
    app = MappingHost(step, lambda s: s.load_model(mapping))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "end")
        await pilot.pause()
        widgets = list(app.screen.walk_children())
        layouts, offscreen = 0, 0
        screen, compositor = app.screen, app.screen._compositor
        real_layout, real_update = screen._refresh_layout, compositor.update_widgets

        def count_layout(*args: Any, **kwargs: Any) -> None:
            nonlocal layouts
            layouts += 1
            real_layout(*args, **kwargs)

        def count_update(dirty: set[Any]) -> None:
            nonlocal offscreen
            offscreen += len(dirty - compositor.visible_widgets.keys())
            real_update(dirty)

        screen._refresh_layout = count_layout  # type: ignore[method-assign]
        compositor.update_widgets = count_update  # type: ignore[method-assign,assignment]

        async def type_keys(keys: list[str]) -> None:
            for key in keys:
                before = step.preview_text
                await pilot.press(key)
                await pilot.pause()
                assert step.preview_text != before  # the key did change the preview

        # 14 letters: the value outgrows its cell (the editor scrolls) and a preview line wraps.
        await type_keys([*"abcdefghijklmn"])
        # A layout while the value overflows (any other cause: a resize, the status line) once
        # gave the editor a hidden scrollbar that then rebuilt the compositor map on every key.
        screen._refresh_layout = real_layout  # type: ignore[method-assign]
        screen.refresh(layout=True)
        await pilot.pause()
        screen._refresh_layout = count_layout  # type: ignore[method-assign]
        await type_keys([*"op", *["backspace"] * 16, *"xy"])
        assert step.rows[0].context_path == "user.phonexy"
        assert step.grid.editor.scroll_offset.x == 0
        assert (layouts, offscreen) == (0, 0)
        assert list(app.screen.walk_children()) == widgets


async def test_a_long_value_scrolls_inside_its_cell() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        step.grid.focus_cell(0, "context")
        cell = step.grid.editor
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
            set_cell(step, index, "request", left)  # as typing does
            set_cell(step, index, "context", right)
        await pilot.press("end")
        text = step.findings_text(row)
        assert text.startswith(label), text
        assert fragment in text
        shown = screen_text(app)
        assert text.split()[0] in shown and text.split()[1] in shown
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
        editor = step.grid.editor
        assert step.cursor == (0, "context") and editor.has_class("-invalid")
        await pilot.press("shift+tab")
        assert not editor.has_class("-invalid")  # the left side is fine
        await pilot.press("tab", "backspace")
        assert step.findings_text(0) == ""
        assert "Error" not in screen_text(app)
        assert not editor.has_class("-invalid")
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
        set_cell(step, 1, "request", "X-PH-CustomerId")
        await pilot.press("tab", *"user.customer")
        assert preview(step) == {
            "user": {
                "phone": SAMPLE_PLIVO_REQUEST["From"],
                "customer": SAMPLE_PLIVO_REQUEST["X-PH-CustomerId"],
            }
        }
        set_cell(step, 1, "context", "user")  # clashes with user.phone: both skipped
        await pilot.pause()
        assert step.rows[1].context_path == "user"
        assert preview(step) == {}
        assert step.query_one("#mapping-preview", TextLinesView).lines[0] == "{}"
        sample = str(step.query_one("#mapping-sample", Static).render())
        assert "From" in sample and SAMPLE_PLIVO_REQUEST["From"] in sample


async def test_the_preview_says_which_fields_the_sample_call_lacks() -> None:
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model({"From": "user.phone"}))
    async with app.run_test(size=(80, 24)) as pilot:
        view = step.query_one("#mapping-preview", TextLinesView)
        assert step.preview_note == ""
        assert not any("Not in the sample" in line for line in view.lines)
        await pilot.press("ctrl+a", *"X-PH-Plan", "tab", *"user.plan")
        assert preview(step) == {"user": {"phone": SAMPLE_PLIVO_REQUEST["From"]}}
        assert step.preview_note == "Not in the sample call (left out):\n  X-PH-Plan"
        json_lines = step.preview_text.splitlines()
        assert view.lines == [*json_lines, "Not in the sample call (left out):", "  X-PH-Plan"]
        assert "X-PH-Plan" in screen_text(app)
        set_cell(step, 1, "request", "To")  # a field the sample carries: the note goes
        step.grid.focus_cell(1, "context")
        await pilot.pause()
        assert step.preview_note == "" and view.lines == step.preview_text.splitlines()
        assert preview(step)["user"]["plan"] == SAMPLE_PLIVO_REQUEST["To"]
        await pilot.press(*"xyz")
        assert "planxyz" in step.preview_text
        assert any("planxyz" in line for line in view.lines)


async def test_a_long_preview_line_folds_instead_of_being_cut() -> None:
    step = MappingStep(host_session())
    long_path = "customer.profile.primary_contact.phone_number_for_callbacks"
    app = MappingHost(step, lambda s: s.load_model({"From": long_path}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = step.query_one("#mapping-preview", TextLinesView)
        width = view.scrollable_content_region.width
        assert all(len(line) <= width for line in view.lines)
        assert "".join(view.lines).replace(" ", "") == step.preview_text.replace(" ", "").replace(
            "\n", ""
        )


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
        assert [(r.request_field, r.context_path) for r in step.rows] == list(current.items())
        assert preview(step) == {
            "user": {"phone_number": SAMPLE_PLIVO_REQUEST["From"]},
            "call": {"to": SAMPLE_PLIVO_REQUEST["To"]},
            "customer": {"id": SAMPLE_PLIVO_REQUEST["X-PH-CustomerId"]},
        }
        assert focused_cell(app, step) == (0, "request")
        # Loading again replaces the rows (an empty mapping leaves one empty row).
        step.load_model({})
        await pilot.pause()
        assert step.grid.row_count == 1
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
        step.grid.focus_cell(2, "request")
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
        assert step.grid.row_count == 100
        assert step.problems() == []
        step.grid.focus_cell(99, "context")
        await pilot.press("end", "backspace", *"0")  # headers.h99 -> headers.h90
        assert step.rows[-1].context_path == "headers.h90"
        assert "also receives" in step.findings_text(99)
        assert "also receives" in step.findings_text(90)
        assert step.findings_text(50) == ""
        editor = step.grid.editor
        assert step.grid.region.contains_region(editor.region)  # scrolled into view
        assert "headers.h90" in screen_text(app)


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
        cell = step.grid.editor
        for column, name in (("request", "From"), ("context", "user")):
            step.grid.focus_cell(0, column)  # type: ignore[arg-type]
            await pilot.pause()
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
        assert submitted == [step.grid.editor]  # bubbled, with the cell as .input


async def test_with_a_valid_mapping_enter_goes_on_from_the_left_cell_as_the_status_says() -> None:
    submitted: list[Input] = []

    class Recorder(MappingHost):
        def on_input_submitted(self, message: Input.Submitted) -> None:
            submitted.append(message.input)

    step = MappingStep(host_session())
    app = Recorder(step, lambda s: s.load_model({"From": "user.phone"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert step.cursor == (0, "request") and step.problems() == []
        status = str(app.query_one("#next-status", Static).render())
        assert "press Enter to go on" in status
        await pilot.press("enter")  # from the left cell: goes on, as promised
        assert submitted == [step.grid.editor]
        assert step.cursor == (0, "request")


async def test_unfocused_cells_at_60x20_show_the_start_of_their_value() -> None:
    step = MappingStep(host_session())
    long = {"CallUUID": "customer.profile.primary_phone", "From": "user.phone_number"}
    app = MappingHost(step, lambda s: s.load_model(long))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        step.grid.focus_cell(1, "request")  # the long row is not the focused one
        await pilot.pause()
        view = step.grid.query_one("#mapping-rows-view")
        line = view.render_line(0).text
        assert "CallUUID" in line or "CallUU…" in line
        assert "customer" in line and "…" in line  # the start, cut with an ellipsis
        assert "phone" not in line.split("→")[1]  # not the tail


async def test_the_focused_cell_shows_without_colour() -> None:
    """In 16 colours or on a projector a shade of background is lost: the cursor row has a
    mark in its gutter and the cell being edited is underlined to its full width."""
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model({"From": "user.phone", "To": "call.to"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "tab")
        await pilot.pause()
        view = step.grid.query_one("#mapping-rows-view")
        assert view.render_line(1).text.startswith("▶")
        assert not view.render_line(0).text.startswith("▶")
        editor = step.grid.editor
        assert editor.styles.text_style.underline and editor.styles.text_style.bold
        # The editor sits exactly over row 2's right cell.
        columns = step.grid._columns
        assert editor.region.x == view.region.x + columns.context_x
        assert editor.region.y == view.region.y + 1
        assert editor.region.width == columns.context_width
        strip = editor.render_line(0)
        assert all(seg.style is not None and seg.style.underline for seg in strip if seg.text)


async def test_rows_loaded_before_mounting_show_and_a_click_picks_a_cell() -> None:
    step = MappingStep(host_session())
    step.load_model({"From": "user.phone", "To": "call.to"})  # before the step is mounted
    app = MappingHost(step)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert step.to_model() == {"From": "user.phone", "To": "call.to"}
        view = step.grid.query_one("#mapping-rows-view")
        columns = step.grid._columns
        await pilot.click(view, offset=(columns.context_x + 1, 1))
        assert focused_cell(app, step) == (1, "context")
        assert step.grid.editor.value == "call.to"
        await pilot.click(view, offset=(columns.request_x + 1, 0))
        assert focused_cell(app, step) == (0, "request")


async def test_the_editor_follows_its_row_when_the_rows_scroll() -> None:
    mapping = {f"X-PH-H{i}": f"headers.h{i}" for i in range(60)}
    step = MappingStep(host_session())
    app = MappingHost(step, lambda s: s.load_model(mapping))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = step.grid.query_one("#mapping-rows-view")
        editor = step.grid.editor
        view.scroll_to(y=30, animate=False, immediate=True)  # as the mouse wheel does
        await pilot.pause()
        assert not view.region.overlaps(editor.region)  # row 1 is out of view: so is its editor
        await pilot.press("z")  # typing brings the row back
        await pilot.pause()
        assert step.rows[0].request_field == "X-PH-H0z"
        assert view.region.contains_region(editor.region)

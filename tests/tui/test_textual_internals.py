"""The places the wizard leans on Textual internals that have no public API. Each test fails
if Textual changes under it, so an upgrade cannot break them silently (docs/architecture.md)."""

from __future__ import annotations

import inspect

from textual.app import App, ComposeResult
from textual.reactive import Reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.widgets import Input, SelectionList

from wizard.tui.widgets.agent_picker import AgentPicker
from wizard.tui.widgets.mapping_rows import CellInput, MappingRowsView
from wizard.tui.widgets.text_lines import TextLinesView


class PickerApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AgentPicker(id="picker")


async def test_selection_list_still_draws_its_box_in_the_second_segment() -> None:
    """AgentPicker.render_line blanks segment 1 (SelectionList's "X") of unticked rows."""
    app = PickerApp()
    async with app.run_test(size=(40, 6)) as pilot:
        picker = app.query_one(AgentPicker)
        picker.add_options([("ticked", "a", True), ("unticked", "b", False)])
        await pilot.pause()
        plain = SelectionList.render_line(picker, 0)
        assert len(list(plain)) >= 4 and "X" in list(plain)[1].text  # Textual's layout
        assert "X" in list(picker.render_line(0))[1].text  # ticked: kept
        assert list(picker.render_line(1))[1].text.strip() == ""  # unticked: blanked


async def test_a_prevented_default_stops_selection_lists_own_toggle() -> None:
    """AgentPicker refuses the 101st tick by preventing SelectionList's handler."""
    app = PickerApp()
    async with app.run_test(size=(40, 6)) as pilot:
        picker = app.query_one(AgentPicker)
        picker.limit = 1
        picker.add_options([("one", "a", True), ("two", "b", False)])
        picker.focus()
        picker.highlighted = 1
        await pilot.press("space")
        await pilot.pause()
        assert picker.selected == ["a"]  # refused, not toggled by the base class


def test_widget_virtual_size_is_still_a_reactive_that_lays_out() -> None:
    """CellInput redeclares `virtual_size` without layout; the base must still be a Reactive
    that asks for a layout, else the override is pointless or wrong."""
    base = Widget.__dict__.get("virtual_size") or Input.__dict__.get("virtual_size")
    assert isinstance(base, Reactive)
    assert base._layout is True
    ours = CellInput.__dict__["virtual_size"]
    assert isinstance(ours, Reactive) and ours._layout is False


def test_line_views_override_the_same_reactive_and_update_scrollbars_themselves() -> None:
    """MappingRowsView and TextLinesView set their virtual height without a layout, then call
    ScrollView's `_scroll_update` (private) so the always-shown scrollbar follows."""
    for view in (MappingRowsView, TextLinesView):
        ours = view.__dict__["virtual_size"]
        assert isinstance(ours, Reactive) and ours._layout is False
    assert callable(getattr(ScrollView, "_scroll_update", None))
    assert list(inspect.signature(ScrollView._scroll_update).parameters) == ["self", "virtual_size"]


def test_screen_still_lays_out_through_refresh_layout() -> None:
    """tests/tui/test_mapping.py counts layouts by wrapping `Screen._refresh_layout`; if
    Textual renamed it, that count would stay 0 and prove nothing."""
    assert "_refresh_layout(" in inspect.getsource(Screen._on_timer_update)


async def test_input_still_draws_and_accepts_its_private_suggestion() -> None:
    """CellInput sets `Input._suggestion` itself (no worker); Input must still draw it after
    the cursor and take it on Right."""

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="field")

    app = One()
    async with app.run_test(size=(30, 3)) as pilot:
        field = app.query_one(Input)
        field.focus()
        await pilot.press("f")
        field._suggestion = "From"
        await pilot.pause()
        assert "rom" in field.render_line(0).text
        await pilot.press("right")
        assert field.value == "From"

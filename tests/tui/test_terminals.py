"""The wizard on small and poor terminals: 60x20 by scrolling, NO_COLOR, and 16 colours.

How the terminal's kind reaches Textual (8.2): `App.__init__` reads `NO_COLOR` from the
environment (`app.no_color`, and a Monochrome line filter turns every colour to grey), and
builds its Rich console with `TEXTUAL_COLOR_SYSTEM` (default "auto"), which Rich resolves from
`COLORTERM` and `TERM`: `TERM=linux` without `COLORTERM` gives "standard", 16 colours. Textual
draws in true colour and the console downgrades each colour as it writes to the terminal, so a
16-colour picture is the same frame with every colour downgraded the way Rich does it; the
screenshot of `SixteenColourApp` below is exactly that. No driver is involved.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import textual.constants
from rich.color import Color, ColorSystem
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import SVG_EXPORT_THEME
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

import wizard.tui
from tests.tui import flow
from tests.tui.conftest import make_options, screen_text, settle
from wizard.sandbox import Sandbox
from wizard.tui.app import STEP_IDS, WizardApp
from wizard.tui.steps.mapping import MappingStep

SnapCompare = Any
SMALL = (60, 20)
ROWS_WITH_FINDINGS = {"From": "user", "To": "user.phone", "Caller": "caller.name"}
"""Two rows in conflict (errors), a field Plivo never sends (a warning, and not in the sample)."""


def demo_app(sandbox: Sandbox) -> WizardApp:
    return WizardApp(make_options(sandbox, demo=True))


async def next_step(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+n")
    await settle(pilot)


async def to_mapping(pilot: Pilot[Any], sandbox: Sandbox, mapping: dict[str, str]) -> None:
    """Demo mode fills steps 1-2; tick two agents; open the mapping step with `mapping`."""
    await settle(pilot)
    await next_step(pilot)
    await next_step(pilot)
    await flow.pick_agents(pilot, [str(sandbox.agents[i]["agentId"]) for i in (0, 2)])
    step = pilot.app.query_one(MappingStep)
    step.load_model(mapping)
    await settle(pilot)
    step.on_show_step()  # the rows were replaced: focus the first one again
    await settle(pilot)


async def assert_reachable(pilot: Pilot[Any], widget: Widget, *, min_width: int = 1) -> None:
    """Scroll the current step to `widget`; it must then lie on screen inside the step."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    step = app.step()
    step.scroll_to_widget(widget, animate=False, immediate=True)
    await pilot.pause()
    region = widget.region
    assert region.width >= min_width, f"{widget!r} is {region.width} columns wide"
    assert region.height >= 1, f"{widget!r} is not displayed"
    view = step.region
    if region.height <= view.height:
        assert view.contains_region(region), f"{widget!r} at {region} is outside {view}"
    else:  # taller than the step: its top is on screen and the rest is a scroll away
        assert view.contains_point(region.offset), f"{widget!r} top at {region} is off screen"


# --- 60x20: every step, its content reachable by scrolling ---------------------------------


async def test_every_step_is_usable_at_60x20(sandbox: Sandbox) -> None:
    app = demo_app(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.step_index == STEP_IDS.index("connect")
        await assert_reachable(pilot, app.query_one("#api-key"), min_width=30)
        await assert_reachable(pilot, app.query_one("#account-status"))
        await assert_reachable(pilot, app.query_one("#storage"))

        await next_step(pilot)
        assert app.step_index == STEP_IDS.index("plivo")
        for selector in ("#auth-id", "#auth-token"):
            await assert_reachable(pilot, app.query_one(selector), min_width=30)
        await assert_reachable(pilot, app.query_one("#verify-switch"))
        await assert_reachable(pilot, app.query_one("#verify-status"))

        await next_step(pilot)
        assert app.step_index == STEP_IDS.index("agents")
        await assert_reachable(pilot, app.query_one("#agents-search"), min_width=30)
        picker = app.query_one("#agents-picker")
        await assert_reachable(pilot, picker, min_width=40)
        assert picker.region.height >= 3  # a few agents at a time, the rest a scroll away
        assert picker.max_scroll_y > 0
        await assert_reachable(pilot, app.query_one("#agents-status"))
        await assert_reachable(pilot, app.query_one("#agents-paste"), min_width=30)
        await flow.pick_agents(pilot, [str(sandbox.agents[0]["agentId"])])

        assert app.step_index == STEP_IDS.index("mapping")
        step = app.query_one(MappingStep)
        step.load_model({"From": "user.phone_number", "X-PH-Plan": "user.plan"})
        await settle(pilot)
        assert step.has_class("-narrow")  # the preview pane gives the cells room
        for row in range(step.grid.row_count):
            for column in ("request", "context"):
                step.grid.focus_cell(row, column)
                await assert_reachable(pilot, step.grid.editor, min_width=9)
        await assert_reachable(pilot, app.query_one("#mapping-summary"))
        preview = app.query_one("#mapping-preview")
        await assert_reachable(pilot, preview, min_width=25)
        preview.scroll_end(animate=False, immediate=True)  # the note is under the JSON
        await pilot.pause()
        assert "X-PH-Plan" in screen_text(app)

        await next_step(pilot)
        assert app.step_index == STEP_IDS.index("review")
        review = app.step()
        assert review.max_scroll_y > 0  # too tall for 20 rows: it scrolls, nothing is cut
        await assert_reachable(pilot, app.query_one("#changes"))
        await assert_reachable(pilot, app.query_one("#send"))
        await assert_reachable(pilot, app.query_one("#body"))
        assert '"callCreationAllowedAgentIds"' in screen_text(app)

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.step_index == STEP_IDS.index("result")
        # Whole URLs, wider than 60 columns: wrapped, every character on screen, first.
        urls = app.query_one("#answer-urls")
        await assert_reachable(pilot, urls, min_width=40)
        flat = "".join(line.strip() for line in screen_text(app).splitlines())
        agent_id = str(sandbox.agents[0]["agentId"])
        assert f"https://app.ultravox.ai/api/agents/{agent_id}/telephony_xml" in flat
        await assert_reachable(pilot, app.query_one("#next-steps"))
        await assert_reachable(pilot, app.query_one("#prefix-check"))


def test_snapshot_agents_at_60x20(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await next_step(pilot)
        await next_step(pilot)

    assert snap_compare(demo_app(sandbox), terminal_size=SMALL, run_before=run_before)


def test_snapshot_mapping_at_60x20(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await to_mapping(pilot, sandbox, ROWS_WITH_FINDINGS)

    assert snap_compare(demo_app(sandbox), terminal_size=SMALL, run_before=run_before)


# --- NO_COLOR ---------------------------------------------------------------------------------

_FILL = re.compile(r"fill: (#[0-9a-f]{6})|<rect fill=\"(#[0-9a-f]{6})\"")


_SVG_DEFAULTS = {
    SVG_EXPORT_THEME.foreground_color.hex,  # text with no colour of its own
    SVG_EXPORT_THEME.background_color.hex,
}


def screen_colours(app: WizardApp) -> set[str]:
    """Every colour the app drew in a screenshot (not the picture's defaults or decoration)."""
    svg = app.export_screenshot()
    return {fg or bg for fg, bg in _FILL.findall(svg)} - _SVG_DEFAULTS


def is_grey(colour: str) -> bool:
    red, green, blue = colour[1:3], colour[3:5], colour[5:7]
    return red == green == blue


async def test_no_color_draws_in_grey_and_keeps_every_state_in_words(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def mapping_colours(app: WizardApp) -> tuple[set[str], str]:
        async with app.run_test(size=(80, 24)) as pilot:
            await to_mapping(pilot, sandbox, ROWS_WITH_FINDINGS)
            return screen_colours(app), screen_text(app)

    coloured, _ = await mapping_colours(demo_app(sandbox))
    assert not all(map(is_grey, coloured))  # the check below can tell colour from grey

    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(sandbox)
    assert app.no_color
    colours, text = await mapping_colours(app)
    assert colours and all(map(is_grey, colours)), sorted(c for c in colours if not is_grey(c))
    # Without colour the states still read: errors and warnings say so in words.
    assert "✗ Error:" in text and "! Warning:" in text and "✗ 2 errors" in text


# --- 16 colours (TERM=linux) ---------------------------------------------------------------


def test_term_linux_gives_a_16_colour_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "auto")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "linux")
    assert WizardApp(make_options(None)).console.color_system == "standard"
    monkeypatch.setenv("TERM", "xterm-256color")
    assert WizardApp(make_options(None)).console.color_system == "256"


def sixteen(style: Style | None) -> Style | None:
    """`style` with its colours downgraded as Rich does for a 16-colour terminal."""
    if style is None or (style.color is None and style.bgcolor is None):
        return style

    def down(colour: Color | None) -> Color | None:
        return None if colour is None else colour.downgrade(ColorSystem.STANDARD)

    return style + Style(color=down(style.color), bgcolor=down(style.bgcolor))


class SixteenColours:
    """Wraps a frame so each segment's colours come out as a 16-colour terminal shows them."""

    def __init__(self, frame: RenderableType | None) -> None:
        self.frame = frame

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        if self.frame is None:  # nothing to draw
            return
        for segment in console.render(self.frame, options):
            yield Segment(segment.text, sixteen(segment.style), segment.control)


class SixteenColourApp(WizardApp):
    """The wizard whose screenshots show what a `TERM=linux` console displays."""

    # CSS_PATH resolves against the subclass's own file: point it back at the wizard's sheet.
    CSS_PATH = str(Path(wizard.tui.__file__).parent / "wizard.tcss")

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        console = Console(
            width=self.size.width,
            height=self.size.height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        frame = self.screen._compositor.render_update(
            full=True, screen_stack=self._background_screens, simplify=simplify
        )
        console.print(SixteenColours(frame))
        return console.export_svg(title=title or self.title)

    def segments(self) -> Iterable[Segment]:
        """The current frame's visible segments, in 16 colours."""
        console = Console(width=self.size.width, file=io.StringIO(), force_terminal=True)
        frame = self.screen._compositor.render_update(full=True)
        return (s for s in console.render(SixteenColours(frame)) if not s.control)


async def test_16_colours_keep_text_apart_from_its_background(sandbox: Sandbox) -> None:
    app = SixteenColourApp(make_options(sandbox, demo=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await to_mapping(pilot, sandbox, ROWS_WITH_FINDINGS)
        seen: set[tuple[str, str]] = set()
        unreadable: list[str] = []
        for segment in app.segments():
            style = segment.style
            if style is None or not segment.text.strip() or style.color is None:
                continue
            if style.bgcolor is None:
                continue
            fg, bg = style.color, style.bgcolor
            if style.reverse:
                fg, bg = bg, fg
            seen.add((fg.name, bg.name))
            if fg.number == bg.number:
                unreadable.append(f"{segment.text!r}: {fg.name} on {bg.name}")
        assert seen  # there was text to check
        assert not unreadable, sorted(set(unreadable))
        assert isinstance(app.focused, Input)  # the focused cell was among what was checked


def test_snapshot_mapping_in_16_colours(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await to_mapping(pilot, sandbox, ROWS_WITH_FINDINGS)

    app = SixteenColourApp(make_options(sandbox, demo=True))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)

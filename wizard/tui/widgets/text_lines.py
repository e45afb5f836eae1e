"""Plain lines drawn through the Line API, wrapped to the width, scrolling without a layout.

The mapping step's preview changes on every keystroke, and its height with it. A Static there
asks for a layout of the screen whenever its height changes (a line wraps, a key appears); this
view only repaints: its scrollbar is always shown and `virtual_size` asks for no layout.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import ClassVar

from rich.cells import chop_cells
from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class TextLinesView(ScrollView, can_focus=False):
    """Lines of text, each plain or muted; long lines wrap (hanging indent) at the width."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"text-lines--muted"}

    # No layout when the text grows or shrinks (tests/tui/test_textual_internals.py).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._source: list[tuple[str, bool]] = []
        self._shown: list[tuple[str, bool]] = []

    @property
    def lines(self) -> list[str]:
        """The lines as drawn (after folding), for tests and screen readers of the code."""
        return [text for text, _ in self._shown]

    def set_lines(self, lines: Sequence[tuple[str, bool]]) -> None:
        """Show `lines`: (text, muted) pairs. Repaints; never lays the screen out."""
        self._source = list(lines)
        self._fold()

    def on_resize(self, event: events.Resize) -> None:
        self._fold()

    def _fold(self) -> None:
        width = self.scrollable_content_region.width
        shown: list[tuple[str, bool]] = []
        for text, muted in self._source:
            if width <= 0 or len(text) <= width:
                shown.append((text, muted))
            else:
                indent = " " * (len(text) - len(text.lstrip(" ")) + 2)
                parts = textwrap.wrap(text, width, subsequent_indent=indent[: width - 1])
                shown.extend((part, muted) for part in parts or chop_cells(text, width))
        before, self._shown = self._shown, shown
        size = Size(width, len(shown))
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)
        # Repaint from the first line that changed (only that line if the count holds): fewer
        # bytes to the terminal per keystroke than the whole pane.
        first = next(
            (i for i, (old, new) in enumerate(zip(before, shown, strict=False)) if old != new),
            min(len(before), len(shown)),
        )
        if len(before) == len(shown):
            changed = [i for i in range(first, len(shown)) if before[i] != shown[i]]
            for index in changed:
                self.refresh_line(index)
        else:
            self.refresh_lines(first, max(len(before), len(shown)) - first)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = y + round(self.scroll_y)
        if index >= len(self._shown):
            return Strip.blank(width, base)
        text, muted = self._shown[index]
        style = base + self.get_component_rich_style("text-lines--muted") if muted else base
        return Strip([Segment(text, style)]).crop_extend(0, width, base)

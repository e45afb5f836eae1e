"""The base every wizard step widget builds on.

A step is a container shown in the app's ContentSwitcher (so going Back never loses input). The
app asks `problems()` to decide whether Next is allowed and, if not, to say why; a step posts
`StepView.Changed` whenever its data changes so the app can refresh the footer and status line.
"""

from __future__ import annotations

from typing import ClassVar

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button


class StepView(Vertical):
    """One step of the wizard: a column of widgets with a title and a validity check.

    The app stylesheet gives steps `overflow-y: auto`, so a step scrolls in small terminals.
    """

    step_title: ClassVar[str] = ""
    """Shown in the header as "Step k/6: <title>"."""

    can_focus = False

    class Changed(Message):
        """The step's data changed; the app re-reads `problems()`."""

        def __init__(self, step: StepView) -> None:
            super().__init__()
            self.step = step

        @property
        def control(self) -> StepView:
            return self.step

    def problems(self) -> list[str]:
        """Why Next is refused, one plain sentence each; empty when the step is valid."""
        return []

    def on_show_step(self) -> None:
        """Called by the app each time this step becomes the current one."""

    def focus_default(self) -> None:
        """Focus the step's first focusable widget (when focus was lost inside the step)."""
        for widget in self.screen.focus_chain:
            if self in widget.ancestors_with_self:
                widget.focus(scroll_visible=False)
                return
        if self.can_focus:
            self.focus(scroll_visible=False)

    def retry_button(self) -> Button | None:
        """The step's Retry button when one is shown (F5 presses it), else None."""
        for button in self.query(Button):
            wanted = (button.id or "").startswith("retry") and not button.disabled
            if wanted and all(node.display for node in button.ancestors_with_self):
                return button
        return None

    def notify_changed(self) -> None:
        """Post `Changed` for this step (call after any edit that can change `problems()`)."""
        self.post_message(self.Changed(self))

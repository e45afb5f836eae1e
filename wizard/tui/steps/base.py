"""The base every wizard step widget builds on.

A step is a container shown in the app's ContentSwitcher (so going Back never loses input). It
is handed the session when it is made (attributes down) and never reaches up to the app or
sideways into another step: it posts messages (`Changed`, `GoTo`, `Finished`) and the app
decides. The app asks `problems()` to decide whether Next is allowed and, if not, to say why.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button

if TYPE_CHECKING:
    from textual.app import App

    from wizard.flow.session import WizardSession


class StepView(Vertical):
    """One step of the wizard: a column of widgets with a title and a validity check.

    The app stylesheet gives steps `overflow-y: auto`, so a step scrolls in small terminals.
    """

    step_title: ClassVar[str] = ""
    """Shown in the header as "Step k/6: <title>"."""

    STYLESHEET: ClassVar[str] = ""
    """This step's own rules: a .tcss file next to its module, read by the app just before the
    first one is mounted (as Textual reads a screen's CSS_PATH), so the first frame parses and
    matches only the rules of the app's frame and step 1. They may style only the step's own
    widgets: nothing already on screen is restyled when they arrive."""

    @classmethod
    def stylesheet_path(cls) -> Path | None:
        return Path(inspect.getfile(cls)).with_name(cls.STYLESHEET) if cls.STYLESHEET else None

    can_focus = False

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.session = session

    class GoTo(Message):
        """Ask the app to show another step (Review: "go to the field Ultravox refused")."""

        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    class NextPressed(Message):
        """A button of the step means Next (Review's Send): the app decides, as for Enter."""

    class Sent(Message):
        """Ultravox accepted the plan: the app shows Result."""

    class Changed(Message):
        """The step's data changed; the app re-reads `problems()`."""

        def __init__(self, step: StepView) -> None:
            super().__init__()
            self.step = step

        @property
        def control(self) -> StepView:
            return self.step

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.refresh_bindings()  # "More" shows only while there is more below

    def problems(self) -> list[str]:
        """Why Next is refused, one plain sentence each; empty when the step is valid."""
        return []

    def on_show_step(self) -> None:
        """Called by the app each time this step becomes the current one."""

    def go_on(self) -> bool:
        """Next was pressed on this valid step: True when the step handled it itself (Review
        sends), False to let the app move to the next step."""
        return False

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


def load_stylesheet(app: App[Any], step: type[StepView]) -> None:
    """Add `step`'s own stylesheet to the app's, once, at the precedence of the app's CSS_PATH
    (a widget's DEFAULT_CSS would lose to every rule in wizard.tcss)."""
    path = step.stylesheet_path()
    if path is None or app.stylesheet.has_source(str(path)):
        return
    app.stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
    if app.css_monitor is not None:  # `textual run --dev`: live edits reach this file too
        app.css_monitor.add_paths([path])

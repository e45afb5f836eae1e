"""What every step of the notebook face has: the session (attributes down) and a `changed`
callback to the wizard that owns it (messages up)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import ipywidgets as widgets

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession
    from wizard.notebook.tasks import Tasks


class Step:
    """One step: a `box` of widgets, `problems()` deciding Next, `on_show()` on each visit."""

    title: ClassVar[str] = ""
    next_label: ClassVar[str] = "Next"

    def __init__(self, session: WizardSession, tasks: Tasks, changed: Callable[[], None]) -> None:
        self.session = session
        self.tasks = tasks
        self.changed = changed
        self.box = widgets.VBox(self.build())

    def build(self) -> list[widgets.Widget]:
        raise NotImplementedError

    def on_show(self) -> None:
        """Called each time the step becomes current."""

    def problems(self) -> list[str]:
        """Why Next cannot go on yet, one sentence each (empty: it can)."""
        return []

    def go_on(self) -> bool:
        """Next pressed with no problems: True to move to the next step (Review sends)."""
        return True

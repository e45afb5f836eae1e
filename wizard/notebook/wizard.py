"""`Wizard`: the notebook face's frame: a step bar, the current step, Back/Next, one status
line, and the errors of background operations. It owns the steps (attributes down) and acts
when one says it changed (messages up)."""

from __future__ import annotations

import asyncio
import html
from typing import Any

import ipywidgets as widgets

from wizard.flow.context import ContextRecipe
from wizard.flow.session import WizardSession
from wizard.notebook.parts import Message, css
from wizard.notebook.steps.agents import AgentsStep
from wizard.notebook.steps.base import Step
from wizard.notebook.steps.connect import ConnectStep
from wizard.notebook.steps.mapping import MappingStep
from wizard.notebook.steps.plivo import PlivoStep
from wizard.notebook.steps.result import ResultStep
from wizard.notebook.steps.review import ReviewStep
from wizard.notebook.tasks import Tasks

STEP_CLASSES: tuple[type[Step], ...] = (
    ConnectStep,
    PlivoStep,
    AgentsStep,
    MappingStep,
    ReviewStep,
    ResultStep,
)


class Wizard(widgets.VBox):
    """Connect a Plivo account to Ultravox, in a notebook cell.

    `Wizard()` uses your account (ULTRAVOX_API_KEY, PLIVO_AUTH_ID, ... and the keyring, as the
    terminal wizard does); `Wizard(demo=True)` runs against the built-in sandbox. Must be made
    in a running kernel (its operations run on the kernel's loop).
    """

    def __init__(
        self,
        demo: bool = False,
        *,
        recipe: ContextRecipe | None = None,
        **kwargs: Any,
    ) -> None:
        self._ready = False
        self.recipe = recipe if recipe is not None else ContextRecipe(demo=demo)
        self.session = WizardSession(self.recipe)
        self.error = css(Message(), "uvp-error")
        self.tasks = Tasks(self.refresh, self._operation_failed)
        self._closed = False
        self.steps: list[Step] = [
            cls(self.session, self.tasks, self.refresh) for cls in STEP_CLASSES
        ]
        self.index = 0
        self.step_bar = css(widgets.HTML(), "uvp-step-bar")
        self.status = css(Message(), "uvp-status")
        self.back = css(widgets.Button(description="Back"), "uvp-back")
        self.next = css(
            widgets.Button(description="Next", button_style="primary"),
            "uvp-next",
        )
        self.go_to_field = css(widgets.Button(layout={"display": "none"}), "uvp-go-to-field")
        self.back.on_click(lambda _b: self.go_back())
        self.next.on_click(lambda _b: self.go_next())
        self.go_to_field.on_click(lambda _b: self._go_to_field())
        self.holder = widgets.Box([self.steps[0].box], layout={"min_height": "18em"})
        title = "Connect Plivo to Ultravox" + (" (demo: the built-in sandbox)" if demo else "")
        super().__init__(
            [
                widgets.HTML(f"<h3 style='margin:0.2em 0'>{html.escape(title)}</h3>"),
                self.step_bar,
                self.holder,
                self.status,
                self.error,
                widgets.HBox([self.back, self.next, self.go_to_field]),
            ],
            **kwargs,
        )
        self.add_class("uvp-wizard")
        self.tasks.adopt(self)
        for step in self.steps:  # steps not shown yet are not children of the frame
            self.tasks.adopt(step.box)
        self._ready = True
        self.show_step(0)
        self.tasks.start(self.connect.start(), group="start", blocks=True)

    # -- the steps, by name (tests and notebooks walk them) ---------------------------------------

    @property
    def connect(self) -> ConnectStep:
        return self.steps[0]  # type: ignore[return-value]

    @property
    def plivo(self) -> PlivoStep:
        return self.steps[1]  # type: ignore[return-value]

    @property
    def agents(self) -> AgentsStep:
        return self.steps[2]  # type: ignore[return-value]

    @property
    def mapping(self) -> MappingStep:
        return self.steps[3]  # type: ignore[return-value]

    @property
    def review(self) -> ReviewStep:
        return self.steps[4]  # type: ignore[return-value]

    @property
    def result(self) -> ResultStep:
        return self.steps[5]  # type: ignore[return-value]

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    async def idle(self, timeout: float = 30.0) -> None:
        """Wait until no operation runs (for tests and cells that walk the wizard)."""
        await self.tasks.idle(timeout)

    # -- moving -------------------------------------------------------------------------------

    def show_step(self, index: int) -> None:
        self.index = index
        self.error.show("", "")
        self.holder.children = [self.step.box]
        self.step.on_show()
        self.refresh()

    def go_back(self) -> None:
        if self.index > 0 and not self.session.finished:
            self.show_step(self.index - 1)

    def go_next(self) -> None:
        if self.tasks.busy or self.step.problems() or self.index >= len(self.steps) - 1:
            return
        if self.step.go_on():
            self.show_step(self.index + 1)
        else:
            self.refresh()

    def _go_to_field(self) -> None:
        target = self.review.go_back_to
        if target is not None:
            self.show_step(target)

    # -- drawing ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw the frame from the session and the current step (a step says it changed)."""
        if not self._ready:
            return
        if self.index == 4 and self.session.finished:
            self.show_step(5)  # Ultravox accepted the config: on to Result
            return
        self.step_bar.value = self._step_bar_html()
        problems = self.step.problems()
        busy = self.tasks.busy
        last = self.index == len(self.steps) - 1
        self.next.description = self.step.next_label
        self.next.disabled = busy or bool(problems) or last
        self.next.layout.display = "none" if last else "flex"
        self.back.disabled = busy or self.index == 0 or self.session.finished
        if last:
            self.status.show("success", "Done. Close this cell's output when you are finished.")
        elif problems:
            self.status.show("", problems[0])
        elif self.index < 4:
            self.status.show("", f"Next goes on to {self.steps[self.index + 1].title}.")
        else:
            self.status.show("", "")  # Review says what Send does
        target = self.review.go_back_to if self.index == 4 else None
        self.go_to_field.layout.display = "flex" if target is not None else "none"
        if target is not None:
            self.go_to_field.description = f"Go to {self.steps[target].title}"

    def _step_bar_html(self) -> str:
        parts = []
        for number, step in enumerate(self.steps):
            label = f"{number + 1} {html.escape(step.title)}"
            if number == self.index:
                parts.append(
                    f'<b class="uvp-current-step" style="text-decoration:underline">{label}</b>'
                )
            elif number < self.index:
                parts.append(f'<span style="color:#1e7d32">✓ {label}</span>')
            else:
                parts.append(f'<span style="color:#777">{label}</span>')
        return " › ".join(parts)

    def _operation_failed(self, message: str) -> None:
        self.error.show("error", f"✗ {message}")

    def close(self) -> None:
        """Stop the operations, close the clients and the demo sandbox, then the widgets."""
        if getattr(self, "_closed", True):  # twice, or from __del__ of a half-made wizard
            return
        self._closed = True
        self.tasks.cancel_all()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            task = loop.create_task(self.session.aclose())
            task.add_done_callback(lambda _t: self.recipe.close())
            self._closing = task
        else:
            self.recipe.close()
        super().close()

    def __repr__(self) -> str:
        return f"Wizard(step={self.index + 1} {self.step.title!r})"

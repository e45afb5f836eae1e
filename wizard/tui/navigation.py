"""The wizard's frame: six steps in a ContentSwitcher, mounted lazily, shown one at a time.

Only step 1 is mounted before the first frame; background work waits until that frame is out
(`after_first_frame`). Each later step is mounted on its first visit and then stays mounted,
so going Back never loses input. The status line under the step says whether Next is allowed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from textual import events, work
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, Input, Static

from wizard.tui.steps.base import StepView, load_stylesheet
from wizard.tui.steps.registry import SHORT_NAMES, STEP_IDS


def _shown(widget: Widget) -> bool:
    """Focusable now: enabled and displayed, with every ancestor displayed."""
    return widget.focusable and all(node.display for node in widget.ancestors_with_self)


class StepNavigation(App[int]):
    """Lazy mounting, the first-frame hook, moving between steps and the status line.

    Subclasses compose `#title-bar`, `#progress`, a ContentSwitcher `#steps` holding step 1,
    and `#next-status`; they call `start_navigation()` from `on_mount`.
    """

    def __init__(self) -> None:
        super().__init__()
        self._steps_ready: dict[str, asyncio.Event] = {}
        """Steps mounted (event set) or being mounted (not yet set), by id."""
        self._first_frame_out = False
        self._footer_state: tuple[object, ...] = ()
        self._status_text = ""
        self._after_first_frame: list[Callable[[], object]] = []
        self.step_index = 0

    # ------------------------------------------------------------------ hooks
    @property
    def blink(self) -> bool:
        """Whether fields' cursors blink (never over SSH: an idle wizard sends nothing)."""
        return True

    def make_step(self, step_id: str) -> StepView:
        """A new widget for `step_id` (subclasses hand it what it renders)."""
        raise NotImplementedError

    def start_navigation(self) -> None:
        """Show step 1 (already composed) and arm the first-frame hook."""
        ready = asyncio.Event()
        ready.set()
        self._steps_ready[STEP_IDS[0]] = ready
        if not self.blink:
            for field in self.query(Input):
                field.cursor_blink = False
        self.screen.bindings_updated_signal.subscribe(
            self, self._bindings_published, immediate=True
        )
        self._show_step(0)
        self.call_after_refresh(self._first_frame_done, self.FIRST_FRAME_REFRESHES, False)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Fields mounted later (mapping rows) blink too; over SSH nothing may blink at all.
        if not self.blink and isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    # ------------------------------------------------------- first frame, mounting
    FIRST_FRAME_REFRESHES: ClassVar[int] = 8
    """The most refreshes background work waits for the first screen to be whole."""

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the first screen is fully drawn (now, if it is)."""
        if self._first_frame_out:
            callback()
        else:
            self._after_first_frame.append(callback)

    def _first_frame_done(self, refreshes: int, footer_filled: bool) -> None:
        # The footer fills in last: it composes its keys a refresh or two after the rest. Work
        # started before the refresh that draws them (threads importing httpx hold the GIL)
        # would delay that frame, so it waits for one refresh after the keys are laid out.
        if refreshes > 1 and not footer_filled:
            filled = all(
                footer.children and all(key.size for key in footer.children)  # laid out
                for footer in self.query(Footer)
            )
            self.call_after_refresh(self._first_frame_done, refreshes - 1, filled)
            return
        self._first_frame_out = True
        callbacks, self._after_first_frame = self._after_first_frame, []
        for callback in callbacks:
            callback()

    async def ensure_step(self, step_id: str) -> StepView:
        """The widget of a step, mounted now if this is its first visit.

        Once mounted a step stays mounted (hidden when it is not current), so what was typed
        in it survives going Back and coming again.
        """
        ready = self._steps_ready.get(step_id)
        if ready is None:
            ready = self._steps_ready[step_id] = asyncio.Event()
            try:
                widget = self.make_step(step_id)
                load_stylesheet(self, type(widget))
                await self.query_one("#steps", ContentSwitcher).add_content(widget)
                if not self.blink:
                    for field in widget.query(Input):
                        field.cursor_blink = False
            finally:
                ready.set()
        else:
            await ready.wait()
        return self.query_one(f"#{step_id}", StepView)

    def is_step_mounted(self, step_id: str) -> bool:
        ready = self._steps_ready.get(step_id)
        return ready is not None and ready.is_set()

    # ------------------------------------------------------------------ steps
    def step(self, index: int | None = None) -> StepView:
        """The step widget at `index` (default: the current one)."""
        i = self.step_index if index is None else index
        return self.query_one(f"#{STEP_IDS[i]}", StepView)

    def _show_step(self, index: int) -> None:
        if self.is_step_mounted(STEP_IDS[index]):
            self._present(index)
        else:
            self._mount_and_show(index)

    @work(group="mount-step")
    async def _mount_and_show(self, index: int) -> None:
        await self.ensure_step(STEP_IDS[index])
        self._present(index)

    def _present(self, index: int) -> None:
        self.step_index = index
        self.query_one(ContentSwitcher).current = STEP_IDS[index]
        step = self.step()
        self.sub_title = f"Step {index + 1}/6: {step.step_title}"
        self.query_one("#title-bar", Static).update(
            f"[b]{self.TITLE}[/b]  ·  Step {index + 1}/6: {step.step_title}"
        )
        crumbs = []
        for i, name in enumerate(SHORT_NAMES):
            crumbs.append(f"[reverse] {i + 1} {name} [/]" if i == index else f" {i + 1} {name} ")
        self.query_one("#progress", Static).update("›".join(crumbs))
        step.on_show_step()
        self.refresh_status()
        self.refresh_footer()

    def refresh_status(self) -> None:
        """Say under the step whether Next is allowed and, if not, why."""
        problems = self.step().problems()
        if self.step_index == len(STEP_IDS) - 1:
            blocked, text = False, "Done. Press Enter or Ctrl+N to finish."
        elif problems:
            blocked, text = True, f"Next: not yet. {problems[0]}"
        else:
            label = "send" if STEP_IDS[self.step_index] == "review" else "go on"
            blocked, text = False, f"Ready: press Enter or Ctrl+N to {label}."
        status = self.query_one("#next-status", Static)
        status.set_class(blocked, "-blocked")
        # Steps post Changed on every key; an unchanged text must not cost a re-layout.
        if text != self._status_text:
            self._status_text = text
            status.update(text)
        # After the layout settles: a widget that just hid or disabled itself (Retry once
        # pressed, Send once failed) must not leave the step without focus, and PgDn shows only
        # where the step overflows.
        self.call_after_refresh(self._after_step_change)

    def _after_step_change(self) -> None:
        self.keep_focus_in_step()
        self.refresh_footer()

    FOOTER_ACTIONS: ClassVar[tuple[tuple[str, tuple[object, ...]], ...]] = (
        ("next", ()),
        ("back", ()),
        ("retry", ()),
        ("scroll_step", (1,)),
        ("scroll_step", (-1,)),
    )
    """The app's keys whose `check_action` answer changes as the user works."""

    def refresh_footer(self) -> None:
        """Refresh the footer's keys when an answer of `check_action` for them has changed.

        Each `refresh_bindings` makes Textual's Footer remove and mount all its keys again, and
        steps report a change on every keystroke; unchanged answers cost nothing.
        """
        if self._footer_answers() != self._footer_state:
            self.refresh_bindings()  # `_bindings_published` records what the footer shows

    def _footer_answers(self) -> tuple[object, ...]:
        return (
            self.screen,
            self.step_index,
            *(self.check_action(action, parameters) for action, parameters in self.FOOTER_ACTIONS),
        )

    def _bindings_published(self, _screen: Screen) -> None:
        # Whoever asked for it (this app, a step, Textual when focus moves), the footer is
        # rebuilt from today's answers: the next refresh_footer compares with those.
        self._footer_state = self._footer_answers()

    def keep_focus_in_step(self) -> None:
        """Move focus to the current step's default widget when it was lost or left hidden."""
        if self.screen is not self.screen_stack[0] or not self.is_step_mounted(
            STEP_IDS[self.step_index]
        ):
            return  # a dialog is open, or the step is still being mounted
        step = self.step()
        focused = self.screen.focused
        if focused is not None and step in focused.ancestors_with_self and _shown(focused):
            return
        step.focus_default()

    def on_step_view_changed(self, _message: StepView.Changed) -> None:
        self.refresh_status()

    def action_next(self) -> None:
        """Go on to the next step (subclasses decide what Next means on the last ones)."""
        self._show_step(self.step_index + 1)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        # Enter in a field means Next on every step. Fields that give Enter a meaning of their
        # own (a search, the paste box, a mapping row's left cell) stop their Submitted first;
        # whatever reaches the app is Next, which says on the status line why not, if not.
        if message.input in self.step().query(Input):
            message.stop()
            self.action_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return 0 < self.step_index < len(STEP_IDS) - 1
        return True

    async def action_back(self) -> None:
        if self.check_action("back", ()):
            self._show_step(self.step_index - 1)

    def go_to(self, step_id: str) -> None:
        """Jump to a step (used by Review to go back to a field the service refused)."""
        self._show_step(STEP_IDS.index(step_id))

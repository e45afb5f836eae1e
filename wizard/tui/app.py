"""The wizard app: six steps in a ContentSwitcher over one `WizardSession`, and the key bindings.

The first frame is kept about as cheap as an empty Textual app's: only step 1 (Connect) is
imported and mounted before it. The run context (the demo sandbox, the credential store and
its keyring, pydantic, httpx) is opened in a thread after the first frame, which then also
imports the other steps (navigation.py: lazy mounting and moving between steps).

The app owns the session and hands it to each step (attributes down); steps tell the app what
happened with messages (messages up) and never call each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Footer, Static

from wizard.core.errors import EXIT_INTERRUPTED, EXIT_OK, WizardError
from wizard.flow.session import WizardSession
from wizard.tui import WizardOptions
from wizard.tui.navigation import StepNavigation
from wizard.tui.steps.base import StepView
from wizard.tui.steps.connect import ConnectStep
from wizard.tui.steps.registry import STEP_IDS, step_class

__all__ = ["STEP_IDS", "WizardApp"]


class WizardApp(StepNavigation):
    """Connect a Plivo account to Ultravox in six steps; nothing is sent before Review."""

    CSS_PATH = "wizard.tcss"
    TITLE = "Ultravox ← Plivo"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", tooltip="Go to the next step", priority=True),
        # Priority: focus moves before the next key is dispatched, so keys typed right after
        # Tab (a password manager's auto-type) reach the field that has focus when they arrive.
        Binding("tab", "tab(1)", "Next field", show=False, priority=True),
        Binding("shift+tab", "tab(-1)", "Previous field", show=False, priority=True),
        Binding("enter", "next", "Next", show=False),
        Binding("ctrl+b", "back", "Back", tooltip="Previous step; input is kept", priority=True),
        Binding("escape", "back", "Back", show=False),
        Binding("f1", "help", "Help", tooltip="Keys and what this step needs", priority=True),
        # `?` is a character fields take: it opens help only when no text field has focus.
        Binding("question_mark", "help", "Help", show=False),
        # F5, not Ctrl+R: step 2 uses Ctrl+R to show the token. Shown where a Retry button is.
        Binding("f5", "retry", "Retry", tooltip="Try the failed request again"),
        # A step is a scrolling column that never takes focus itself: these reach what is below
        # the fold (Review's body, Result's last sections). Shown only where the step overflows.
        Binding("pagedown", "scroll_step(1)", "More", tooltip="Scroll the step down"),
        Binding("pageup", "scroll_step(-1)", "Scroll up", show=False),
        Binding("ctrl+end", "scroll_step_end(1)", "End", show=False),
        Binding("ctrl+home", "scroll_step_end(-1)", "Top", show=False),
        Binding("ctrl+q", "quit", "Quit", tooltip="Leave without sending", priority=True),
        # Ctrl+C is what people press to get out; it asks like Quit does when input would be lost.
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
    ]

    def __init__(self, options: WizardOptions) -> None:
        super().__init__()
        self.options = options
        self.session = WizardSession(options.context)
        """The wizard's state and operations; the steps render it."""

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """After the first frame: open the run context, then import steps 2-6 so their first
        visit is quick."""
        with contextlib.suppress(WizardError):  # step 1 shows it
            self.session.prepare()
        for step_id in STEP_IDS[1:]:
            step_class(step_id)

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Static(id="title-bar")
        yield Static(id="progress")
        with ContentSwitcher(initial="connect", id="steps"):
            yield ConnectStep(self.session, id="connect")
        yield Static(id="next-status", markup=False)  # may quote a service's error
        yield Static(id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        self.start_navigation()
        # After the first frame: finding the store (keyring, demo sandbox) can take a while.
        self.after_first_frame(self.query_one(ConnectStep).read_store)
        self.after_first_frame(self._warm_up)

    def action_tab(self, delta: int) -> None:
        """Tab / Shift+Tab, at once (priority), so the keys after them reach the new field. A
        widget that moves between its own cells on Tab (the mapping grid) says so with a
        `tab_step(delta) -> bool`; otherwise focus moves to the next or previous widget."""
        focused = self.focused
        node = focused
        while node is not None:
            tab_step = getattr(node, "tab_step", None)
            if callable(tab_step) and focused is not None:
                # One editor moves between the cells, and keys typed before Tab may still wait
                # in its queue: the move takes its turn there, so they land in the cell they
                # were typed in, and the keys after Tab (queued behind it) in the next one.
                focused.call_later(self._tab_within, tab_step, delta)
                return
            node = node.parent  # type: ignore[assignment]
        self._tab_out(delta)

    def _tab_within(self, tab_step: Callable[[int], bool], delta: int) -> None:
        if not tab_step(delta):
            self._tab_out(delta)  # past its first or last cell

    def _tab_out(self, delta: int) -> None:
        if delta > 0:
            self.action_focus_next()
        else:
            self.action_focus_previous()

    @property
    def blink(self) -> bool:
        return self.options.blink

    def make_step(self, step_id: str) -> StepView:
        return step_class(step_id)(self.session, id=step_id)

    NARROW_WIDTH: ClassVar[int] = 70
    """Below this many columns: a one-line progress and a compact footer. (Not Textual's
    HORIZONTAL_BREAKPOINTS: they also add `-wide`, a class change that restyles every widget
    at the first resize of every start.)"""
    MIN_SIZE: ClassVar[tuple[int, int]] = (60, 20)
    """Below this the steps would squeeze to nonsense: one sentence says so instead."""

    def on_resize(self, event: events.Resize) -> None:
        # The new size is the event's: this runs before Textual records it in `self.size`.
        width, height = event.size
        narrow = width < self.NARROW_WIDTH
        self.screen_stack[0].set_class(narrow, "-narrow")
        for screen in self.screen_stack:  # those under a dialog too
            for footer in screen.query(Footer):
                footer.compact = narrow  # fits "f1 Help" and friends into 60 columns
        small = width < self.MIN_SIZE[0] or height < self.MIN_SIZE[1]
        self.screen_stack[0].set_class(small, "-too-small")
        if small:
            self.screen_stack[0].query_one("#too-small", Static).update(
                f"The wizard needs at least {self.MIN_SIZE[0]}x{self.MIN_SIZE[1]}; this"
                f" terminal is {width}x{height}. Make it larger (Ctrl+Q quits)."
            )

    async def on_unmount(self) -> None:
        await self.session.aclose()

    def action_next(self) -> None:
        step = self.step()
        if step.problems():
            self.bell()
            self.refresh_status()
            return
        if STEP_IDS[self.step_index] == "result":
            self.exit(EXIT_OK)
        elif not step.go_on():
            super().action_next()

    @on(StepView.GoTo)
    def _go_to(self, message: StepView.GoTo) -> None:
        self.go_to(message.step_id)

    @on(StepView.NextPressed)
    def _next_pressed(self) -> None:
        self.action_next()

    @on(StepView.Sent)
    def _sent(self) -> None:
        self.go_to("result")

    def action_help(self) -> None:
        from wizard.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.step()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next", "back") and self.screen is not self.screen_stack[0]:
            # Help or the phone-numbers screen is on top: Ctrl+N must not finish the run
            # (or move the step) behind it.
            return False
        if action == "retry":
            return self.is_step_mounted(STEP_IDS[self.step_index]) and (
                self.step().retry_button() is not None
            )
        if action in ("scroll_step", "scroll_step_end"):
            if not self.is_step_mounted(STEP_IDS[self.step_index]):
                return False
            step = self.step()
            down = bool(parameters) and int(parameters[0]) > 0  # type: ignore[call-overload]
            # "More" only while there is more below; it goes at the end of the page.
            return step.scroll_y < step.max_scroll_y if down else step.scroll_y > 0
        return super().check_action(action, parameters)

    def action_retry(self) -> None:
        """F5: press the current step's Retry button (when one is shown)."""
        button = self.step().retry_button()
        if button is not None:
            button.press()

    def action_scroll_step(self, direction: int) -> None:
        """PageDown / PageUp: scroll the current step by a page."""
        step = self.step()
        if direction > 0:
            step.scroll_page_down(animate=False)
        else:
            step.scroll_page_up(animate=False)

    def action_scroll_step_end(self, direction: int) -> None:
        """Ctrl+End / Ctrl+Home: the bottom or the top of the current step."""
        step = self.step()
        if direction > 0:
            step.scroll_end(animate=False)
        else:
            step.scroll_home(animate=False)

    # ------------------------------------------------------------------ quit
    @property
    def finished(self) -> bool:
        return self.session.finished

    async def action_quit(self) -> None:
        self._ask_to_quit(EXIT_INTERRUPTED)

    def action_interrupt(self) -> None:
        self._ask_to_quit(EXIT_INTERRUPTED)

    def _ask_to_quit(self, code: int) -> None:
        from wizard.tui.screens.quit_confirm import QuitConfirm

        done_code = EXIT_OK if self.finished else code
        if isinstance(self.screen, QuitConfirm):
            self.screen.dismiss(True)
            return
        if not self.session.has_unsaved_input():
            self.exit(done_code)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit(done_code)

        self.push_screen(QuitConfirm(), answered)

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error ends the wizard with the terminal restored, one plain sentence
        and the path of a log with secrets masked; never Textual's crash report, which shows
        local variables (a key, a token). Overrides a Textual internal (textual pinned 8.x)."""
        from rich.text import Text

        from wizard.tui.debug_log import write_crash_log

        self._return_code = 1
        if self._exception is None:  # what run_test re-raises, as Textual's own handler does
            self._exception = error
            self._exception_event.set()
        path = write_crash_log(error, self._secrets_in_play(), self.options.log_dir)
        cause = type(getattr(error, "error", error)).__name__  # a WorkerFailed's own error
        where = f" Details, with secrets removed: {path}" if path else ""
        self._exit_renderables.append(
            Text(
                f"ultravox-plivo: the wizard stopped on an unexpected error ({cause}); check"
                f" what Ultravox holds with `ultravox-plivo status`.{where}"
            )
        )
        self._close_messages_no_wait()

    def _secrets_in_play(self) -> list[str]:
        """Every secret this run may hold, to mask in a crash log."""
        import os

        from textual.widgets import Input

        found = [os.environ.get(name, "") for name in ("ULTRAVOX_API_KEY", "PLIVO_AUTH_TOKEN")]
        session = self.session
        for held in (session.api_key, session.stored_key, session.token, session.stored_token):
            if held is not None:
                found.append(held.value.get_secret_value())
        with contextlib.suppress(Exception):  # a crashed app's DOM may be half gone
            for screen in self.screen_stack:
                for field in screen.query(Input):
                    if field.password or field.id in ("api-key", "auth-token"):
                        found.append(field.value)
        return found

    def exit_summary(self) -> list[str]:
        """What a finished run leaves in the terminal after the wizard closes (empty if the
        run did not finish)."""
        from wizard.flow.result_view import summary_lines

        store = self.session.store_op
        stored = store.result if store.done else (store.message or None)
        return summary_lines(self.session, stored)

    def exit_code_for(self, result: Any) -> int:
        """The process exit code for what `run()` returned."""
        if isinstance(result, int):
            return result
        return self.return_code or EXIT_INTERRUPTED

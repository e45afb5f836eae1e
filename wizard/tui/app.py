"""The wizard app: six steps in a ContentSwitcher, the state they share, and the key bindings.

The first frame is kept about as cheap as an empty Textual app's: only step 1 (Connect) is
imported and mounted before it. Whatever else the run needs (the demo sandbox, the credential
store and its keyring, pydantic, httpx) is prepared in a thread after the first frame, which then
also imports the other steps (navigation.py: lazy mounting and moving between steps;
run_setup.py: that setup, the credential store and the settings file).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Footer, Static

from wizard.core.errors import EXIT_INTERRUPTED, EXIT_OK, WizardError
from wizard.tui import WizardOptions
from wizard.tui.common import describe_error
from wizard.tui.connect import ConnectStep
from wizard.tui.navigation import StepNavigation
from wizard.tui.run_setup import RunSetup
from wizard.tui.step import StepView
from wizard.tui.steps import STEP_IDS, step_class

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wizard.core.credentials import CredentialStore
    from wizard.core.models import Account, PlivoConfig
    from wizard.core.plan import Plan
    from wizard.core.plivo import PlivoClient
    from wizard.core.ultravox import UltravoxClient
    from wizard.tui.agents import AgentsStep
    from wizard.tui.mapping import MappingStep
    from wizard.tui.plivo import PlivoStep
    from wizard.tui.result import ResultStep
    from wizard.tui.review import ReviewStep

__all__ = ["STEP_IDS", "WizardApp"]


class WizardApp(StepNavigation):
    """Connect a Plivo account to Ultravox in six steps; nothing is sent before Review."""

    CSS_PATH = "wizard.tcss"
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (70, "-wide"),
    ]
    """Below 70 columns the screen gets `-narrow`: a one-line progress, a compact footer."""
    TITLE = "Ultravox ← Plivo"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", tooltip="Go to the next step", priority=True),
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
        self.setup = RunSetup(options)
        """The deferred setup, the credential store and the settings file (threads only)."""
        self._pending_current: dict[str, PlivoConfig] = {}
        """The current config to load into steps 3-4 once they are mounted."""
        self.api_key: SecretStr | None = None
        self.account: Account | None = None
        self.client: UltravoxClient | None = None
        self.client_generation = 0
        self._plivo_client: PlivoClient | None = None
        self.current: PlivoConfig | None = None
        self.current_generation = -1  # which client generation `current` was read with
        self.current_error: str | None = None
        self.agents_generation = -1
        self.result: PlivoConfig | None = None
        self.finished = False
        self._baselines: dict[str, object] = {}
        """What steps 3-4 held when loaded (to tell whether the user changed anything)."""

    # ----------------------------------------------------- after the first frame
    def ensure_prepared(self) -> None:
        """See `RunSetup.ensure` (blocks: from threads only)."""
        self.setup.ensure()

    async def wait_prepared(self) -> None:
        """`ensure_prepared` without blocking the event loop."""
        await self.setup.wait()

    @property
    def store(self) -> CredentialStore:
        """Where secrets are read from and saved to (may block: from threads only, at first)."""
        return self.setup.store

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """After the first frame: prepare, then import steps 2-6 so their first visit is quick."""
        with contextlib.suppress(WizardError):  # step 1 shows it
            self.ensure_prepared()
        for step_id in STEP_IDS[1:]:
            step_class(step_id)

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Static(id="title-bar")
        yield Static(id="progress")
        yield Static(id="progress-compact")
        with ContentSwitcher(initial="connect", id="steps"):
            yield ConnectStep(id="connect")
        yield Static(id="next-status", markup=False)  # may quote a service's error
        yield Footer()

    def on_mount(self) -> None:
        self.start_navigation()
        self.after_first_frame(self._warm_up)

    @property
    def blink(self) -> bool:
        return self.options.blink

    def step_mounted(self, step_id: str) -> None:
        self._apply_preload(step_id)
        self._record_baseline(step_id)

    def on_resize(self) -> None:
        # The footer's compact style fits "f1 Help" and friends into 60 columns.
        narrow = self.size.width < 70
        for footer in self.query(Footer):
            footer.compact = narrow

    def step_entered(self, step_id: str) -> None:
        if step_id == "plivo" and self.current_generation != self.client_generation:
            self.load_current_config()
        client = self.client
        if step_id == "agents" and client and self.agents_generation != self.client_generation:
            self.agents_generation = self.client_generation
            cast("AgentsStep", self.step(STEP_IDS.index("agents"))).start_loading(client)

    async def on_unmount(self) -> None:
        for client in (self.client, self._plivo_client):
            if client is not None:
                await client.aclose()

    def action_next(self) -> None:
        step = self.step()
        problems = step.problems()
        if problems:
            self.bell()
            self.refresh_status()
            return
        step_id = STEP_IDS[self.step_index]
        if step_id == "review":
            cast("ReviewStep", self.step()).send()
        elif step_id == "result":
            self.exit(EXIT_OK)
        else:
            super().action_next()

    def action_help(self) -> None:
        from wizard.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.step()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.is_step_mounted(STEP_IDS[self.step_index]) and (
                self.step().retry_button() is not None
            )
        if action in ("scroll_step", "scroll_step_end"):
            return self.is_step_mounted(STEP_IDS[self.step_index]) and self.step().max_scroll_y > 0
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
    def has_unsaved_input(self) -> bool:
        """True while leaving would lose what the user typed or changed (before the result).

        Compared with what was loaded (prefilled, or read from Ultravox): a user who only
        looked at the steps loses nothing.
        """
        if self.finished:
            return False
        if self.query_one(ConnectStep).is_dirty():
            return True
        for step_id in STEP_IDS[1:4]:
            if not self.is_step_mounted(step_id):
                continue
            if step_id == "plivo":
                if cast("PlivoStep", self.query_one("#plivo", StepView)).is_dirty():
                    return True
            elif self._step_model(step_id) != self._baselines.get(step_id):
                return True
        return False

    def _step_model(self, step_id: str) -> object:
        step = self.query_one(f"#{step_id}", StepView)
        if step_id == "agents":
            selection = cast("AgentsStep", step).to_model()
            # Ticked agents are kept (greyed) under "all agents": only the result counts.
            return (True, ()) if selection.allow_all else (False, tuple(selection.agent_ids))
        return cast("MappingStep", step).to_model()

    def _record_baseline(self, step_id: str) -> None:
        if step_id in ("agents", "mapping"):
            self._baselines[step_id] = self._step_model(step_id)

    async def action_quit(self) -> None:
        self._ask_to_quit(EXIT_INTERRUPTED)

    def action_interrupt(self) -> None:
        self._ask_to_quit(EXIT_INTERRUPTED)

    def _ask_to_quit(self, code: int) -> None:
        from wizard.tui.quit_confirm import QuitConfirm

        done_code = EXIT_OK if self.finished else code
        if isinstance(self.screen, QuitConfirm):
            self.screen.dismiss(True)
            return
        if not self.has_unsaved_input():
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
        if self.api_key is not None:
            found.append(self.api_key.get_secret_value())
        with contextlib.suppress(Exception):  # a crashed app's DOM may be half gone
            for screen in self.screen_stack:
                for field in screen.query(Input):
                    if field.password or field.id in ("api-key", "auth-token"):
                        found.append(field.value)
        return found

    def exit_code_for(self, result: Any) -> int:
        """The process exit code for what `run()` returned."""
        if isinstance(result, int):
            return result
        return self.return_code or EXIT_INTERRUPTED

    # ----------------------------------------------------------- shared state
    @property
    def plivo_client(self) -> PlivoClient:
        if self._plivo_client is None:
            from wizard.core.plivo import PlivoClient

            self._plivo_client = PlivoClient(
                self.options.plivo_api_base, settings=self.options.http_settings
            )
        return self._plivo_client

    def make_client(self, api_key: SecretStr) -> UltravoxClient:
        from wizard.core.ultravox import UltravoxClient

        return UltravoxClient(api_key, self.options.api_base, settings=self.options.http_settings)

    async def use_account(
        self, api_key: SecretStr, account: Account, client: UltravoxClient
    ) -> None:
        """Connect succeeded: keep the key, the account and the client for the other steps."""
        old = self.client
        same_key = (
            self.api_key is not None
            and self.api_key.get_secret_value() == api_key.get_secret_value()
        )
        self.api_key, self.account, self.client = api_key, account, client
        if not same_key:
            self.client_generation += 1
        else:
            # Same key again: carry on with what was loaded through the old client.
            self.current_generation = self.client_generation if self.current_generation >= 0 else -1
            self.agents_generation = self.client_generation if self.agents_generation >= 0 else -1
        if old is not None and old is not client:
            await old.aclose()

    def forget_account(self) -> None:
        """The key changed and is not yet checked."""
        self.account = None

    @work(exclusive=True, group="current-config")
    async def load_current_config(self) -> None:
        """Read what Ultravox holds now (once per key) and preload steps 2-4 from it."""
        client, generation = self.client, self.client_generation
        if client is None:
            return
        self.current_error = None
        self.current_generation = -1
        plivo = cast("PlivoStep", await self.ensure_step("plivo"))
        plivo.show_current_loading()
        try:
            current = await client.get_plivo_config()
        except WizardError as exc:
            self.current_error = describe_error(exc)
            plivo.show_current_error(self.current_error)
            self.refresh_status()
            return
        if generation != self.client_generation:
            return
        self.current, self.current_generation = current, generation
        plivo.show_current(current)
        if current is not None:
            # Steps 3-4 start from what the service holds: now if they are mounted, else when
            # they are (on their first visit).
            for step_id in ("agents", "mapping"):
                self._pending_current[step_id] = current
                if self.is_step_mounted(step_id):
                    self._apply_preload(step_id)
                    self._record_baseline(step_id)
        self.refresh_status()

    def _apply_preload(self, step_id: str) -> None:
        current = self._pending_current.pop(step_id, None)
        if current is None:
            return
        if step_id == "agents":
            from wizard.tui.agents import AgentSelection

            agents = cast("AgentsStep", self.query_one("#agents", StepView))
            agents.load_model(
                AgentSelection(
                    allow_all=current.allow_all_agents, agent_ids=current.allowed_agent_ids
                )
            )
            agents.mark_current(list(current.allowed_agent_ids))
        elif step_id == "mapping":
            mapping = cast("MappingStep", self.query_one("#mapping", StepView))
            mapping.load_model(dict(current.context_mapping))

    def current_config_problem(self) -> str | None:
        """Why the Plivo step cannot go on yet because of the current config, if it cannot."""
        if self.current_generation == self.client_generation:
            return None
        if self.current_error:
            return self.current_error
        return "Reading the current config from Ultravox…"

    def build_plan(self) -> Plan:
        """The plan from steps 2-4 against what the service holds; UsageError when invalid."""
        from wizard.core.models import build_draft
        from wizard.core.plan import make_plan

        creds = cast("PlivoStep", self.query_one("#plivo", StepView)).to_model()
        selection = cast("AgentsStep", self.query_one("#agents", StepView)).to_model()
        mapping = cast("MappingStep", self.query_one("#mapping", StepView)).to_model()
        draft = build_draft(
            auth_id=creds.auth_id,
            auth_token=creds.auth_token,
            allow_all_agents=selection.allow_all,
            agent_ids=() if selection.allow_all else tuple(selection.agent_ids),
            context_mapping=mapping,
        )
        return make_plan(draft, self.current)

    async def finish(self, result: PlivoConfig) -> None:
        """Ultravox accepted the plan: show the result and store the credentials."""
        self.result = result
        self.current = result
        self.finished = True
        plivo = cast("PlivoStep", self.query_one("#plivo", StepView))
        creds = plivo.to_model()
        typed = creds.auth_token.get_secret_value() if creds.auth_token else ""
        result_step = cast("ResultStep", await self.ensure_step("result"))
        result_step.show_result(result, typed)
        # Save secrets only when typed here, not when they came from the environment or store.
        new_key = self.api_key if self.query_one(ConnectStep).is_dirty() else None
        new_token = None if plivo.token_is_prefilled() else creds.auth_token
        result_step.store_credentials(new_key, creds.auth_id, new_token)
        self._show_step(STEP_IDS.index("result"))

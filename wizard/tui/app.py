"""The wizard app: six steps in a ContentSwitcher, the state they share, and the key bindings.

The first frame is kept about as cheap as an empty Textual app's: only step 1 (Connect) is
imported and mounted before it. Whatever else the run needs (the demo sandbox, the credential
store and its keyring, pydantic, httpx) is prepared in a thread after the first frame, which then
also imports the other steps. Each later step is mounted on its first visit and then stays mounted,
so going Back never loses input.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Footer, Input, Static

from wizard.core.errors import EXIT_INTERRUPTED, EXIT_OK, WizardError
from wizard.tui import WizardOptions
from wizard.tui.common import describe_error
from wizard.tui.connect import ConnectStep
from wizard.tui.step import StepView

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

STEP_IDS = ("connect", "plivo", "agents", "mapping", "review", "result")
SHORT_NAMES = ("Connect", "Plivo", "Agents", "Mapping", "Review", "Result")

STEP_CLASSES: dict[str, tuple[str, str]] = {
    "connect": ("wizard.tui.connect", "ConnectStep"),
    "plivo": ("wizard.tui.plivo", "PlivoStep"),
    "agents": ("wizard.tui.agents", "AgentsStep"),
    "mapping": ("wizard.tui.mapping", "MappingStep"),
    "review": ("wizard.tui.review", "ReviewStep"),
    "result": ("wizard.tui.result", "ResultStep"),
}
"""Step id -> (module, class); the modules of steps 2-6 are imported only after the first frame."""


def step_class(step_id: str) -> type[StepView]:
    """The widget class of a step, importing its module now if it is not yet."""
    module_name, name = STEP_CLASSES[step_id]
    cls: type[StepView] = getattr(importlib.import_module(module_name), name)
    return cls


class WizardApp(App[int]):
    """Connect a Plivo account to Ultravox in six steps; nothing is sent before Review."""

    CSS_PATH = "wizard.tcss"
    TITLE = "Ultravox ← Plivo"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", tooltip="Go to the next step", priority=True),
        Binding("enter", "next", "Next", show=False),
        Binding("ctrl+b", "back", "Back", tooltip="Previous step; input is kept", priority=True),
        Binding("escape", "back", "Back", show=False),
        Binding("f1", "help", "Help", tooltip="Keys and what this step needs", priority=True),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+q", "quit", "Quit", tooltip="Leave without sending", priority=True),
        # Ctrl+C is what people press to get out; it asks like Quit does when input would be lost.
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
    ]

    def __init__(self, options: WizardOptions) -> None:
        super().__init__()
        self.options = options
        self._store: CredentialStore | None = None
        self._prepare_lock = threading.Lock()
        self._prepared = threading.Event()
        self._prepare_error: WizardError | None = None
        self._steps_ready: dict[str, asyncio.Event] = {}
        """Steps mounted (event set) or being mounted (not yet set), by id."""
        self._first_frame_out = False
        self._status_text = ""
        self._after_first_frame: list[Callable[[], object]] = []
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
        self.step_index = 0
        if options.debug:
            import logging

            logging.getLogger("wizard").setLevel(logging.DEBUG)

    # ----------------------------------------------------- after the first frame
    def ensure_prepared(self) -> None:
        """Run the CLI's deferred setup (`WizardOptions.prepare`) and open the credential store,
        once; blocks, so call it from a thread. Raises WizardError when that failed."""
        with self._prepare_lock:
            if not self._prepared.is_set():
                try:
                    if self.options.prepare is not None:
                        self.options.prepare(self.options)
                    if self.options.store is not None:
                        self._store = self.options.store
                    else:
                        from wizard.core.credentials import CredentialStore

                        self._store = CredentialStore(
                            insecure_storage=self.options.insecure_storage
                        )
                except WizardError as exc:
                    self._prepare_error = exc
                except Exception as exc:  # a message of ours only: it might quote input
                    self._prepare_error = WizardError(
                        f"Could not get ready ({type(exc).__name__})."
                    )
                finally:
                    self._prepared.set()
        if self._prepare_error is not None:
            raise self._prepare_error

    async def wait_prepared(self) -> None:
        """`ensure_prepared` without blocking the event loop."""
        if self._prepared.is_set():
            self.ensure_prepared()  # raises its error, if any
        else:
            await asyncio.to_thread(self.ensure_prepared)

    @property
    def store(self) -> CredentialStore:
        """Where secrets are read from and saved to (may block: from threads only, at first)."""
        self.ensure_prepared()
        assert self._store is not None
        return self._store

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
        with ContentSwitcher(initial="connect", id="steps"):
            yield ConnectStep(id="connect")
        yield Static(id="next-status")
        yield Footer()

    def on_mount(self) -> None:
        ready = asyncio.Event()
        ready.set()
        self._steps_ready["connect"] = ready
        if not self.options.blink:
            for field in self.query(Input):
                field.cursor_blink = False
        self._show_step(0)
        self.after_first_frame(self._warm_up)
        self.call_after_refresh(self._first_frame_done, self.FIRST_FRAME_REFRESHES)

    FIRST_FRAME_REFRESHES: ClassVar[int] = 3
    """The first screen takes a few refreshes (the footer fills in last): background work waits
    until the screen has refreshed and gone idle this many times, so it does not slow them."""

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the first screen is fully drawn (now, if it is)."""
        if self._first_frame_out:
            callback()
        else:
            self._after_first_frame.append(callback)

    def _first_frame_done(self, refreshes: int) -> None:
        if refreshes > 1:
            self.call_after_refresh(self._first_frame_done, refreshes - 1)
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
                widget = step_class(step_id)(id=step_id)
                await self.query_one("#steps", ContentSwitcher).add_content(widget)
                if not self.options.blink:
                    for field in widget.query(Input):
                        field.cursor_blink = False
                self._apply_preload(step_id)
            finally:
                ready.set()
        else:
            await ready.wait()
        return self.query_one(f"#{step_id}", StepView)

    def is_step_mounted(self, step_id: str) -> bool:
        ready = self._steps_ready.get(step_id)
        return ready is not None and ready.is_set()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Fields mounted later (mapping rows) blink too; over SSH nothing may blink at all.
        if not self.options.blink and isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    async def on_unmount(self) -> None:
        for client in (self.client, self._plivo_client):
            if client is not None:
                await client.aclose()

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
        self._enter_hooks(STEP_IDS[index])
        step.on_show_step()
        self.refresh_status()
        self.refresh_bindings()

    def _enter_hooks(self, step_id: str) -> None:
        if step_id == "plivo" and self.current_generation != self.client_generation:
            self.load_current_config()
        client = self.client
        if step_id == "agents" and client and self.agents_generation != self.client_generation:
            self.agents_generation = self.client_generation
            cast("AgentsStep", self.step(STEP_IDS.index("agents"))).start_loading(client)

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

    def on_step_view_changed(self, _message: StepView.Changed) -> None:
        self.refresh_status()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        # Enter in a field of steps 1-2 means Next; the other steps give Enter their own meaning.
        if STEP_IDS[self.step_index] in ("connect", "plivo") and message.input in self.step().query(
            Input
        ):
            message.stop()
            self.action_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return 0 < self.step_index < len(STEP_IDS) - 1
        return True

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
            self._show_step(self.step_index + 1)

    async def action_back(self) -> None:
        if self.check_action("back", ()):
            self._show_step(self.step_index - 1)

    def go_to(self, step_id: str) -> None:
        """Jump to a step (used by Review to go back to a field the service refused)."""
        self._show_step(STEP_IDS.index(step_id))

    def action_help(self) -> None:
        from wizard.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.step()))

    # ------------------------------------------------------------------ quit
    def has_unsaved_input(self) -> bool:
        """True while leaving would lose what the user typed (before the result)."""
        if self.finished:
            return False
        return self.step_index > 0 or self.query_one(ConnectStep).is_dirty()

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
        creds = cast("PlivoStep", self.query_one("#plivo", StepView)).to_model()
        typed = creds.auth_token.get_secret_value() if creds.auth_token else ""
        result_step = cast("ResultStep", await self.ensure_step("result"))
        result_step.show_result(result, typed)
        # Save the API key only when it was typed here, not when it came from env or keyring.
        new_key = self.api_key if self.query_one(ConnectStep).is_dirty() else None
        result_step.store_credentials(new_key, creds.auth_id, creds.auth_token)
        self._show_step(STEP_IDS.index("result"))

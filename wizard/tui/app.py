"""The wizard app: six steps in a ContentSwitcher, the state they share, and the key bindings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import SecretStr
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Footer, Input, Static

from wizard.core.errors import EXIT_INTERRUPTED, EXIT_OK, WizardError
from wizard.core.models import Account, PlivoConfig, build_draft
from wizard.core.plan import Plan, make_plan
from wizard.tui import WizardOptions
from wizard.tui.agents import AgentsStep
from wizard.tui.common import describe_error
from wizard.tui.connect import ConnectStep
from wizard.tui.help import HelpScreen
from wizard.tui.mapping import MappingStep
from wizard.tui.plivo import PlivoStep
from wizard.tui.quit_confirm import QuitConfirm
from wizard.tui.result import ResultStep
from wizard.tui.review import ReviewStep
from wizard.tui.step import StepView

if TYPE_CHECKING:
    from wizard.core.credentials import CredentialStore
    from wizard.core.plivo import PlivoClient
    from wizard.core.ultravox import UltravoxClient

STEP_IDS = ("connect", "plivo", "agents", "mapping", "review", "result")
SHORT_NAMES = ("Connect", "Plivo", "Agents", "Mapping", "Review", "Result")


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
        self.store: CredentialStore = options.store or self._default_store(options)
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

    @staticmethod
    def _default_store(options: WizardOptions) -> CredentialStore:
        from wizard.core.credentials import CredentialStore

        return CredentialStore(insecure_storage=options.insecure_storage)

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Static(id="title-bar")
        yield Static(id="progress")
        with ContentSwitcher(initial="connect", id="steps"):
            yield ConnectStep(id="connect")
            yield PlivoStep(id="plivo")
            yield AgentsStep(id="agents")
            yield MappingStep(id="mapping")
            yield ReviewStep(id="review")
            yield ResultStep(id="result")
        yield Static(id="next-status")
        yield Footer()

    def on_mount(self) -> None:
        if not self.options.blink:
            for field in self.query(Input):
                field.cursor_blink = False
        self._show_step(0)

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
            self.query_one(AgentsStep).start_loading(client)

    def refresh_status(self) -> None:
        """Say under the step whether Next is allowed and, if not, why."""
        status = self.query_one("#next-status", Static)
        problems = self.step().problems()
        if self.step_index == len(STEP_IDS) - 1:
            status.set_class(False, "-blocked")
            status.update("Done. Press Enter or Ctrl+N to finish.")
        elif problems:
            status.set_class(True, "-blocked")
            status.update(f"Next: not yet. {problems[0]}")
        else:
            status.set_class(False, "-blocked")
            label = "send" if STEP_IDS[self.step_index] == "review" else "go on"
            status.update(f"Ready: press Enter or Ctrl+N to {label}.")

    def on_step_view_changed(self, _message: StepView.Changed) -> None:
        self.refresh_status()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        # Enter in a field of steps 1-2 means Next; the other steps give Enter their own meaning.
        if isinstance(self.step(), ConnectStep | PlivoStep) and message.input in self.step().query(
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
            self.query_one(ReviewStep).send()
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
        plivo = self.query_one(PlivoStep)
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
        agents = self.query_one(AgentsStep)
        mapping = self.query_one(MappingStep)
        if current is not None:
            from wizard.tui.agents import AgentSelection

            agents.load_model(
                AgentSelection(
                    allow_all=current.allow_all_agents, agent_ids=current.allowed_agent_ids
                )
            )
            agents.mark_current(list(current.allowed_agent_ids))
            mapping.load_model(dict(current.context_mapping))
        self.refresh_status()

    def current_config_problem(self) -> str | None:
        """Why the Plivo step cannot go on yet because of the current config, if it cannot."""
        if self.current_generation == self.client_generation:
            return None
        if self.current_error:
            return self.current_error
        return "Reading the current config from Ultravox…"

    def build_plan(self) -> Plan:
        """The plan from steps 2-4 against what the service holds; UsageError when invalid."""
        creds = self.query_one(PlivoStep).to_model()
        selection = self.query_one(AgentsStep).to_model()
        mapping = self.query_one(MappingStep).to_model()
        draft = build_draft(
            auth_id=creds.auth_id,
            auth_token=creds.auth_token,
            allow_all_agents=selection.allow_all,
            agent_ids=() if selection.allow_all else tuple(selection.agent_ids),
            context_mapping=mapping,
        )
        return make_plan(draft, self.current)

    def finish(self, result: PlivoConfig) -> None:
        """Ultravox accepted the plan: show the result and store the credentials."""
        self.result = result
        self.current = result
        self.finished = True
        creds = self.query_one(PlivoStep).to_model()
        typed = creds.auth_token.get_secret_value() if creds.auth_token else ""
        result_step = self.query_one(ResultStep)
        result_step.show_result(result, typed)
        # Save the API key only when it was typed here, not when it came from env or keyring.
        new_key = self.api_key if self.query_one(ConnectStep).is_dirty() else None
        result_step.store_credentials(new_key, creds.auth_id, creds.auth_token)
        self._show_step(STEP_IDS.index("result"))

"""Step 5: what will change, the exact body (token masked), and the Send action."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from rich.syntax import Syntax
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, Static

from wizard.core.errors import RejectedError, WizardError
from wizard.core.plan import Plan
from wizard.tui.common import FieldMessage, describe_error
from wizard.tui.step import StepView

if TYPE_CHECKING:
    from wizard.tui.agents import AgentsStep
    from wizard.tui.app import WizardApp

# Wire field -> (step id, what the user calls that step).
FIELD_STEPS: dict[str, tuple[str, str]] = {
    "authId": ("plivo", "Plivo credentials (step 2), Auth ID"),
    "authToken": ("plivo", "Plivo credentials (step 2), Auth Token"),
    "callCreationAllowedAgentIds": ("agents", "Agents (step 3)"),
    "callCreationAllowAllAgents": ("agents", "Agents (step 3)"),
    "requestContextMapping": ("mapping", "Context mapping (step 4)"),
}
ENDPOINT = "/api/telephony_configs/plivo"


class ReviewStep(StepView):
    """Field | current | new, the method, the masked body; Send runs in a worker."""

    step_title: ClassVar[str] = "Review and send"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", tooltip="Send this to Ultravox"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.plan: Plan | None = None
        self._plan_error: str | None = None
        self._send_error: str | None = None
        self._go_back_to: str | None = None
        self.sending = False

    @property
    def wizard(self) -> WizardApp:
        return cast("WizardApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="method", classes="intro")
        yield Vertical(id="changes")
        # The action and its outcome sit above the body so both show at 80x24.
        yield FieldMessage("", id="send-status")
        with Horizontal(classes="status-row"):
            yield Button("Send (Ctrl+S)", id="send", variant="primary")
            yield Button("Retry (F5)", id="retry-send", classes="retry")
            yield Button("Go to the field", id="go-to-field", classes="retry")
        yield Label("Body to send (token masked)", id="body-label", classes="section")
        yield Static("", id="body")

    def on_mount(self) -> None:
        self.query_one("#retry-send").display = False
        self.query_one("#go-to-field").display = False

    def on_show_step(self) -> None:
        self._send_error = None
        self._go_back_to = None
        self.rebuild()
        self.query_one("#send", Button).focus()

    def problems(self) -> list[str]:
        if self._plan_error:
            return [self._plan_error]
        if self.sending:
            return ["Sending to Ultravox…"]
        if self.plan is None:
            return ["Nothing to review yet."]
        if self.plan.method is None:
            return [
                "Nothing to send: Ultravox already holds exactly this."
                " Go Back to change something, or quit."
            ]
        return []

    def rebuild(self) -> None:
        """Recompute the plan from steps 2-4 and redraw."""
        from wizard.core.errors import UsageError

        try:
            self.plan = self.wizard.build_plan()
            self._plan_error = None
        except UsageError as exc:
            self.plan = None
            self._plan_error = describe_error(exc)
        self._render_plan()
        self._show_send_status()
        self.refresh_bindings()
        self.notify_changed()

    def _render_plan(self) -> None:
        method = self.query_one("#method", Static)
        changes = self.query_one("#changes", Vertical)
        body = self.query_one("#body", Static)
        changes.remove_children()
        plan = self.plan
        if plan is None:
            method.update(Content(f"✗ {self._plan_error}"))  # plain: may hold server text
            body.update("")
            return
        if plan.method == "POST":
            method.update(f"[b]POST {ENDPOINT}[/b]: create the Plivo config.")
        elif plan.method == "PATCH":
            n = sum(1 for c in plan.changes if c.changed)
            method.update(
                f"[b]PATCH {ENDPOINT}[/b]: change {n} field{'s' if n != 1 else ''}"
                " of the config Ultravox holds."
            )
        else:
            method.update("Nothing to send: Ultravox already holds exactly this.")
        rows = [self._row("", "Field", "Current", "New", "header")]
        for change in plan.changes:
            mark = "• changed" if change.changed else ""
            current, new = change.current or "—", change.new or "—"
            if change.field == "callCreationAllowedAgentIds":
                current, new = self._agents_cells(current, new)
            rows.append(
                self._row(mark, change.label, current, new, "changed" if change.changed else "same")
            )
        changes.mount_all(rows)
        # Nothing to send: no body, no Send button (Next says there is nothing to send).
        for widget_id in ("#body-label", "#body"):
            self.query_one(widget_id).display = plan.method is not None
        text = json.dumps(plan.display_body(), indent=2, ensure_ascii=False)
        body.update(Syntax(text, "json", theme="ansi_dark", background_color="default"))

    MAX_AGENTS_SHOWN: ClassVar[int] = 4

    def _agents_cells(self, current: str, new: str) -> tuple[str, str]:
        """The agents as short ids (with names when loaded), one per line: a full UUID does
        not fit a cell and would break across lines."""
        from wizard.tui.agents import AgentsStep

        steps = self.wizard.query(AgentsStep)
        step = steps.first() if steps else None
        held = self.wizard.current
        if held is not None:
            current = (
                "all agents"
                if held.allow_all_agents
                else self._agents_text(held.allowed_agent_ids, step)
            )
        if step is not None:
            chosen = step.to_model()
            new = "all agents" if chosen.allow_all else self._agents_text(chosen.agent_ids, step)
        return current, new

    def _agents_text(self, ids: Sequence[str], step: AgentsStep | None) -> str:
        if not ids:
            return "no agents"
        lines = [f"{len(ids)} agent{'s' if len(ids) != 1 else ''}:"] if len(ids) > 1 else []
        for agent_id in ids[: self.MAX_AGENTS_SHOWN]:
            name = step.agent_name(agent_id) if step is not None else ""
            lines.append(f"{agent_id[:8]}… {name}".rstrip())
        extra = len(ids) - self.MAX_AGENTS_SHOWN
        if extra > 0:
            lines.append(f"+{extra} more (see the body)")
        return "\n".join(lines)

    @staticmethod
    def _row(mark: str, label: str, current: str, new: str, kind: str) -> Horizontal:
        return Horizontal(
            Label(mark, classes="cell mark"),
            Label(label, classes="cell field"),
            Label(current, classes="cell current", markup=False),  # server text
            Label(new, classes="cell new", markup=False),
            classes=f"change-row -{kind}",
        )

    # -------------------------------------------------------------- send
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send":  # no Send key in the footer when there is nothing to send
            return self.plan is None or self.plan.method is not None
        return True

    def action_send(self) -> None:
        if self.wizard.step() is self:
            self.wizard.action_next()

    @on(Button.Pressed, "#send")
    @on(Button.Pressed, "#retry-send")
    def _send_pressed(self) -> None:
        self.wizard.action_next()

    @on(Button.Pressed, "#go-to-field")
    def _go_to_field(self) -> None:
        if self._go_back_to:
            self.wizard.go_to(self._go_back_to)

    def send(self) -> None:
        """Called by the app's Next when this step is valid."""
        if self.plan is None or self.plan.method is None or self.sending:
            return
        self.sending = True
        self._send_error = None
        self._go_back_to = None
        self._show_send_status()
        self.notify_changed()
        self._send(self.plan)

    @work(exclusive=True, group="send")
    async def _send(self, plan: Plan) -> None:
        client = self.wizard.client
        try:
            if client is None:
                raise WizardError("Not connected to Ultravox; go back to step 1.")
            result = await client.apply_plan(plan)
        except WizardError as exc:
            self.sending = False
            self._failed(exc)
            return
        self.sending = False
        await self.wizard.finish(result)

    def _failed(self, exc: WizardError) -> None:
        self._send_error = describe_error(exc)
        if isinstance(exc, RejectedError) and exc.field_errors:
            # The message already quotes the service; add where to fix it.
            places: list[str] = []
            plivo_errors: dict[str, str] = {}
            for field, messages in exc.field_errors.items():
                where = FIELD_STEPS.get(field)
                if where and where[1] not in places:
                    places.append(where[1])
                if where and self._go_back_to is None:
                    self._go_back_to = where[0]
                if field in ("authId", "authToken"):
                    plivo_errors[field] = " ".join(messages)
            if places:
                self._send_error += f" Fix it in {' and '.join(places)}."
            if plivo_errors:
                from wizard.tui.plivo import PlivoStep

                self.wizard.query_one(PlivoStep).show_service_errors(plivo_errors)
        self._show_send_status()
        self.notify_changed()

    def _show_send_status(self) -> None:
        status = self.query_one("#send-status", FieldMessage)
        send = self.query_one("#send", Button)
        retry = self.query_one("#retry-send", Button)
        go = self.query_one("#go-to-field", Button)
        nothing = self.plan is not None and self.plan.method is None
        send.display = self._send_error is None and not nothing
        send.disabled = self.sending or self.plan is None or self.plan.method is None
        retry.display = self._send_error is not None and self._go_back_to is None
        go.display = self._go_back_to is not None
        if self._go_back_to is not None:
            go.label = f"Go to {self._go_back_to.capitalize()} (step {self._step_number()})"
        if self.sending:
            status.show("busy", "… Sending to Ultravox")
        elif self._send_error:
            status.show("error", f"✗ {self._send_error}")
            status.scroll_visible(animate=False)
        elif nothing:
            status.show(
                "", "Nothing to send: Enter and Ctrl+N have nothing to do here. Go Back or quit."
            )
        else:
            status.show("", "Nothing has been sent yet.")

    def _step_number(self) -> int:
        from wizard.tui.app import STEP_IDS

        return STEP_IDS.index(self._go_back_to) + 1 if self._go_back_to else 0

"""Step 5: what will change, the exact body (token masked), and the Send action."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from rich.syntax import Syntax
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, Static

from wizard.core.errors import RejectedError, UsageError, WizardError
from wizard.core.plan import Plan
from wizard.flow.operations import plain_message
from wizard.flow.review_view import agents_cells, fix_places
from wizard.tui.steps.base import StepView
from wizard.tui.steps.registry import STEP_IDS
from wizard.tui.widgets.field_message import FieldMessage

if TYPE_CHECKING:
    from wizard.flow.session import WizardSession

ENDPOINT = "/api/telephony_configs/plivo"


class ReviewStep(StepView):
    """Field | current | new, the method, the masked body; Send runs in a worker."""

    step_title: ClassVar[str] = "Review and send"
    STYLESHEET: ClassVar[str] = "review.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", tooltip="Send this to Ultravox"),
    ]

    def __init__(self, session: WizardSession, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(session, id=id)
        self.plan: Plan | None = None
        self._plan_error: str | None = None
        self._send_error: str | None = None
        self._go_back_to: str | None = None
        self._checked = False
        """Review was rebuilt from what Ultravox holds after a send with no clear answer."""
        self.sending = False

    def compose(self) -> ComposeResult:
        yield Static("", id="method", classes="intro")
        yield Vertical(id="changes")
        # The action and its outcome sit above the body so both show at 80x24.
        yield FieldMessage("", id="send-status")
        with Horizontal(classes="status-row"):
            yield Button("Send (Ctrl+S)", id="send", variant="primary", compact=True)
            yield Button("Retry (F5)", id="retry-send", classes="retry", compact=True)
            yield Button(
                "Check what Ultravox holds (F5)", id="retry-check", classes="retry", compact=True
            )
            yield Button("Go to the field", id="go-to-field", classes="retry", compact=True)
        yield Label("Body to send (token masked)", id="body-label", classes="section")
        yield Static("", id="body")

    def on_mount(self) -> None:
        self.query_one("#retry-send").display = False
        self.query_one("#retry-check").display = False
        self.query_one("#go-to-field").display = False

    def on_show_step(self) -> None:
        self._checked = False
        if not self.session.outcome_unknown:
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
        try:
            self.plan = self.session.plan()
            self._plan_error = None
        except UsageError as exc:
            self.plan = None
            self._plan_error = plain_message(exc)
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
            method.update(f"[b]POST {ENDPOINT}[/b]: a new config, with these values.")
            rows = []
            for change in plan.changes:
                new = change.new or "—"
                if change.field == "callCreationAllowedAgentIds":
                    new = agents_cells(self.session)[1]
                rows.append(self._new_row(change.label, new))
            changes.mount_all(rows)
            self._show_body(plan)
            return
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
                current, new = agents_cells(self.session)
            rows.append(
                self._row(mark, change.label, current, new, "changed" if change.changed else "same")
            )
        changes.mount_all(rows)
        self._show_body(plan)

    def _show_body(self, plan: Plan) -> None:
        body = self.query_one("#body", Static)
        # Nothing to send: no body, no Send button (Next says there is nothing to send).
        for widget_id in ("#body-label", "#body"):
            self.query_one(widget_id).display = plan.method is not None
        text = json.dumps(plan.display_body(), indent=2, ensure_ascii=False)
        body.update(Syntax(text, "json", theme="ansi_dark", background_color="default"))

    @staticmethod
    def _new_row(label: str, value: str) -> Horizontal:
        return Horizontal(
            Label(label, classes="cell field"),
            Label(value, classes="cell new", markup=False),  # may hold server text
            classes="change-row -new-config",
        )

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
        if self.display:
            self.post_message(self.NextPressed())

    @on(Button.Pressed, "#send")
    @on(Button.Pressed, "#retry-send")
    def _send_pressed(self) -> None:
        self.post_message(self.NextPressed())

    @on(Button.Pressed, "#go-to-field")
    def _go_to_field(self) -> None:
        if self._go_back_to:
            self.post_message(self.GoTo(self._go_back_to))

    def go_on(self) -> bool:
        """Next on a valid Review sends the plan."""
        self.send()
        return True

    def send(self) -> None:
        if self.plan is None or self.plan.method is None or self.sending:
            return
        self.sending = True
        self._send_error = None
        self._go_back_to = None
        self._checked = False
        self._show_send_status()
        self.notify_changed()
        self._send()

    @work(exclusive=True, group="send")
    async def _send(self) -> None:
        try:
            await self.session.send()
        except UsageError as exc:
            self.sending = False
            self._send_error = plain_message(exc)
            self._show_send_status()
            self.notify_changed()
            return
        self.sending = False
        operation = self.session.send_op
        if operation.done:
            self.post_message(self.Sent())
            return
        self._failed(operation.message, operation.error)

    @on(Button.Pressed, "#retry-check")
    def _check_pressed(self) -> None:
        self.sending = True
        self._show_send_status()
        self.recheck()

    @work(exclusive=True, group="send")
    async def recheck(self) -> None:
        """After a send with no clear answer: read what Ultravox holds, then either it is all
        there (the send arrived: Result) or Review shows only what still differs."""
        await self.session.recheck()
        self.sending = False
        if self.session.current.failed:
            self._send_error = f"Could not read what Ultravox holds: {self.session.current.message}"
            self._show_send_status()
            self.notify_changed()
            return
        if self.session.accept_held():
            self.post_message(self.Sent())
            return
        self._send_error = None
        self._checked = True
        self.rebuild()

    def _failed(self, message: str, exc: object) -> None:
        # With no clear answer the hint ("check with status") is replaced by F5's offer.
        unsure = isinstance(exc, WizardError) and exc.may_have_applied
        self._send_error = exc.message if isinstance(exc, WizardError) and unsure else message
        if isinstance(exc, RejectedError) and exc.field_errors:
            # The message already quotes the service; add where to fix it.
            places = fix_places(list(exc.field_errors))
            if places and self._go_back_to is None:
                self._go_back_to = places[0].step_id
            if places:
                self._send_error += f" Fix it in {' and '.join(p.label for p in places)}."
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
        unknown = self.session.outcome_unknown and self._send_error is not None
        retry.display = self._send_error is not None and self._go_back_to is None and not unknown
        self.query_one("#retry-check", Button).display = unknown
        go.display = self._go_back_to is not None
        if self._go_back_to is not None:
            go.label = f"Go to {self._go_back_to.capitalize()} (step {self._step_number()})"
        if self.sending:
            status.show("busy", "… Sending to Ultravox")
        elif self._send_error and unknown:
            status.show(
                "error",
                f"✗ {self._send_error} Ultravox may or may not have"
                " saved it: press F5 to read what it holds; only what still differs is sent.",
            )
            status.scroll_visible(animate=False)
        elif self._send_error:
            status.show("error", f"✗ {self._send_error}")
            status.scroll_visible(animate=False)
        elif self._checked and not nothing:
            status.show(
                "warning",
                "! Read again after the unclear send: only what still differs from what"
                " Ultravox holds is shown and sent.",
            )
        elif nothing:
            status.show(
                "", "Nothing to send: Enter and Ctrl+N have nothing to do here. Go Back or quit."
            )
        else:
            status.show("", "Nothing has been sent yet.")

    def _step_number(self) -> int:
        return STEP_IDS.index(self._go_back_to) + 1 if self._go_back_to else 0

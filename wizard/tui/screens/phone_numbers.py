"""The optional last step: point the account's Plivo numbers at the agents (from Result, `p`).

It reads the numbers and where each points now, lets the user choose an agent per number, shows
exactly what will change (applications to create or update, numbers to re-point, each number's
current application), and changes nothing before Ctrl+S. Esc goes back to Result: finishing
never waits on this step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Select, Static

from wizard.core.errors import UsageError
from wizard.core.link_run import StepStatus
from wizard.core.linking import NumberStep, display_number
from wizard.flow.phone_numbers import app_line, number_line, restore_command
from wizard.tui.widgets.field_message import FieldMessage

if TYPE_CHECKING:
    from wizard.flow.phone_numbers import PhoneNumbers

LEAVE = "leave"
"""The choice that leaves a number as it is."""


class PhoneNumbersScreen(Screen[None]):
    """Plivo numbers → agents: choose, review, confirm, link."""

    DEFAULT_CSS = """
    PhoneNumbersScreen {
        padding: 0 1;
        #numbers-list { height: auto; max-height: 50%; }
        .number-row { height: auto; }
        .number-label { width: 24; }
        .number-now { width: 1fr; color: $text-muted; }
        .number-choice { width: 30; }
        #numbers-plan, #numbers-result { height: auto; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "link", "Link numbers", tooltip="Make the changes listed below"),
        Binding("escape", "close", "Back to the result"),
        Binding("f5", "retry", "Retry", show=False),
    ]

    def __init__(self, numbers: PhoneNumbers) -> None:
        super().__init__()
        self.numbers = numbers

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Phone numbers (optional)[/b]: point your Plivo numbers at the agents. One Plivo"
            " Application per agent; nothing changes before Ctrl+S.",
            id="numbers-intro",
        )
        yield FieldMessage("", id="numbers-status")
        yield VerticalScroll(id="numbers-list")
        yield Label("What will change", classes="section")
        yield Static("", id="numbers-plan", markup=False)
        with Horizontal(classes="status-row"):
            yield Button("Link numbers (Ctrl+S)", id="link-numbers", compact=True)
            yield Button("Retry (F5)", id="retry-numbers", classes="retry", compact=True)
            yield Button("Back to the result (Esc)", id="numbers-back", compact=True)
        yield Static("", id="numbers-result", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#retry-numbers").display = False
        self._show_plan()
        self.read()

    # -- reading -------------------------------------------------------------------------------

    @work(exclusive=True, group="numbers")
    async def read(self) -> None:
        status = self.query_one("#numbers-status", FieldMessage)
        try:
            self.numbers.credentials()
        except UsageError as exc:
            status.show("warning", f"! {exc.message}")
            return
        status.show("busy", "… Reading the account's numbers from Plivo")
        await self.numbers.read()
        self._show_numbers()

    def _show_numbers(self) -> None:
        operation = self.numbers.inventory
        status = self.query_one("#numbers-status", FieldMessage)
        self.query_one("#retry-numbers").display = operation.failed
        if operation.failed:
            status.show("error", f"✗ {operation.message}")
            return
        inventory = operation.result
        if inventory is None:
            return
        listing = self.query_one("#numbers-list", VerticalScroll)
        listing.remove_children()
        views = inventory.views()
        if not views:
            status.show("", "This Plivo account has no voice numbers to point at an agent.")
            return
        status.show("", f"{len(views)} voice number{'s' if len(views) != 1 else ''}.")
        agents = self.numbers.agents()
        by_id = {agent.agent_id: agent for agent in agents}
        options = [("leave as it is", LEAVE)] + [(agent.label, agent.agent_id) for agent in agents]
        rows = []
        for view in views:
            label = display_number(view.number) + (f"  {view.alias}" if view.alias else "")
            chosen = self.numbers.choices.get(view.number, LEAVE)
            rows.append(
                Horizontal(
                    Label(label, classes="number-label", markup=False),
                    Label(
                        f"now: {view.current.describe(by_id)}", classes="number-now", markup=False
                    ),
                    Select(
                        options,
                        value=chosen,
                        allow_blank=False,
                        compact=True,
                        id=f"number-{view.number}",
                        classes="number-choice",
                    ),
                    classes="number-row",
                )
            )
        listing.mount_all(rows)
        self._show_plan()

    @on(Select.Changed, ".number-choice")
    def _chosen(self, event: Select.Changed) -> None:
        number = (event.select.id or "").removeprefix("number-")
        value = event.value
        self.numbers.choose(number, None if value in (LEAVE, Select.BLANK) else str(value))
        self._show_plan()

    # -- the plan, consent, linking ------------------------------------------------------------

    def _show_plan(self) -> None:
        plan_text = self.query_one("#numbers-plan", Static)
        button = self.query_one("#link-numbers", Button)
        if not self.numbers.choices:
            plan_text.update("Nothing yet: choose an agent for a number above.")
            button.disabled = True
            return
        try:
            plan = self.numbers.plan()
        except UsageError as exc:
            plan_text.update(f"✗ {exc.message}")
            button.disabled = True
            return
        if plan.nothing_to_change:
            plan_text.update("Nothing to change: every chosen number already reaches its agent.")
            button.disabled = True
            return
        lines = [app_line(app) for app in plan.app_writes]
        for step in plan.numbers:
            line, remark = number_line(step)
            lines.append(line)
            if remark is not None:
                lines.append("  " + remark)
        plan_text.update("\n".join(lines))
        button.disabled = False

    @on(Button.Pressed, "#link-numbers")
    def action_link(self) -> None:
        if self.query_one("#link-numbers", Button).disabled:
            self.app.bell()
            return
        self.query_one("#link-numbers", Button).disabled = True
        self.query_one("#numbers-status", FieldMessage).show("busy", "… Linking the numbers")
        self.link()

    @work(exclusive=True, group="numbers")
    async def link(self) -> None:
        try:
            await self.numbers.link()
        except UsageError as exc:
            self.query_one("#numbers-status", FieldMessage).show("error", f"✗ {exc.message}")
            return
        operation = self.numbers.linking
        status = self.query_one("#numbers-status", FieldMessage)
        link_run = operation.result
        if link_run is None:
            status.show("error", f"✗ {operation.message}")
            return
        self._show_numbers()  # where each number points now (read again after linking)
        kind = "success" if link_run.complete else "error"
        status.show(kind, ("✓ " if link_run.complete else "✗ ") + link_run.summary())
        self.query_one("#numbers-result", Static).update("\n".join(_result_lines(link_run)))

    @on(Button.Pressed, "#retry-numbers")
    def action_retry(self) -> None:
        self.read()

    @on(Button.Pressed, "#numbers-back")
    def action_close(self) -> None:
        self.dismiss(None)


def _result_lines(link_run: object) -> list[str]:
    """Who answers each linked number, and how to put each back."""
    from wizard.core.link_run import LinkRun

    assert isinstance(link_run, LinkRun)
    lines: list[str] = []
    done = link_run.numbers(StepStatus.DONE)
    for step in done:
        lines.append(f"Call {display_number(step.number)} to talk to {step.agent.label}.")
    touched = [s for s in done if isinstance(s, NumberStep)]
    if touched:
        lines.append("To put a number back where it was:")
    for step in touched:
        command = restore_command(step)
        if command is not None:
            lines.append(f"  {command}")
        else:
            lines.append(
                f"  {display_number(step.number)} had no application: in the Plivo console"
                " (Phone Numbers), set its application to none."
            )
    return lines

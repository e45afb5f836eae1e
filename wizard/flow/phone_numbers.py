"""The last mile, with no UI in it: point the account's Plivo numbers at the agents.

After Ultravox saved the config, the same Plivo credentials can create one Plivo Application
per agent and point numbers at it. Nothing is written before the user confirms the plan; the
plan shows where each number points now. Driven by the wizard's optional step, over the same
core planner and runner as `ultravox-plivo link`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard.core.errors import UsageError, WizardError
from wizard.core.linking import (
    AgentRef,
    AppAction,
    AppStep,
    LinkPlan,
    NumberStep,
    NumberView,
    describe_numbers,
    display_number,
    plan_links,
)
from wizard.flow.operations import Operation

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wizard.core.link_run import LinkRun
    from wizard.core.plivo_numbers import PlivoApplication, PlivoNumber, PlivoNumbersClient
    from wizard.flow.session import WizardSession


@dataclass(frozen=True)
class Inventory:
    """The account's voice numbers and applications, as read when the step opened."""

    numbers: list[PlivoNumber]
    apps: list[PlivoApplication]

    def views(self) -> list[NumberView]:
        """Each number with where it points now."""
        return describe_numbers(self.numbers, self.apps)


class PhoneNumbers:
    """Step 7 of the wizard: read, choose, plan, confirm, link; each an operation."""

    def __init__(self, session: WizardSession) -> None:
        self.session = session
        self.inventory: Operation[Inventory] = Operation("read the Plivo numbers")
        self.linking: Operation[LinkRun] = Operation("link the numbers")
        self.choices: dict[str, str] = {}
        """Number (without +) -> agent id, for the numbers the user chose to point."""
        self._client: PlivoNumbersClient | None = None

    # -- what may be used --------------------------------------------------------------------

    def credentials(self) -> tuple[str, SecretStr]:
        """The Auth ID Ultravox holds and a token for it: the one sent in this run, else the
        stored one. UsageError when there is none (the token Ultravox keeps is not readable)."""
        outcome = self.session.outcome
        if outcome is None:
            raise UsageError("Ultravox holds no Plivo config from this run yet.")
        auth_id = outcome.config.auth_id
        sent = outcome.token.send
        if sent is not None:
            return auth_id, sent.value
        stored = self.session.stored_token
        if stored is not None and self.session.auth_id == auth_id:
            return auth_id, stored.value
        raise UsageError(
            "Linking numbers needs this account's Auth Token, and Ultravox only keeps its own"
            " copy: run `ultravox-plivo link` with PLIVO_AUTH_TOKEN set, or run the wizard"
            " again and type the token."
        )

    def agents(self) -> list[AgentRef]:
        """The agents a number may be pointed at: those Ultravox allows (any loaded agent when
        it allows all)."""
        outcome = self.session.outcome
        if outcome is None:
            return []
        config = outcome.config
        if config.allow_all_agents:
            catalog = self.session.agents
            ids = catalog.matching("", len(catalog))[0]
        else:
            ids = list(config.allowed_agent_ids)
        return [AgentRef(i.lower(), self.session.agent_name(i)) for i in ids]

    # -- operations ----------------------------------------------------------------------------

    async def read(self) -> bool:
        """Read the account's voice numbers and applications (GETs only)."""
        from wizard.core.plivo_numbers import PlivoNumbersClient

        async def call() -> Inventory:
            auth_id, token = self.credentials()
            if self._client is None:
                context = await self.session.aprepare()
                self._client = PlivoNumbersClient(
                    auth_id, token, context.plivo_api_base, settings=context.http_settings
                )
            numbers = await self._client.list_numbers()
            return Inventory(numbers, await self._client.list_applications())

        return await self.inventory.run(call)

    def choose(self, number: str, agent_id: str | None) -> None:
        """Point `number` at `agent_id` (None: leave it as it is)."""
        if agent_id is None:
            self.choices.pop(number, None)
        else:
            self.choices[number] = agent_id

    def plan(self) -> LinkPlan:
        """What linking would do, computed without any I/O; UsageError when it cannot."""
        inventory = self.inventory.result
        if inventory is None:
            raise UsageError("The numbers are not read yet.")
        return plan_links(
            agents=self.agents(),
            numbers=inventory.numbers,
            apps=inventory.apps,
            choices=self.choices,
        )

    async def link(self) -> bool:
        """Carry out the plan the user confirmed: applications first, then numbers; a failure
        stops the run and the outcome says exactly what was and was not changed."""
        from wizard.core.link_run import LinkRun

        plan = self.plan()
        client = self._client
        if client is None:
            raise WizardError("The numbers were not read; open the step again.")

        async def call() -> LinkRun:
            return await LinkRun(plan).run(client)

        recorded = await self.linking.run(call)
        if recorded and self.linking.done:
            # Read again: where each number points now is what the step shows next.
            self.choices.clear()
            await self.read()
        return recorded

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


# -- the words every face uses for a plan (the CLI's `link` too) --------------------------------


def app_line(app: AppStep) -> str:
    """What happens to one agent's application."""
    if app.action is AppAction.CREATE:
        return f"Create the Plivo application {app.app_name} (answer URL {app.answer_url}, POST)."
    if app.action is AppAction.UPDATE:
        changes = ", ".join(
            f"{k} {app.previous.get(k) or '—'} → {v}" for k, v in app.changes.items()
        )
        return f"Update the Plivo application {app.app_name} (found by {app.found_by}): {changes}."
    return f"Use the Plivo application {app.app_name} (found by {app.found_by}); unchanged."


def number_line(step: NumberStep) -> tuple[str, str | None]:
    """(what happens to one number, a warning or note about it or None)."""
    where = step.previous.describe()
    label = display_number(step.number) + (f" ({step.alias})" if step.alias else "")
    if not step.changed:
        return f"{label}: already on {step.app_name}; unchanged.", None
    target = step.app_name
    if step.agent.label != step.app_name:
        target += f" ({step.agent.label})"
    line = f"{label}: now {where}; will point at {target}."
    if step.serves_other:
        return line, (
            f"warning: {display_number(step.number)} now serves {where}; linking takes it"
            " away from that application (it is recorded, so you can put it back)."
        )
    if step.moves_from_agent:
        return line, f"note: {display_number(step.number)} moves away from {where}."
    return line, None


def restore_command(step: NumberStep) -> str | None:
    """The command that points a number back at its previous application (None: it had none)."""
    if step.previous.app_id is None:
        return None
    return f"ultravox-plivo link --number +{step.number} --app-id {step.previous.app_id}"

"""`ultravox-plivo link`: point Plivo numbers at an Ultravox agent (or back at an application).

Order: everything local is checked (exit 2, nothing sent); Ultravox says whether the agent may
take Plivo calls; the numbers and applications are read; the plan is shown with each number's
current application; the user confirms; then applications are written, then numbers, one by one.
The result records each number's previous application and the command that puts it back.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from wizard.commands.output import error_json
from wizard.commands.plivo_access import (
    PlivoInventory,
    application_json,
    numbers_client,
    plivo_auth_id,
    plivo_token,
    read_inventory,
)
from wizard.commands.session import NetSession
from wizard.core.errors import NotFoundError, UsageError, interrupted_exit_code
from wizard.core.link_run import LinkRun, StepOutcome, StepStatus
from wizard.core.linking import (
    AgentRef,
    AppAction,
    AppStep,
    LinkPlan,
    NumberStep,
    check_agents_allowed,
    check_app_name,
    display_number,
    plan_links,
    plan_repoint,
)
from wizard.core.models import check_agent_ids, errors
from wizard.core.plivo_numbers import normalise_number
from wizard.flow.phone_numbers import app_line, number_line, restore_command

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime
    from wizard.core.models import PlivoConfig


def run(rt: Runtime) -> int:
    """The `link` command."""
    args = rt.args
    agent_id = _agent_id(args.agent) if args.agent else None
    numbers = list(dict.fromkeys(normalise_number(n) for n in args.numbers))
    if args.app_name is not None and (problem := check_app_name(args.app_name)):
        raise UsageError(problem)
    if args.app_name is not None and agent_id is None:
        raise UsageError("--app-name names the application created for --agent; drop it.")
    if not args.dry_run:
        rt.require_yes("re-pointing phone numbers")

    with NetSession(rt) as net:
        if agent_id is not None:
            api_key = rt.api_key().value
            config = net.current_config(api_key)
            check_agents_allowed(
                [agent_id],
                allow_all=bool(config and config.allow_all_agents),
                allowed=config.allowed_agent_ids if config else (),
                configured=config is not None,
            )
            agent = _agent(net, api_key, agent_id)
        else:
            config, agent = _optional_config(rt, net), None
        auth_id = plivo_auth_id(rt, config)
        if config is not None and config.auth_id != auth_id:
            rt.out.note(
                f"warning: Ultravox's Plivo config is for the Auth ID {config.auth_id}, not"
                f" {auth_id}: calls to these numbers reach Ultravox only if that config holds"
                " this account's credentials."
            )
        token = plivo_token(rt, auth_id)
        with numbers_client(net, rt, auth_id, token) as plivo:
            inventory = net.run(read_inventory(plivo))
            plan = _plan(inventory, numbers, agent, args.app_id, args.app_name)
            return _carry_out(rt, net, plivo, plan, auth_id)


def _agent_id(text: str) -> str:
    found = errors(check_agent_ids([text]))
    if found:
        raise UsageError(" ".join(f.message for f in found))
    return str(uuid.UUID(text.strip()))


def _agent(net: NetSession, api_key: SecretStr, agent_id: str) -> AgentRef:
    try:
        agent = net.run(net.ultravox(api_key).get_agent(agent_id))
    except NotFoundError as exc:
        raise UsageError(exc.message, hint=exc.hint) from None
    return AgentRef(agent.agent_id.lower(), agent.name)


def _optional_config(rt: Runtime, net: NetSession) -> PlivoConfig | None:
    """For `--app-id` no agent is checked: Ultravox is asked only to find the Auth ID."""
    if getattr(rt.args, "auth_id", None) or rt.environ.get("PLIVO_AUTH_ID"):
        return None
    found = rt.store.api_key()
    return net.current_config(found.value) if found is not None else None


def _plan(
    inventory: PlivoInventory,
    numbers: list[str],
    agent: AgentRef | None,
    app_id: str | None,
    app_name: str | None,
) -> LinkPlan:
    if agent is None:
        assert app_id is not None  # the parser requires --agent or --app-id
        return plan_repoint(
            numbers=inventory.numbers,
            apps=inventory.apps,
            choices=dict.fromkeys(numbers, app_id),
        )
    return plan_links(
        agents=[agent],
        numbers=inventory.numbers,
        apps=inventory.apps,
        choices=dict.fromkeys(numbers, agent.agent_id),
        app_names={agent.agent_id: app_name} if app_name else None,
    )


# -- showing, asking, doing ----------------------------------------------------------------------


def _carry_out(rt: Runtime, net: NetSession, plivo: Any, plan: LinkPlan, auth_id: str) -> int:
    args, out = rt.args, rt.out
    _print_plan(rt, plan)
    if plan.nothing_to_change:
        out.line("Nothing to change: every number already reaches its agent.")
        out.result(link_json(plan, auth_id, "unchanged"))
        return 0
    if args.dry_run:
        out.line("Dry run: nothing was changed.")
        out.result(link_json(plan, auth_id, "planned"))
        return 0
    if not args.yes and not rt.confirm(_question(plan)):
        out.line("Nothing was changed.")
        out.result(link_json(plan, auth_id, "cancelled"))
        return 0

    rt.state.write_started = True
    link_run = LinkRun(plan)
    try:
        net.run(link_run.run(plivo, on_step=lambda o: _progress(rt, o)))
    except KeyboardInterrupt as exc:
        summary = link_run.summary()
        rt.out.error_line(summary)
        _print_restore(rt, link_run)
        out.result(link_json(plan, auth_id, "interrupted", link_run))
        return interrupted_exit_code(exc)  # 130, or 143 for SIGTERM
    summary = link_run.summary()
    failed = link_run.failed
    if failed is None:
        out.line(summary)
        for step in plan.relinks if plan.apps else ():
            out.line(f"Call {display_number(step.number)} to talk to {step.agent.label}.")
        _print_restore(rt, link_run)
        out.result(link_json(plan, auth_id, "linked", link_run))
        return 0
    out.error_line(summary)
    _print_restore(rt, link_run)
    action = "partial" if any(o.status is StepStatus.DONE for o in link_run.outcomes) else "failed"
    out.result(link_json(plan, auth_id, action, link_run))
    assert failed.error is not None
    return failed.error.exit_code


def _question(plan: LinkPlan) -> str:
    count = len(plan.relinks)
    question = f"Re-point {count} number{'s' if count != 1 else ''}"
    others = sum(1 for n in plan.relinks if n.serves_other)
    if others:
        question += f" ({others} now serving another application)"
    return question + "?"


def _print_plan(rt: Runtime, plan: LinkPlan) -> None:
    out = rt.out
    for app in plan.apps:
        out.line(app_line(app))
        for number in app.also_serves:
            out.note(
                f"warning: {display_number(number)} also uses {app.app_name}; the update"
                f" sends its calls to {app.agent.label} too."
            )
    for step in plan.numbers:
        line, remark = number_line(step)
        out.line(f"  {line}")
        if remark is not None:
            out.note(remark)


def _progress(rt: Runtime, outcome: StepOutcome) -> None:
    if outcome.status is not StepStatus.DONE:
        return
    step = outcome.step
    if isinstance(step, AppStep):
        verb = "Created" if step.action is AppAction.CREATE else "Updated"
        rt.out.line(f"  {verb} the application {step.app_name} ({outcome.app_id}).")
    else:
        rt.out.line(f"  {display_number(step.number)} now points at {step.app_name}.")


def _print_restore(rt: Runtime, link_run: LinkRun) -> None:
    touched = [
        o.step
        for o in link_run.outcomes
        if isinstance(o.step, NumberStep)
        and (o.status is StepStatus.DONE or o.uncertain or o is link_run.in_flight)
    ]
    if not touched:
        return
    rt.out.line("To put a number back where it was:")
    for step in touched:
        command = restore_command(step)
        if command is not None:
            rt.out.line(f"  {command}    # {step.previous.describe()}")
        else:
            rt.out.line(
                f"  {display_number(step.number)} had no application: in the Plivo console"
                " (Phone Numbers), set its application to none."
            )


def link_json(
    plan: LinkPlan, auth_id: str, action: str, link_run: LinkRun | None = None
) -> dict[str, Any]:
    """The `link --json` document (docs/cli-json.md)."""
    statuses: dict[int, StepOutcome] = {}
    if link_run is not None:
        statuses = {id(o.step): o for o in link_run.outcomes}
    idle = {"unchanged": "unchanged", "planned": "planned", "cancelled": "not tried"}

    def status(step: AppStep | NumberStep, changed: bool) -> str:
        if not changed:
            return "unchanged"
        outcome = statuses.get(id(step))
        if outcome is None:
            return idle.get(action, "not tried")
        if link_run is not None and outcome is link_run.in_flight:
            return "interrupted"
        return str(outcome.status)

    failed = link_run.failed if link_run is not None else None
    return {
        "action": action,
        "authId": auth_id,
        "applications": [
            {
                "action": str(app.action),
                "appId": (statuses[id(app)].app_id if id(app) in statuses else None) or app.app_id,
                "appName": app.app_name,
                "answerUrl": app.answer_url,
                "agent": {"agentId": app.agent.agent_id, "name": app.agent.name},
                "foundBy": app.found_by,
                "changes": dict(app.changes),
                "previous": dict(app.previous),
                "alsoServes": [display_number(n) for n in app.also_serves],
                "status": status(app, app.action is not AppAction.KEEP),
            }
            for app in plan.apps
        ],
        "numbers": [
            {
                "number": display_number(step.number),
                "alias": step.alias,
                "agent": (
                    {"agentId": step.agent.agent_id, "name": step.agent.name} if plan.apps else None
                ),
                "appName": step.app_name,
                "previous": application_json(
                    step.previous.app_id,
                    step.previous.app_name,
                    step.previous.answer_url,
                    step.previous.agent_id,
                ),
                "previousServing": str(step.previous.serving),
                "servesOtherApplication": step.serves_other,
                "changed": step.changed,
                "status": status(step, step.changed),
                "restore": restore_command(step) if step.changed else None,
            }
            for step in plan.numbers
        ],
        "summary": link_run.summary() if link_run is not None else None,
        "error": error_json(failed.error) if failed is not None and failed.error else None,
    }

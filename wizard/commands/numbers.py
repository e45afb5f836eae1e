"""`ultravox-plivo numbers`: the Plivo account's voice numbers and where each one points.

With an Ultravox API key (optional here) the agents behind Ultravox answer URLs are named and
checked against the Plivo config Ultravox holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from wizard.commands.plivo_access import (
    application_json,
    numbers_client,
    plivo_auth_id,
    plivo_token,
    read_inventory,
)
from wizard.commands.session import NetSession
from wizard.core.errors import CredentialStoreError, NotFoundError
from wizard.core.linking import AgentRef, NumberView, describe_numbers, display_number

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime
    from wizard.core.models import PlivoConfig

MAX_AGENT_LOOKUPS = 25


def run(rt: Runtime) -> int:
    """The `numbers` command."""
    try:
        found = rt.store.api_key()
    except CredentialStoreError as exc:
        rt.out.note(f"warning: {exc.message} Agent names are not shown.")
        found = None
    api_key = found.value if found is not None else None
    with NetSession(rt) as net:
        config = net.current_config(api_key) if api_key is not None else None
        auth_id = plivo_auth_id(rt, config)
        token = plivo_token(rt, auth_id)
        with numbers_client(net, rt, auth_id, token) as plivo:
            inventory = net.run(read_inventory(plivo))
        views = describe_numbers(inventory.numbers, inventory.apps)
        agents = _agents(net, api_key, views) if api_key is not None else {}

    data = numbers_json(auth_id, views, agents, config)
    out = rt.out
    if not views:
        out.line(f"The Plivo account {auth_id} has no voice numbers.")
    else:
        out.line(f"Voice numbers of the Plivo account {auth_id}:")
        rows = [
            (
                display_number(v.number),
                v.alias,
                v.current.app_name or v.current.app_id or "—",
                _reaches(v, agents, config),
            )
            for v in views
        ]
        out.table(("Number", "Alias", "Application", "Reaches"), rows, [" "] * len(rows))
        out.line("Point a number at an agent with `ultravox-plivo link --agent UUID --number N`.")
    if api_key is None:
        out.note("No Ultravox API key: agents are shown by id, not checked against the config.")
    out.result(data)
    return 0


def _agents(
    net: NetSession, api_key: SecretStr, views: list[NumberView]
) -> dict[str, AgentRef | None]:
    """Name each agent behind a number (None: Ultravox has no such agent)."""
    client = net.ultravox(api_key)
    ids = list(dict.fromkeys(v.current.agent_id for v in views if v.current.agent_id))
    names: dict[str, AgentRef | None] = {}
    for agent_id in ids[:MAX_AGENT_LOOKUPS]:
        try:
            agent = net.run(client.get_agent(agent_id))
        except NotFoundError:
            names[agent_id] = None
            continue
        names[agent_id] = AgentRef(agent.agent_id, agent.name)
    return names


def _allowed(agent_id: str, config: PlivoConfig | None) -> bool | None:
    if config is None:
        return None
    if config.allow_all_agents:
        return True
    return agent_id.lower() in {a.lower() for a in config.allowed_agent_ids}


def _reaches(
    view: NumberView, agents: dict[str, AgentRef | None], config: PlivoConfig | None
) -> str:
    current = view.current
    if current.app_id is None:
        return "nothing (no application)"
    if current.agent_id is None:
        return "another application" if current.app_name is not None else "an unlisted application"
    agent = agents.get(current.agent_id)
    if current.agent_id in agents and agent is None:
        return f"Ultravox agent {current.agent_id} (no such agent in this account)"
    text = f"Ultravox agent {agent.label if agent else current.agent_id}"
    if _allowed(current.agent_id, config) is False:
        text += " (not allowed by the Ultravox config)"
    return text


def numbers_json(
    auth_id: str,
    views: list[NumberView],
    agents: dict[str, AgentRef | None],
    config: PlivoConfig | None,
) -> dict[str, Any]:
    """The `numbers --json` document (docs/cli-json.md)."""
    items = []
    for view in views:
        current = view.current
        agent_json = None
        if current.agent_id is not None:
            agent = agents.get(current.agent_id)
            agent_json = {
                "agentId": current.agent_id,
                "name": agent.name if agent else None,
                "exists": None if current.agent_id not in agents else agent is not None,
                "allowed": _allowed(current.agent_id, config),
            }
        items.append(
            {
                "number": display_number(view.number),
                "alias": view.alias,
                "serving": str(current.serving),
                "application": application_json(
                    current.app_id, current.app_name, current.answer_url, current.agent_id
                ),
                "agent": agent_json,
            }
        )
    return {"authId": auth_id, "numbers": items}

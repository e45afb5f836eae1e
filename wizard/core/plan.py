"""The plan: what will be sent (POST or PATCH, and the body) and how it differs from the service.

Built from a validated draft and the config the service holds; the Review step shows
`changes` and `display_body()`, the client sends `wire_body()`. The token stays a SecretStr
inside the plan, so a plan can be logged or printed without leaking it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr

from wizard.core.errors import UsageError
from wizard.core.models import PlivoConfig, PlivoDraft, mask_secret, normalise_agent_id

NONE_SHOWN = "—"
NEW_TOKEN_SHOWN = "new token (masked)"  # noqa: S105 (a label, not a secret)
TOKEN_UNCHANGED_SHOWN = "kept"  # noqa: S105 (a label, not a secret)
_MAPPING_SHOWN = 3  # mapping entries listed before "+N more"

Method = Literal["POST", "PATCH"]


@dataclass(frozen=True)
class FieldChange:
    """One row of the Review table; `current` and `new` are display strings, never secrets."""

    field: str
    label: str
    current: str
    new: str
    changed: bool


@dataclass(frozen=True)
class Plan:
    """What to send. `method` is None when the service already holds what the draft says."""

    method: Method | None
    changes: tuple[FieldChange, ...]
    # The token is kept as SecretStr; repr=False keeps even its masked form out of logs.
    _body: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> list[FieldChange]:
        """Only the rows that differ from the service."""
        return [c for c in self.changes if c.changed]

    def wire_body(self) -> dict[str, Any]:
        """Exactly what is sent, token revealed: for the HTTP client only, never for display."""
        return {
            k: _copy(v.get_secret_value() if isinstance(v, SecretStr) else v)
            for k, v in self._body.items()
        }

    def display_body(self) -> dict[str, Any]:
        """The body with the same keys, the token masked: safe to show, log or print."""
        return {
            k: mask_secret(v) if isinstance(v, SecretStr) else _copy(v)
            for k, v in self._body.items()
        }


def _copy(value: Any) -> Any:
    # Callers may mutate what they get; the plan stays as it was made.
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _agent_set(ids: Iterable[str]) -> frozenset[str]:
    """Ids compared as UUIDs (case and braces do not matter), order ignored."""
    return frozenset(normalise_agent_id(i) or i for i in ids)


def show_agents(allow_all: bool, ids: tuple[str, ...] | list[str]) -> str:
    """'all agents', 'no agents', '1 agent: <id>' or '3 agents: <first id>…'."""
    if allow_all:
        return "all agents"
    if not ids:
        return "no agents"
    if len(ids) == 1:
        return f"1 agent: {ids[0]}"
    return f"{len(ids)} agents: {ids[0]}…"


def show_mapping(mapping: Mapping[str, str]) -> str:
    """'From → user.phone; To → call.to', cut after a few entries; 'none' when empty."""
    if not mapping:
        return "none"
    items = [f"{k} → {v}" for k, v in list(mapping.items())[:_MAPPING_SHOWN]]
    extra = len(mapping) - _MAPPING_SHOWN
    if extra > 0:
        items.append(f"+{extra} more")
    return "; ".join(items)


def _token_prefix(config: PlivoConfig | None) -> str:
    if config is None or not config.auth_token_prefix:
        return NONE_SHOWN
    return f"prefix {config.auth_token_prefix}…"


def make_plan(
    draft: PlivoDraft, current: PlivoConfig | None, *, token_label: str | None = None
) -> Plan:
    """POST the whole draft when nothing is configured, else PATCH only what differs.

    `token_label` names the token row's new value (for example where the token came from).

    Raises UsageError when the token is needed but missing: a new config, or a new Auth ID
    (a token belongs to one Auth ID, so keeping the old one cannot work).
    """
    token = draft.auth_token
    agent_ids = list(draft.agent_ids)
    new_agents = show_agents(draft.allow_all_agents, agent_ids)
    new_token = token_label or (NEW_TOKEN_SHOWN if token is not None else TOKEN_UNCHANGED_SHOWN)

    if current is None:
        if token is None:
            raise UsageError("Enter the Plivo Auth Token: a new Plivo config needs one.")
        body: dict[str, Any] = {
            "authId": draft.auth_id,
            "authToken": token,
            "callCreationAllowedAgentIds": [] if draft.allow_all_agents else agent_ids,
            "callCreationAllowAllAgents": draft.allow_all_agents,
            "requestContextMapping": dict(draft.context_mapping),
        }
        changes = (
            FieldChange("authId", "Auth ID", NONE_SHOWN, draft.auth_id, True),
            FieldChange("authToken", "Auth Token", NONE_SHOWN, new_token, True),
            FieldChange("callCreationAllowedAgentIds", "Agents", NONE_SHOWN, new_agents, True),
            FieldChange(
                "requestContextMapping",
                "Context mapping",
                NONE_SHOWN,
                show_mapping(draft.context_mapping),
                True,
            ),
        )
        return Plan("POST", changes, body)

    patch: dict[str, Any] = {}

    auth_id_changed = draft.auth_id != current.auth_id
    if auth_id_changed:
        if token is None:
            raise UsageError(
                "Enter the Auth Token for the new Auth ID: the current token belongs to"
                f" {current.auth_id}."
            )
        patch["authId"] = draft.auth_id
    if token is not None:
        patch["authToken"] = token

    current_agents = list(current.allowed_agent_ids)
    if draft.allow_all_agents:
        agents_changed = not current.allow_all_agents
        if agents_changed:
            # The service keeps the old list unless told; a list with allow-all is refused.
            patch["callCreationAllowAllAgents"] = True
            patch["callCreationAllowedAgentIds"] = []
    elif current.allow_all_agents:
        agents_changed = True
        patch["callCreationAllowAllAgents"] = False
        patch["callCreationAllowedAgentIds"] = agent_ids
    else:
        old, new = _agent_set(current_agents), _agent_set(agent_ids)
        agents_changed = old != new
        if agents_changed:
            patch["callCreationAllowedAgentIds"] = agent_ids
            added, removed = len(new - old), len(old - new)
            new_agents = f"{new_agents} (+{added}, −{removed})"

    mapping_changed = dict(draft.context_mapping) != dict(current.context_mapping)
    if mapping_changed:
        # The mapping is one JSON object on the service: send it whole.
        patch["requestContextMapping"] = dict(draft.context_mapping)

    changes = (
        FieldChange("authId", "Auth ID", current.auth_id, draft.auth_id, auth_id_changed),
        FieldChange(
            "authToken", "Auth Token", _token_prefix(current), new_token, token is not None
        ),
        FieldChange(
            "callCreationAllowedAgentIds",
            "Agents",
            show_agents(current.allow_all_agents, current_agents),
            new_agents,
            agents_changed,
        ),
        FieldChange(
            "requestContextMapping",
            "Context mapping",
            show_mapping(current.context_mapping),
            show_mapping(draft.context_mapping),
            mapping_changed,
        ),
    )
    return Plan("PATCH" if patch else None, changes, patch)

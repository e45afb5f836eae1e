"""The domain's data: what the user drafts, what the services answer, and the field rules.

The `check_*` rules live in `wizard.core.rules` (pure, cheap, no pydantic, so the UI can run them
on every keystroke without loading pydantic) and are re-exported here; the pydantic models run the
same rules, so a draft that validates is one the service should accept.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wizard.core.errors import UsageError
from wizard.core.rules import MAX_AGENTS as MAX_AGENTS
from wizard.core.rules import Finding as Finding
from wizard.core.rules import Severity as Severity
from wizard.core.rules import api_key_prefix as api_key_prefix
from wizard.core.rules import check_agent_ids as check_agent_ids
from wizard.core.rules import check_api_key as check_api_key
from wizard.core.rules import check_auth_id as check_auth_id
from wizard.core.rules import check_auth_token as check_auth_token
from wizard.core.rules import errors as errors
from wizard.core.rules import normalise_agent_id as normalise_agent_id
from wizard.core.text import SecretMask, clean_text

ANSWER_URL_TEMPLATE = "https://app.ultravox.ai/api/agents/{agent_id}/telephony_xml"


def _raise_errors(findings: list[Finding]) -> None:
    found = errors(findings)
    if found:
        raise ValueError(" ".join(f.message for f in found))


class PlivoDraft(BaseModel):
    """What the user wants the service to hold. `auth_token=None` keeps the current token."""

    # forbid: a misspelt field (token= for auth_token=) must fail, not be dropped silently.
    model_config = ConfigDict(frozen=True, extra="forbid")

    auth_id: str
    auth_token: SecretStr | None = None
    allow_all_agents: bool = False
    agent_ids: tuple[str, ...] = ()
    context_mapping: dict[str, str] = Field(default_factory=dict)

    @field_validator("auth_id")
    @classmethod
    def _auth_id(cls, value: str) -> str:
        _raise_errors(check_auth_id(value))
        return value.strip()

    @field_validator("auth_token")
    @classmethod
    def _auth_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _raise_errors(check_auth_token(value.get_secret_value()))
        return value

    @field_validator("agent_ids")
    @classmethod
    def _agent_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _raise_errors(check_agent_ids(value))
        return tuple(str(uuid.UUID(v.strip())) for v in value)

    @field_validator("context_mapping")
    @classmethod
    def _context_mapping(cls, value: dict[str, str]) -> dict[str, str]:
        from wizard.core.mapping import MappingRow, analyse_mapping

        rows = [MappingRow(k, v) for k, v in value.items()]
        report = analyse_mapping(rows, blank_rows_allowed=False)
        if report.errors:
            raise ValueError(" ".join(f.message for f in report.errors))
        return value

    @model_validator(mode="after")
    def _agents_or_all(self) -> PlivoDraft:
        # The service refuses a list together with allow-all; keep the draft unambiguous.
        if self.allow_all_agents and self.agent_ids:
            raise ValueError("Choose either all agents or a list of agents, not both.")
        return self

    @property
    def token_warnings(self) -> list[Finding]:
        if self.auth_token is None:
            return []
        return check_auth_token(self.auth_token.get_secret_value())


def build_draft(**fields: Any) -> PlivoDraft:
    """A validated draft, or UsageError holding only the rules' messages.

    pydantic's own error text quotes the input, which may be the token: never let it out.
    """
    try:
        return PlivoDraft(**fields)
    except ValidationError as exc:
        messages = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
        raise UsageError(" ".join(messages)) from None


class ServerModel(BaseModel):
    """What a service answered. Tolerant of fields we do not know: the service may add some.

    Every string in it (keys too) is cleaned once, here where it enters: escape sequences and
    control characters removed, cut to a printable length, and any run of a secret passed as
    validation context (`{"secrets": [...]}`) masked. No face need clean it again.
    """

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _clean_server_text(cls, data: Any, info: ValidationInfo) -> Any:
        context = info.context if isinstance(info.context, dict) else {}
        mask = context.get(_MASK)
        if not isinstance(mask, SecretMask):
            mask = context[_MASK] = SecretMask(context.get("secrets", ()))
        if isinstance(data, dict):
            # Only what the model keeps (extra="ignore" drops the rest): an agent's call
            # template alone can hold hundreds of strings nothing here shows.
            known = _known_keys(cls)
            data = {key: value for key, value in data.items() if key in known}
        return _clean(data, mask, mask=True)


@functools.cache
def _known_keys(model: type[BaseModel]) -> frozenset[str]:
    """The keys `model` reads: its fields' names and aliases (populate_by_name)."""
    return frozenset(
        key for name, field in model.model_fields.items() for key in (name, field.alias) if key
    )


_MASK = "_mask"
"""Where the first model of a response leaves its SecretMask in the validation context (a
dict made per response), so the page's other models (100 agents) reuse it."""


def _clean(data: Any, secrets: SecretMask, *, mask: bool) -> Any:
    """`data` (decoded JSON) with every string cleaned for display (see `ServerModel`)."""
    if isinstance(data, str):
        text = clean_text(data)
        return secrets(text) if mask and secrets else text
    if isinstance(data, dict):
        return {
            _clean(key, secrets, mask=True): _clean(
                # The token prefix is an echo of the token by design, safe to show.
                value,
                secrets,
                mask=mask and key != "authTokenPrefix",
            )
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [_clean(item, secrets, mask=mask) for item in data]
    return data


class PlivoConfig(ServerModel):
    """The Plivo config as the service holds it (the token itself is never returned)."""

    auth_id: str = Field(alias="authId")
    auth_token_prefix: str | None = Field(default=None, alias="authTokenPrefix")
    allowed_agent_ids: tuple[str, ...] = Field(default=(), alias="callCreationAllowedAgentIds")
    allow_all_agents: bool = Field(default=False, alias="callCreationAllowAllAgents")
    context_mapping: dict[str, str] = Field(default_factory=dict, alias="requestContextMapping")

    @field_validator("auth_token_prefix", mode="before")
    @classmethod
    def _prefix(cls, value: Any) -> Any:
        # The service sends {"prefix": "..."}; accept a bare string too.
        if isinstance(value, dict):
            return value.get("prefix")
        return value

    @field_validator("allowed_agent_ids", "context_mapping", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any, info: Any) -> Any:
        if value is None:
            return {} if info.field_name == "context_mapping" else ()
        return value

    def to_json(self) -> dict[str, Any]:
        """Wire-shaped JSON (camelCase) of what the service holds; holds no secret."""
        return {
            "authId": self.auth_id,
            "authTokenPrefix": {"prefix": self.auth_token_prefix},
            "callCreationAllowedAgentIds": list(self.allowed_agent_ids),
            "callCreationAllowAllAgents": self.allow_all_agents,
            "requestContextMapping": dict(self.context_mapping),
        }


class Account(ServerModel):
    account_id: str | None = Field(default=None, alias="accountId")
    name: str = ""


class Agent(ServerModel):
    agent_id: str = Field(alias="agentId")
    name: str = ""
    created: str | None = None


@dataclass(frozen=True, slots=True)
class AgentPage:
    agents: list[Agent]
    next_url: str | None
    total: int | None


class PlivoAccount(ServerModel):
    auth_id: str = ""
    name: str = ""
    account_type: str = ""


def answer_url(agent_id: str) -> str:
    return ANSWER_URL_TEMPLATE.format(agent_id=agent_id)


def answer_urls(config: PlivoConfig) -> list[str]:
    """The answer URL to set in Plivo per allowed agent; the pattern when all are allowed."""
    if config.allow_all_agents:
        return [ANSWER_URL_TEMPLATE]
    return [answer_url(a) for a in config.allowed_agent_ids]


def mask_secret(value: SecretStr | str | None) -> str:
    """A fixed-width mask: shows that a secret is there, never its length or content."""
    return "" if value is None else "••••••••"

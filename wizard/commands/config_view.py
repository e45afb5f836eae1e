"""Showing a Plivo config the way every command prints it (apply, status, delete)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from wizard.core.models import PlivoConfig, answer_urls
from wizard.flow.precedence import prefix_matches

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime


def print_config(rt: Runtime, config: PlivoConfig | None, token: SecretStr | None = None) -> None:
    """The config as the service holds it, and the answer URL(s) to set in Plivo."""
    if config is None:
        return
    out = rt.out
    matches = prefix_matches(config.auth_token_prefix, token)
    check: dict[bool | None, str] = {
        True: " (matches the token given)",
        False: " (does NOT match the token given)",
    }
    out.line(f"  Auth ID:       {config.auth_id}")
    out.line(f"  Token prefix:  {config.auth_token_prefix or '—'}{check.get(matches, '')}")
    if config.allow_all_agents:
        out.line("  Agents:        all agents")
    else:
        out.line(f"  Agents:        {len(config.allowed_agent_ids)}")
        for agent_id in config.allowed_agent_ids:
            out.line(f"                 {agent_id}")
    if config.context_mapping:
        out.line("  Mapping:")
        for request_field, context in config.context_mapping.items():
            out.line(f"                 {request_field} → {context}")
    else:
        out.line("  Mapping:       none")
    urls = answer_urls(config)
    if urls:
        out.line("Set this answer URL (method POST) on your Plivo Application:")
        out.lines(f"  {url}" for url in urls)

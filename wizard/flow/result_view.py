"""What a finished run says, in plain text every face can show: the answer URL per agent, the
token line, where the credentials went, and the summary left in the terminal on exit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard.flow.precedence import prefix_note

if TYPE_CHECKING:
    from wizard.flow.session import Outcome, WizardSession


PLIVO_CONSOLE_STEPS = (
    "1. Phone Numbers → Applications → your Application (or create one).\n"
    "2. Set Answer URL to the agent's URL above, Answer Method to POST, and save.\n"
    "3. Link your number to the Application."
)
"""What to do with an answer URL by hand in the Plivo console (every face shows it)."""


@dataclass(frozen=True)
class AnswerUrl:
    """One URL to set as a Plivo Application's answer URL, and the agent it reaches."""

    agent: str
    """The agent's name (or short id); "any agent" for the allow-all pattern."""
    url: str


def answer_urls(session: WizardSession, outcome: Outcome) -> list[AnswerUrl]:
    """The answer URL for each agent Ultravox allows (the pattern when it allows all)."""
    from wizard.core.models import ANSWER_URL_TEMPLATE, answer_url

    config = outcome.config
    if config.allow_all_agents:
        return [AnswerUrl("any agent (put its id in place of {agent_id})", ANSWER_URL_TEMPLATE)]
    return [
        AnswerUrl(session.agent_name(agent_id) or agent_id[:8], answer_url(agent_id))
        for agent_id in config.allowed_agent_ids
    ]


def token_line(outcome: Outcome) -> tuple[str, str]:
    """(kind, one line): the token prefix Ultravox holds and whether it matches what was sent."""
    prefix = outcome.config.auth_token_prefix
    kind, note = prefix_note(prefix, outcome.token)
    mark = "✓" if kind == "success" else "!"
    shown = f" {prefix}…" if prefix else ""
    return kind, f"{mark} Token prefix{shown}: {note}."


def summary_lines(session: WizardSession, stored: str | None) -> list[str]:
    """The short summary printed to the normal screen after a finished run (scrollback)."""
    outcome = session.outcome
    if outcome is None:
        return []
    verb = "created" if outcome.method == "POST" else "updated"
    config = outcome.config
    _, token = token_line(outcome)
    lines = [
        f"✓ Ultravox {verb} the Plivo config ({outcome.method}) for Auth ID {config.auth_id}.",
        f"  {token[2:]}",
        "  Answer URLs (set on a Plivo Application, Answer Method POST):",
    ]
    urls = answer_urls(session, outcome)
    lines += [f"    {url.agent}: {url.url}" for url in urls] or ["    (no agents allowed)"]
    if stored:
        lines.append(f"  Credentials: {stored}")
    return lines

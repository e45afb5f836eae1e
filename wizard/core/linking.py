"""Pointing Plivo numbers at Ultravox agents: the plan, computed without any I/O.

One Plivo Application per agent (its answer URL names the agent), shared by all of that agent's
numbers. The plan says which applications to create or update and which numbers to re-point,
each with the application it served before. Rules:

- The application for an agent is found first by its answer URL (the agent's `telephony_xml`),
  then by its name (`ultravox-<agent-name-slug>`, or the name the user chose).
- An application is ours for an agent when its answer URL is that agent's Ultravox URL (any
  host or scheme spelling), or when it has our name and no answer URL. Any other application is
  never modified; a name taken by one makes the plan use `ultravox-<slug>-<id8>` instead.
- A re-run with nothing to change plans nothing (`LinkPlan.nothing_to_change`).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Protocol

from wizard.core.errors import UsageError
from wizard.core.models import ANSWER_URL_TEMPLATE

APP_NAME_PREFIX: Final = "ultravox-"
MAX_SLUG: Final = 40
ANSWER_METHOD: Final = "POST"  # Ultravox's telephony_xml accepts POST only
_APP_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ULTRAVOX_URL = re.compile(
    r"https?://(?:app|api)\.ultravox\.ai/api/agents/([0-9A-Fa-f-]{36})/telephony_xml/?",
    re.IGNORECASE,
)


# -- what the planner reads ----------------------------------------------------------------


class ApplicationLike(Protocol):
    """What the plan needs of a Plivo Application (`PlivoApplication` fits)."""

    @property
    def app_id(self) -> str: ...
    @property
    def app_name(self) -> str: ...
    @property
    def answer_url(self) -> str: ...
    @property
    def answer_method(self) -> str: ...


class NumberLike(Protocol):
    """What the plan needs of a Plivo number (`PlivoNumber` fits)."""

    @property
    def number(self) -> str: ...
    @property
    def alias(self) -> str: ...
    @property
    def app_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class AgentRef:
    """An Ultravox agent, as far as linking cares."""

    agent_id: str
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.agent_id


# -- small rules -------------------------------------------------------------------------------


def answer_url_for(agent_id: str) -> str:
    return ANSWER_URL_TEMPLATE.format(agent_id=agent_id.lower())


def ultravox_agent_of(answer_url: str | None) -> str | None:
    """The agent id an answer URL sends calls to, when it is an Ultravox agent's URL."""
    match = _ULTRAVOX_URL.fullmatch((answer_url or "").strip())
    return match.group(1).lower() if match else None


def slugify(name: str) -> str:
    """`Billing Support (EU)` -> `billing-support-eu`: ASCII letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


def app_name_for(agent: AgentRef) -> str:
    """Our application name for an agent: `ultravox-<slug of its name>` (its id without one)."""
    return APP_NAME_PREFIX + (slugify(agent.name) or agent.agent_id[:8].lower())


def check_app_name(name: str) -> str | None:
    """Why Plivo would refuse this application name, or None when it is fine."""
    if not name:
        return "An application name cannot be empty."
    if not _APP_NAME.fullmatch(name):
        return (
            f"{name!r} cannot be a Plivo application name: use only letters, digits, '-' and '_'."
        )
    return None


def display_number(number: str) -> str:
    return f"+{number}"


# -- where a number points now -----------------------------------------------------------------


class Serving(StrEnum):
    """What a number's current application is."""

    NOTHING = "none"
    ULTRAVOX = "ultravox"  # an application whose answer URL is an Ultravox agent's
    OTHER = "other"  # any other application (or one the listing did not show)


@dataclass(frozen=True, slots=True)
class CurrentApplication:
    """The application a number points at now (all None: no application)."""

    app_id: str | None = None
    app_name: str | None = None
    answer_url: str | None = None
    agent_id: str | None = None

    @property
    def serving(self) -> Serving:
        if self.app_id is None:
            return Serving.NOTHING
        return Serving.ULTRAVOX if self.agent_id else Serving.OTHER

    def describe(self, agents: Mapping[str, AgentRef] | None = None) -> str:
        """`none`, `Support line (another application)`, `ultravox-sales (Ultravox agent Sales)`."""
        if self.app_id is None:
            return "no application"
        name = self.app_name or f"application {self.app_id}"
        if self.agent_id is not None:
            agent = (agents or {}).get(self.agent_id)
            return f"{name} (Ultravox agent {agent.label if agent else self.agent_id})"
        if self.app_name is None:
            return f"{name} (not found in the account's list)"
        return f"{name} (another application)"


@dataclass(frozen=True, slots=True)
class NumberView:
    """A number and where it points now."""

    number: str
    alias: str
    current: CurrentApplication


def current_application(app_id: str | None, apps: Sequence[ApplicationLike]) -> CurrentApplication:
    if app_id is None:
        return CurrentApplication()
    for app in apps:
        if app.app_id == app_id:
            return CurrentApplication(
                app_id, app.app_name, app.answer_url, ultravox_agent_of(app.answer_url)
            )
    return CurrentApplication(app_id)


def describe_numbers(
    numbers: Sequence[NumberLike], apps: Sequence[ApplicationLike]
) -> list[NumberView]:
    """Each number with the application it points at now."""
    return [NumberView(n.number, n.alias, current_application(n.app_id, apps)) for n in numbers]


# -- the plan ----------------------------------------------------------------------------------


class AppAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class AppStep:
    """The application an agent's numbers will point at, and what to do to it.

    `changes` is exactly what is sent (create: the whole body; update: only the fields that
    differ; keep: nothing), `previous` the values those fields had. `also_serves` lists numbers
    outside this plan that already point at the application (an update changes their calls too).
    """

    action: AppAction
    agent: AgentRef
    app_name: str
    answer_url: str
    app_id: str | None = None
    found_by: str | None = None  # "answer URL" or "name"
    changes: Mapping[str, str] = field(default_factory=dict)
    previous: Mapping[str, str] = field(default_factory=dict)
    also_serves: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NumberStep:
    """One chosen number: the agent it should reach and what it points at now."""

    number: str
    alias: str
    agent: AgentRef
    app_name: str
    app_id: str | None  # None while the application is still to be created
    previous: CurrentApplication

    @property
    def changed(self) -> bool:
        return self.app_id is None or self.previous.app_id != self.app_id

    @property
    def serves_other(self) -> bool:
        """Re-pointing it takes it away from another (non-Ultravox) application."""
        return self.changed and self.previous.serving is Serving.OTHER

    @property
    def moves_from_agent(self) -> str | None:
        """The other Ultravox agent it reaches now, when re-pointing moves it away."""
        agent = self.previous.agent_id
        return agent if self.changed and agent and agent != self.agent.agent_id else None


@dataclass(frozen=True, slots=True)
class LinkPlan:
    apps: tuple[AppStep, ...]
    numbers: tuple[NumberStep, ...]

    @property
    def app_writes(self) -> tuple[AppStep, ...]:
        return tuple(a for a in self.apps if a.action is not AppAction.KEEP)

    @property
    def relinks(self) -> tuple[NumberStep, ...]:
        return tuple(n for n in self.numbers if n.changed)

    @property
    def unchanged(self) -> tuple[NumberStep, ...]:
        return tuple(n for n in self.numbers if not n.changed)

    @property
    def nothing_to_change(self) -> bool:
        return not self.app_writes and not self.relinks

    @property
    def steps(self) -> tuple[AppStep | NumberStep, ...]:
        """The writes in the order they must happen: applications first, then numbers."""
        return (*self.app_writes, *self.relinks)


def plan_links(
    *,
    agents: Sequence[AgentRef],
    numbers: Sequence[NumberLike],
    apps: Sequence[ApplicationLike],
    choices: Mapping[str, str],
    app_names: Mapping[str, str] | None = None,
) -> LinkPlan:
    """The plan that makes each chosen number (`number -> agent id`) reach its agent.

    `numbers` are the account's voice numbers (without `+`), `apps` its applications, `agents`
    the agents that may be chosen, `app_names` optional application names per agent id.
    UsageError for a number the account does not have, an unknown agent, or a bad name.
    """
    by_agent = {a.agent_id.lower(): a for a in agents}
    by_number = {n.number: n for n in numbers}
    names = {k.lower(): v for k, v in (app_names or {}).items()}
    for number, agent_id in choices.items():
        if number not in by_number:
            raise UsageError(
                f"{display_number(number)} is not a voice number of this Plivo account;"
                " `ultravox-plivo numbers` lists them."
            )
        if agent_id.lower() not in by_agent:
            raise UsageError(f"The agent {agent_id} cannot be chosen here.")

    chosen = list(dict.fromkeys(a.lower() for a in choices.values()))
    chosen_numbers = set(choices)
    app_steps: dict[str, AppStep] = {}
    taken: set[str] = set()  # names given to earlier agents of this plan
    for agent_id in chosen:
        step = _app_step(by_agent[agent_id], apps, names.get(agent_id), taken)
        taken.add(step.app_name.casefold())
        serving = tuple(
            n.number
            for n in numbers
            if step.app_id is not None
            and n.app_id == step.app_id
            and n.number not in chosen_numbers
        )
        if step.action is AppAction.UPDATE and serving:
            step = dataclasses.replace(step, also_serves=serving)
        app_steps[agent_id] = step

    number_steps = []
    for number, agent_id in choices.items():
        app = app_steps[agent_id.lower()]
        plivo_number = by_number[number]
        number_steps.append(
            NumberStep(
                number=number,
                alias=plivo_number.alias,
                agent=app.agent,
                app_name=app.app_name,
                app_id=app.app_id,
                previous=current_application(plivo_number.app_id, apps),
            )
        )
    return LinkPlan(tuple(app_steps.values()), tuple(number_steps))


def _app_step(
    agent: AgentRef, apps: Sequence[ApplicationLike], chosen_name: str | None, taken: set[str]
) -> AppStep:
    url = answer_url_for(agent.agent_id)
    agent_id = agent.agent_id.lower()
    if chosen_name is not None:
        problem = check_app_name(chosen_name)
        if problem:
            raise UsageError(problem)
    base_name = chosen_name or app_name_for(agent)

    # 1. By answer URL: an application already sending calls to this agent (ours by its URL).
    serving = [a for a in apps if ultravox_agent_of(a.answer_url) == agent_id]
    if serving:
        named = [a for a in serving if a.app_name.casefold() == base_name.casefold()]
        return _reuse(agent, (named or serving)[0], url, "answer URL")

    # 2. By name: ours only when it has no answer URL; a name held by another application
    #    (never modified) makes us fall back to a name with the agent id in it.
    def holder(name: str) -> ApplicationLike | None:
        return next((a for a in apps if a.app_name.casefold() == name.casefold()), None)

    candidates = [base_name]
    if chosen_name is None:
        candidates.append(f"{base_name}-{agent_id[:8]}")
    for name in candidates:
        if name.casefold() in taken:
            continue
        app = holder(name)
        if app is None:
            body = {"app_name": name, "answer_url": url, "answer_method": ANSWER_METHOD}
            return AppStep(AppAction.CREATE, agent, name, url, changes=body)
        if not app.answer_url.strip():
            return _reuse(agent, app, url, "name")
        if chosen_name is not None:
            raise UsageError(
                f"The Plivo application {name!r} already sends calls to {app.answer_url};"
                " it is not ours to change. Choose another --app-name."
            )
    raise UsageError(
        f"Plivo application names {' and '.join(repr(c) for c in candidates)} are taken by"
        f" other applications; choose a name for {agent.label} (--app-name)."
    )


def _reuse(agent: AgentRef, app: ApplicationLike, url: str, found_by: str) -> AppStep:
    wanted = {"answer_url": url, "answer_method": ANSWER_METHOD}
    now = {"answer_url": app.answer_url, "answer_method": (app.answer_method or "").upper()}
    changes = {k: v for k, v in wanted.items() if now[k] != v}
    previous = {k: app.answer_url if k == "answer_url" else app.answer_method for k in changes}
    action = AppAction.UPDATE if changes else AppAction.KEEP
    return AppStep(action, agent, app.app_name, url, app.app_id, found_by, changes, previous)


# -- agents the Ultravox config allows -----------------------------------------------------------


def check_agents_allowed(
    agent_ids: Sequence[str], *, allow_all: bool, allowed: Sequence[str], configured: bool
) -> None:
    """UsageError unless Ultravox's Plivo config lets every given agent take Plivo calls."""
    if not configured:
        raise UsageError(
            "Ultravox holds no Plivo config yet, so no agent can take Plivo calls: run"
            " `ultravox-plivo apply` (or the wizard) first."
        )
    if allow_all:
        return
    allowed_set = {a.lower() for a in allowed}
    refused = [a for a in agent_ids if a.lower() not in allowed_set]
    if refused:
        listed = ", ".join(refused)
        raise UsageError(
            f"The Ultravox Plivo config does not allow the agent {listed}: add it with"
            f" `ultravox-plivo apply --agent {refused[0]}` (plus the agents already allowed),"
            " or allow all agents."
        )


def plan_repoint(
    *, numbers: Sequence[NumberLike], apps: Sequence[ApplicationLike], choices: Mapping[str, str]
) -> LinkPlan:
    """The plan that points numbers at existing applications (`number -> app id`), e.g. to put
    them back where they were. No application is created or changed."""
    by_number = {n.number: n for n in numbers}
    by_id = {a.app_id: a for a in apps}
    steps = []
    for number, app_id in choices.items():
        if number not in by_number:
            raise UsageError(
                f"{display_number(number)} is not a voice number of this Plivo account;"
                " `ultravox-plivo numbers` lists them."
            )
        app = by_id.get(app_id)
        if app is None:
            raise UsageError(f"This Plivo account has no application {app_id}.")
        # The "agent" of a plain re-point is the application itself: it names the target.
        target = AgentRef(ultravox_agent_of(app.answer_url) or "", app.app_name or app_id)
        steps.append(
            NumberStep(
                number=number,
                alias=by_number[number].alias,
                agent=target,
                app_name=app.app_name or app_id,
                app_id=app_id,
                previous=current_application(by_number[number].app_id, apps),
            )
        )
    return LinkPlan((), tuple(steps))

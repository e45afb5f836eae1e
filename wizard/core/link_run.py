"""Carrying out a `LinkPlan` step by step, with each step's outcome kept for the report.

Applications first (a number can only point at an application that exists), then numbers, in
plan order; the first failure stops the run, so what is done, what failed and what was never
tried are always known exactly. Each re-pointed number keeps the application it served before,
so the user can put it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from wizard.core.errors import (
    WizardError,
)
from wizard.core.linking import (
    AppAction,
    AppStep,
    LinkPlan,
    NumberStep,
    display_number,
)


class LinkTarget(Protocol):
    """The writes a run needs (`PlivoNumbersClient` fits)."""

    async def create_application(self, app_name: str, answer_url: str) -> _Created: ...
    async def update_application(self, app_id: str, changes: dict[str, str]) -> None: ...
    async def link_number(self, number: str, app_id: str) -> None: ...


class _Created(Protocol):
    @property
    def app_id(self) -> str: ...


class StepStatus(StrEnum):
    DONE = "done"
    FAILED = "failed"  # refused, or no answer: see `uncertain`
    NOT_TRIED = "not tried"  # an earlier step failed, or the run was interrupted


@dataclass(slots=True)
class StepOutcome:
    step: AppStep | NumberStep
    status: StepStatus = StepStatus.NOT_TRIED
    error: WizardError | None = None
    app_id: str | None = None  # the application written, or pointed at
    uncertain: bool = False
    """True when the request got no clear answer: the change may or may not have happened."""


@dataclass
class LinkRun:
    """One run of a plan; `outcomes` is filled as it goes, so an interruption still knows."""

    plan: LinkPlan
    outcomes: list[StepOutcome] = field(default_factory=list)
    in_flight: StepOutcome | None = None

    def __post_init__(self) -> None:
        self.outcomes = [StepOutcome(step) for step in self.plan.steps]

    async def run(
        self, target: LinkTarget, on_step: Callable[[StepOutcome], None] | None = None
    ) -> LinkRun:
        """Do every step until one fails; never raises a `WizardError` (it is in the outcome)."""
        app_ids: dict[str, str | None] = {
            a.agent.agent_id: a.app_id for a in self.plan.apps if a.app_id
        }
        for outcome in self.outcomes:
            self.in_flight = outcome
            try:
                outcome.app_id = await _do(outcome.step, target, app_ids)
            except WizardError as exc:
                outcome.status, outcome.error = StepStatus.FAILED, exc
                # Only a write that got no clear answer may have happened (the error says so).
                outcome.uncertain = exc.may_have_applied
                self.in_flight = None
                if on_step is not None:
                    on_step(outcome)
                return self
            outcome.status = StepStatus.DONE
            self.in_flight = None
            if isinstance(outcome.step, AppStep):
                app_ids[outcome.step.agent.agent_id] = outcome.app_id
            if on_step is not None:
                on_step(outcome)
        return self

    # -- the report ---------------------------------------------------------------------------

    @property
    def complete(self) -> bool:
        return all(o.status is StepStatus.DONE for o in self.outcomes)

    @property
    def failed(self) -> StepOutcome | None:
        return next((o for o in self.outcomes if o.status is StepStatus.FAILED), None)

    def numbers(self, status: StepStatus) -> list[NumberStep]:
        return [
            o.step for o in self.outcomes if isinstance(o.step, NumberStep) and o.status is status
        ]

    def summary(self) -> str:
        """One or two plain sentences: what was linked, what failed, what was not changed."""
        relinks = self.plan.relinks
        done = self.numbers(StepStatus.DONE)
        if self.complete:
            if not relinks:
                return "Every application was set up; no number needed re-pointing."
            return f"Linked {_count(len(done), 'number')}: {_list(done)}."
        parts: list[str] = []
        failed = self.failed
        interrupted = failed is None
        if done:
            parts.append(f"Linked {len(done)} of {len(relinks)} numbers: {_list(done)}.")
        if failed is not None:
            parts.append(_failure_sentence(failed))
        elif self.in_flight is not None:
            parts.append(
                f"Interrupted while {_doing(self.in_flight.step)}; that may or may not have"
                " happened."
            )
        untouched = [
            n
            for n in self.numbers(StepStatus.NOT_TRIED)
            if self.in_flight is None or n is not self.in_flight.step
        ]
        if failed is not None and isinstance(failed.step, NumberStep) and not failed.uncertain:
            untouched.insert(0, failed.step)
        if untouched:
            verb = "was" if len(untouched) == 1 else "were"
            reason = "interrupted" if interrupted else "stopped there"
            parts.append(f"{_list(untouched, agents=False)} {verb} not changed ({reason}).")
        return " ".join(parts)


async def _do(
    step: AppStep | NumberStep, target: LinkTarget, app_ids: dict[str, str | None]
) -> str:
    if isinstance(step, AppStep):
        if step.action is AppAction.CREATE:
            created = await target.create_application(step.app_name, step.answer_url)
            return created.app_id
        assert step.app_id is not None  # an update always names its application
        await target.update_application(step.app_id, dict(step.changes))
        return step.app_id
    app_id = step.app_id or app_ids.get(step.agent.agent_id)
    if not app_id:
        raise AssertionError("a number step ran before its application existed")
    await target.link_number(step.number, app_id)
    return app_id


def _doing(step: AppStep | NumberStep) -> str:
    if isinstance(step, NumberStep):
        return f"pointing {display_number(step.number)} at {step.app_name}"
    verb = "creating" if step.action is AppAction.CREATE else "updating"
    return f"{verb} the application {step.app_name}"


def _failure_sentence(outcome: StepOutcome) -> str:
    error = outcome.error
    reason = error.message if error is not None else "it failed"
    if outcome.uncertain:
        return (
            f"{_capital(_doing(outcome.step))} got no clear answer ({reason.rstrip('.')}); it"
            " may or may not have happened: `ultravox-plivo numbers` shows where each number"
            " points now."
        )
    return f"{_capital(_doing(outcome.step))} failed: {reason}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _list(steps: list[NumberStep], *, agents: bool = True) -> str:
    if not agents:
        return ", ".join(display_number(s.number) for s in steps)
    return ", ".join(f"{display_number(s.number)} to {s.agent.label}" for s in steps)

"""Snapshots of the shell's steps at 80x24 (update: `uv run pytest tests/tui --snapshot-update`).

The app runs in demo mode against a fresh sandbox, so every value on screen is deterministic;
the cursor does not blink and every worker has finished before the picture is taken.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from tests.tui import flow
from tests.tui.conftest import make_options, settle, type_into
from wizard.sandbox import Fault, Sandbox
from wizard.tui.app import WizardApp

SnapCompare = Callable[..., bool]
SIZE = (80, 24)


def demo_app(sandbox: Sandbox) -> WizardApp:
    return WizardApp(make_options(sandbox, demo=True))


async def to_review(pilot: Pilot[Any]) -> None:
    await flow.drive_to(pilot, "review", mapping={"From": "user.phone_number"})


def snap(
    snap_compare: SnapCompare, sandbox: Sandbox, run_before: Callable[[Pilot[Any]], Awaitable[None]]
) -> bool:
    return snap_compare(demo_app(sandbox), terminal_size=SIZE, run_before=run_before)


def test_connect(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    assert snap(snap_compare, sandbox, settle)


def test_connect_wrong_key(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await type_into(pilot, "#api-key", "Wrongkey.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")

    assert snap(snap_compare, sandbox, run_before)


def test_plivo(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)

    assert snap(snap_compare, sandbox, run_before)


def test_plivo_wrong_token(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#auth-token", "W" * 40)

    assert snap(snap_compare, sandbox, run_before)


def test_review(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    assert snap(snap_compare, sandbox, to_review)


def test_review_rejected(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await to_review(pilot)
        sandbox.inject(
            Fault(status=400, body='{"authId": ["This Auth ID is not allowed."]}', method="POST")
        )
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, sandbox, run_before)


def test_result(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await to_review(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap(snap_compare, sandbox, run_before)


def test_help(snap_compare: SnapCompare, sandbox: Sandbox) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap(snap_compare, sandbox, run_before)

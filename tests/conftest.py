"""Shared fixtures: a running sandbox per test (real HTTP on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from wizard.sandbox import Sandbox

SandboxFactory = Callable[..., Sandbox]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A started sandbox with the 25 default agents; stopped after the test."""
    with Sandbox() as running:
        yield running


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    """Start sandboxes with custom options, e.g. `sandbox_factory(agent_count=10_000)`.

    Takes Sandbox's keyword arguments; every sandbox it started is stopped after the test.
    """
    started: list[Sandbox] = []

    def start(**options: Any) -> Sandbox:
        box = Sandbox(**options).start()
        started.append(box)
        return box

    yield start
    for box in started:
        box.stop()

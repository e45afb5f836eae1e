"""Test doubles shared by the client tests."""

from __future__ import annotations


class SleepRecorder:
    """An injected sleep that records delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)

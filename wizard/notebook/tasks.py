"""Session operations scheduled on the kernel's running loop, with references kept.

Widget callbacks are synchronous and run on the kernel's loop: an operation is a task on that
loop (never `asyncio.run`), kept in a set so it is not collected mid-flight, and its failure
goes into the face as one plain sentence (callback output shows nowhere in JupyterLab).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from wizard.flow.operations import plain_message


class Tasks:
    """The face's running operations: `start()` them, `busy` while a blocking one runs."""

    def __init__(self, on_change: Callable[[], None], on_error: Callable[[str], None]) -> None:
        self._on_change = on_change
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()
        self._groups: dict[str, asyncio.Task[Any]] = {}
        self._blocking: set[asyncio.Task[Any]] = set()

    def start(
        self, coro: Coroutine[Any, Any, Any], *, group: str | None = None, blocks: bool = False
    ) -> asyncio.Task[Any]:
        """Run `coro` on the running loop; a task of the same `group` is cancelled first."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            raise RuntimeError(
                "The notebook wizard runs in a Jupyter kernel (or another running asyncio loop)."
            ) from None
        if group is not None:
            old = self._groups.pop(group, None)
            if old is not None:
                old.cancel()
        task = loop.create_task(coro)
        self._tasks.add(task)
        if group is not None:
            self._groups[group] = task
        if blocks:
            self._blocking.add(task)
        task.add_done_callback(self._finished)
        self._on_change()
        return task

    def cancel(self, group: str) -> None:
        task = self._groups.pop(group, None)
        if task is not None:
            task.cancel()

    @property
    def busy(self) -> bool:
        """True while an operation the user waits for (check, verify, send) runs."""
        return bool(self._blocking)

    def running(self, group: str) -> bool:
        task = self._groups.get(group)
        return task is not None and not task.done()

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        self._blocking.discard(task)
        for name, held in list(self._groups.items()):
            if held is task:
                del self._groups[name]
        if not task.cancelled():
            exc = task.exception()  # retrieved here, so asyncio never logs it
            if exc is not None:
                self._on_error(plain_message(exc))
        self._on_change()

    async def idle(self, timeout: float = 30.0) -> None:
        """Wait until no operation runs (tests, and notebook cells that walk the wizard)."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
                await asyncio.sleep(0)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

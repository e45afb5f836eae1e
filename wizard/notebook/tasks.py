"""Session operations scheduled on the kernel's running loop, with references kept.

Widget callbacks are synchronous: an operation is a task on the loop the wizard was made on
(never `asyncio.run`), kept in a set so it is not collected mid-flight, and its failure goes
into the face as one plain sentence (callback output shows nowhere in JupyterLab).

JupyterLab 4.6 with ipykernel 7 may deliver a widget's messages on a kernel *subshell*: another
thread with its own event loop. An httpx client made on one loop fails on another ("bound to a
different event loop"), and the session is not thread-safe, so `adopt()` routes every message
of the wizard's widgets to the loop it was made on before any handler runs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from wizard.flow.operations import plain_message


class Tasks:
    """The face's running operations: `start()` them, `busy` while a blocking one runs."""

    def __init__(self, on_change: Callable[[], None], on_error: Callable[[str], None]) -> None:
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "The notebook wizard runs in a Jupyter kernel (or another running asyncio loop)."
            ) from None
        self._thread = threading.get_ident()
        self._on_change = on_change
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()
        self._groups: dict[str, asyncio.Task[Any]] = {}
        self._blocking: set[asyncio.Task[Any]] = set()

    def start(
        self, coro: Coroutine[Any, Any, Any], *, group: str | None = None, blocks: bool = False
    ) -> asyncio.Task[Any]:
        """Run `coro` on the wizard's loop; a task of the same `group` is cancelled first.

        Called on the wizard's thread (`adopt` sees to it for widget messages).
        """
        if threading.get_ident() != self._thread:
            coro.close()
            raise RuntimeError("A wizard operation was started outside the wizard's loop.")
        loop = self._loop
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

    def adopt(self, root: Any) -> None:
        """Handle the browser's messages to `root` and every widget under it on this loop.

        Leans on ipywidgets internals: each widget's `comm.on_msg` callback is its
        `_handle_msg` (checked by tests/notebook/test_widgets.py).
        """
        stack = [root]
        while stack:
            widget = stack.pop()
            stack.extend(getattr(widget, "children", ()))
            comm = getattr(widget, "comm", None)
            if comm is None or getattr(widget, "_uvp_adopted", False):
                continue
            widget._uvp_adopted = True
            comm.on_msg(self._on_home_loop(widget._handle_msg))

    def _on_home_loop(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def handle(msg: Any) -> None:
            if threading.get_ident() == self._thread:
                handler(msg)
            else:  # a subshell's thread: run it where the session and its clients live
                self._loop.call_soon_threadsafe(handler, msg)

        return handle

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

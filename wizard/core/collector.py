"""The cyclic garbage collector, paused while the program starts.

Starting allocates a few hundred thousand objects (the command line, Textual, the wizard's
first screen) and the collector would run about a hundred times meanwhile to find next to
nothing (reference counting frees the rest): about 15 ms of a 230 ms start here. `pause()` is
the first thing `wizard.cli.main` does; a command resumes it as soon as its options are read,
the wizard a second after its first screen (`wizard/tui/__init__.py`).
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop the cyclic collector, unless it is already off (then whoever turned it off decides)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume(*, freeze: bool = False) -> None:
    """Restart it if `pause()` stopped it. With `freeze`, collect once first and freeze what
    survived (gc.freeze): the start-up objects are then never walked again, so later
    collections stay short. A frozen object in a reference cycle is never collected either;
    start-up's few that are dropped later stay in memory (bounded, once)."""
    global _paused
    if not _paused:
        return
    _paused = False
    if freeze:
        gc.collect()
        gc.freeze()
    gc.enable()

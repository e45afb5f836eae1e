"""The six steps' ids, short names and widget classes (imported lazily, after the first frame)."""

from __future__ import annotations

import importlib

from wizard.flow.steps import SHORT_NAMES, STEP_IDS
from wizard.tui.steps.base import StepView

__all__ = ["SHORT_NAMES", "STEP_IDS", "step_class"]

STEP_CLASSES: dict[str, tuple[str, str]] = {
    "connect": ("wizard.tui.steps.connect", "ConnectStep"),
    "plivo": ("wizard.tui.steps.plivo_credentials", "PlivoStep"),
    "agents": ("wizard.tui.steps.agents", "AgentsStep"),
    "mapping": ("wizard.tui.steps.mapping", "MappingStep"),
    "review": ("wizard.tui.steps.review", "ReviewStep"),
    "result": ("wizard.tui.steps.result", "ResultStep"),
}
"""Step id -> (module, class); the modules of steps 2-6 are imported only after the first frame."""


def step_class(step_id: str) -> type[StepView]:
    """The widget class of a step, importing its module now if it is not yet."""
    module_name, name = STEP_CLASSES[step_id]
    cls: type[StepView] = getattr(importlib.import_module(module_name), name)
    return cls

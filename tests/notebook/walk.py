"""Walking the notebook wizard as a user in the browser would, shared by the widget tests."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from wizard.notebook import Wizard


def type_into(field: widgets.Widget, text: str) -> None:
    """What the browser sends when a field's value changes (Enter, for a Password)."""
    field.set_state({"value": text})


async def next_step(wizard: Wizard) -> None:
    assert not wizard.next.disabled, wizard.status.value
    wizard.next.click()
    await wizard.idle()


def all_widget_states() -> str:
    """Every live widget's state as text: what a saved notebook would hold."""
    states: list[str] = []
    from ipywidgets.widgets.widget import _instances

    for widget in list(_instances.values()):
        try:
            state: Any = widget.get_state()
        except Exception:  # noqa: S112 (a closed widget has no state to save)
            continue
        states.append(repr(state))
    return "\n".join(states)

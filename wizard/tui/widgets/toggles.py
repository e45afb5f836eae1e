"""Switches, check boxes and radio sets that Space changes and Enter never does.

Textual binds Enter to toggle these. In the wizard Enter means Next on every step, so a user
pressing Enter on "Verify with Plivo" or "Allow all agents" would silently flip a security
choice while the status line promised to go on. Here only Space toggles; Enter bubbles to Next.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Checkbox, RadioSet, Switch


class SpaceSwitch(Switch, inherit_bindings=False):
    """A Switch that Space toggles (Enter goes on)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_switch", "On/off", tooltip="Turn this on or off"),
    ]


class SpaceCheckbox(Checkbox, inherit_bindings=False):
    """A Checkbox that Space ticks (Enter goes on)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Tick", tooltip="Tick or untick"),
    ]


class SpaceRadioSet(RadioSet, inherit_bindings=False):
    """A RadioSet whose choice Space makes (Enter goes on); arrows move between choices."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "next_button", "Next option", show=False),
        Binding("up,left", "previous_button", "Previous option", show=False),
        Binding("space", "toggle_button", "Choose", tooltip="Choose this option"),
    ]

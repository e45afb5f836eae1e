"""The notebook face: `from wizard.notebook import Wizard; Wizard()` (ipywidgets 8).

The same six steps as the terminal wizard, over the same `WizardSession`. Secrets typed into a
Password field are moved into the session and the field is emptied at once, so no secret is in
any widget's state (a notebook saved with widget state keeps them as plain text).
"""

from __future__ import annotations

try:
    import ipywidgets  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError(
        "The notebook face needs ipywidgets: install the extra with"
        " pip install 'ultravox-plivo-wizard[notebook]'."
    ) from None

from wizard.notebook.wizard import Wizard

__all__ = ["Wizard"]

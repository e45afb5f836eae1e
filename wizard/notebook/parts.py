"""Small widgets every step uses: a one-line message, and a secret field that never holds one.

A `SecretField` is a Password with `continuous_update=False`: the value reaches the kernel on
Enter or when the field loses focus, the handler hands it to the session and empties the field
at once, and from then on only a masked hint says a secret was typed. A secret from the
environment or the keyring is never put into it: the hint names its source.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

LEVEL_COLOURS = {
    "error": "#b3261e",
    "warning": "#8a5a00",
    "success": "#1e7d32",
    "busy": "#555",
    "": "inherit",
}


def message_html(level: str, text: str) -> str:
    """Text (escaped: service text is never markup) in the level's colour, lines kept."""
    if not text:
        return ""
    colour = LEVEL_COLOURS.get(level, "inherit")
    body = html.escape(text).replace("\n", "<br>")
    return f'<span class="uvp-level-{level or "plain"}" style="color:{colour}">{body}</span>'


class Message(widgets.HTML):
    """One line (or a few) saying what happened, in words and colour."""

    def show(self, level: str, text: str) -> None:
        value = message_html(level, text)
        if self.text != value:
            self.value = value

    @property
    def text(self) -> str:
        return str(self.value)


def css(widget: widgets.DOMWidget, *classes: str) -> widgets.DOMWidget:
    """Add CSS classes (tests and the browser find widgets by them)."""
    for name in classes:
        widget.add_class(name)
    return widget


class SecretField(widgets.VBox):
    """A Password field whose value goes to `on_secret` and is emptied at once."""

    def __init__(
        self, label: str, placeholder: str, on_secret: Callable[[str], None], css_class: str
    ) -> None:
        self.password = widgets.Password(
            placeholder=placeholder,
            continuous_update=False,  # only Enter or leaving the field sends the value
            layout=widgets.Layout(width="30em"),
        )
        css(self.password, css_class)
        self.message = Message()
        self.hint = Message()
        self._on_secret = on_secret
        self.password.observe(self._changed, names="value")
        super().__init__(
            [widgets.Label(label), self.password, self.message, self.hint],
            layout=widgets.Layout(margin="0 0 0.5em 0"),
        )

    def _changed(self, change: dict[str, object]) -> None:
        value = change["new"]
        if not isinstance(value, str) or not value:
            return
        # Out of the widget before anything else can fail: the session keeps it from now on.
        self.password.value = ""
        self._on_secret(value.strip())

    def __repr__(self) -> str:
        return f"SecretField({self.children[0].value!r})"

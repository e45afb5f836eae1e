"""Step 1's "where secrets will be kept": the keyring that holds them, or why none can and the
user's choice between keeping them for this session only and an insecure 0600 file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import RadioSet

SESSION_LABEL = "Keep secrets for this session only"
FILE_LABEL = "Store them in a file only you can read (insecure)"


class StorageChoice(Vertical):
    """Shows where secrets go; without a secure keyring, offers session-only or the file."""

    class Chosen(Message):
        """The user picked the file (`use_file`) or session-only storage."""

        def __init__(self, use_file: bool) -> None:
            super().__init__()
            self.use_file = use_file

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._use_file: bool | None = None

    def compose(self) -> ComposeResult:
        # The choice itself is mounted only where there is one to make (no secure keyring):
        # most runs never need a RadioSet, and it would weigh on the first frame.
        yield Static("Looking for a keyring…", id="storage", classes="hint")

    @property
    def use_file(self) -> bool | None:
        """The choice shown (None while there is none to make)."""
        return self._use_file

    def show_fixed(self, text: str) -> None:
        """A secure keyring (or the demo's memory): nothing to choose, only where they go."""
        self._use_file = None
        self.query_one("#storage", Static).update(text)
        for widget in self.query("#storage-choice, #storage-file-path"):
            widget.display = False

    def show_choice(self, why: str, where: str, use_file: bool, file_path: Path) -> None:
        """No secure keyring: say why, where secrets go now, and offer the other place."""
        from textual.widgets import RadioButton

        from wizard.tui.widgets.toggles import SpaceRadioSet

        self._use_file = use_file
        self.query_one("#storage", Static).update(why)
        note = (
            where  # "stored unencrypted in <path>, readable only by you"
            if use_file
            else f"Nothing is written. The file would be {file_path} (mode 0600)."
        )
        if not self.query("#storage-choice"):
            choice = SpaceRadioSet(
                *(
                    RadioButton(_label(text, chosen), value=chosen, id=button_id)
                    for button_id, text, chosen in _choices(use_file)
                ),
                id="storage-choice",
            )
            self.mount(choice, Static(note, id="storage-file-path", classes="hint"))
            return
        if not self.query("#storage-session"):  # mounted, its buttons not composed yet
            self.call_after_refresh(self.show_choice, why, where, use_file, file_path)
            return
        self.query_one("#storage-choice").display = True
        button = self.query_one("#storage-file" if use_file else "#storage-session", RadioButton)
        if not button.value:
            button.value = True  # its Changed comes back as the choice already made: no-op
        self._mark_chosen()
        path_note = self.query_one("#storage-file-path", Static)
        path_note.display = True
        path_note.update(note)

    def _mark_chosen(self) -> None:
        from textual.widgets import RadioButton

        for button_id, text, _ in _choices(False):
            button = self.query_one(f"#{button_id}", RadioButton)
            button.label = _label(text, button.value)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._mark_chosen()
        use_file = event.pressed.id == "storage-file"
        if use_file != self._use_file:
            self._use_file = use_file
            self.post_message(self.Chosen(use_file))


def _choices(use_file: bool) -> tuple[tuple[str, str, bool], ...]:
    """(button id, label, chosen) for session-only and the file."""
    return (
        ("storage-session", SESSION_LABEL, not use_file),
        ("storage-file", FILE_LABEL, use_file),
    )


def _label(text: str, chosen: bool) -> str:
    # The radio glyph differs only by shade (nothing under NO_COLOR): say it in words too.
    return f"{text} (chosen)" if chosen else text

"""Step 1's "where secrets will be kept": the keyring that holds them, or why none can and the
user's choice between keeping them for this session only and an insecure 0600 file."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import RadioButton, RadioSet, Static

from wizard.tui.widgets.toggles import SpaceRadioSet

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
        yield Static("Looking for a keyring…", id="storage", classes="hint")
        with SpaceRadioSet(id="storage-choice"):
            yield RadioButton(SESSION_LABEL, id="storage-session")
            yield RadioButton(FILE_LABEL, id="storage-file")
        yield Static("", id="storage-file-path", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#storage-choice").display = False
        self.query_one("#storage-file-path").display = False

    @property
    def use_file(self) -> bool | None:
        """The choice shown (None while there is none to make)."""
        return self._use_file

    def show_fixed(self, text: str) -> None:
        """A secure keyring (or the demo's memory): nothing to choose, only where they go."""
        self._use_file = None
        self.query_one("#storage", Static).update(text)
        self.query_one("#storage-choice").display = False
        self.query_one("#storage-file-path").display = False

    def show_choice(self, why: str, where: str, use_file: bool, file_path: Path) -> None:
        """No secure keyring: say why, where secrets go now, and offer the other place."""
        self._use_file = use_file
        self.query_one("#storage", Static).update(why)
        choice = self.query_one("#storage-choice", RadioSet)
        choice.display = True
        button = self.query_one("#storage-file" if use_file else "#storage-session", RadioButton)
        if not button.value:
            button.value = True  # its Changed comes back as the choice already made: no-op
        self._mark_chosen()
        note = self.query_one("#storage-file-path", Static)
        note.display = True
        if use_file:
            note.update(where)  # "stored unencrypted in <path>, readable only by you"
        else:
            note.update(f"Nothing is written. The file would be {file_path} (mode 0600).")

    def _mark_chosen(self) -> None:
        # The radio glyph differs only by shade (nothing under NO_COLOR): say it in words too.
        for button_id, label in (("storage-session", SESSION_LABEL), ("storage-file", FILE_LABEL)):
            button = self.query_one(f"#{button_id}", RadioButton)
            button.label = f"{label} (chosen)" if button.value else label

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._mark_chosen()
        use_file = event.pressed.id == "storage-file"
        if use_file != self._use_file:
            self._use_file = use_file
            self.post_message(self.Chosen(use_file))

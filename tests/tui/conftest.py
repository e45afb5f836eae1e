"""Helpers for the wizard's Pilot tests: an app wired to a loopback sandbox, and settling."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import SecretService
from textual.app import App
from textual.pilot import Pilot

from wizard.core.credentials import CredentialStore, MemoryKeyring
from wizard.core.http import HttpSettings
from wizard.flow.context import ContextRecipe
from wizard.sandbox import Sandbox
from wizard.tui import WizardOptions
from wizard.tui.app import WizardApp
from wizard.tui.steps.connect import ConnectStep
from wizard.tui.steps.plivo_credentials import PlivoStep

# Fast retries: the sandbox's faults must end in a message quickly, not after real backoff.
FAST = HttpSettings(
    connect_timeout=2.0,
    read_timeout=5.0,
    max_attempts=2,
    backoff_base=0.0,
    backoff_max=0.0,
    retry_after_cap=0.0,
)

AppFactory = Callable[..., WizardApp]


@pytest.fixture(autouse=True)
def _no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check at once instead of after a typing pause (the pause is for humans)."""
    monkeypatch.setattr(ConnectStep, "DEBOUNCE", 0.0)
    monkeypatch.setattr(PlivoStep, "DEBOUNCE", 0.0)


def make_options(
    sandbox: Sandbox | None,
    base_url: str | None = None,
    *,
    demo: bool = False,
    store: CredentialStore | None = None,
    environ: Mapping[str, str] | None = None,
    use_settings: bool = False,
    settings_path: Path | None = None,
    insecure_storage: bool = False,
    **face: Any,
) -> WizardOptions:
    """Options for a wizard against `sandbox` (or `base_url`); `face` holds WizardOptions'
    own fields (debug, log_dir...). Demo mode uses the demo store unless `store` is given."""
    url = base_url or (sandbox.base_url if sandbox else "http://127.0.0.1:9")
    if store is None and not demo:
        store = CredentialStore(MemoryKeyring(), environ={})
    recipe = ContextRecipe(
        api_base=url,
        plivo_api_base=url,
        demo=demo,
        sandbox=sandbox,
        store=store,
        environ=environ,
        remember=use_settings,
        settings_path=settings_path,
        insecure_storage=insecure_storage,
        http_settings=FAST,
    )
    face.setdefault("no_blink", True)
    return WizardOptions(recipe, **face)


@pytest.fixture
def make_app(sandbox: Sandbox) -> AppFactory:
    """`make_app(**WizardOptions fields)`: a WizardApp against the test's sandbox."""

    def build(**kw: Any) -> WizardApp:
        return WizardApp(make_options(sandbox, **kw))

    return build


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish and the screen catch up (no sleeps, no timing)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_into(pilot: Pilot[Any], selector: str, text: str, *, keys: bool = False) -> None:
    """Replace a field's text: pasted at once (as people enter secrets), or key by key.

    Key by key costs a frame per key under Pilot, so it is kept for short inputs.
    """
    from textual.widgets import Input

    field = pilot.app.query_one(selector, Input)
    field.focus()
    field.value = ""
    if keys:
        await pilot.press(*list(text))
    else:
        field.insert_text_at_cursor(text)
    await settle(pilot)


def screen_text(app: App[Any]) -> str:
    """Everything on the screen as plain text, from `export_screenshot` (what a frame shows)."""
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")


class HangingKeyring(SecretService.Keyring):
    """Classified as the Secret Service, but every call blocks until released."""

    priority = -1
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(10)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(10)


@pytest.fixture
def hanging_keyring() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()

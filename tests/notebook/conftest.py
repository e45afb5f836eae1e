"""The notebook face's widget tests: a `Wizard` over a sandbox, driven as the browser would
(`set_state` with the value a field sends, `click()`), without a kernel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest

pytest.importorskip("ipywidgets", reason="the notebook face needs the [notebook] extra")

from tests.keyrings import FakeSecretService
from wizard.core.credentials import CredentialStore
from wizard.core.http import HttpSettings
from wizard.flow.context import ContextRecipe
from wizard.notebook import Wizard
from wizard.sandbox import DEMO_API_KEY, Sandbox

FAST = HttpSettings(max_attempts=1, backoff_base=0.0, backoff_max=0.0, retry_after_cap=0.0)
MakeWizard = Callable[..., Any]


@pytest.fixture
async def make_wizard(sandbox: Sandbox) -> AsyncIterator[MakeWizard]:
    """`await make_wizard(keyring={...}, api_key=...)`: a wizard settled after start-up;
    returns (wizard, keyring backend). Closed after the test."""
    made: list[Wizard] = []

    async def make(
        keyring: Mapping[str, str] | None = None,
        api_key: str | None = DEMO_API_KEY,
        box: Sandbox = sandbox,
    ) -> tuple[Wizard, FakeSecretService]:
        backend = FakeSecretService(keyring, api_key=api_key)
        recipe = ContextRecipe(
            api_base=box.base_url,
            plivo_api_base=box.base_url,
            store=CredentialStore(backend, environ={}),
            environ={},
            remember=False,
            http_settings=FAST,
        )
        wizard = Wizard(recipe=recipe)
        made.append(wizard)
        await wizard.idle()
        return wizard, backend

    yield make
    for wizard in made:
        wizard.close()
        closing = getattr(wizard, "_closing", None)
        if closing is not None:
            await closing

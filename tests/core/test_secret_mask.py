"""SecretMask: the secrets' runs worked out once, the same masking as a per-text scan."""

from __future__ import annotations

from itertools import groupby
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.core import text as text_module
from wizard.core.models import Agent
from wizard.core.text import REDACTED, SECRET_RUN, SecretMask, mask_secrets


def reference_mask(text: str, secrets: list[str], run: int = SECRET_RUN) -> str:
    """The rule, stated plainly: cover every window of `run` characters (a shorter secret's
    whole value, 4 or more) that occurs in a secret, then replace each covered stretch."""
    covered = [False] * len(text)
    for secret in secrets:
        if len(secret) < 4:
            continue
        size = min(run, len(secret))
        for i in range(len(text) - size + 1):
            if text[i : i + size] in secret:
                covered[i : i + size] = [True] * size
    runs = groupby(zip(covered, text, strict=True), key=lambda pair: pair[0])
    return "".join(REDACTED if hidden else "".join(c for _, c in run) for hidden, run in runs)


ALPHABET = st.sampled_from("abcAB01.-_x")  # small, so texts and secrets share runs often


@given(
    st.text(ALPHABET, max_size=60),
    st.lists(st.text(ALPHABET, max_size=20), max_size=3),
)
def test_the_mask_matches_the_rule(text: str, secrets: list[str]) -> None:
    assert SecretMask(secrets)(text) == reference_mask(text, secrets)
    assert mask_secrets(text, secrets) == reference_mask(text, secrets)


def test_an_echoed_part_of_a_key_is_masked_and_the_rest_kept() -> None:
    key = "Abcd1234.EfghIjklMnopQrstUvwxYz0123456789"
    said = f"unknown key {key[5:20]}, try again"
    assert SecretMask([key])(said) == f"unknown key {REDACTED}, try again"
    assert not SecretMask([]) and not SecretMask(["abc"])  # nothing to mask


def test_a_page_of_agents_works_the_secrets_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []
    original = text_module.SecretMask.__init__

    def counting(self: SecretMask, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(text_module.SecretMask, "__init__", counting)
    results = [
        {"agentId": f"id-{i}", "name": f"Agent {i}", "callTemplate": {"systemPrompt": "x" * 50}}
        for i in range(100)
    ]
    context: dict[str, Any] = {"secrets": ["Abcd1234.EfghIjklMnopQrstUvwxYz0123456789"]}
    agents = [Agent.model_validate(item, context=context) for item in results]
    assert [a.name for a in agents[:2]] == ["Agent 0", "Agent 1"]
    assert len(made) == 1

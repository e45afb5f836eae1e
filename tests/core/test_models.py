"""The field rules and models in wizard.core.models: every rule, and secrets never shown."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from wizard.core.errors import UsageError
from wizard.core.models import (
    ANSWER_URL_TEMPLATE,
    MAX_AGENTS,
    PlivoConfig,
    PlivoDraft,
    Severity,
    answer_url,
    answer_urls,
    api_key_prefix,
    build_draft,
    check_agent_ids,
    check_api_key,
    check_auth_id,
    check_auth_token,
    errors,
    mask_secret,
    normalise_agent_id,
)

AUTH_ID = "MA" + "A1B2C3D4E5F6G7H8J9"
TOKEN = "tok_" + "a" * 36  # 40 chars of the usual alphabet
CANARY = "CANARY-7f3e9b1c-d2a4-4e8b-b6f1-0c5d8a2e9f47"  # 43 chars: unusual, but accepted
AGENT_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
AGENT_B = "5e8f1d2a-9b7c-4c3e-a1f0-6d2b8e4c7a91"


def severities(findings: list[Any]) -> list[Severity]:
    return [f.severity for f in findings]


# --- Auth ID ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [AUTH_ID, "SA" + "0" * 18, "MAZZZZZZZZZZZZZZZZZZ", f"  {AUTH_ID} "]
)
def test_auth_id_valid(value: str) -> None:
    assert check_auth_id(value) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "Enter your Plivo Auth ID"),
        ("   ", "Enter your Plivo Auth ID"),
        ("XA" + "0" * 18, "starts with MA or SA"),
        ("MA" + "0" * 17, "20 characters long (19 given)"),
        ("MA" + "0" * 19, "20 characters long (21 given)"),
        ("MA" + "a" * 18, "upper-case letters and digits"),
        ("ma" + "A" * 18, "upper-case letters and digits"),
        ("MA" + "0" * 17 + "-", "upper-case letters and digits"),
    ],
)
def test_auth_id_invalid(value: str, words: str) -> None:
    findings = check_auth_id(value)
    assert severities(findings) == [Severity.ERROR]
    assert words in findings[0].message
    assert findings[0].field == "auth_id"


# --- Auth Token ------------------------------------------------------------------------------


def test_auth_token_usual_shape_is_clean() -> None:
    assert check_auth_token(TOKEN) == []
    assert check_auth_token("A-z_" * 10) == []


def test_auth_token_empty_is_error() -> None:
    assert severities(check_auth_token("")) == [Severity.ERROR]


@pytest.mark.parametrize("value", [f" {TOKEN}", f"{TOKEN}\n", "\t"])
def test_auth_token_surrounding_space_is_error(value: str) -> None:
    findings = check_auth_token(value)
    assert severities(findings) == [Severity.ERROR]
    assert "space" in findings[0].message


@pytest.mark.parametrize("value", ["short", "a" * 41, "a" * 39 + "!", "a b" * 13])
def test_auth_token_unusual_shape_only_warns(value: str) -> None:
    findings = check_auth_token(value)
    assert severities(findings) == [Severity.WARNING]
    assert f"({len(value)} characters given)" in findings[0].message
    assert value not in findings[0].message


@pytest.mark.parametrize(
    "value",
    ["ä" * 40, "a" * 20 + "\x00" + "b" * 19, "a" * 20 + "\x1b[2J" + "b" * 15, "a" * 10_000],
    ids=["non-ascii", "nul", "escape", "10k"],
)
def test_auth_token_unusable_characters_are_errors(value: str) -> None:
    # The token's own rule, so no flag that skips verification can let it through (issue 8).
    findings = check_auth_token(value)
    assert severities(findings) == [Severity.ERROR]
    assert value not in findings[0].message
    with pytest.raises(UsageError):
        build_draft(auth_id=AUTH_ID, auth_token=value, allow_all_agents=True)


@given(st.text(min_size=1))
def test_auth_token_with_a_control_character_is_always_an_error(value: str) -> None:
    token = value + "\x07" + value
    assert severities(check_auth_token(token)) == [Severity.ERROR]


# --- Agent ids -------------------------------------------------------------------------------


def test_agent_ids_valid_and_normalised() -> None:
    assert check_agent_ids([AGENT_A, AGENT_B]) == []
    assert check_agent_ids([]) == []
    assert normalise_agent_id(f" {AGENT_A.upper()} ") == AGENT_A
    assert normalise_agent_id("nope") is None


@pytest.mark.parametrize("value", ["+" + "0" * 31, "0x" + "1" * 30, "1" * 31 + "g", ""])
def test_agent_id_int_leniency_is_not_a_uuid(value: str) -> None:
    # uuid.UUID parses with int(), which takes a sign or 0x: such text is not an id.
    assert normalise_agent_id(value) is None
    assert severities(check_agent_ids([value])) == [Severity.ERROR]


def test_agent_id_decorated_forms_accepted() -> None:
    assert normalise_agent_id("{" + AGENT_A + "}") == AGENT_A
    assert normalise_agent_id("urn:uuid:" + AGENT_A) == AGENT_A
    assert normalise_agent_id(AGENT_A.replace("-", "")) == AGENT_A


def test_agent_id_not_a_uuid() -> None:
    findings = check_agent_ids([AGENT_A, "agent-1"])
    assert severities(findings) == [Severity.ERROR]
    assert "'agent-1' is not an agent id" in findings[0].message


def test_agent_id_listed_twice_even_in_another_case() -> None:
    findings = check_agent_ids([AGENT_A, AGENT_A.upper()])
    assert severities(findings) == [Severity.ERROR]
    assert "listed twice" in findings[0].message


def test_agent_ids_at_most_max() -> None:
    ids = [str(uuid.UUID(int=i + 1)) for i in range(MAX_AGENTS + 1)]
    assert check_agent_ids(ids[:MAX_AGENTS]) == []
    findings = check_agent_ids(ids)
    assert severities(findings) == [Severity.ERROR]
    assert f"At most {MAX_AGENTS}" in findings[0].message


# --- API key ---------------------------------------------------------------------------------


def test_api_key_rules() -> None:
    key = "Zk9Ht7Lm.wX7pN9fM3kLj6tRq2bGhA8yE5cZvD4sT"
    assert check_api_key(key) == []
    assert check_api_key(f" {key} ") == []
    assert severities(check_api_key("")) == [Severity.ERROR]
    odd = check_api_key(key + "x")
    # Another shape only warns: if Ultravox issued new keys, the live check decides (issue 8).
    assert severities(odd) == [Severity.WARNING]
    assert key not in odd[0].message
    assert severities(check_api_key("newstyle_key-" + "x" * 50)) == [Severity.WARNING]
    for unusable in ("   ", "abc def", key + "\x00", key[:-1] + "é", "\x1b]0;x\x07" + key):
        found = check_api_key(unusable)
        assert severities(found) == [Severity.ERROR], unusable
        assert key not in found[0].message
    assert api_key_prefix(key) == "Zk9Ht7Lm"
    assert api_key_prefix("nodot") == ""
    assert api_key_prefix("short.x") == ""


# --- Properties: the checks only ever return findings ------------------------------------------


@given(st.text())
def test_checks_never_raise(value: str) -> None:
    for check in (check_auth_id, check_auth_token, check_api_key):
        for finding in check(value):
            assert finding.severity in (Severity.ERROR, Severity.WARNING)
            assert finding.message


@given(st.lists(st.text(), max_size=5))
def test_check_agent_ids_never_raises(ids: list[str]) -> None:
    findings = check_agent_ids(ids)
    assert all(f.field == "agent_ids" for f in findings)


@given(st.text())
def test_auth_id_error_iff_not_matching_rule(value: str) -> None:
    stripped = value.strip()
    valid = (
        len(stripped) == 20
        and stripped[:2] in ("MA", "SA")
        and all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for c in stripped[2:])
    )
    assert (errors(check_auth_id(value)) == []) == valid


# --- build_draft -----------------------------------------------------------------------------


def test_build_draft_normalises() -> None:
    draft = build_draft(
        auth_id=f" {AUTH_ID} ",
        auth_token=TOKEN,
        agent_ids=[AGENT_A.upper()],
        context_mapping={"From": "user.phone"},
    )
    assert draft.auth_id == AUTH_ID
    assert draft.agent_ids == (AGENT_A,)
    assert isinstance(draft.auth_token, SecretStr)
    assert draft.auth_token.get_secret_value() == TOKEN
    assert draft.token_warnings == []


def test_build_draft_token_optional_and_warnings_kept() -> None:
    assert build_draft(auth_id=AUTH_ID).auth_token is None
    draft = build_draft(auth_id=AUTH_ID, auth_token=CANARY)
    assert severities(draft.token_warnings) == [Severity.WARNING]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"auth_id": "nope"}, "starts with MA or SA"),
        ({"auth_id": AUTH_ID, "auth_token": ""}, "Enter your Plivo Auth Token"),
        ({"auth_id": AUTH_ID, "agent_ids": ["x"]}, "not an agent id"),
        (
            {"auth_id": AUTH_ID, "allow_all_agents": True, "agent_ids": [AGENT_A]},
            "either all agents or a list",
        ),
        ({"auth_id": AUTH_ID, "context_mapping": {"From": "user..phone"}}, "empty part"),
    ],
)
def test_build_draft_errors_are_usage_errors(fields: dict[str, Any], words: str) -> None:
    with pytest.raises(UsageError) as info:
        build_draft(**fields)
    assert words in str(info.value)
    assert "Value error" not in str(info.value)


def test_build_draft_mapping_warnings_do_not_block() -> None:
    draft = build_draft(auth_id=AUTH_ID, context_mapping={"Unknown": "x", "From": "x"})
    assert draft.context_mapping == {"Unknown": "x", "From": "x"}


@pytest.mark.parametrize(
    "fields",
    [
        {"auth_id": "bad", "auth_token": CANARY},
        {"auth_id": AUTH_ID, "auth_token": f" {CANARY} "},
        {"auth_id": AUTH_ID, "auth_token": CANARY, "agent_ids": ["x"]},
        {
            "auth_id": AUTH_ID,
            "auth_token": CANARY,
            "allow_all_agents": True,
            "agent_ids": [AGENT_A],
        },
        {"auth_id": AUTH_ID, "auth_token": CANARY, "context_mapping": {"From": ""}},
        {"auth_id": None, "auth_token": CANARY},
        {"auth_id": AUTH_ID, "auth_token": CANARY, "agent_ids": 5},
    ],
)
def test_build_draft_errors_never_hold_the_token(fields: dict[str, Any]) -> None:
    with pytest.raises(UsageError) as info:
        build_draft(**fields)
    error = info.value
    for text in (str(error), repr(error), error.message, str(error.hint), repr(error.args)):
        assert CANARY not in text
    assert error.__cause__ is None
    assert error.__suppress_context__


_texts = st.text(max_size=30)
_MARK = "Qz9Canary"  # every generated token holds it; messages must not
_tokens = st.one_of(
    st.none(),
    st.just(TOKEN),
    st.builds(lambda a, b: f"{a}{_MARK}{b}", _texts, _texts),
)


@given(
    auth_id=st.one_of(_texts, st.just(AUTH_ID)),
    auth_token=_tokens,
    allow_all=st.booleans(),
    agent_ids=st.lists(st.one_of(_texts, st.just(AGENT_A), st.just(AGENT_B)), max_size=4),
    mapping=st.dictionaries(_texts, _texts, max_size=4),
)
def test_build_draft_raises_only_usage_error(
    auth_id: str,
    auth_token: str | None,
    allow_all: bool,
    agent_ids: list[str],
    mapping: dict[str, str],
) -> None:
    try:
        draft = build_draft(
            auth_id=auth_id,
            auth_token=auth_token,
            allow_all_agents=allow_all,
            agent_ids=agent_ids,
            context_mapping=mapping,
        )
    except UsageError as exc:
        assert exc.message
        assert _MARK not in str(exc)
    else:
        assert check_auth_id(draft.auth_id) == []
        assert not (draft.allow_all_agents and draft.agent_ids)
        assert _MARK not in repr(draft)


# --- Secrets never shown ---------------------------------------------------------------------


def test_draft_never_shows_token() -> None:
    draft = build_draft(auth_id=AUTH_ID, auth_token=CANARY, agent_ids=[AGENT_A])
    for text in (
        repr(draft),
        str(draft),
        draft.model_dump_json(),
        f"{draft}",
        str(draft.auth_token),
    ):
        assert CANARY not in text
    assert CANARY not in str(draft.model_dump(mode="json"))


def test_mask_secret_is_fixed_width() -> None:
    assert mask_secret(None) == ""
    assert mask_secret(SecretStr("a")) == mask_secret(SecretStr(CANARY)) == mask_secret(CANARY)
    assert CANARY not in mask_secret(CANARY)


def test_draft_is_frozen() -> None:
    draft = build_draft(auth_id=AUTH_ID)
    with pytest.raises(ValueError, match="frozen"):
        draft.auth_id = "SA" + "0" * 18  # type: ignore[misc]
    assert isinstance(draft, PlivoDraft)


# --- PlivoConfig parsing ---------------------------------------------------------------------


def test_config_parses_service_answer() -> None:
    config = PlivoConfig.model_validate(
        {
            "authId": AUTH_ID,
            "authTokenPrefix": {"prefix": "tok_"},
            "callCreationAllowedAgentIds": [AGENT_A],
            "callCreationAllowAllAgents": False,
            "requestContextMapping": {"From": "user.phone"},
            "somethingNew": 1,
        }
    )
    assert config.auth_id == AUTH_ID
    assert config.auth_token_prefix == "tok_"
    assert config.allowed_agent_ids == (AGENT_A,)
    assert config.allow_all_agents is False
    assert config.context_mapping == {"From": "user.phone"}
    assert config.to_json() == {
        "authId": AUTH_ID,
        "authTokenPrefix": {"prefix": "tok_"},
        "callCreationAllowedAgentIds": [AGENT_A],
        "callCreationAllowAllAgents": False,
        "requestContextMapping": {"From": "user.phone"},
    }


def test_config_tolerates_nulls_and_bare_prefix() -> None:
    config = PlivoConfig.model_validate(
        {
            "authId": AUTH_ID,
            "authTokenPrefix": "abcd",
            "callCreationAllowedAgentIds": None,
            "requestContextMapping": None,
        }
    )
    assert config.auth_token_prefix == "abcd"
    assert config.allowed_agent_ids == ()
    assert config.context_mapping == {}
    assert config.allow_all_agents is False
    minimal = PlivoConfig.model_validate({"authId": AUTH_ID, "authTokenPrefix": None})
    assert minimal.auth_token_prefix is None


def test_answer_urls() -> None:
    listed = PlivoConfig(auth_id=AUTH_ID, allowed_agent_ids=(AGENT_A, AGENT_B))
    assert answer_urls(listed) == [
        f"https://app.ultravox.ai/api/agents/{AGENT_A}/telephony_xml",
        f"https://app.ultravox.ai/api/agents/{AGENT_B}/telephony_xml",
    ]
    assert answer_url(AGENT_A) == answer_urls(listed)[0]
    everyone = PlivoConfig(auth_id=AUTH_ID, allow_all_agents=True)
    assert answer_urls(everyone) == [ANSWER_URL_TEMPLATE]
    assert answer_urls(PlivoConfig(auth_id=AUTH_ID)) == []

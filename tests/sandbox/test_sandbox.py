"""The sandbox over real loopback HTTP, with plain synchronous httpx calls."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import SandboxFactory
from wizard.core.models import check_api_key, check_auth_id, check_auth_token
from wizard.sandbox import (
    DEMO_ACCOUNT_NAME,
    DEMO_API_KEY,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_PLIVO_ACCOUNT_NAME,
    MAX_ALLOWED_AGENTS,
    TOKEN_PREFIX_LENGTH,
    Fault,
    Sandbox,
)
from wizard.sandbox.seed import NAME_CAPACITY, agent_name
from wizard.sandbox.ultravox import decode_cursor, encode_cursor

CONFIG = "/api/telephony_configs/plivo"
ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
OTHER_TOKEN = "Zz9_other-token-value-0123456789abcdefgh"
# One TLS context for every client: httpx builds a new one per client otherwise (~0.1 s each).
TLS = ssl.create_default_context()


def get(url: str, **options: Any) -> httpx.Response:
    return httpx.get(url, verify=TLS, **options)


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client on the sandbox with the demo Ultravox key."""
    with httpx.Client(
        verify=TLS, base_url=sandbox.base_url, headers={"X-API-Key": DEMO_API_KEY}
    ) as client:
        yield client


@pytest.fixture
def plivo(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client on the sandbox with the demo Plivo credentials."""
    with httpx.Client(
        verify=TLS, base_url=sandbox.base_url, auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
    ) as client:
        yield client


def ids(sandbox: Sandbox, count: int) -> list[str]:
    return [str(a["agentId"]) for a in sandbox.agents[:count]]


def full_body(sandbox: Sandbox, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "authId": DEMO_AUTH_ID,
        "authToken": DEMO_AUTH_TOKEN,
        "callCreationAllowedAgentIds": ids(sandbox, 2),
        "callCreationAllowAllAgents": False,
        "requestContextMapping": {"From": "user.phone"},
    }
    body.update(changes)
    return body


# --- demo data ------------------------------------------------------------------------------


def test_demo_credentials_pass_the_cores_own_rules() -> None:
    assert check_api_key(DEMO_API_KEY) == []
    assert check_auth_id(DEMO_AUTH_ID) == []
    assert check_auth_token(DEMO_AUTH_TOKEN) == []  # not even a warning


def test_agent_names_are_distinct_realistic_and_deterministic() -> None:
    names = [agent_name(i) for i in range(NAME_CAPACITY + 500)]
    assert len(set(names)) == len(names)
    assert names[:3] == ["Appointment Scheduler", "Billing Support – EU", "Front Desk (Spanish)"]
    assert all(len(name) <= 64 for name in names)  # the service's maxLength
    assert Sandbox(agent_count=30).agents == Sandbox(agent_count=30).agents


def test_cursor_round_trips_and_rejects_garbage() -> None:
    for offset in (0, 1, 100, 9_999):
        assert decode_cursor(encode_cursor(offset)) == offset
    assert decode_cursor("not a cursor!") is None
    assert decode_cursor(encode_cursor(5)[:-1] + "*") is None


# --- Ultravox authentication ----------------------------------------------------------------


def test_missing_key_is_401_and_unknown_key_403(sandbox: Sandbox) -> None:
    with httpx.Client(verify=TLS, base_url=sandbox.base_url) as client:
        missing = client.get("/api/accounts/me")
        wrong = client.get("/api/accounts/me", headers={"X-API-Key": "Wrong123." + "x" * 32})
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    assert wrong.status_code == 403
    assert wrong.json() == {"detail": "Invalid API key."}


@pytest.mark.parametrize("path", ["/api/agents", CONFIG, "/api/agents/x"])
def test_every_ultravox_endpoint_needs_the_key(sandbox: Sandbox, path: str) -> None:
    assert get(sandbox.base_url + path).status_code == 401


def test_added_key_works(sandbox: Sandbox) -> None:
    sandbox.api_keys.add("Another1." + "k" * 32)
    answer = get(
        sandbox.base_url + "/api/accounts/me", headers={"X-API-Key": "Another1." + "k" * 32}
    )
    assert answer.status_code == 200


def test_account_me(api: httpx.Client) -> None:
    answer = api.get("/api/accounts/me")
    assert answer.status_code == 200
    assert answer.json()["name"] == DEMO_ACCOUNT_NAME
    assert "accountId" in answer.json()


def test_unknown_path_404_and_wrong_method_405(api: httpx.Client) -> None:
    assert api.get("/api/nothing-here").status_code == 404
    assert api.get("/elsewhere").status_code == 404
    wrong = api.post("/api/agents", json={})
    assert wrong.status_code == 405
    assert wrong.json() == {"detail": 'Method "POST" not allowed.'}
    assert api.put(CONFIG, json={}).status_code == 405


# --- agents ---------------------------------------------------------------------------------


def test_agents_default_page(api: httpx.Client, sandbox: Sandbox) -> None:
    page = api.get("/api/agents").json()
    assert page["total"] == 25
    assert page["next"] is None and page["previous"] is None
    assert [a["agentId"] for a in page["results"]] == ids(sandbox, 25)
    first = page["results"][0]
    assert {"agentId", "name", "created", "publishedRevisionId", "statistics"} <= set(first)
    assert first["created"].endswith("Z")


def test_pagination_across_pages_follows_full_next_urls(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    seen: list[str] = []
    url: str | None = "/api/agents?pageSize=7"
    pages = []
    while url is not None:
        page = api.get(url).json()
        assert page["total"] == 25
        pages.append(page)
        seen.extend(a["agentId"] for a in page["results"])
        url = page["next"]
        if url is not None:
            assert url.startswith(sandbox.base_url + "/api/agents?")
            assert "pageSize=7" in url and "cursor=" in url
    assert [len(p["results"]) for p in pages] == [7, 7, 7, 4]
    assert seen == ids(sandbox, 25)
    assert pages[0]["previous"] is None
    back = api.get(pages[2]["previous"]).json()
    assert back["results"] == pages[1]["results"]


def test_search_is_case_insensitive_and_kept_across_pages(
    api: httpx.Client, sandbox_factory: SandboxFactory
) -> None:
    box = sandbox_factory(agent_count=400)
    expected = [a["agentId"] for a in box.agents if "support" in a["name"].lower()]
    assert len(expected) > 10
    found: list[str] = []
    url: str | None = f"{box.base_url}/api/agents?search=SUPPORT&pageSize=10"
    while url is not None:
        page = api.get(url).json()
        assert page["total"] == len(expected)
        found.extend(a["agentId"] for a in page["results"])
        url = page["next"]
        assert url is None or "search=SUPPORT" in url
    assert found == expected
    none = api.get(f"{box.base_url}/api/agents", params={"search": "zzz-no-such"}).json()
    assert none == {"next": None, "previous": None, "results": [], "total": 0}


def test_sort_by_name(api: httpx.Client) -> None:
    names = [a["name"] for a in api.get("/api/agents", params={"sort": "name"}).json()["results"]]
    assert names == sorted(names, key=str.casefold)
    desc = [a["name"] for a in api.get("/api/agents", params={"sort": "-name"}).json()["results"]]
    assert desc == names[::-1]


def test_page_size_bad_values_fall_back_and_big_ones_are_capped(
    api: httpx.Client, sandbox_factory: SandboxFactory
) -> None:
    box = sandbox_factory(agent_count=600)
    url = f"{box.base_url}/api/agents"
    assert len(api.get(url, params={"pageSize": "abc"}).json()["results"]) == 100
    assert len(api.get(url, params={"pageSize": "0"}).json()["results"]) == 100
    assert len(api.get(url, params={"pageSize": "10000"}).json()["results"]) == 500


def test_invalid_cursor_is_404(api: httpx.Client) -> None:
    answer = api.get("/api/agents", params={"cursor": "garbage!"})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Invalid cursor"}


def test_ten_thousand_agents(api: httpx.Client, sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(agent_count=10_000)
    assert len({a["name"] for a in box.agents}) == 10_000
    first = api.get(f"{box.base_url}/api/agents", params={"pageSize": 500}).json()
    assert first["total"] == 10_000
    assert len(first["results"]) == 500
    second = api.get(first["next"]).json()
    assert second["results"][0]["agentId"] == box.agents[500]["agentId"]
    last = api.get(
        f"{box.base_url}/api/agents", params={"pageSize": 500, "cursor": encode_cursor(9_500)}
    ).json()
    assert last["next"] is None and len(last["results"]) == 500
    vip = api.get(f"{box.base_url}/api/agents", params={"search": "vip"}).json()
    assert vip["total"] == sum("vip" in a["name"].lower() for a in box.agents) > 0


def test_get_agent(api: httpx.Client, sandbox: Sandbox) -> None:
    agent = sandbox.agents[3]
    assert api.get(f"/api/agents/{agent['agentId']}").json() == agent
    upper = api.get(f"/api/agents/{str(agent['agentId']).upper()}")
    assert upper.status_code == 200
    missing = api.get("/api/agents/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}
    assert api.get("/api/agents/not-a-uuid").status_code == 404


# --- Plivo config: lifecycle ------------------------------------------------------------------


def test_config_lifecycle(api: httpx.Client, sandbox: Sandbox) -> None:
    assert api.get(CONFIG).status_code == 404
    assert api.get(CONFIG).json() == {"detail": "Not found."}
    body = full_body(sandbox)
    created = api.post(CONFIG, json=body)
    assert created.status_code == 201
    expected = {
        "authId": DEMO_AUTH_ID,
        "authTokenPrefix": {"prefix": DEMO_AUTH_TOKEN[:TOKEN_PREFIX_LENGTH]},
        "callCreationAllowedAgentIds": body["callCreationAllowedAgentIds"],
        "callCreationAllowAllAgents": False,
        "requestContextMapping": {"From": "user.phone"},
    }
    assert created.json() == expected
    assert api.get(CONFIG).json() == expected
    assert sandbox.plivo_config is not None
    assert sandbox.plivo_config["authToken"] == DEMO_AUTH_TOKEN
    deleted = api.delete(CONFIG)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "content-length" not in deleted.headers
    assert api.get(CONFIG).status_code == 404
    assert api.delete(CONFIG).status_code == 404
    assert sandbox.plivo_config is None


def test_post_defaults_and_second_post_replaces(api: httpx.Client, sandbox: Sandbox) -> None:
    minimal = api.post(CONFIG, json={"authId": DEMO_AUTH_ID, "authToken": DEMO_AUTH_TOKEN})
    assert minimal.status_code == 201
    assert minimal.json()["callCreationAllowedAgentIds"] == []
    assert minimal.json()["callCreationAllowAllAgents"] is False
    assert minimal.json()["requestContextMapping"] == {}
    again = api.post(CONFIG, json={"authId": DEMO_AUTH_ID, "authToken": OTHER_TOKEN})
    assert again.status_code == 201
    assert again.json()["authTokenPrefix"] == {"prefix": OTHER_TOKEN[:TOKEN_PREFIX_LENGTH]}


def test_patch_merges_and_keeps_token(api: httpx.Client, sandbox: Sandbox) -> None:
    api.post(CONFIG, json=full_body(sandbox))
    patched = api.patch(CONFIG, json={"requestContextMapping": {"To": "call.to"}})
    assert patched.status_code == 200
    assert patched.json()["requestContextMapping"] == {"To": "call.to"}
    assert patched.json()["callCreationAllowedAgentIds"] == ids(sandbox, 2)
    assert patched.json()["authTokenPrefix"] == {"prefix": DEMO_AUTH_TOKEN[:TOKEN_PREFIX_LENGTH]}
    token = api.patch(CONFIG, json={"authToken": OTHER_TOKEN})
    assert token.json()["authTokenPrefix"] == {"prefix": OTHER_TOKEN[:TOKEN_PREFIX_LENGTH]}


def test_patch_to_allow_all_needs_the_list_emptied(api: httpx.Client, sandbox: Sandbox) -> None:
    api.post(CONFIG, json=full_body(sandbox))
    refused = api.patch(CONFIG, json={"callCreationAllowAllAgents": True})
    assert refused.status_code == 400
    assert list(refused.json()) == ["non_field_errors"]
    assert sandbox.plivo_config is not None
    assert sandbox.plivo_config["callCreationAllowAllAgents"] is False  # unchanged
    switched = api.patch(
        CONFIG, json={"callCreationAllowAllAgents": True, "callCreationAllowedAgentIds": []}
    )
    assert switched.status_code == 200
    assert switched.json()["callCreationAllowAllAgents"] is True
    assert switched.json()["callCreationAllowedAgentIds"] == []
    back = api.patch(
        CONFIG,
        json={"callCreationAllowAllAgents": False, "callCreationAllowedAgentIds": ids(sandbox, 1)},
    )
    assert back.status_code == 200
    assert back.json()["callCreationAllowedAgentIds"] == ids(sandbox, 1)


def test_patch_without_config_is_404(api: httpx.Client) -> None:
    answer = api.patch(CONFIG, json={"requestContextMapping": {}})
    assert answer.status_code == 404


def test_token_is_never_returned(api: httpx.Client, sandbox: Sandbox) -> None:
    answers = [
        api.post(CONFIG, json=full_body(sandbox)),
        api.get(CONFIG),
        api.patch(CONFIG, json={"authToken": OTHER_TOKEN}),
        api.get(CONFIG),
        api.post(CONFIG, json=full_body(sandbox, authId="bad")),
    ]
    for answer in answers:
        assert DEMO_AUTH_TOKEN not in answer.text
        assert OTHER_TOKEN not in answer.text
        assert "authToken" not in answer.json()


# --- Plivo config: validation ---------------------------------------------------------------


def post_errors(api: httpx.Client, body: Any) -> Any:
    answer = api.post(CONFIG, json=body)
    assert answer.status_code == 400, answer.text
    return answer.json()


def test_required_fields(api: httpx.Client) -> None:
    assert post_errors(api, {}) == {
        "authId": ["This field is required."],
        "authToken": ["This field is required."],
    }


def test_empty_body_counts_as_no_fields(api: httpx.Client) -> None:
    answer = api.post(CONFIG)
    assert answer.status_code == 400
    assert set(answer.json()) == {"authId", "authToken"}


@pytest.mark.parametrize(
    "auth_id", ["", "MA123", "XA" + "0" * 18, "ma" + "A" * 18, "MA" + "a" * 18, 12, None]
)
def test_bad_auth_id(api: httpx.Client, sandbox: Sandbox, auth_id: Any) -> None:
    errors = post_errors(api, full_body(sandbox, authId=auth_id))
    assert list(errors) == ["authId"]
    assert len(errors["authId"]) == 1


def test_sub_account_ids_are_accepted(api: httpx.Client, sandbox: Sandbox) -> None:
    assert api.post(CONFIG, json=full_body(sandbox, authId="SA" + "B" * 18)).status_code == 201


@pytest.mark.parametrize("token", ["", "   ", 42])
def test_bad_token(api: httpx.Client, sandbox: Sandbox, token: Any) -> None:
    assert list(post_errors(api, full_body(sandbox, authToken=token))) == ["authToken"]


def test_agent_id_errors(api: httpx.Client, sandbox: Sandbox) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    errors = post_errors(
        api, full_body(sandbox, callCreationAllowedAgentIds=["nope", unknown, ids(sandbox, 1)[0]])
    )
    assert errors == {
        "callCreationAllowedAgentIds": [
            "“nope” is not a valid UUID.",
            f'Invalid pk "{unknown}" - object does not exist.',
        ]
    }
    not_list = post_errors(api, full_body(sandbox, callCreationAllowedAgentIds="abc"))
    assert not_list == {
        "callCreationAllowedAgentIds": ['Expected a list of items but got type "str".']
    }


def test_at_most_100_agents(api: httpx.Client, sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(agent_count=MAX_ALLOWED_AGENTS + 1)
    url = box.base_url + CONFIG
    body = full_body(box, callCreationAllowedAgentIds=ids(box, MAX_ALLOWED_AGENTS + 1))
    too_many = api.post(url, json=body)
    assert too_many.status_code == 400
    assert list(too_many.json()) == ["callCreationAllowedAgentIds"]
    body["callCreationAllowedAgentIds"] = ids(box, MAX_ALLOWED_AGENTS)
    assert api.post(url, json=body).status_code == 201


def test_duplicate_and_upper_case_ids_collapse(api: httpx.Client, sandbox: Sandbox) -> None:
    one = ids(sandbox, 1)[0]
    answer = api.post(
        CONFIG, json=full_body(sandbox, callCreationAllowedAgentIds=[one, one.upper()])
    )
    assert answer.status_code == 201
    assert answer.json()["callCreationAllowedAgentIds"] == [one]


def test_list_with_allow_all_is_refused(api: httpx.Client, sandbox: Sandbox) -> None:
    errors = post_errors(api, full_body(sandbox, callCreationAllowAllAgents=True))
    assert errors == {
        "non_field_errors": [
            "callCreationAllowedAgentIds may not be set when callCreationAllowAllAgents is true."
        ]
    }
    allowed = api.post(
        CONFIG,
        json=full_body(sandbox, callCreationAllowAllAgents=True, callCreationAllowedAgentIds=[]),
    )
    assert allowed.status_code == 201


def test_boolean_and_mapping_types(api: httpx.Client, sandbox: Sandbox) -> None:
    assert post_errors(api, full_body(sandbox, callCreationAllowAllAgents="maybe")) == {
        "callCreationAllowAllAgents": ["Must be a valid boolean."]
    }
    assert post_errors(api, full_body(sandbox, requestContextMapping=["From"])) == {
        "requestContextMapping": ['Expected a dictionary of items but got type "list".']
    }
    assert post_errors(api, full_body(sandbox, requestContextMapping={"From": 5})) == {
        "requestContextMapping": ['Value for "From": not a valid string.']
    }
    assert post_errors(api, full_body(sandbox, requestContextMapping=None)) == {
        "requestContextMapping": ["This field may not be null."]
    }


def test_body_that_is_not_an_object_or_not_json(api: httpx.Client) -> None:
    assert post_errors(api, ["authId"]) == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
    broken = api.post(CONFIG, content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("JSON parse error")
    form = api.post(CONFIG, data={"authId": DEMO_AUTH_ID})
    assert form.status_code == 415


def test_chunked_request_body(api: httpx.Client, sandbox: Sandbox) -> None:
    payload = json.dumps(full_body(sandbox)).encode()

    def pieces() -> Iterator[bytes]:
        yield payload[:10]
        yield payload[10:]

    answer = api.post(CONFIG, content=pieces(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 201
    assert sandbox.requests[-1].json == full_body(sandbox)
    assert api.get(CONFIG).status_code == 200  # the connection is still in step


def test_validation_failure_changes_nothing(api: httpx.Client, sandbox: Sandbox) -> None:
    api.post(CONFIG, json=full_body(sandbox))
    before = dict(sandbox.plivo_config or {})
    assert api.patch(CONFIG, json={"authId": "bad", "authToken": OTHER_TOKEN}).status_code == 400
    assert sandbox.plivo_config == before


def test_unknown_and_read_only_fields_are_ignored(api: httpx.Client, sandbox: Sandbox) -> None:
    body = full_body(sandbox, authTokenPrefix={"prefix": "forged"}, somethingElse=1)
    answer = api.post(CONFIG, json=body)
    assert answer.status_code == 201
    assert answer.json()["authTokenPrefix"] == {"prefix": DEMO_AUTH_TOKEN[:TOKEN_PREFIX_LENGTH]}


# --- recording ------------------------------------------------------------------------------


def test_requests_are_recorded_with_secrets_redacted(
    api: httpx.Client, plivo: httpx.Client, sandbox: Sandbox
) -> None:
    body = full_body(sandbox)
    api.post(CONFIG, json=body)
    api.get("/api/agents", params={"search": "desk"})
    plivo.get(ACCOUNT)
    post, listing, verify = sandbox.requests
    assert (post.method, post.path, post.json) == ("POST", CONFIG, body)
    assert post.headers["x-api-key"] == "<redacted>"
    assert listing.query == {"search": "desk"}
    assert listing.json is None
    assert verify.headers["authorization"] == "<redacted>"
    recorded = repr(sandbox.requests[1:])
    assert DEMO_API_KEY not in recorded and DEMO_AUTH_TOKEN not in recorded


def test_reset_restores_the_seed(api: httpx.Client, sandbox: Sandbox) -> None:
    api.post(CONFIG, json=full_body(sandbox))
    sandbox.api_keys.add("Extra123." + "e" * 32)
    sandbox.agents.pop()
    sandbox.inject(Fault(status=500))
    sandbox.reset()
    assert sandbox.plivo_config is None
    assert sandbox.requests == []
    assert sandbox.api_keys == {DEMO_API_KEY}
    assert len(sandbox.agents) == 25
    assert sandbox.pending_faults == []


# --- faults ---------------------------------------------------------------------------------


def test_status_fault_then_normal_answer(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=503), Fault(status=502, times=2))
    statuses = [api.get("/api/accounts/me").status_code for _ in range(5)]
    assert statuses == [503, 502, 502, 200, 200]
    assert sandbox.pending_faults == []


def test_fault_default_body_and_content_length(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=500))
    answer = api.get("/api/agents")
    assert answer.json() == {"detail": "Internal Server Error"}
    assert answer.headers["content-length"] == str(len(answer.content))


def test_faults_come_before_authentication(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=504))
    assert get(sandbox.base_url + "/api/accounts/me").status_code == 504


def test_rate_limit_with_retry_after(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=429, retry_after="3"))
    answer = api.post(CONFIG, json=full_body(sandbox))
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "3"
    assert sandbox.plivo_config is None  # not processed


def test_html_error_page(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault.html(502))
    answer = api.get("/api/accounts/me")
    assert answer.status_code == 502
    assert answer.headers["content-type"] == "text/html"
    assert answer.text.startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError):
        answer.json()


def test_malformed_json(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault.malformed())
    answer = api.get("/api/agents")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        answer.json()


def test_custom_body_bytes(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=400, body=b'{"authId": ["Nope."]}'))
    assert api.post(CONFIG, json={}).json() == {"authId": ["Nope."]}


def test_drop_closes_without_an_answer(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(drop=True))
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/api/accounts/me")
    assert api.get("/api/accounts/me").status_code == 200  # the pool recovers
    assert len(sandbox.requests) == 2


def test_delay_beyond_read_timeout_is_a_timeout(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(delay=5.0))
    timeout = httpx.Timeout(5.0, read=0.2)
    with (
        httpx.Client(verify=TLS, base_url=sandbox.base_url, timeout=timeout) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get("/api/accounts/me", headers={"X-API-Key": DEMO_API_KEY})


def test_delay_only_still_answers(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(delay=0.05))
    assert api.get("/api/accounts/me").status_code == 200


def test_fault_matching_by_method_and_path(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=500, method="POST", path_prefix=CONFIG))
    assert api.get("/api/agents").status_code == 200
    assert api.get(CONFIG).status_code == 404
    assert api.post(CONFIG, json=full_body(sandbox)).status_code == 500
    assert api.post(CONFIG, json=full_body(sandbox)).status_code == 201


def test_clear_faults(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(status=500, times=10))
    sandbox.clear_faults()
    assert api.get("/api/accounts/me").status_code == 200


def test_latency_still_answers(sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(latency=0.01)
    answer = get(box.base_url + "/api/accounts/me", headers={"X-API-Key": DEMO_API_KEY})
    assert answer.status_code == 200


# --- Plivo ----------------------------------------------------------------------------------


def test_plivo_verify(plivo: httpx.Client) -> None:
    answer = plivo.get(ACCOUNT)
    assert answer.status_code == 200
    assert answer.json()["name"] == DEMO_PLIVO_ACCOUNT_NAME
    assert answer.json()["auth_id"] == DEMO_AUTH_ID
    assert answer.json()["account_type"] == "standard"
    assert "api_id" in answer.json()


@pytest.mark.parametrize(
    "auth",
    [None, (DEMO_AUTH_ID, "wrong"), ("MA" + "9" * 18, DEMO_AUTH_TOKEN), (DEMO_AUTH_ID, "")],
)
def test_plivo_refuses_wrong_credentials_with_non_json(
    sandbox: Sandbox, auth: tuple[str, str] | None
) -> None:
    answer = get(sandbox.base_url + ACCOUNT, auth=auth)
    assert answer.status_code == 401
    assert answer.text == "Unauthorized"


def test_plivo_path_must_match_the_credentials(sandbox: Sandbox) -> None:
    other = "SA" + "1" * 18
    sandbox.plivo_accounts[other] = OTHER_TOKEN
    assert get(f"{sandbox.base_url}/v1/Account/{other}/", auth=(other, OTHER_TOKEN)).is_success
    mixed = get(f"{sandbox.base_url}{ACCOUNT}", auth=(other, OTHER_TOKEN))
    assert mixed.status_code == 401


def test_plivo_applications_and_numbers(plivo: httpx.Client) -> None:
    apps = plivo.get(ACCOUNT + "Application/", params={"limit": 2, "offset": 0}).json()
    assert apps["meta"]["total_count"] == 3
    assert apps["meta"]["limit"] == 2
    assert apps["meta"]["next"] == f"{ACCOUNT}Application/?limit=2&offset=2"
    assert {"app_id", "app_name", "answer_url", "answer_method"} <= set(apps["objects"][0])
    rest = plivo.get(apps["meta"]["next"]).json()
    assert len(rest["objects"]) == 1 and rest["meta"]["next"] is None
    numbers = plivo.get(ACCOUNT + "Number/").json()
    app_ids = {a["app_id"] for a in apps["objects"] + rest["objects"]}
    linked = [n["application"] for n in numbers["objects"] if n["application"]]
    assert linked and all(uri.rstrip("/").rsplit("/", 1)[-1] in app_ids for uri in linked)
    too_big = plivo.get(ACCOUNT + "Application/", params={"limit": 21})
    assert too_big.status_code == 400 and "error" in too_big.json()


def test_plivo_application_update(plivo: httpx.Client, sandbox: Sandbox) -> None:
    app_id = sandbox.plivo_apps[DEMO_AUTH_ID][0]["app_id"]
    url = "https://app.ultravox.ai/api/agents/x/telephony_xml"
    changed = plivo.post(
        f"{ACCOUNT}Application/{app_id}/", json={"answer_url": url, "answer_method": "POST"}
    )
    assert changed.status_code == 202
    assert changed.json()["message"] == "changed"
    assert plivo.get(f"{ACCOUNT}Application/{app_id}/").json()["answer_url"] == url
    form = plivo.post(f"{ACCOUNT}Application/{app_id}/", data={"answer_method": "get"})
    assert form.status_code == 202
    assert sandbox.plivo_apps[DEMO_AUTH_ID][0]["answer_method"] == "GET"
    assert sandbox.requests[-1].form == {"answer_method": "get"}
    bad = plivo.post(f"{ACCOUNT}Application/{app_id}/", json={"answer_method": "PUT"})
    assert bad.status_code == 400
    assert plivo.post(f"{ACCOUNT}Application/nope/", json={}).status_code == 404


# --- lifecycle ------------------------------------------------------------------------------


def test_stop_refuses_new_connections_and_is_idempotent() -> None:
    box = Sandbox().start()
    url = box.base_url
    box.stop()
    box.stop()
    assert not box.running
    with pytest.raises(httpx.ConnectError):
        get(url + "/api/accounts/me")


def test_stop_cuts_a_delayed_answer_and_keepalive_connections() -> None:
    box = Sandbox().start()
    box.inject(Fault(delay=60, path_prefix="/api/agents"))
    outcome: list[object] = []
    client = httpx.Client(verify=TLS, base_url=box.base_url, headers={"X-API-Key": DEMO_API_KEY})
    assert client.get("/api/accounts/me").status_code == 200  # a pooled keep-alive connection

    def call() -> None:
        try:
            outcome.append(client.get("/api/agents"))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    while not any(r.path == "/api/agents" for r in box.requests):
        threading.Event().wait(0.01)
    box.stop()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert isinstance(outcome[0], httpx.HTTPError)
    with pytest.raises(httpx.HTTPError):
        client.get("/api/accounts/me")
    client.close()


def test_fixed_port_and_context_manager() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Sandbox(port=port) as box:
        assert box.base_url == f"http://127.0.0.1:{port}"
        assert get(box.base_url + "/api/accounts/me").status_code == 401
    assert not box.running


def test_base_url_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        _ = Sandbox().base_url


def test_describe_names_everything_needed(sandbox: Sandbox) -> None:
    text = sandbox.describe()
    for needed in (
        sandbox.base_url,
        DEMO_API_KEY,
        DEMO_AUTH_ID,
        DEMO_AUTH_TOKEN,
        f"ULTRAVOX_API_BASE={sandbox.base_url}",
        f"PLIVO_API_BASE={sandbox.base_url}",
    ):
        assert needed in text


def test_serve_forever_returns_after_stop() -> None:
    box = Sandbox()
    runner = threading.Thread(target=box.serve_forever)
    runner.start()
    while not box.running:
        threading.Event().wait(0.01)
    assert get(box.base_url + "/api/accounts/me").status_code == 401
    box.stop()
    runner.join(timeout=10)
    assert not runner.is_alive()


def test_recorded_requests_are_capped() -> None:
    """A long-running `ultravox-plivo sandbox` keeps only the latest requests."""
    from wizard.sandbox.state import MAX_RECORDED_REQUESTS
    from wizard.sandbox.wire import Request

    box = Sandbox()  # not started: record() is what the server calls per request
    for n in range(MAX_RECORDED_REQUESTS + 5):
        box.record(
            Request(method="GET", path=f"/n/{n}", query={}, headers={}, body=b"", base_url=""),
            None,
            None,
        )
    assert len(box.requests) == MAX_RECORDED_REQUESTS
    assert box.requests[0].path == "/n/5"
    assert box.requests[-1].path == f"/n/{MAX_RECORDED_REQUESTS + 4}"
    assert isinstance(box.requests, list)


def test_log_callback_gets_one_line_per_request_without_secrets(
    sandbox_factory: SandboxFactory,
) -> None:
    lines: list[str] = []
    box = sandbox_factory(log=lines.append)
    get(box.base_url + "/api/accounts/me", headers={"X-API-Key": DEMO_API_KEY})
    assert lines == ["GET /api/accounts/me -> 200"]


def test_concurrent_clients(sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(agent_count=1_000)
    results: list[int] = []
    lock = threading.Lock()

    def fetch(offset: int) -> None:
        page = get(
            box.base_url + "/api/agents",
            params={"pageSize": 50, "cursor": encode_cursor(offset)},
            headers={"X-API-Key": DEMO_API_KEY},
        ).json()
        with lock:
            results.extend(range(offset, offset + len(page["results"])))

    threads = [threading.Thread(target=fetch, args=(i * 50,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1_000))

"""The sandbox's Plivo Applications and Numbers: shapes, paging, writes, rules and limits."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, Sandbox

ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
TLS = ssl.create_default_context()
URL = "https://app.ultravox.ai/api/agents/6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d/telephony_xml"


@pytest.fixture
def plivo(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        verify=TLS, base_url=sandbox.base_url, auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
    ) as client:
        yield client


def test_create_application_answers_201_like_plivo(plivo: httpx.Client, sandbox: Sandbox) -> None:
    answer = plivo.post(
        ACCOUNT + "Application/",
        json={"app_name": "ultravox-sales", "answer_url": URL, "answer_method": "POST"},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"api_id", "app_id", "message"}
    assert body["message"] == "created"
    created = plivo.get(f"{ACCOUNT}Application/{body['app_id']}/").json()
    assert created["app_name"] == "ultravox-sales"
    assert created["answer_url"] == URL and created["answer_method"] == "POST"
    assert created["hangup_url"] == URL  # Plivo's default: the answer URL
    assert sandbox.plivo_apps[DEMO_AUTH_ID][-1]["app_id"] == body["app_id"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"answer_url": URL}, "app_name is required"),
        ({"app_name": "has space", "answer_url": URL}, "only letters"),
        ({"app_name": "é", "answer_url": URL}, "only letters"),
        ({"app_name": "ok"}, "answer_url"),
        ({"app_name": "ok", "answer_url": "ftp://x"}, "answer_url"),
        ({"app_name": "ok", "answer_url": URL, "answer_method": "PUT"}, "answer_method"),
    ],
)
def test_create_application_rules(
    plivo: httpx.Client, body: dict[str, str], words: str, sandbox: Sandbox
) -> None:
    before = len(sandbox.plivo_apps[DEMO_AUTH_ID])
    answer = plivo.post(ACCOUNT + "Application/", json=body)
    assert answer.status_code == 400
    assert words in answer.json()["error"] and "api_id" in answer.json()
    assert len(sandbox.plivo_apps[DEMO_AUTH_ID]) == before


def test_number_update_needs_an_existing_app_id(plivo: httpx.Client, sandbox: Sandbox) -> None:
    path = ACCOUNT + "Number/442079460321/"
    assert plivo.get(path).json()["application"] is None
    no_app = plivo.post(path, json={"alias": "London"})
    assert no_app.status_code == 400 and "app_id" in no_app.json()["error"]
    assert plivo.post(path, json={"app_id": "nope"}).status_code == 400
    app_id = sandbox.plivo_apps[DEMO_AUTH_ID][1]["app_id"]
    changed = plivo.post(path, json={"app_id": app_id})
    assert changed.status_code == 202 and changed.json()["message"] == "changed"
    assert plivo.get(path).json()["application"] == f"{ACCOUNT}Application/{app_id}/"
    assert plivo.post(ACCOUNT + "Number/10000000000/", json={"app_id": app_id}).status_code == 404


def test_numbers_filter_voice_and_page_at_20(plivo: httpx.Client, sandbox: Sandbox) -> None:
    everything = plivo.get(ACCOUNT + "Number/").json()["objects"]
    voice = plivo.get(ACCOUNT + "Number/", params={"services": "voice"}).json()["objects"]
    assert len(voice) == len(everything) - 1 and all(n["voice_enabled"] for n in voice)
    sandbox.plivo_numbers[DEMO_AUTH_ID] += [
        {"number": f"1415555{i:04d}", "alias": "", "application": None, "voice_enabled": True}
        for i in range(30)
    ]
    first = plivo.get(ACCOUNT + "Number/", params={"limit": 20, "offset": 0}).json()
    assert len(first["objects"]) == 20
    assert first["meta"]["total_count"] == len(everything) + 30
    assert first["meta"]["next"] == f"{ACCOUNT}Number/?limit=20&offset=20"
    last = plivo.get(ACCOUNT + "Number/", params={"limit": 20, "offset": 20}).json()
    assert last["meta"]["next"] is None and last["meta"]["previous"] is not None


def test_rate_limit_answers_429_past_the_window(plivo: httpx.Client, sandbox: Sandbox) -> None:
    assert sandbox.plivo_rate_limit == (300, 5.0)  # Plivo's documented limit
    sandbox.plivo_rate_limit = (3, 60.0)
    codes = [plivo.get(ACCOUNT + "Application/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert plivo.get(ACCOUNT).status_code == 200  # the account check is not counted
    sandbox.plivo_rate_limit = (3, 0.0)  # an empty window: the next request passes
    assert plivo.get(ACCOUNT + "Number/").status_code == 200


@pytest.mark.parametrize("path", ["Application/", "Number/", "Number/14155550199/"])
def test_faults_reach_every_endpoint(plivo: httpx.Client, sandbox: Sandbox, path: str) -> None:
    sandbox.inject(Fault(status=503, path_prefix=ACCOUNT + path))
    method = "POST" if path.count("/") > 1 else "GET"
    assert plivo.request(method, ACCOUNT + path, json={}).status_code == 503


def test_wrong_credentials_are_refused_before_the_limit(sandbox: Sandbox) -> None:
    with httpx.Client(
        verify=TLS, base_url=sandbox.base_url, auth=(DEMO_AUTH_ID, "x" * 40)
    ) as client:
        assert client.get(ACCOUNT + "Number/").status_code == 401

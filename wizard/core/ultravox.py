"""The Ultravox API client: account check, agents, and the Plivo telephony config."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr, TypeAdapter, ValidationError

from wizard.core.errors import MalformedResponseError, NotFoundError, UsageError
from wizard.core.http import (
    DEFAULT_ULTRAVOX_API_BASE,
    ApiClient,
    ApiSession,
    HttpSettings,
    ServiceProfile,
    Sleep,
)
from wizard.core.models import Account, Agent, AgentPage, PlivoConfig

if TYPE_CHECKING:
    from wizard.core.plan import Plan

__all__ = ["DEFAULT_ULTRAVOX_API_BASE", "UltravoxClient"]

ULTRAVOX = ServiceProfile(
    name="Ultravox",
    credential="API key",
    auth_hint="Check the key or create a new one at https://app.ultravox.ai/settings/.",
)
PLIVO_CONFIG_PATH = "/api/telephony_configs/plivo"
AGENTS_PATH = "/api/agents"

_AGENT_LIST = TypeAdapter(list[Agent])
MAX_AGENT_PAGES = 500  # 50,000 agents at 100 a page


class UltravoxClient(ApiClient):
    """Async client for the Ultravox endpoints the wizard uses; one connection pool each.

    Use as `async with UltravoxClient(key) as client:` or call `aclose()` when done. A key
    that cannot be a header value (a newline, non-ASCII) fails at the first request with a
    UsageError that never quotes it.
    """

    def __init__(
        self,
        api_key: SecretStr,
        base_url: str = DEFAULT_ULTRAVOX_API_BASE,
        *,
        settings: HttpSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        key = api_key.get_secret_value().strip()
        super().__init__(
            ApiSession(
                ULTRAVOX,
                base_url,
                headers={"X-API-Key": key},
                settings=settings,
                transport=transport,
                secrets=(key,),
                sleep=sleep,
                credential_headers={"X-API-Key": "The Ultravox API key"},
            )
        )

    async def get_account(self) -> Account:
        """The account the API key belongs to (also the cheapest way to check a key)."""
        response = await self._session.request("GET", "/api/accounts/me")
        return self._session.decode(response, Account)

    async def iter_agent_pages(
        self,
        search: str | None = None,
        page_size: int = 100,
        max_pages: int = MAX_AGENT_PAGES,
        *,
        resume_from: str | None = None,
    ) -> AsyncIterator[AgentPage]:
        """The account's agents page by page, following each page's `next` URL.

        `resume_from` is a page's `next` URL: a retry after a failed page goes on from there
        instead of starting again at page one.

        A server that keeps sending new cursors is stopped after `max_pages` pages, or once
        it has sent a page more than the `total` it announced: MalformedResponseError.
        """
        first: dict[str, str | int] = {"pageSize": page_size}
        if search:
            first["search"] = search
        params: dict[str, str | int] | None = first
        url: httpx.URL | str = AGENTS_PATH
        if resume_from is not None:
            url, params = self._next_request(resume_from)
        seen: set[str] = set()
        received = 0
        for count in range(1, max_pages + 1):
            response = await self._session.request("GET", url, params=params)
            page = self._agent_page(response)
            yield page
            received += len(page.agents)
            if page.next_url is None:
                return
            if page.next_url in seen:
                raise self._session.malformed(response, shape=True)  # a loop, not a list
            if page.total is not None and received > page.total + page_size:
                raise self._endless(f"more than the {page.total} it said it has")
            if count == max_pages:
                raise self._endless(f"{max_pages} pages")
            seen.add(page.next_url)
            url, params = self._next_request(page.next_url)

    @staticmethod
    def _endless(what: str) -> MalformedResponseError:
        return MalformedResponseError(
            f"Ultravox kept sending more pages of agents ({what}); stopped there.",
            service="Ultravox",
            hint="Search for the agent by name, or paste its id.",
        )

    def _next_request(self, next_url: str) -> tuple[httpx.URL | str, dict[str, str | int] | None]:
        target = httpx.URL(next_url)
        if target.is_relative_url or self._session.same_origin(target):
            return target, None
        # Never send the API key to another host: keep only the cursor and its friends.
        return AGENTS_PATH, dict(target.params)

    def _agent_page(self, response: httpx.Response) -> AgentPage:
        data = self._session.json(response)
        if not isinstance(data, dict):
            raise self._session.malformed(response, shape=True)
        try:
            agents = _AGENT_LIST.validate_python(
                data.get("results") or [],
                context={"secrets": self._session.secrets_for(response)},
            )
        except ValidationError:
            raise self._session.malformed(response, shape=True) from None
        next_url = data.get("next")
        total = data.get("total")
        if next_url is not None and not isinstance(next_url, str):
            raise self._session.malformed(response, shape=True)
        return AgentPage(
            agents=agents,
            next_url=next_url or None,
            total=total if isinstance(total, int) and not isinstance(total, bool) else None,
        )

    async def get_agent(self, agent_id: str) -> Agent:
        """One agent; NotFoundError when the account has no such agent."""
        path = f"{AGENTS_PATH}/{quote(agent_id.strip(), safe='')}"
        response = await self._session.request("GET", path, accept=(404,))
        if response.status_code == 404:
            raise NotFoundError(
                f"Ultravox has no agent {agent_id.strip()!r} in this account (404).",
                service="Ultravox",
                status=404,
                hint="Check the agent id, or pick the agent from the list.",
            )
        return self._session.decode(response, Agent)

    async def get_plivo_config(self) -> PlivoConfig | None:
        """The Plivo config Ultravox holds, or None when none is set (a 404)."""
        response = await self._session.request("GET", PLIVO_CONFIG_PATH, accept=(404,))
        if response.status_code == 404:
            return None
        return self._session.decode(response, PlivoConfig)

    async def create_plivo_config(self, body: dict[str, Any]) -> PlivoConfig:
        """POST a full config (authToken included); returns what the service saved."""
        response = await self._session.request("POST", PLIVO_CONFIG_PATH, json=body)
        return self._session.decode(response, PlivoConfig)

    async def update_plivo_config(self, body: dict[str, Any]) -> PlivoConfig:
        """PATCH only the given fields; returns the whole config the service now holds."""
        response = await self._session.request("PATCH", PLIVO_CONFIG_PATH, json=body)
        return self._session.decode(response, PlivoConfig)

    async def delete_plivo_config(self) -> None:
        """Remove the Plivo config (a 404 means there was none: NotFoundError)."""
        response = await self._session.request("DELETE", PLIVO_CONFIG_PATH, accept=(404,))
        if response.status_code == 404:
            raise NotFoundError(
                "Ultravox holds no Plivo config to delete (404).",
                service="Ultravox",
                status=404,
                hint="Nothing to do; `ultravox-plivo status` shows the current state.",
            )

    async def apply_plan(self, plan: Plan) -> PlivoConfig:
        """Send the plan (POST or PATCH); a plan with nothing to change re-reads the config."""
        if plan.method == "POST":
            return await self.create_plivo_config(plan.wire_body())
        if plan.method == "PATCH":
            return await self.update_plivo_config(plan.wire_body())
        current = await self.get_plivo_config()
        if current is None:
            raise UsageError("There is nothing to apply and Ultravox holds no Plivo config.")
        return current

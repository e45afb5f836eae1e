"""Plivo Applications and phone numbers: list them, create and change applications, and point
a number at an application.

Only what linking numbers to Ultravox agents needs. Two of Plivo's traps are designed out here:
an application update sends only the fields given (Plivo's own SDK resends every default and
overwrites the user's settings), and a number is never updated without an `app_id` (Plivo would
attach the account's default application instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr, ValidationError, field_validator

from wizard.core.errors import NotFoundError, UsageError
from wizard.core.http import (
    DEFAULT_PLIVO_API_BASE,
    ApiClient,
    ApiSession,
    HttpSettings,
    Sleep,
    check_credential,
)
from wizard.core.models import ServerModel
from wizard.core.plivo import PLIVO

__all__ = [
    "PAGE_LIMIT",
    "PlivoApplication",
    "PlivoNumber",
    "PlivoNumbersClient",
    "app_id_of",
    "normalise_number",
]

PAGE_LIMIT: Final = 20  # Plivo's largest page
MAX_PAGES: Final = 500  # 10,000 objects: beyond that a `next` that never ends is a loop
_APP_URI = re.compile(r".*/Application/([^/]+)/?")
_NUMBER = re.compile(r"[1-9][0-9]{6,14}")
_NUMBER_PUNCTUATION = str.maketrans("", "", " -().\u00a0")


def app_id_of(application: str | None) -> str | None:
    """The app id at the end of a number's `application` URI, or None (no application)."""
    if not application:
        return None
    match = _APP_URI.fullmatch(application.strip())
    return match.group(1) if match else None


def normalise_number(text: str) -> str:
    """`+1 (415) 555-0123` -> `14155550123`, the form Plivo uses; UsageError when it is not a
    phone number (7 to 15 digits, E.164, no leading 0)."""
    digits = text.strip().translate(_NUMBER_PUNCTUATION).removeprefix("+")
    if not _NUMBER.fullmatch(digits):
        raise UsageError(
            f"{text.strip()!r} is not a phone number: give it in international form,"
            " e.g. +14155550123."
        )
    return digits


class _PlivoModel(ServerModel):
    """Plivo sends many more fields than these; unknown ones are ignored. Its strings (an
    application's or number's name) are cleaned of escape sequences where they enter, as every
    service model's are: `numbers` and `link` print them."""


class PlivoApplication(_PlivoModel):
    """One Plivo Application, as listed."""

    app_id: str
    app_name: str = ""
    answer_url: str = ""
    answer_method: str = "POST"
    default_app: bool = False

    @field_validator("app_id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("app_name", "answer_url", "answer_method", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class PlivoNumber(_PlivoModel):
    """One rented number: `number` without `+`; `application` is a URI or None."""

    number: str
    alias: str = ""
    voice_enabled: bool = True
    application: str | None = Field(default=None)

    @field_validator("alias", mode="before")
    @classmethod
    def _null_alias(cls, value: Any) -> Any:
        return "" if value is None else value

    @property
    def app_id(self) -> str | None:
        return app_id_of(self.application)


_ModelT = TypeVar("_ModelT", bound=_PlivoModel)


class _Page(_PlivoModel):
    meta: dict[str, Any] = Field(default_factory=dict)
    objects: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CreatedApplication:
    app_id: str
    app_name: str
    answer_url: str


class PlivoNumbersClient(ApiClient):
    """Async client for one Plivo account's Applications and Numbers (HTTP Basic)."""

    def __init__(
        self,
        auth_id: str,
        auth_token: SecretStr,
        base_url: str = DEFAULT_PLIVO_API_BASE,
        *,
        settings: HttpSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.auth_id = auth_id.strip()
        token = auth_token.get_secret_value()
        check_credential(self.auth_id, "The Plivo Auth ID")
        check_credential(token, "The Plivo Auth Token")
        self._auth = httpx.BasicAuth(self.auth_id, token)
        self._token = token
        super().__init__(
            ApiSession(
                PLIVO,
                base_url,
                settings=settings,
                transport=transport,
                secrets=(token,),
                sleep=sleep,
            )
        )
        self._root = f"/v1/Account/{quote(self.auth_id, safe='')}/"

    # -- reading ----------------------------------------------------------------------------

    async def list_applications(self) -> list[PlivoApplication]:
        """Every Application of the account, 20 a page."""
        return await self._all(f"{self._root}Application/", {}, PlivoApplication)

    async def list_numbers(self) -> list[PlivoNumber]:
        """Every voice number of the account, 20 a page."""
        numbers = await self._all(f"{self._root}Number/", {"services": "voice"}, PlivoNumber)
        return [n for n in numbers if n.voice_enabled]

    async def _all(
        self, path: str, params: dict[str, str | int], model: type[_ModelT]
    ) -> list[_ModelT]:
        found: list[_ModelT] = []
        offset = 0
        for _ in range(MAX_PAGES):
            response = await self._request(
                "GET", path, params={**params, "limit": PAGE_LIMIT, "offset": offset}
            )
            page = self._session.decode(response, _Page)
            try:
                context = {"secrets": self._session.secrets_for(response)}
                found.extend(model.model_validate(o, context=context) for o in page.objects)
            except ValidationError:
                # pydantic's text quotes the input: never let it out.
                raise self._session.malformed(response, shape=True) from None
            # Follow `meta.next` only as a yes/no: its URL is rebuilt here, on our host.
            if not page.meta.get("next") or not page.objects:
                return found
            offset += len(page.objects)
        raise self._session.malformed(response, shape=True)  # a `next` that never ends

    # -- writing ----------------------------------------------------------------------------

    async def create_application(self, app_name: str, answer_url: str) -> CreatedApplication:
        """`POST Application/` with the name, the answer URL and `answer_method=POST`."""
        body = {"app_name": app_name, "answer_url": answer_url, "answer_method": "POST"}
        response = await self._request("POST", f"{self._root}Application/", json=body)
        data = self._session.json(response)
        app_id = data.get("app_id") if isinstance(data, dict) else None
        if isinstance(app_id, int) and not isinstance(app_id, bool):
            app_id = str(app_id)
        if not isinstance(app_id, str) or not app_id:
            raise self._session.malformed(response, shape=True)
        return CreatedApplication(app_id, app_name, answer_url)

    async def update_application(self, app_id: str, changes: dict[str, str]) -> None:
        """`POST Application/{app_id}/` with exactly `changes` (never Plivo's defaults)."""
        if not changes:
            raise ValueError("an application update needs at least one field")
        path = f"{self._root}Application/{quote(app_id, safe='')}/"
        await self._request("POST", path, json=dict(changes), missing=f"application {app_id}")

    async def link_number(self, number: str, app_id: str) -> None:
        """`POST Number/{number}/` with `{"app_id": ...}`: always with an app id."""
        if not app_id:
            # Without app_id Plivo attaches the account's default application.
            raise ValueError("a number update needs an app_id")
        path = f"{self._root}Number/{quote(number, safe='')}/"
        await self._request("POST", path, json={"app_id": app_id}, missing=f"number +{number}")

    # -- plumbing ---------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str | int] | None = None,
        missing: str | None = None,
    ) -> httpx.Response:
        response = await self._session.request(
            method,
            path,
            json=json,
            params=params,
            auth=self._auth,
            accept=(404,),
            secrets=(self._token,),
        )
        if response.status_code == 404:
            what = missing or "this account"
            raise NotFoundError(
                f"Plivo has no {what} for the Auth ID {self.auth_id} (404).",
                service="Plivo",
                status=404,
                hint="Check the Auth ID and that the API base URL points at Plivo;"
                " `ultravox-plivo numbers` lists what the account holds.",
            )
        return response

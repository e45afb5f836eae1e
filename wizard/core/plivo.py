"""The Plivo API client: only what the wizard needs, checking an Auth ID and Auth Token."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from pydantic import SecretStr

from wizard.core.errors import AuthenticationError
from wizard.core.http import (
    DEFAULT_PLIVO_API_BASE,
    ApiClient,
    ApiSession,
    HttpSettings,
    ServiceProfile,
    Sleep,
    check_credential,
)
from wizard.core.models import PlivoAccount

__all__ = ["DEFAULT_PLIVO_API_BASE", "PlivoClient"]

PLIVO = ServiceProfile(
    name="Plivo",
    credential="Auth ID and Auth Token",
    auth_hint="Copy both again from the Plivo console at https://console.plivo.com/.",
)


class PlivoClient(ApiClient):
    """Async client for Plivo's account endpoint; one connection pool per instance."""

    def __init__(
        self,
        base_url: str = DEFAULT_PLIVO_API_BASE,
        *,
        settings: HttpSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(
            ApiSession(PLIVO, base_url, settings=settings, transport=transport, sleep=sleep)
        )

    async def verify(self, auth_id: str, auth_token: SecretStr) -> PlivoAccount:
        """Check the credentials against `GET /v1/Account/{auth_id}/` (HTTP Basic).

        401, 403 and 404 (an unknown Auth ID) are AuthenticationError, whatever the body says.
        """
        auth_id = auth_id.strip()
        token = auth_token.get_secret_value()
        # HTTP Basic would carry any text (UTF-8, base64), but no Plivo credential holds
        # such characters: say so instead of letting Plivo answer 401.
        check_credential(auth_id, "The Plivo Auth ID")
        check_credential(token, "The Plivo Auth Token")
        response = await self._session.request(
            "GET",
            f"/v1/Account/{quote(auth_id, safe='')}/",
            auth=httpx.BasicAuth(auth_id, token),
            accept=(404,),
            secrets=(token,),
        )
        if response.status_code == 404:
            raise AuthenticationError(
                f"Plivo does not know the Auth ID {auth_id} (404).",
                service="Plivo",
                status=404,
                hint="Copy the Auth ID again from the Plivo console at https://console.plivo.com/.",
            )
        return self._session.decode(response, PlivoAccount)

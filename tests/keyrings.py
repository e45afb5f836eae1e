"""Keyring stand-ins shared by the session, wizard and CLI tests."""

from __future__ import annotations

from collections.abc import Mapping

from keyring.backends import SecretService

from wizard.core.credentials import SERVICE, plivo_user


class FakeSecretService(SecretService.Keyring):
    """Classified as the Secret Service (secure), kept in a dict; `items` maps Auth IDs to
    tokens (and `api_key` the Ultravox key)."""

    priority = -1
    viable = False

    def __init__(self, items: Mapping[str, str] | None = None, api_key: str | None = None) -> None:
        super().__init__()
        self.items = {plivo_user(k): v for k, v in (items or {}).items()}
        if api_key is not None:
            self.items["ultravox-api-key"] = api_key

    def get_password(self, service: str, username: str) -> str | None:
        assert service == SERVICE
        return self.items.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[username] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop(username)

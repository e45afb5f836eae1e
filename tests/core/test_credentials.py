"""The credential store against in-memory, null, fail, insecure, chained and hanging backends."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from pathlib import Path
from typing import Any

import keyring
import platformdirs
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, fail, null
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringLocked, PasswordDeleteError
from pydantic import SecretStr

from wizard.core.credentials import (
    API_KEY_USER,
    SERVICE,
    BackendKind,
    CredentialStore,
    MemoryKeyring,
    SecretSource,
    classify_backend,
    plivo_user,
)
from wizard.core.errors import CredentialStoreError, UsageError

API_KEY = "Zk3jQ1aB.c4nAry0ApIkEyV4luE0123456789abcd"
TOKEN = "c4nAryPlivoT0kenV4lue_0123456789abcdefXY"
AUTH_ID = "MAXXXXXXXXXXXXXXXXX1"
OTHER_AUTH_ID = "SAYYYYYYYYYYYYYYYYY2"


class DictStorage:
    """The dict every test backend keeps its secrets in (one copy, mixed into each)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("missing")


class DictBackend(DictStorage, KeyringBackend):
    """A working backend for tests; subclasses rename module/class to pose as real ones.

    Not a MemoryKeyring: the store treats that one as session memory whatever it poses as.
    """

    priority = -1
    viable = False  # never let keyring's own detection pick a test backend


def posing_as(module: str, name: str) -> DictBackend:
    """A DictBackend whose class claims to be `module.name` (classification reads these)."""
    cls = type(name, (DictBackend,), {"__module__": module, "__qualname__": name})
    backend = cls()
    assert isinstance(backend, DictBackend)
    return backend


class FakeSecretService(DictStorage, SecretService.Keyring):
    """Classified as Secret Service (by its base class) but stores in a dict."""

    priority = -1
    viable = False


class HangingSecretService(FakeSecretService):
    """Every call blocks until `release` is set, like a Secret Service that never answers."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.finished = threading.Event()

    def _hang(self) -> None:
        self.release.wait(30)
        self.finished.set()

    def get_password(self, service: str, username: str) -> str | None:
        self._hang()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._hang()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._hang()
        super().delete_password(service, username)


class BrokenSecretService(FakeSecretService):
    """A Secret Service that passed detection but fails at use time (locked, D-Bus gone)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


def make_chainer(*inner: KeyringBackend) -> ChainerBackend:
    """A chainer over exactly `inner` (highest priority first), not over the system's."""
    cls = type("TestChainer", (ChainerBackend,), {"backends": list(inner), "viable": False})
    chainer = cls()
    assert isinstance(chainer, ChainerBackend)
    return chainer


def store_for(backend: KeyringBackend, tmp_path: Path, **kwargs: Any) -> CredentialStore:
    return CredentialStore(backend, environ={}, data_dir=tmp_path / "data", **kwargs)


# -- classification -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "name", "label"),
    [
        ("keyring.backends.macOS", "Keyring", "macOS Keychain"),
        ("keyring.backends.SecretService", "Keyring", "Secret Service"),
        ("keyring.backends.libsecret", "Keyring", "Secret Service (libsecret)"),
        ("keyring.backends.Windows", "WinVaultKeyring", "Windows Credential Locker"),
        ("keyring.backends.kwallet", "DBusKeyring", "KWallet"),
        ("keyring.backends.kwallet", "DBusKeyringKWallet4", "KWallet"),
    ],
)
def test_secure_backends_are_recognised(module: str, name: str, label: str) -> None:
    info = classify_backend(posing_as(module, name))
    assert info.kind is BackendKind.SECURE
    assert info.name == label
    assert "encrypted" in info.reason


def test_the_real_secret_service_class_is_secure() -> None:
    # Constructing it talks to nothing; only its use does.
    assert classify_backend(SecretService.Keyring()).kind is BackendKind.SECURE


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("keyrings.alt.file", "PlaintextKeyring"),
        ("keyrings.alt.file", "EncryptedKeyring"),  # any keyrings.alt file backend
        ("keyrings.alt", "Keyring"),
        ("some_plugin.store", "MyPlaintextStore"),
        ("acme.vault", "Keyring"),  # unknown: not known to encrypt, so not trusted
    ],
)
def test_plaintext_and_unknown_backends_are_insecure(module: str, name: str) -> None:
    info = classify_backend(posing_as(module, name))
    assert info.kind is BackendKind.INSECURE
    assert f"{module}.{name}" in info.name
    assert "session only" in info.reason
    assert "--insecure-storage" in info.reason


def test_fail_backend_means_no_keyring_with_a_plain_reason() -> None:
    info = classify_backend(fail.Keyring())
    assert info.kind is BackendKind.NONE
    assert info.reason.startswith("No keyring service is")
    assert "session only" in info.reason
    assert "--insecure-storage" in info.reason
    if sys.platform.startswith("linux"):
        assert "D-Bus" in info.reason


def test_null_backend_means_no_keyring() -> None:
    info = classify_backend(null.Keyring())
    assert info.kind is BackendKind.NONE
    assert "switched off" in info.reason


def test_memory_keyring_is_session_only() -> None:
    info = classify_backend(MemoryKeyring(label="this demo"))
    assert info.kind is BackendKind.NONE
    assert info.reason == "Secrets are kept in memory for this demo only; nothing is written."


def test_chainer_is_classified_by_its_best_inner_backend() -> None:
    plaintext = posing_as("keyrings.alt.file", "PlaintextKeyring")
    secure = posing_as("keyring.backends.SecretService", "Keyring")
    assert classify_backend(make_chainer(plaintext, secure)).kind is BackendKind.SECURE
    assert classify_backend(make_chainer(plaintext, fail.Keyring())).kind is BackendKind.INSECURE
    assert classify_backend(make_chainer(null.Keyring())).kind is BackendKind.NONE


def test_empty_chainer_is_none() -> None:
    info = classify_backend(make_chainer())
    assert info.kind is BackendKind.NONE
    assert "session only" in info.reason


def test_chainer_writes_only_to_its_secure_backend(tmp_path: Path) -> None:
    # The chainer itself would write to the plaintext backend (it comes first); we must not.
    plaintext = posing_as("keyrings.alt.file", "PlaintextKeyring")
    secure = posing_as("keyring.backends.SecretService", "Keyring")
    store = store_for(make_chainer(plaintext, secure), tmp_path)
    assert store.save_api_key(SecretStr(API_KEY)) == "Secret Service"
    assert secure.items == {(SERVICE, API_KEY_USER): API_KEY}
    assert plaintext.items == {}
    resolved = store.api_key()
    assert resolved is not None
    assert resolved.source is SecretSource.KEYRING


# -- a working secure keyring -----------------------------------------------------------------


def test_secure_keyring_round_trip(tmp_path: Path) -> None:
    backend = FakeSecretService()
    store = store_for(backend, tmp_path, insecure_storage=True)
    assert store.info.kind is BackendKind.SECURE
    assert store.persistent
    assert "Secret Service" in store.where()

    assert store.save_api_key(SecretStr(API_KEY)) == "Secret Service"
    assert store.save_plivo_token(AUTH_ID, SecretStr(TOKEN)) == "Secret Service"
    assert backend.items == {
        (SERVICE, "ultravox-api-key"): API_KEY,
        (SERVICE, plivo_user(AUTH_ID)): TOKEN,
    }

    api = store.api_key()
    token = store.plivo_token(AUTH_ID)
    assert api is not None and api.value.get_secret_value() == API_KEY
    assert (api.source, api.detail) == (SecretSource.KEYRING, "Secret Service")
    assert token is not None and token.value.get_secret_value() == TOKEN
    assert store.plivo_token(OTHER_AUTH_ID) is None

    assert store.delete_plivo_token(AUTH_ID) is True
    assert store.delete_plivo_token(AUTH_ID) is False
    assert store.delete_api_key() is True
    assert store.api_key() is None
    # insecure_storage changes nothing when the keyring is secure
    assert not (tmp_path / "data").exists()


def test_plivo_user_names_the_auth_id() -> None:
    assert plivo_user(AUTH_ID) == f"plivo:{AUTH_ID}"


def test_empty_secret_is_refused(tmp_path: Path) -> None:
    store = store_for(MemoryKeyring(), tmp_path)
    with pytest.raises(UsageError):
        store.save_api_key(SecretStr("  "))


# -- environment first ------------------------------------------------------------------------


def test_environment_wins_over_the_keyring(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    environ = {"ULTRAVOX_API_KEY": "  env-api-key \n", "PLIVO_AUTH_TOKEN": "env-token"}
    store = CredentialStore(backend, environ=environ, data_dir=tmp_path)
    store.save_api_key(SecretStr(API_KEY))
    store.save_plivo_token(AUTH_ID, SecretStr(TOKEN))

    api = store.api_key()
    assert api is not None
    assert api.value.get_secret_value() == "env-api-key"
    assert (api.source, api.detail) == (SecretSource.ENV, "ULTRAVOX_API_KEY")
    # PLIVO_AUTH_TOKEN applies to whatever Auth ID is asked for
    for auth_id in (AUTH_ID, OTHER_AUTH_ID):
        token = store.plivo_token(auth_id)
        assert token is not None
        assert token.value.get_secret_value() == "env-token"
        assert token.source is SecretSource.ENV


def test_blank_environment_falls_through_to_the_store(tmp_path: Path) -> None:
    store = CredentialStore(
        MemoryKeyring(),
        environ={"ULTRAVOX_API_KEY": " ", "PLIVO_AUTH_TOKEN": ""},
        data_dir=tmp_path,
    )
    store.save_api_key(SecretStr(API_KEY))
    api = store.api_key()
    assert api is not None and api.source is SecretSource.SESSION
    assert store.plivo_token(AUTH_ID) is None


def test_default_environ_is_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ULTRAVOX_API_KEY", API_KEY)
    api = CredentialStore(MemoryKeyring(), data_dir=tmp_path).api_key()
    assert api is not None and api.source is SecretSource.ENV


# -- memory, null and fail: session only --------------------------------------------------


def test_memory_keyring_round_trip_and_nothing_written(tmp_path: Path) -> None:
    backend = MemoryKeyring(label="this demo")
    # even with insecure_storage, a demo never writes a file
    store = store_for(backend, tmp_path, insecure_storage=True)
    assert not store.persistent
    assert store.where() == "Secrets are kept in memory for this demo only; nothing is written."
    assert store.save_api_key(SecretStr(API_KEY)) == "memory (this demo only)"
    assert backend.get_password(SERVICE, API_KEY_USER) == API_KEY
    api = store.api_key()
    assert api is not None
    assert (api.source, api.detail) == (SecretSource.SESSION, "memory (this demo only)")
    assert store.delete_api_key() is True
    assert store.delete_api_key() is False
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("backend", [null.Keyring(), fail.Keyring()], ids=["null", "fail"])
def test_no_keyring_keeps_secrets_for_the_session(backend: KeyringBackend, tmp_path: Path) -> None:
    store = store_for(backend, tmp_path)
    assert store.info.kind is BackendKind.NONE
    assert not store.persistent
    assert "this session only" in store.where()
    assert store.save_plivo_token(AUTH_ID, SecretStr(TOKEN)) == "memory (this session only)"
    token = store.plivo_token(AUTH_ID)
    assert token is not None and token.value.get_secret_value() == TOKEN
    assert token.source is SecretSource.SESSION
    assert store.delete_plivo_token(AUTH_ID) is True
    assert store.plivo_token(AUTH_ID) is None
    assert not (tmp_path / "data").exists()


def test_insecure_backend_is_never_written_silently(tmp_path: Path) -> None:
    plaintext = posing_as("keyrings.alt.file", "PlaintextKeyring")
    store = store_for(plaintext, tmp_path)
    assert store.info.kind is BackendKind.INSECURE
    assert not store.persistent
    store.save_api_key(SecretStr(API_KEY))
    store.save_plivo_token(AUTH_ID, SecretStr(TOKEN))
    assert plaintext.items == {}
    assert not (tmp_path / "data").exists()
    api = store.api_key()
    assert api is not None and api.source is SecretSource.SESSION


# -- --insecure-storage: the 0600 file --------------------------------------------------------


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), posing_as("keyrings.alt.file", "PlaintextKeyring")],
    ids=["fail", "null", "plaintext"],
)
def test_insecure_storage_writes_a_private_file(backend: KeyringBackend, tmp_path: Path) -> None:
    store = store_for(backend, tmp_path, insecure_storage=True)
    path = tmp_path / "data" / "credentials.json"
    assert store.file_path == path
    assert store.persistent
    assert str(path) in store.where()
    assert "unencrypted" in store.where()

    assert store.save_api_key(SecretStr(API_KEY)) == str(path)
    store.save_plivo_token(AUTH_ID, SecretStr(TOKEN))
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["credentials.json"]  # no temp files left
    assert json.loads(path.read_text())["secrets"] == {
        API_KEY_USER: API_KEY,
        plivo_user(AUTH_ID): TOKEN,
    }

    # a new store (the next run) reads what this one wrote
    again = store_for(backend, tmp_path, insecure_storage=True)
    token = again.plivo_token(AUTH_ID)
    assert token is not None and token.value.get_secret_value() == TOKEN
    assert (token.source, token.detail) == (SecretSource.FILE, str(path))

    assert again.delete_api_key() is True
    assert again.delete_api_key() is False
    assert again.api_key() is None
    assert again.plivo_token(AUTH_ID) is not None


def test_insecure_storage_tightens_a_loose_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "credentials.json"
    path.parent.mkdir()
    path.write_text('{"service": "ultravox-plivo", "secrets": {}}')
    path.chmod(0o644)
    store_for(fail.Keyring(), tmp_path, insecure_storage=True).save_api_key(SecretStr(API_KEY))
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("content", ["{not json", '["a list"]', '{"secrets": 3}'])
def test_corrupt_credentials_file_is_a_plain_error(content: str, tmp_path: Path) -> None:
    path = tmp_path / "data" / "credentials.json"
    path.parent.mkdir()
    path.write_text(content)
    store = store_for(fail.Keyring(), tmp_path, insecure_storage=True)
    with pytest.raises(CredentialStoreError) as err:
        store.api_key()
    assert str(path) in str(err.value)
    with pytest.raises(CredentialStoreError):
        store.save_api_key(SecretStr(API_KEY))
    assert path.read_text() == content  # never clobbered
    assert API_KEY not in str(err.value)


def test_unwritable_data_dir_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the directory should be")
    store = store_for(fail.Keyring(), tmp_path, insecure_storage=True)
    with pytest.raises(CredentialStoreError) as err:
        store.save_api_key(SecretStr(API_KEY))
    assert "credentials file" in str(err.value)
    assert API_KEY not in str(err.value)


# -- failing and hanging keyrings -------------------------------------------------------------


@pytest.mark.timeout(20)
def test_hanging_keyring_times_out(tmp_path: Path) -> None:
    backend = HangingSecretService()
    store = store_for(backend, tmp_path, timeout=3.0)
    try:
        with pytest.raises(CredentialStoreError) as err:
            store.api_key()
        # we got control back while the keyring was still stuck
        assert not backend.release.is_set()
        assert "The keyring (Secret Service) did not answer within 3 s." in str(err.value)
        # while it is still stuck, the next call fails at once instead of waiting again
        with pytest.raises(CredentialStoreError, match="still not answering"):
            store.save_api_key(SecretStr(API_KEY))
        assert API_KEY not in str(err.value)
    finally:
        backend.release.set()
    # once it answers again, the store uses it again
    assert backend.finished.wait(10)
    store.save_api_key(SecretStr(API_KEY))
    assert backend.items == {(SERVICE, API_KEY_USER): API_KEY}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("operation", ["save", "delete", "plivo_token"])
def test_every_keyring_call_is_bounded(operation: str, tmp_path: Path) -> None:
    backend = HangingSecretService()
    store = store_for(backend, tmp_path, timeout=0.2)
    calls = {
        "save": lambda: store.save_plivo_token(AUTH_ID, SecretStr(TOKEN)),
        "delete": store.delete_api_key,
        "plivo_token": lambda: store.plivo_token(AUTH_ID),
    }
    try:
        with pytest.raises(CredentialStoreError, match="did not answer"):
            calls[operation]()
        assert not backend.release.is_set()
    finally:
        backend.release.set()


def test_locked_keyring_is_a_plain_error_naming_real_ways_out(tmp_path: Path) -> None:
    store = store_for(BrokenSecretService(KeyringLocked("Failed to unlock the item!")), tmp_path)
    with pytest.raises(CredentialStoreError) as err:
        store.save_api_key(SecretStr(API_KEY))
    assert str(err.value).startswith("The keyring (Secret Service) is locked.")
    # Options a user can take (the store has no "session only" switch to offer).
    assert "session only" not in str(err.value)
    assert "ULTRAVOX_API_KEY / PLIVO_AUTH_TOKEN" in (err.value.hint or "")
    assert API_KEY not in str(err.value)
    assert not hasattr(store, "use_session_only")


def test_not_persistent_reason_says_why(tmp_path: Path) -> None:
    assert store_for(FakeSecretService(), tmp_path).not_persistent_reason is None
    assert store_for(null.Keyring(), tmp_path, insecure_storage=True).not_persistent_reason is None
    reason = store_for(null.Keyring(), tmp_path).not_persistent_reason
    assert reason == "the keyring is switched off (null backend)"
    demo = store_for(MemoryKeyring("this demo"), tmp_path).not_persistent_reason
    assert demo == "secrets are kept in memory for this demo only"


def test_delete_also_cleans_the_insecure_file_in_any_mode(tmp_path: Path) -> None:
    """A file written by an earlier `--insecure-storage` run is cleaned by a run without it."""
    earlier = store_for(null.Keyring(), tmp_path, insecure_storage=True)
    earlier.save_api_key(SecretStr(API_KEY))
    earlier.save_plivo_token(AUTH_ID, SecretStr(TOKEN))
    earlier.save_plivo_token(OTHER_AUTH_ID, SecretStr(TOKEN))
    for backend in (null.Keyring(), FakeSecretService()):
        now = store_for(backend, tmp_path)
        assert sorted(now.stored_plivo_auth_ids()) == sorted([AUTH_ID, OTHER_AUTH_ID])
    now = store_for(FakeSecretService(), tmp_path)
    assert now.delete_api_key() is True
    assert now.delete_plivo_token(AUTH_ID) is True
    assert now.stored_plivo_auth_ids() == [OTHER_AUTH_ID]
    assert API_KEY not in earlier.file_path.read_text()
    # A demo (MemoryKeyring) store never touches the file, not even to clean it.
    demo = store_for(MemoryKeyring(), tmp_path)
    assert demo.delete_plivo_token(OTHER_AUTH_ID) is False
    assert demo.stored_plivo_auth_ids() == []


@pytest.mark.parametrize("operation", ["get", "save", "delete"])
def test_backend_failure_at_use_time_is_a_plain_error(operation: str, tmp_path: Path) -> None:
    # e.g. jeepney/secretstorage errors when D-Bus is there but the service is not
    error = RuntimeError(f"org.freedesktop.DBus.Error.ServiceUnknown {TOKEN}")
    store = store_for(BrokenSecretService(error), tmp_path)
    calls = {
        "get": store.api_key,
        "save": lambda: store.save_plivo_token(AUTH_ID, SecretStr(TOKEN)),
        "delete": store.delete_api_key,
    }
    with pytest.raises(CredentialStoreError) as err:
        calls[operation]()
    assert str(err.value).startswith("The keyring (Secret Service) failed (RuntimeError).")
    assert TOKEN not in str(err.value)
    # Not chained: --debug prints the chain, and the backend's text quoted the token.
    assert err.value.__cause__ is None and err.value.__suppress_context__


# -- detecting the system backend -------------------------------------------------------------


def test_default_backend_comes_from_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = FakeSecretService()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    store = CredentialStore(environ={}, data_dir=tmp_path)
    assert store.info.kind is BackendKind.SECURE
    store.save_api_key(SecretStr(API_KEY))
    assert backend.items == {(SERVICE, API_KEY_USER): API_KEY}


def test_default_file_is_under_the_user_data_dir() -> None:
    store = CredentialStore(MemoryKeyring(), environ={})
    assert (
        store.file_path == Path(platformdirs.user_data_dir("ultravox-plivo")) / "credentials.json"
    )


def test_default_fail_backend_is_session_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    store = CredentialStore(environ={}, data_dir=tmp_path)
    assert store.info.kind is BackendKind.NONE
    assert not store.persistent


@pytest.mark.timeout(20)
def test_hanging_detection_means_no_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def hang() -> KeyringBackend:
        release.wait(30)
        return fail.Keyring()

    monkeypatch.setattr(keyring, "get_keyring", hang)
    try:
        store = CredentialStore(environ={}, data_dir=tmp_path, timeout=0.2)
        assert not release.is_set()
    finally:
        release.set()
    assert store.info.kind is BackendKind.NONE
    assert "did not answer within 0.2 s" in store.info.reason
    assert "--insecure-storage" in store.info.reason
    store.save_api_key(SecretStr(API_KEY))
    assert "this session only" in store.where()


def test_failing_detection_means_no_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> KeyringBackend:
        raise RuntimeError("bad PYTHON_KEYRING_BACKEND")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    store = CredentialStore(environ={}, data_dir=tmp_path, insecure_storage=True)
    assert store.info.kind is BackendKind.NONE
    assert store.persistent  # the file, as asked
    assert "failed (RuntimeError)" in store.info.reason


# -- secrets stay secret ----------------------------------------------------------------------


def test_reprs_never_show_secrets(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = store_for(backend, tmp_path)
    store.save_api_key(SecretStr(API_KEY))
    resolved = store.api_key()
    for text in (repr(resolved), str(resolved), repr(store), repr(backend), str(backend)):
        assert API_KEY not in text


def test_file_storage_can_be_chosen_after_the_store_is_built(tmp_path: Path) -> None:
    # The wizard asks "this session only or the file?" after the store exists.
    store = store_for(null.Keyring(), tmp_path)
    path = tmp_path / "data" / "credentials.json"
    assert store.offers_file and not store.persistent

    store.set_insecure_storage(True)
    assert store.persistent
    store.save_api_key(SecretStr(API_KEY))
    assert path.exists()

    store.set_insecure_storage(False)
    store.save_plivo_token(AUTH_ID, SecretStr(TOKEN))
    assert TOKEN not in path.read_text()  # session only from now on


def test_file_storage_is_no_choice_beside_a_secure_keyring_or_in_memory(tmp_path: Path) -> None:
    secure = store_for(FakeSecretService(), tmp_path)
    demo = store_for(MemoryKeyring("this demo"), tmp_path)
    for store in (secure, demo):
        assert not store.offers_file
        store.set_insecure_storage(True)
        store.save_api_key(SecretStr(API_KEY))
    assert not (tmp_path / "data" / "credentials.json").exists()

"""The browser face's rules on their own: addresses, token, Origin, the app's command line
and environment. No server, no aiohttp."""

from __future__ import annotations

import pytest

from wizard.core.errors import UsageError
from wizard.serve.environment import app_environment, dropped_proxies
from wizard.serve.guard import allowed_hosts, origin_allowed, token_matches
from wizard.serve.options import ServeOptions

ALL = "0.0.0.0"  # noqa: S104 (what --host is given; never bound here)


def test_loopback_by_default_and_never_elsewhere_for_the_real_wizard_unasked() -> None:
    assert ServeOptions().host == "127.0.0.1"
    ServeOptions().check()
    ServeOptions(host="localhost").check()
    ServeOptions(demo=True, host=ALL).check()  # a demo may, with a printed warning
    with pytest.raises(UsageError, match="this machine only"):
        ServeOptions(host=ALL).check()
    with pytest.raises(UsageError):
        ServeOptions(host="192.168.1.20").check()
    ServeOptions(host="192.168.1.20", allow_remote=True).check()
    with pytest.raises(UsageError, match="--port"):
        ServeOptions(port=70000).check()


def test_each_launch_has_its_own_long_token() -> None:
    a, b = ServeOptions().token, ServeOptions().token
    assert a != b and len(a) >= 40


def test_token_comparison() -> None:
    assert token_matches("abc", "abc")
    assert not token_matches("abd", "abc")
    assert not token_matches("", "abc")
    assert not token_matches(None, "abc")
    assert not token_matches("ab\udcff", "abc")  # not even valid UTF-8: no crash


def test_origin_is_this_servers_own() -> None:
    allowed = allowed_hosts("127.0.0.1", 8000)
    assert origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000", allowed)
    assert origin_allowed("http://localhost:8000", "localhost:8000", allowed)
    assert not origin_allowed("http://localhost:8000", "127.0.0.1:8000", allowed)
    assert not origin_allowed("http://evil.example", "127.0.0.1:8000", allowed)
    assert not origin_allowed("http://evil.example:8000", "evil.example:8000", allowed)
    assert not origin_allowed(None, "127.0.0.1:8000", allowed)
    assert not origin_allowed("null", "127.0.0.1:8000", allowed)
    # Every interface: any Host, but the Origin must be the one the request was sent to.
    anywhere = allowed_hosts(ALL, 8000)
    assert origin_allowed("http://10.0.0.5:8000", "10.0.0.5:8000", anywhere)
    assert not origin_allowed("http://evil.example", "10.0.0.5:8000", anywhere)


def test_the_app_command_never_debugs_nor_carries_secrets() -> None:
    demo = ServeOptions(demo=True).app_command()
    assert demo[1:] == ["-m", "wizard", "--demo"]
    real = ServeOptions(api_base="http://127.0.0.1:9", insecure_storage=True).app_command()
    assert real[1:] == ["-m", "wizard", "--api-base", "http://127.0.0.1:9", "--insecure-storage"]
    assert "--debug" not in demo + real


def test_the_app_environment_is_an_allow_list() -> None:
    server = {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "ULTRAVOX_API_KEY": "secret-key",
        "PLIVO_AUTH_TOKEN": "secret-token",
        "PLIVO_AUTH_ID": "MA0123456789ABCDEFGH",
        "ULTRAVOX_API_BASE": "https://api.ultravox.ai",
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
        "HTTPS_PROXY": "http://proxy.example:3128",
        "HTTP_PROXY": "http://u:pw@proxy.example:3128",
        "TEXTUAL": "debug,devtools",
        "SOMETHING_ELSE": "x",
    }
    demo = app_environment(server, demo=True, width=100, height=30)
    assert set(demo) == {
        "PATH",
        "HOME",
        "TEXTUAL_DRIVER",
        "TEXTUAL_FPS",
        "TEXTUAL_COLOR_SYSTEM",
        "TERM",
        "TERM_PROGRAM",
        "COLUMNS",
        "ROWS",
    }
    assert (demo["COLUMNS"], demo["ROWS"]) == ("100", "30")
    real = app_environment(server, demo=False)
    assert real["PLIVO_AUTH_ID"] == "MA0123456789ABCDEFGH"
    assert real["DBUS_SESSION_BUS_ADDRESS"]  # the keyring is found
    assert real["HTTPS_PROXY"] == "http://proxy.example:3128"
    for name in ("ULTRAVOX_API_KEY", "PLIVO_AUTH_TOKEN", "HTTP_PROXY", "TEXTUAL", "SOMETHING_ELSE"):
        assert name not in real
    assert dropped_proxies(server) == ["HTTP_PROXY"]

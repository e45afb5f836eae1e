"""The environment of each app process: built up from nothing, never copied whole.

textual-serve hands every app process a copy of the server's environment. Here an app process
gets only what Python, Textual's web driver and the wizard need, so a browser session never
sees `ULTRAVOX_API_KEY`, `PLIVO_AUTH_TOKEN` or any other secret the server's shell holds:

- both modes: where programs and home are, the locale, the web driver's own variables;
- demo mode: nothing more (the sandbox and the in-memory demo store need nothing);
- real mode: the non-secret settings the wizard reads (API bases, `PLIVO_AUTH_ID`, CA bundle,
  proxies without a password in them, the XDG dirs) and what the keyring needs to be found
  (the D-Bus session address). The key and token come from the keyring or are typed in the
  browser, exactly as in a terminal with those variables unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from wizard.core.environment import ENV_API_BASE, ENV_AUTH_ID, ENV_PLIVO_API_BASE

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"

BASE = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
"""Not secret, and Python or the wizard is lost without them."""
PYTHON = ("PYTHONPATH", "PYTHONPYCACHEPREFIX", "VIRTUAL_ENV")
"""So the app process imports the same wizard as the server."""
REAL = (
    ENV_API_BASE,
    ENV_PLIVO_API_BASE,
    ENV_AUTH_ID,
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NO_PROXY",
    "no_proxy",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "XDG_RUNTIME_DIR",
    "DBUS_SESSION_BUS_ADDRESS",
    "PYTHON_KEYRING_BACKEND",
)
"""Real mode only: settings the wizard reads, and how the keyring is reached."""
PROXIES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
"""Real mode only, and only when the URL carries no user name or password."""


def proxy_without_credentials(value: str) -> bool:
    try:
        parts = urlsplit(value if "://" in value else f"http://{value}")
    except ValueError:
        return False
    return parts.username is None and parts.password is None


def app_environment(
    server: Mapping[str, str], *, demo: bool, width: int = 80, height: int = 24
) -> dict[str, str]:
    """The environment of one app process, from the server's (`server`) by allow-list."""
    names = BASE + PYTHON + (() if demo else REAL)
    env = {name: server[name] for name in names if name in server}
    if not demo:
        for name in PROXIES:
            value = server.get(name)
            if value and proxy_without_credentials(value):
                env[name] = value
    # What textual-serve's AppService sets, minus its debug and devtools switches.
    env.update(
        TEXTUAL_DRIVER=WEB_DRIVER,
        TEXTUAL_FPS="60",
        TEXTUAL_COLOR_SYSTEM="truecolor",
        TERM="xterm-256color",
        TERM_PROGRAM="textual",
        COLUMNS=str(width),
        ROWS=str(height),
    )
    return env


def dropped_proxies(server: Mapping[str, str]) -> list[str]:
    """Proxy variables real mode leaves out because they hold a password."""
    return [
        name for name in PROXIES if server.get(name) and not proxy_without_credentials(server[name])
    ]

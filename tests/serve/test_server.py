"""The browser face's safety, each rule against a real `WizardServer` (aiohttp test client):
token, Origin, Host, the session cap, the app's environment, and no process left behind."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.serve.conftest import Served, alive, base_env, eventually, fake_app, recorded
from wizard.serve import server as server_module
from wizard.serve.options import ServeOptions

SECRETS = {
    "ULTRAVOX_API_KEY": "canary-ultravox-key-5f1e",
    "PLIVO_AUTH_TOKEN": "canary-plivo-token-77aa",
    "AWS_SECRET_ACCESS_KEY": "canary-aws-9c0d",
    "GITHUB_TOKEN": "canary-github-3b2a",
    "HTTPS_PROXY": "http://user:canary-proxy-pass@proxy.example:3128",
    "TEXTUAL": "debug,devtools",
}


async def rejected(served: Served, **kwargs: Any) -> int:
    with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
        await served.session(**kwargs)
    return caught.value.status


async def test_the_page_needs_the_token(serve_app: Callable[..., Any], tmp_path: Path) -> None:
    served: Served = await serve_app(ServeOptions(demo=True, app_argv=["false"]))
    client = served.client
    assert (await client.get("/")).status == 403
    response = await client.get("/?token=not-the-token")
    assert response.status == 403
    assert "needs its token" in await response.text()
    response = await client.get(f"/?token={served.token}")
    assert response.status == 200
    page = await response.text()
    assert f"/ws/{served.token}" in page
    assert "fonts.googleapis" not in page  # nothing fetched from the internet
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


async def test_the_websocket_needs_the_token(serve_app: Callable[..., Any], tmp_path: Path) -> None:
    record = tmp_path / "record"
    served: Served = await serve_app(ServeOptions(demo=True, app_argv=fake_app("polite", record)))
    assert await rejected(served, token="not-the-token") == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
        await served.client.ws_connect("/ws", headers={"Origin": served.origin})
    assert caught.value.status == 403
    assert served.server.started == 0
    assert recorded(record) == []


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "http://127.0.0.1:1", "https://127.0.0.1:{port}", "null", ""],
)
async def test_a_foreign_origin_gets_403_and_no_process(
    serve_app: Callable[..., Any], tmp_path: Path, origin: str
) -> None:
    record = tmp_path / "record"
    served: Served = await serve_app(ServeOptions(demo=True, app_argv=fake_app("polite", record)))
    assert await rejected(served, origin=origin.format(port=served.client.port)) == 403
    await asyncio.sleep(0.3)
    assert served.server.started == 0
    assert recorded(record) == []


async def test_a_foreign_host_gets_403(serve_app: Callable[..., Any], tmp_path: Path) -> None:
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends Host evil.example."""
    served: Served = await serve_app(ServeOptions(demo=True, app_argv=["false"]))
    port = served.client.port
    response = await served.client.get(
        f"/?token={served.token}", headers={"Host": f"evil.example:{port}"}
    )
    assert response.status == 403
    response = await served.client.get(
        f"/?token={served.token}", headers={"Host": f"localhost:{port}"}
    )
    assert response.status == 200


async def test_the_session_cap(serve_app: Callable[..., Any], tmp_path: Path) -> None:
    record = tmp_path / "record"
    served: Served = await serve_app(
        ServeOptions(demo=True, max_sessions=2, app_argv=fake_app("polite", record))
    )
    first = await served.session()
    second = await served.session()
    assert await eventually(lambda: len(recorded(record)) == 2)
    assert await rejected(served) == 503
    page = await served.client.get(f"/?token={served.token}")
    assert page.status == 503
    assert "already open in 2 browser tabs" in await page.text()
    assert served.server.started == 2
    await first.close()
    assert await eventually(lambda: not served.server.slots.full)
    page = await served.client.get(f"/?token={served.token}")
    assert page.status == 200
    await second.close()


async def test_no_secret_reaches_the_app(serve_app: Callable[..., Any], tmp_path: Path) -> None:
    """Canary values in the server's environment; the app's has none of them, in either mode."""
    for demo in (True, False):
        record = tmp_path / f"record-{demo}"
        environ = {**base_env(), **SECRETS, "PLIVO_AUTH_ID": "MACANARY000000000000"}
        served: Served = await serve_app(
            ServeOptions(demo=demo, app_argv=fake_app("polite", record)), environ
        )
        ws = await served.session()
        assert await eventually(lambda record=record: len(recorded(record)) == 1)  # type: ignore[misc]
        env: dict[str, str] = recorded(record)[0]["env"]
        await ws.close()
        dump = repr(env)
        for value in SECRETS.values():
            assert value not in dump
        assert "TEXTUAL" not in env and "TEXTUAL_LOG" not in env  # no dev/debug options
        assert env["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
        assert env["PATH"] == environ["PATH"]
        assert ("PLIVO_AUTH_ID" in env) is (not demo)  # not a secret; the real wizard reads it


async def test_the_process_ends_when_the_socket_closes(
    serve_app: Callable[..., Any], tmp_path: Path
) -> None:
    """The real wizard in demo mode: it renders, and is gone once the browser goes."""
    served: Served = await serve_app(ServeOptions(demo=True), base_env())
    ws = await served.session()
    message = await ws.receive(timeout=60)
    assert message.type == aiohttp.WSMsgType.BINARY  # the wizard's first frame
    (service,) = served.server.sessions
    pid = service.pid
    assert pid is not None and alive(pid)
    await ws.close()
    assert await eventually(lambda: not alive(pid))
    assert await eventually(lambda: not served.server.sessions)


async def test_a_process_that_ignores_quit_is_killed(
    serve_app: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "QUIT_GRACE", 0.5)
    record = tmp_path / "record"
    served: Served = await serve_app(ServeOptions(demo=True, app_argv=fake_app("stubborn", record)))
    ws = await served.session()
    assert await eventually(lambda: len(recorded(record)) == 1)
    pid = recorded(record)[0]["pid"]
    await ws.close()
    assert await eventually(lambda: not alive(pid), timeout=10)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
async def test_ctrl_c_ends_every_session(tmp_path: Path) -> None:
    """SIGINT to `ultravox-plivo serve --demo` with two sessions open: the server exits 0 and
    no wizard process is left."""
    import signal
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-m", "wizard", "serve", "--demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**base_env(), **SECRETS},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[-1]
        base, token = url.split("/?token=")
        assert base.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http:
            sockets = [
                await http.ws_connect(f"ws{base[4:]}/ws/{token}", headers={"Origin": base})
                for _ in range(2)
            ]
            for ws in sockets:  # each wizard drew its first frame
                assert (await ws.receive(timeout=60)).type == aiohttp.WSMsgType.BINARY
            pids = children(proc.pid)
            assert len(pids) == 2 and all(alive(pid) for pid in pids)
            proc.send_signal(signal.SIGINT)  # with both sockets still open
            loop = asyncio.get_running_loop()
            out, err = await loop.run_in_executor(None, lambda: proc.communicate(timeout=30))
            for ws in sockets:  # the browser is told: frames already sent, then the close
                message = await ws.receive(timeout=5)
                while message.type == aiohttp.WSMsgType.BINARY:
                    message = await ws.receive(timeout=5)
                assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Stopped." in out
    assert [pid for pid in pids if alive(pid)] == []

"""Serve one INI file twice, PasteDeploy on waitress and asgipaste on uvicorn or granian, and compare answers.

The reference is ``paste.deploy.loadapp`` served by waitress (in a thread);
asgipaste's side is ``asgipaste.loadapp`` on uvicorn (httptools or h11, in a
thread running :func:`tests._server.running_server`) or granian's ASGI
interface (a child process, :mod:`tests.real_openstack._granian_child`).
Answers compare on status, the headers the application owns and the body;
the transport's own headers (``TRANSPORT_HEADERS``) differ by server and are
left out (see docs/real-deployments.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import waitress.server
import waitress.wasyncore

import asgipaste
from tests._proc import Proc, child_env, free_port, wait_http
from tests._server import running_server

#: asgipaste's servers, each compared with PasteDeploy on waitress.
SERVERS = ("uvicorn-httptools", "uvicorn-h11", "granian")
#: The same as pytest params: granian runs in a child process, so only it is in the slow tier.
SERVER_PARAMS = tuple(pytest.param(kind, marks=pytest.mark.slow) if kind == "granian" else kind for kind in SERVERS)

#: Headers that belong to the HTTP server, not the app: Server and Date are
#: each server's own; a WSGI app's Content-Length may reach the client as
#: chunked (or the other way round); Connection/Keep-Alive are per connection.
TRANSPORT_HEADERS = frozenset({"server", "date", "content-length", "transfer-encoding", "connection", "keep-alive"})

#: The loopback port differs between the two servers wherever a URL or Host is echoed.
LOOPBACK_PORT = (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>")
REQUEST_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Fresh UUIDs (correlation ids) differ on every request; masked after request ids.
UUID = (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>")
TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True)
class Req:
    """One request, sent the same way to both servers."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.request(self.method, self.path, headers=dict(self.headers), content=self.body)


@dataclass(frozen=True)
class Answer:
    """What a client saw, with the transport's headers left out and request ids masked."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, response: httpx.Response, *, mask: Sequence[tuple[re.Pattern[str], str]] = ()) -> Answer:
        def clean(text: str) -> str:
            text = REQUEST_ID.sub("req-<id>", text)
            for pattern, repl in (LOOPBACK_PORT, UUID, *mask):
                text = pattern.sub(repl, text)
            return text

        items = response.headers.multi_items()
        headers = tuple(sorted((k.lower(), clean(v)) for k, v in items if k.lower() not in TRANSPORT_HEADERS))
        body = clean(response.content.decode("latin-1")).encode("latin-1")
        return cls(response.status_code, headers, body)

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]

    def json(self) -> Any:
        return json.loads(self.body)


@contextlib.contextmanager
def waitress_serving(wsgi_app: Any, *, clear_untrusted_proxy_headers: bool = False) -> Iterator[str]:
    """PasteDeploy's app on waitress, in a thread, on 127.0.0.1:<ephemeral>.

    waitress 3 removes X-Forwarded-* and Forwarded from the environ unless
    ``trusted_proxy`` says whom to trust (``clear_untrusted_proxy_headers``
    defaults to true); the reference keeps them, so the app (and oslo's
    http_proxy_to_wsgi) sees what the client sent, as it does under asgipaste.
    """
    server = waitress.server.create_server(
        wsgi_app, host="127.0.0.1", port=0, threads=4, clear_untrusted_proxy_headers=clear_untrusted_proxy_headers
    )
    assert isinstance(server, waitress.server.TcpWSGIServer)
    port = server.socket.getsockname()[1]
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            waitress.wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=loop, name="waitress-reference", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(10)
        for channel in list(server._map.values()):
            with contextlib.suppress(Exception):
                channel.close()
        server.task_dispatcher.shutdown(timeout=5)


@contextlib.contextmanager
def uvicorn_serving(asgi_app: Any, http: str, *, proxy_headers: bool = False) -> Iterator[str]:
    """asgipaste's app on a real uvicorn (``http`` = httptools or h11) in a thread with its own loop.

    ``proxy_headers`` is off by default here, as waitress's (no ``trusted_proxy``):
    uvicorn's own default trusts X-Forwarded-For/-Proto from 127.0.0.1, which
    would rewrite REMOTE_ADDR and the scheme before the app sees them (see
    test_transport_differences.py).
    """
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def serve() -> None:
        stop = asyncio.Event()
        async with running_server(asgi_app, http=http, proxy_headers=proxy_headers) as (url, _server):
            state.update(url=url, loop=asyncio.get_running_loop(), stop=stop)
            ready.set()
            await stop.wait()

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as exc:  # reported to the test below
            state["error"] = exc
        finally:
            ready.set()

    thread = threading.Thread(target=run, name=f"uvicorn-{http}", daemon=True)
    thread.start()
    if not ready.wait(15) or "url" not in state:
        raise AssertionError(f"uvicorn ({http}) did not start: {state.get('error')!r}")
    try:
        yield state["url"]
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(15)
    if "error" in state:
        raise AssertionError(f"uvicorn ({http}) failed: {state['error']!r}")


class GranianFleet:
    """Granian children started side by side (their imports overlap on two cores), each awaited when used."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: dict[str, tuple[Proc, int]] = {}

    def start(
        self,
        key: str,
        ini: Path,
        name: str,
        *,
        global_conf: Mapping[str, str] | None = None,
        python_path: Sequence[Path] = (),
        oslo_overrides: Sequence[tuple[str, str, str | None]] = (),
        imports: Sequence[str] = (),
    ) -> None:
        """Start asgipaste serving ``ini#name`` on granian's ASGI interface in a child process."""
        port = free_port()
        spec = {
            "ini": str(ini),
            "name": name,
            "port": port,
            "global_conf": dict(global_conf or {}),
            "oslo_overrides": [list(item) for item in oslo_overrides],
            "imports": list(imports),
        }
        env = child_env()
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *map(str, python_path)])
        args = [sys.executable, "-m", "tests.real_openstack._granian_child", json.dumps(spec)]
        log = self.log_dir / f"granian-{key}.log"
        self.procs[key] = (Proc(args, cwd=Path(env["PYTHONPATH"].split(os.pathsep)[0]), log=log, env=env), port)

    def url(self, key: str, probe: str = "/") -> str:
        """The base URL of child ``key`` once it answers ``probe``."""
        proc, port = self.procs[key]
        wait_http(f"http://127.0.0.1:{port}{probe}", proc=proc, timeout=45)
        return f"http://127.0.0.1:{port}"

    def close(self) -> None:
        for proc, _port in self.procs.values():
            proc.kill()


@contextlib.contextmanager
def granian_serving(
    ini: Path,
    name: str,
    *,
    log: Path,
    global_conf: Mapping[str, str] | None = None,
    python_path: Sequence[Path] = (),
    oslo_overrides: Sequence[tuple[str, str, str | None]] = (),
    imports: Sequence[str] = (),
    probe: str = "/",
) -> Iterator[str]:
    """asgipaste serving ``ini#name`` on granian's ASGI interface in a child process."""
    fleet = GranianFleet(log.parent)
    try:
        fleet.start(
            log.stem,
            ini,
            name,
            global_conf=global_conf,
            python_path=python_path,
            oslo_overrides=oslo_overrides,
            imports=imports,
        )
        yield fleet.url(log.stem, probe)
    finally:
        fleet.close()


def load_both(
    ini: Path, name: str, global_conf: Mapping[str, str] | None = None
) -> tuple[Any, Any]:
    """``(paste.deploy app, asgipaste app)`` for the same section of the same file."""
    from paste.deploy import loadapp as paste_loadapp

    conf = dict(global_conf or {})
    reference = paste_loadapp(f"config:{ini}", name=name, global_conf=dict(conf))
    ported = asgipaste.loadapp(f"config:{ini}", name=name, global_conf=dict(conf))
    return reference, ported


@contextlib.contextmanager
def serving_ported(
    kind: str,
    ported_app: Any,
    ini: Path,
    name: str,
    *,
    log: Path,
    global_conf: Mapping[str, str] | None = None,
    python_path: Sequence[Path] = (),
    oslo_overrides: Sequence[tuple[str, str, str | None]] = (),
    imports: Sequence[str] = (),
    probe: str = "/",
) -> Iterator[str]:
    """The asgipaste side on server ``kind`` (one of :data:`SERVERS`); yields its base URL."""
    if kind == "granian":
        with granian_serving(
            ini,
            name,
            log=log,
            global_conf=global_conf,
            python_path=python_path,
            oslo_overrides=oslo_overrides,
            imports=imports,
            probe=probe,
        ) as url:
            yield url
    else:
        with uvicorn_serving(ported_app, kind.removeprefix("uvicorn-")) as url:
            yield url


class Pair:
    """Two base URLs, the reference's and asgipaste's, and a client for each."""

    def __init__(self, reference_url: str, ported_url: str) -> None:
        self.reference = httpx.Client(base_url=reference_url, timeout=TIMEOUT)
        self.ported = httpx.Client(base_url=ported_url, timeout=TIMEOUT)

    def close(self) -> None:
        self.reference.close()
        self.ported.close()

    def exchange(self, req: Req, *, mask: Sequence[tuple[re.Pattern[str], str]] = ()) -> tuple[Answer, Answer]:
        """Send ``req`` to both; return ``(reference, ported)`` answers."""
        return Answer.of(req.send(self.reference), mask=mask), Answer.of(req.send(self.ported), mask=mask)

    def same(self, req: Req, *, mask: Sequence[tuple[re.Pattern[str], str]] = ()) -> Answer:
        """Send ``req`` to both, assert the answers match, return asgipaste's."""
        reference, ported = self.exchange(req, mask=mask)
        assert ported == reference, f"{req.method} {req.path}: asgipaste {ported!r} != PasteDeploy {reference!r}"
        return ported


@contextlib.contextmanager
def serving_pair(
    kind: str,
    ini: Path,
    name: str,
    *,
    log_dir: Path,
    global_conf: Mapping[str, str] | None = None,
    python_path: Sequence[Path] = (),
    oslo_overrides: Sequence[tuple[str, str, str | None]] = (),
    imports: Sequence[str] = (),
    probe: str = "/",
    ported_url: str | None = None,
) -> Iterator[Pair]:
    """Load ``ini#name`` with both loaders, serve each, yield a :class:`Pair` of clients.

    ``ported_url``: asgipaste is already served there (a :class:`GranianFleet` child).
    """
    reference_app, ported_app = load_both(ini, name, global_conf)
    if ported_url is not None:
        with waitress_serving(reference_app) as reference_url:
            both = Pair(reference_url, ported_url)
            try:
                yield both
            finally:
                both.close()
        return
    with (
        waitress_serving(reference_app) as reference_url,
        serving_ported(
            kind,
            ported_app,
            ini,
            name,
            log=log_dir / f"{ini.stem}-{name}-{kind}.log",
            global_conf=global_conf,
            python_path=python_path,
            oslo_overrides=oslo_overrides,
            imports=imports,
            probe=probe,
        ) as ported_url,
    ):
        both = Pair(reference_url, ported_url)
        try:
            yield both
        finally:
            both.close()

"""One INI file, two stacks: asgipaste on uvicorn (or granian) and PasteDeploy on waitress.

Both run in this process, each in a thread of its own, on 127.0.0.1:0, so a
test talks to real sockets with ordinary synchronous clients (httpx,
http.client, kinto_http) and compares what the two answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from paste.deploy import loadapp as paste_loadapp
from waitress.server import create_server

from asgipaste import loadapp as asgi_loadapp

#: Headers the server, not the app, owns: they differ by design and are never compared.
SERVER_OWNED = frozenset({"server", "date", "connection", "keep-alive", "transfer-encoding", "via"})
#: App-owned headers computed from the clock at request time: compared by presence, not value.
CLOCK_HEADERS = frozenset({"expires"})


@dataclass
class Served:
    """A running server: its base URL and host:port."""

    name: str
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _bound_socket() -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on such sockets
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def uvicorn_thread(app: Any, *, http: str = "httptools", **config: Any) -> Iterator[Served]:
    """Serve an ASGI app with uvicorn (``http`` = "httptools" or "h11") in a thread of its own."""
    sock = _bound_socket()
    port = sock.getsockname()[1]
    config.setdefault("lifespan", "on")
    config.setdefault("log_level", "warning")
    # like waitress without trusted_proxy: forwarded headers are the subprocess tests' subject
    config.setdefault("proxy_headers", False)
    server = uvicorn.Server(uvicorn.Config(app, http=http, **config))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # surfaced by the waiting thread
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{http}", daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started or failure or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise RuntimeError(f"uvicorn ({http}) did not start: {failure}")
        yield Served(f"asgipaste+uvicorn[{http}]", "127.0.0.1", port)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextlib.contextmanager
def waitress_thread(app: Any, **adjustments: Any) -> Iterator[Served]:
    """Serve a WSGI app with waitress in a thread of its own (closed and joined afterwards)."""
    adjustments.setdefault("threads", 4)
    server: Any = create_server(app, host="127.0.0.1", port=0, asyncore_loop_timeout=0.05, **adjustments)
    port = server.effective_port
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield Served("pastedeploy+waitress", "127.0.0.1", port)
    finally:
        # close every channel from the loop's own thread (closing them from here races its select())
        def close_all() -> None:
            for channel in list(server._map.values()):
                with contextlib.suppress(Exception):
                    channel.close()

        server.trigger.pull_trigger(close_all)
        thread.join(10)
        server.task_dispatcher.shutdown(timeout=5)


def write_dist(where: Path, name: str, entry_points: str) -> Path:
    """A minimal installed distribution (``NAME-0.1.dist-info``) so ``egg:NAME`` resolves.

    importlib.metadata (PasteDeploy 3 and asgipaste both use it) finds it once
    ``where`` is on ``sys.path`` (or ``PYTHONPATH`` for a subprocess).
    """
    info = where / f"{name}-0.1.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    return where


def load_both(ini: str, name: str = "main", global_conf: Mapping[str, str] | None = None) -> tuple[Any, Any]:
    """The same file loaded by asgipaste (ASGI) and by PasteDeploy (WSGI)."""
    uri = f"config:{ini}"
    gc = dict(global_conf or {})
    return asgi_loadapp(uri, name=name, global_conf=dict(gc)), paste_loadapp(uri, name=name, global_conf=dict(gc))


@dataclass
class Raw:
    """A response read with http.client: status, headers in order, body."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def app_headers(self, *, port: int | None = None) -> dict[str, str]:
        """Lower-cased app-owned headers (server-owned ones dropped), the port normalised."""
        out: dict[str, str] = {}
        for key, value in self.headers:
            lower = key.lower()
            if lower in SERVER_OWNED:
                continue
            if port is not None:
                value = value.replace(f":{port}", ":PORT")
            out[lower] = "<clock>" if lower in CLOCK_HEADERS else value
        return out


def raw_request(
    served: Served,
    method: str,
    target: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
) -> Raw:
    """Send ``target`` byte for byte (no client normalisation of ``..`` or ``%2e``)."""
    conn = http.client.HTTPConnection(served.host, served.port, timeout=timeout)
    try:
        given = {key.lower() for key in headers or {}}
        conn.putrequest(method, target, skip_host="host" in given, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        return Raw(response.status, response.reason, list(response.getheaders()), data)
    finally:
        conn.close()


def normalised_body(raw: Raw, served: Served) -> bytes:
    """The body with the server's port replaced (redirect/404 pages name the request's host)."""
    return raw.body.replace(f":{served.port}".encode(), b":PORT")

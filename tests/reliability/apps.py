"""Misbehaving and slow apps for the fault tests, with counters the tests read.

Factories (``call:tests.reliability.apps:...``) make them loadable from INI
files, including in a ``uvicorn asgipaste.serve:app`` subprocess.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

# --- in-flight accounting (read by the tests in the same process) --------------------------------


class Gauge:
    """How many requests are inside an app right now, and how many iterables were closed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.inside = 0
        self.closed = 0
        self.entered = 0

    def enter(self) -> None:
        with self._lock:
            self.inside += 1
            self.entered += 1

    def leave(self) -> None:
        with self._lock:
            self.inside -= 1

    def close(self) -> None:
        with self._lock:
            self.closed += 1


GAUGE = Gauge()
RELEASE = threading.Event()  # set by a test to let blocked WSGI requests finish


# --- WSGI ------------------------------------------------------------------------------------------


def wsgi_raise_before(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    raise RuntimeError("failed before start_response")


def wsgi_raise_after(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise RuntimeError("failed after start_response, before any body")


def wsgi_raise_in_body(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    def body() -> Iterator[bytes]:
        yield b"first chunk\n"
        raise RuntimeError("failed after the first body chunk")

    start_response("200 OK", [("Content-Type", "text/plain")])
    return body()


def wsgi_read_body(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Reads the whole body (a disconnect mid-request must free the thread)."""
    GAUGE.enter()
    try:
        data = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"%d" % len(data)]
    finally:
        GAUGE.leave()


class _Endless:
    """An endless streaming body; counts close() (PEP 3333: the server must call it)."""

    def __init__(self) -> None:
        GAUGE.enter()
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        while not self._done:
            time.sleep(0.005)
            yield b"x" * 1024

    def close(self) -> None:
        self._done = True
        GAUGE.close()
        GAUGE.leave()


def wsgi_endless(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return _Endless()


class _EndlessEcho(_Endless):
    """An endless body that reads 1 KiB of the request before each chunk it yields."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        while not self._done:
            time.sleep(0.005)
            yield self._stream.read(1024) or b"."


def wsgi_endless_body(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """An endless response after doing ``?all|none|half|echo`` with the request body; ``/stats`` reports GAUGE.

    ``half`` reads 1 MiB (half of the tests' 2 MiB body); ``echo`` reads as it streams.
    """
    if environ.get("PATH_INFO") == "/stats":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"inside": GAUGE.inside, "closed": GAUGE.closed, "entered": GAUGE.entered}).encode()]
    mode = environ.get("QUERY_STRING", "")
    stream = environ["wsgi.input"]
    if mode == "all":
        stream.read()
    elif mode == "half":
        stream.read(1024 * 1024)
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return _EndlessEcho(stream) if mode == "echo" else _Endless()


def wsgi_header(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Sends the response header given by ``?name=...&value=...``."""
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    headers = [("Content-Type", "text/plain")]
    if "name" in query:
        headers.append((query["name"], query["value"]))
    start_response("200 OK", headers)
    return [b"body"]


def wsgi_block(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Holds its thread until the test sets RELEASE (at most 10 s)."""
    GAUGE.enter()
    try:
        RELEASE.wait(10)
    finally:
        GAUGE.leave()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"released"]


def wsgi_slow(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    time.sleep(float(environ.get("QUERY_STRING") or "0.5"))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"slow wsgi done"]


# --- ASGI ------------------------------------------------------------------------------------------


async def _respond(send: Any, body: bytes, status: int = 200) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


async def asgi_hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await _respond(send, b"hello")


async def asgi_raise_before(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        raise RuntimeError("failed before http.response.start")


async def asgi_raise_mid_stream(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise RuntimeError("failed mid-stream")


async def asgi_read_body(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    GAUGE.enter()
    try:
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await _respond(send, b"%d" % size)
    finally:
        GAUGE.leave()


async def asgi_slow(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await asyncio.sleep(float(scope.get("query_string", b"").decode() or "0.5"))
    await _respond(send, b"slow asgi done")


async def asgi_failing_lifespan(scope: Any, receive: Any, send: Any) -> None:
    """Fails its lifespan startup with a message; serves nothing."""
    if scope["type"] == "lifespan":
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.failed", "message": "database unreachable: db.example:5432"})
        return
    await _respond(send, b"never", 500)


# --- factories ---------------------------------------------------------------------------------------

_APPS = {name: obj for name, obj in globals().items() if name.startswith(("wsgi_", "asgi_")) and callable(obj)}


def factory(global_conf: dict[str, str], app: str = "asgi_hello", **local: str) -> Any:
    """``paste.app_factory``: ``app = <name of a function of this module>``."""
    return _APPS[app]

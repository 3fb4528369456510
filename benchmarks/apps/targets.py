"""Leaf apps for the HTTP benchmarks, as raw ASGI callables, WSGI callables and INI factories.

Five leaves, the same bytes on both protocols:

* ``hello``: 13 bytes;
* ``big``: a 100 KB response;
* ``echo``: reads the whole request body and sends it back;
* ``sleep``: waits 50 ms of "I/O" (``await asyncio.sleep`` on ASGI,
  ``time.sleep`` on WSGI, as a legacy app would block) and says hello;
* ``slow``: the same with 1 s (the memory benchmark's in-flight requests).

``uvicorn benchmarks.apps.targets:asgi_hello`` serves a raw ASGI callable;
``[app:x] use = call:benchmarks.apps.targets:wsgi_factory`` with ``kind = big``
puts the WSGI leaf in an INI.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

HELLO = b"Hello, world!"
BIG = b"x" * 100_000
SLEEP_SECONDS = 0.05
SLOW_SECONDS = 1.0

_Headers = list[tuple[bytes, bytes]]


def _headers(length: int) -> _Headers:
    return [(b"content-type", b"text/plain"), (b"content-length", b"%d" % length)]


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _answer(send: Any, body: bytes) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": _headers(len(body))})
    await send({"type": "http.response.body", "body": body})


# Each leaf returns at once on a non-HTTP scope (lifespan): "not supported", which
# uvicorn's --lifespan on and asgipaste's lifespan fan-out both accept.


async def asgi_hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await _answer(send, HELLO)


async def asgi_big(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await _answer(send, BIG)


async def asgi_echo(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await _answer(send, await _read_body(receive))


async def asgi_sleep(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await asyncio.sleep(SLEEP_SECONDS)
        await _answer(send, HELLO)


async def asgi_slow(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await asyncio.sleep(SLOW_SECONDS)
        await _answer(send, HELLO)


def _wsgi_answer(start_response: Any, body: bytes) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def wsgi_hello(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    return _wsgi_answer(start_response, HELLO)


def wsgi_big(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    return _wsgi_answer(start_response, BIG)


def wsgi_echo(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return _wsgi_answer(start_response, environ["wsgi.input"].read(length))


def wsgi_sleep(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    time.sleep(SLEEP_SECONDS)
    return _wsgi_answer(start_response, HELLO)


def wsgi_slow(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    time.sleep(SLOW_SECONDS)
    return _wsgi_answer(start_response, HELLO)


ASGI_LEAVES: dict[str, Callable[..., Any]] = {
    "hello": asgi_hello, "big": asgi_big, "echo": asgi_echo, "sleep": asgi_sleep, "slow": asgi_slow,
}
WSGI_LEAVES: dict[str, Callable[..., Any]] = {
    "hello": wsgi_hello, "big": wsgi_big, "echo": wsgi_echo, "sleep": wsgi_sleep, "slow": wsgi_slow,
}


def asgi_factory(global_conf: dict[str, str], kind: str = "hello", **local: str) -> Any:
    """``paste.app_factory`` of an ASGI leaf: ``kind = hello | big | echo | sleep``."""
    return ASGI_LEAVES[kind]


def wsgi_factory(global_conf: dict[str, str], kind: str = "hello", **local: str) -> Any:
    """``paste.app_factory`` of a WSGI leaf: ``kind = hello | big | echo | sleep``."""
    return WSGI_LEAVES[kind]


def stack_ini(kind: str, *, wsgi: bool, filters: int = 5, urlmap: bool = True) -> str:
    """An INI: ``urlmap /v2 -> pipeline of pass-through filters -> leaf`` (or the leaf alone).

    The filters are :mod:`benchmarks._stacks`' pass-through ones, so with
    ``kind="hello"`` this is ``five_filter_ini``'s stack, with a leaf that also
    runs under ``--lifespan on`` (``_stacks.hello`` answers a lifespan scope
    with an HTTP response, which fails the startup).
    """
    prefix = "wsgi_" if wsgi else ""
    leaf = [f"use = call:benchmarks.apps.targets:{'wsgi' if wsgi else 'asgi'}_factory", f"kind = {kind}"]
    if not urlmap and not filters:
        return "\n".join(["[app:main]", *leaf]) + "\n"
    names = " ".join(f"f{i}" for i in range(filters))
    lines = ["[pipeline:main]" if not urlmap else "[pipeline:api]", f"pipeline = {names} leaf"]
    if urlmap:
        lines = ["[composite:main]", "use = egg:Paste#urlmap", "/v2 = api", *lines]
    lines += ["[app:leaf]", *leaf]
    for i in range(filters):
        lines += [f"[filter:f{i}]", f"use = call:benchmarks._stacks:{prefix}filter_factory"]
    return "\n".join(lines) + "\n"

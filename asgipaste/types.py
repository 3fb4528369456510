"""Type aliases for the two protocols asgipaste joins: ASGI 3 and WSGI (PEP 3333)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from types import TracebackType
from typing import Any, Literal, TypeAlias

Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]
ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]

Environ: TypeAlias = dict[str, Any]
ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]
Write: TypeAlias = Callable[[bytes], object]
StartResponse: TypeAlias = Callable[..., Write]
WSGIApp: TypeAlias = Callable[[Environ, StartResponse], Iterable[bytes]]

#: A Paste filter: takes an app, returns an app of the same protocol.
Filter: TypeAlias = Callable[[Any], Any]

Protocol: TypeAlias = Literal["asgi", "wsgi"]

__all__ = [
    "ASGIApp",
    "Environ",
    "ExcInfo",
    "Filter",
    "Message",
    "Protocol",
    "Receive",
    "Scope",
    "Send",
    "StartResponse",
    "WSGIApp",
    "Write",
]

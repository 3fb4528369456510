"""Small ASGI/WSGI recording apps and a driver shared by the urlmap tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from asgipaste.types import Message, Receive, Scope, Send, StartResponse


@dataclass
class Recorder:
    """An ASGI app answering 200 with its name; remembers every scope it saw."""

    name: str
    scopes: list[Scope] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        if scope["type"] == "websocket":
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1000})
            return
        body = self.name.encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-app", body)]})
        await send({"type": "http.response.body", "body": body})

    def __repr__(self) -> str:
        return f"Recorder({self.name!r})"


@dataclass
class WSGIRecorder:
    """The WSGI twin of :class:`Recorder`, for Paste's own URLMap."""

    name: str
    seen: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.seen.append((environ["SCRIPT_NAME"], environ["PATH_INFO"]))
        start_response("200 OK", [("X-App", self.name)])
        return [self.name.encode()]


async def call(app: Any, scope: Scope, body: bytes = b"") -> list[Message]:
    """Run ``app`` on ``scope`` with a one-message request body; return what it sent."""
    sent: list[Message] = []
    messages: list[Message] = (
        [{"type": "websocket.connect"}]
        if scope["type"] == "websocket"
        else [{"type": "http.request", "body": body, "more_body": False}]
    )

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        return {"type": "http.disconnect"} if scope["type"] == "http" else {"type": "websocket.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def http_scope(
    path: str,
    *,
    root_path: str = "",
    host: str | None = None,
    scheme: str = "http",
    server: tuple[str, int] | None = ("testserver", 80),
    type: str = "http",
) -> Scope:
    headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    scope: Scope = {
        "type": type,
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode("utf-8"),
        "root_path": root_path,
        "query_string": b"",
        "headers": headers,
        "server": server,
        "client": ("127.0.0.1", 5000),
    }
    return scope

"""ASGI counterparts of PasteDeploy's tests/fake_packages/FakeApp.egg/fakeapp/apps.py."""

from __future__ import annotations

from typing import Any


async def simple_app(response: str, scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": b"This is " + response.encode()})


async def basic_app(scope: Any, receive: Any, send: Any) -> None:
    await simple_app("basic app", scope, receive, send)


def make_basic_app(global_conf: dict[str, str], **conf: str) -> Any:
    return basic_app


async def basic_app2(scope: Any, receive: Any, send: Any) -> None:
    await simple_app("basic app2", scope, receive, send)


def make_basic_app2(global_conf: dict[str, str], **conf: str) -> Any:
    return basic_app2


def make_remote_addr(loader: Any, global_conf: dict[str, str], **conf: str) -> Any:
    apps = {}
    addrs = {}
    for name, value in conf.items():
        if name.startswith("app."):
            apps[name[4:]] = loader.get_app(value, global_conf)
        elif name.startswith("addr."):
            addrs[name[5:]] = value
    dispatcher = RemoteAddrDispatch()
    for name in apps:
        dispatcher.map[addrs[name]] = apps[name]
    return dispatcher


class RemoteAddrDispatch:
    """Dispatch on the client address (scope["client"] replaces REMOTE_ADDR)."""

    def __init__(self, map: dict[str, Any] | None = None) -> None:
        self.map = map or {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        addr = (scope.get("client") or ("0.0.0.0", 0))[0]
        app = self.map.get(addr) or self.map["0.0.0.0"]
        await app(scope, receive, send)


def make_native_map(loader: Any, global_conf: dict[str, str], **conf: str) -> Any:
    return RemoteAddrDispatch({key: loader.get_app(value) for key, value in conf.items()})


def make_cap_filter(global_conf: dict[str, str], method_to_call: str = "upper") -> Any:
    def cap_filter(app: Any) -> Any:
        return CapFilter(app, global_conf, method_to_call)

    return cap_filter


class CapFilter:
    """Changes the case of the response body (an ASGI middleware)."""

    def __init__(self, app: Any, global_conf: dict[str, str], method_to_call: str = "upper") -> None:
        self.app = app
        self.method_to_call = method_to_call
        self.global_conf = global_conf

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_capped(message: Any) -> None:
            if message["type"] == "http.response.body":
                message = dict(message, body=getattr(message.get("body", b""), self.method_to_call)())
            await send(message)

        await self.app(scope, receive, send_capped)

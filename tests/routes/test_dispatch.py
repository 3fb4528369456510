"""Dispatch through a real ASGI stack: RoutesMiddleware, Router, nova-style Resource and faults."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount

from asgipaste.routes import (
    Fault,
    HTTPConflict,
    HTTPError,
    HTTPForbidden,
    HTTPNotFound,
    Mapper,
    Resource,
    Router,
    RoutesMiddleware,
    URLGenerator,
    action,
    fault_name,
    response,
    routing_args,
)
from asgipaste.types import Receive, Scope, Send
from tests._server import running_server


class Servers:
    """A nova-like controller mixing async and sync actions."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {"1": {"id": "1", "name": "one"}}
        self.threads: list[int] = []
        self.active = 0
        self.peak = 0

    async def index(self, req: Request, project_id: str) -> dict[str, Any]:
        return {"servers": list(self.items.values()), "project": project_id}

    async def detail(self, req: Request, project_id: str) -> dict[str, Any]:
        url: URLGenerator = req.scope["routes.url"]
        return {
            "self": url("project_server", project_id=project_id, id="1"),
            "full": url("project_server", project_id=project_id, id="1", qualified=True),
            "route": req.scope["routes.route"].name,
            "args": sorted(routing_args(req.scope)),
        }

    def show(self, req: Request, project_id: str, id: str) -> dict[str, Any]:
        self.threads.append(threading.get_ident())
        if id not in self.items:
            raise HTTPNotFound(f"Server {id} could not be found.")
        return {"server": self.items[id]}

    @response(202)
    async def create(self, req: Request, project_id: str, body: dict[str, Any] | None) -> dict[str, Any]:
        if body is None:
            raise HTTPError("Missing request body", code=400)
        server = {"id": str(len(self.items) + 1), **body["server"]}
        self.items[server["id"]] = server
        return {"server": server}

    def update(self, req: Request, project_id: str, id: str, body: Any) -> dict[str, Any]:
        self.active += 1
        self.peak = max(self.peak, self.active)
        time.sleep(0.05)
        self.active -= 1
        if id == "locked":
            raise Fault(HTTPConflict("Server is locked"))
        return {"server": {"id": id, **body["server"]}}

    async def delete(self, req: Request, project_id: str, id: str) -> None:
        if id == "secret":
            raise HTTPForbidden("Policy doesn't allow this")
        if id == "gone":
            raise StarletteHTTPException(410, "Gone for good")
        self.items.pop(id, None)

    @action("reboot")
    @response(202)
    def _reboot(self, req: Request, project_id: str, id: str, body: dict[str, Any]) -> None:
        self.items.setdefault(id, {"id": id})["rebooted"] = body["reboot"]["type"]

    async def new(self, req: Request, project_id: str) -> PlainTextResponse:
        return PlainTextResponse("a form", headers={"x-custom": "1"})


def make_app(controller: Servers, max_threads: int = 40) -> Router:
    mapper = Mapper()
    mapper.resource(
        "server",
        "servers",
        controller=Resource(controller, max_threads=max_threads),
        collection={"detail": "GET"},
        member={"action": "POST"},
        path_prefix="/{project_id}",
        name_prefix="project_",
    )
    return Router(mapper)


def client(app: Any, base_url: str = "http://nova.test") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.mark.asyncio
async def test_async_and_sync_actions_and_codes() -> None:
    servers = Servers()
    async with client(make_app(servers)) as c:
        r = await c.get("/p1/servers")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.json() == {"servers": [{"id": "1", "name": "one"}], "project": "p1"}
        r = await c.post("/p1/servers", json={"server": {"name": "two"}})
        assert r.status_code == 202 and r.json() == {"server": {"id": "2", "name": "two"}}
        r = await c.post("/p1/servers")  # empty POST: body=None, as nova
        assert r.status_code == 400 and r.json()["badRequest"]["message"] == "Missing request body"
        r = await c.get("/p1/servers/2")
        assert r.status_code == 200 and r.json()["server"]["name"] == "two"
        r = await c.put("/p1/servers/2", json={"server": {"name": "2b"}})
        assert r.json() == {"server": {"id": "2", "name": "2b"}}
        r = await c.delete("/p1/servers/2")
        assert r.status_code == 204 and r.content == b""
        r = await c.get("/p1/servers/new")
        assert r.text == "a form" and r.headers["x-custom"] == "1"
    assert servers.threads and threading.get_ident() not in servers.threads


@pytest.mark.asyncio
async def test_action_dispatch_by_body_key() -> None:
    servers = Servers()
    async with client(make_app(servers)) as c:
        r = await c.post("/p1/servers/1/action", json={"reboot": {"type": "HARD"}})
        assert r.status_code == 202
        assert servers.items["1"]["rebooted"] == "HARD"
        r = await c.post("/p1/servers/1/action", json={"explode": {}})
        assert r.status_code == 400 and r.json()["badRequest"]["code"] == 400


@pytest.mark.asyncio
async def test_faults() -> None:
    async with client(make_app(Servers())) as c:
        r = await c.post("/p1/servers", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 400
        assert r.json() == {"badRequest": {"code": 400, "message": "Malformed request body"}}
        r = await c.post("/p1/servers", content=b"name=x", headers={"content-type": "text/plain"})
        assert r.status_code == 415
        assert r.json() == {"badMediaType": {"code": 415, "message": "Unsupported Content-Type"}}
        r = await c.get("/p1/servers/42")
        assert r.status_code == 404
        assert r.json() == {"itemNotFound": {"code": 404, "message": "Server 42 could not be found."}}
        r = await c.get("/nothing/here/at/all/x")
        assert r.status_code == 404 and r.json()["itemNotFound"]["code"] == 404
        r = await c.patch("/p1/servers/1", json={})
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, PUT, DELETE"
        assert r.json()["badMethod"]["code"] == 405
        r = await c.put("/p1/servers/locked", json={"server": {}})
        assert r.status_code == 409 and r.json()["conflictingRequest"]["message"] == "Server is locked"
        r = await c.delete("/p1/servers/secret")
        assert r.json() == {"forbidden": {"code": 403, "message": "Policy doesn't allow this"}}
        r = await c.delete("/p1/servers/gone")
        assert r.status_code == 410 and r.json()["computeFault"]["message"] == "Gone for good"


def test_fault_names_and_errors() -> None:
    expected = {
        400: "badRequest",
        401: "unauthorized",
        403: "forbidden",
        404: "itemNotFound",
        405: "badMethod",
        409: "conflictingRequest",
        413: "overLimit",
        415: "badMediaType",
        429: "overLimit",
        500: "computeFault",
    }
    assert {code: fault_name(code) for code in expected} == expected
    err = HTTPError("slow down", code=429, retry_after=30)
    resp = err.response()
    assert resp.status_code == 429 and resp.headers["retry-after"] == "30"
    assert json.loads(bytes(resp.body)) == {"overLimit": {"code": 429, "message": "slow down", "retryAfter": "30"}}
    with pytest.raises(ValueError, match="4xx or 5xx"):
        HTTPError("x", code=200)
    with pytest.raises(ValueError, match="HTTP status"):
        response(1000)
    with pytest.raises(ValueError, match="max_threads"):
        Resource(Servers(), max_threads=0)
    with pytest.raises(TypeError, match="Mapper"):
        Router(object())  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_sync_actions_are_bounded_by_the_resource_limiter() -> None:
    servers = Servers()
    async with client(make_app(servers, max_threads=1)) as c:
        results = await asyncio.gather(
            *(c.put(f"/p1/servers/{i}", json={"server": {}}) for i in range(3)),
        )
    assert [r.status_code for r in results] == [200, 200, 200]
    assert servers.peak == 1


@pytest.mark.asyncio
async def test_url_generation_under_a_mount_root_path() -> None:
    outer = Starlette(routes=[Mount("/compute/v2", app=make_app(Servers()))])
    async with client(outer, base_url="https://nova.example") as c:
        r = await c.get("/compute/v2/p1/servers/detail")
    assert r.status_code == 200
    assert r.json() == {
        "self": "/compute/v2/p1/servers/1",
        "full": "https://nova.example/compute/v2/p1/servers/1",
        "route": "project_detail_servers",
        "args": ["action", "controller", "project_id"],
    }


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    """An ASGI app that reports what RoutesMiddleware left in the scope."""
    request = Request(scope, receive)
    body = await request.body()
    match = dict(scope["wsgiorg.routing_args"][1])
    match.pop("controller", None)
    route = scope["routes.route"]
    payload = {
        "args0": list(scope["wsgiorg.routing_args"][0]),
        "match": match,
        "route": route.name if route else None,
        "url": scope["routes.url"]("item", id=3) if route else None,
        "current": scope["routes.url"].current() if route else None,
        "root_path": scope.get("root_path", ""),
        "method": scope["method"],
        "body": body.decode(),
    }
    data = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": data})


def _middleware_app() -> RoutesMiddleware:
    m = Mapper()
    m.connect("item", "/items/{id}", controller="items", action="show", conditions={"method": ["GET"]})
    m.connect("/items/{id}", controller="items", action="update", conditions={"method": ["PUT"]})
    m.connect("/blog/*path_info", controller="blog")
    m.redirect("/old/{id}", "/items/{id}", _redirect_code="301 Moved Permanently")
    return RoutesMiddleware(_echo, m)


@pytest.mark.asyncio
async def test_middleware_stores_match_route_and_url_in_scope() -> None:
    async with client(_middleware_app()) as c:
        r = await c.get("/items/7")
        assert r.json()["match"] == {"id": "7", "action": "show"}
        assert r.json()["args0"] == [] and r.json()["route"] == "item" and r.json()["url"] == "/items/3"
        assert r.json()["current"] == "/items/7"
        r = await c.get("/nowhere")
        assert r.json()["match"] == {} and r.json()["route"] is None


@pytest.mark.asyncio
async def test_middleware_method_override_query_and_form() -> None:
    async with client(_middleware_app()) as c:
        r = await c.post("/items/7?_method=put")
        assert r.json()["match"]["action"] == "update" and r.json()["method"] == "POST"
        r = await c.post("/items/7", data={"_method": "PUT", "name": "x"})
        assert r.json()["match"]["action"] == "update"
        assert r.json()["body"] == "_method=PUT&name=x"  # the body is replayed to the app


@pytest.mark.asyncio
async def test_middleware_redirect_and_path_info() -> None:
    async with client(_middleware_app()) as c:
        r = await c.get("/old/5")
        assert r.status_code == 301 and r.headers["location"] == "/items/5"
        r = await c.get("/blog/2024/post")
        assert r.json()["root_path"] == "/blog" and r.json()["match"]["path_info"] == "2024/post"


@pytest.mark.asyncio
async def test_real_server_with_lifespan_and_sync_controller() -> None:
    servers = Servers()
    inner = make_app(servers)
    async with running_server(inner) as (base_url, _server), httpx.AsyncClient(base_url=base_url) as c:
        r = await c.get("/p1/servers/1")
        assert r.status_code == 200 and r.json() == {"server": {"id": "1", "name": "one"}}
        r = await c.post("/p1/servers", content=b"[", headers={"content-type": "application/json"})
        assert r.status_code == 400
    assert servers.threads


@pytest.mark.asyncio
async def test_middleware_passes_lifespan_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        else:
            await PlainTextResponse("ok")(scope, receive, send)

    mw = RoutesMiddleware(app, Mapper())
    async with running_server(mw) as (base_url, _server), httpx.AsyncClient(base_url=base_url) as c:
        assert (await c.get("/")).text == "ok"
    assert seen[0] == "lifespan" and "http" in seen


@pytest.mark.asyncio
async def test_websocket_scopes_are_matched_and_unmatched_ones_closed() -> None:
    seen: list[dict[str, Any]] = []

    async def ws_app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(routing_args(scope))
        await send({"type": "websocket.close", "code": 1000})

    mapper = Mapper()
    mapper.connect("/ws/{room}", controller=ws_app)
    router = Router(mapper)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    base = {"type": "websocket", "scheme": "ws", "headers": [], "query_string": b"", "root_path": ""}
    await router({**base, "path": "/ws/lobby"}, receive, send)
    assert seen == [{"room": "lobby", "controller": ws_app}]
    await router({**base, "path": "/nope"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000}] * 2


@pytest.mark.asyncio
async def test_wsgi_app_below_the_middleware_sees_routing_keys() -> None:
    from asgipaste.interop.wsgi import WSGIAdapter

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        match = environ["wsgiorg.routing_args"][1]
        body = {
            "id": match.get("id"),
            "route": environ["routes.route"].name,
            "url": environ["routes.url"]("item", id=9),
        }
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    m = Mapper()
    m.connect("item", "/items/{id}", controller="items", action="show")
    outer = Starlette(routes=[Mount("/legacy", app=RoutesMiddleware(WSGIAdapter(wsgi_app), m))])
    async with client(outer) as c:
        r = await c.get("/legacy/items/4")
    assert r.json() == {"id": "4", "route": "item", "url": "/legacy/items/9"}


@pytest.mark.asyncio
async def test_router_subclass_factory_like_nova_apirouter() -> None:
    class APIRouter(Router):
        def __init__(self) -> None:
            mapper = Mapper()
            mapper.resource("server", "servers", controller=Resource(Servers()), path_prefix="/{project_id}")
            super().__init__(mapper)

    app = APIRouter.factory({"here": "/etc/nova"}, verbose="true")
    assert isinstance(app, APIRouter) and repr(app).startswith("APIRouter(<Mapper routes=14")
    async with client(app) as c:
        assert (await c.get("/p1/servers")).json()["project"] == "p1"

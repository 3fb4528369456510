"""The served demo for the end-to-end suite: a real uvicorn on 127.0.0.1, per test, per auth strategy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

import asgipaste
from asgipaste.demo import DEFAULT_CONFIG
from tests._proc import Proc, child_env
from tests._server import running_server

#: Seeded by the bundled INI's auth_tokens, and valid as-is under noauth.
ADMIN_TOKEN = "admin:demo"
DEMO_TOKEN = "demo:demo"


@pytest.fixture(params=["noauth", "keystone"])
def strategy(request: pytest.FixtureRequest) -> str:
    """Every end-to-end test runs under both auth strategies (global_conf auth_strategy=...)."""
    value: str = request.param
    return value


ServeDemo = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def serve_demo(tmp_path: Path, strategy: str) -> ServeDemo:
    """``async with serve_demo(**vars) as client``: the bundled INI's ``main`` under a real uvicorn.

    ``vars`` are ``var=value`` overrides (global_conf); the database is
    ``tmp_path/demo.sqlite`` unless ``sqlite_db`` is given, so a second
    ``serve_demo()`` in the same test reopens the same file.
    """

    @asynccontextmanager
    async def serve(name: str = "main", **overrides: str) -> AsyncIterator[httpx.AsyncClient]:
        conf = {"sqlite_db": str(tmp_path / "demo.sqlite"), "auth_strategy": strategy, **overrides}
        app = asgipaste.loadapp(f"config:{DEFAULT_CONFIG}", name=name, global_conf=conf)
        async with (
            running_server(app) as (base_url, _server),
            httpx.AsyncClient(base_url=base_url, timeout=10.0) as client,
        ):
            yield client

    return serve


def auth(token: str = ADMIN_TOKEN, **headers: str) -> dict[str, str]:
    return {"X-Auth-Token": token, **headers}


async def create_server(
    client: httpx.AsyncClient, name: str, flavor: str = "1", *, token: str = ADMIN_TOKEN, **extra: Any
) -> dict[str, Any]:
    """POST a server (v2, the token's project); assert 202 and return the response's ``server``."""
    project = token.partition(":")[2]
    body = {"server": {"name": name, "flavorRef": flavor, **extra}}
    response = await client.post(f"/v2/{project}/servers", json=body, headers=auth(token))
    assert response.status_code == 202, response.text
    server: dict[str, Any] = response.json()["server"]
    return server


# -- one served demo per module and strategy; each test gets its own users and project -----------
CALLERS = 64


def caller_tokens() -> str:
    """``auth_tokens`` for the shared server: ``u<n>:p<n>`` and ``w<n>:p<n>`` (same strings work under noauth)."""
    entries = [f"{ADMIN_TOKEN} = admin demo admin", f"{DEMO_TOKEN} = demo demo member"]
    for n in range(CALLERS):
        entries += [f"u{n}:p{n} = u{n} p{n} member", f"w{n}:p{n} = w{n} p{n} member"]
    return "; ".join(entries)


@dataclass
class SharedDemo:
    client: httpx.AsyncClient
    strategy: str
    numbers: Iterator[int]


@dataclass
class Api:
    """A test's view of the shared demo: its own project ``p<n>`` and two users in it."""

    client: httpx.AsyncClient
    strategy: str
    project: str
    token: str
    peer_token: str

    def auth(self, **headers: str) -> dict[str, str]:
        return {"X-Auth-Token": self.token, **headers}

    @property
    def servers(self) -> str:
        return f"/v2/{self.project}/servers"

    @property
    def base(self) -> str:
        return str(self.client.base_url).rstrip("/")

    async def create(self, name: str, flavor: str = "1", **extra: Any) -> dict[str, Any]:
        return await create_server(self.client, name, flavor, token=self.token, **extra)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["noauth", "keystone"])
async def shared_demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SharedDemo]:
    """The bundled INI's ``main`` under a real uvicorn, once per module and auth strategy."""
    strategy: str = request.param
    conf = {
        "sqlite_db": str(tmp_path_factory.mktemp("demo") / "demo.sqlite"),
        "auth_strategy": strategy,
        "auth_tokens": caller_tokens(),
    }
    app = asgipaste.loadapp(f"config:{DEFAULT_CONFIG}", global_conf=conf)
    async with (
        running_server(app) as (base_url, _server),
        httpx.AsyncClient(base_url=base_url, timeout=10.0) as client,
    ):
        yield SharedDemo(client, strategy, iter(range(CALLERS)))


@pytest.fixture
def api(shared_demo: SharedDemo) -> Api:
    n = next(shared_demo.numbers)
    return Api(shared_demo.client, shared_demo.strategy, f"p{n}", f"u{n}:p{n}", f"w{n}:p{n}")


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """Start commands in tmp_path (TMPDIR too: the demo's default database lands there); killed at teardown."""
    started: list[Proc] = []

    def start(args: list[str], *, env: dict[str, str] | None = None) -> Proc:
        log = tmp_path / f"proc{len(started)}.log"
        proc = Proc(args, cwd=tmp_path, log=log, env=env or child_env(TMPDIR=str(tmp_path)))
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()

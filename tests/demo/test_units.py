"""The demo's parts on their own: config errors, the limiter, negotiation, faultwrap, mounting."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import anyio
import httpx
import pytest

import asgipaste
from asgipaste.demo import DEFAULT_CONFIG
from asgipaste.demo.auth import parse_tokens
from asgipaste.demo.db import Database, DatabaseClosed, shared_database
from asgipaste.demo.faults import SAFE_MESSAGE, FaultWrapper
from asgipaste.demo.limits import Limiter, parse_limits
from asgipaste.demo.versioned_urlmap import header_version
from asgipaste.errors import ConfigError, ConfigLookupError, ConfigValueError
from asgipaste.graph import render_text
from asgipaste.routes import HTTPNotFound
from asgipaste.types import Receive, Scope, Send
from asgipaste.urlmap import URLMap
from tests._server import running_server
from tests.demo.conftest import auth

pytestmark = pytest.mark.timeout(60)


def load(tmp_path: Path, name: str = "main", **conf: str) -> asgipaste.LoadedStack:
    return asgipaste.load_stack(
        f"config:{DEFAULT_CONFIG}", name=name, global_conf={"sqlite_db": str(tmp_path / "u.sqlite"), **conf}
    )


# -- configuration -------------------------------------------------------------------------------
def test_pipeline_factory_picks_the_pipeline_from_global_conf(tmp_path: Path) -> None:
    def layers(**conf: str) -> str:
        return render_text(load(tmp_path, "openstack_compute_api_v2", **conf).graph)

    noauth = layers()
    assert "filter:noauth" in noauth and "filter:ratelimit" in noauth and "authtoken" not in noauth
    keystone = layers(auth_strategy="keystone")
    assert "filter:authtoken" in keystone and "filter:keystonecontext" in keystone
    assert "filter:ratelimit" in keystone
    nolimit = layers(auth_strategy="keystone", api_rate_limit="false")
    assert "filter:authtoken" in nolimit and "filter:ratelimit" not in nolimit
    # no noauth_nolimit pipeline: nova keeps the noauth one
    assert "filter:ratelimit" in layers(api_rate_limit="false")


def test_unknown_auth_strategy_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigLookupError) as caught:
        load(tmp_path, auth_strategy="ldap")
    assert "'ldap'" in str(caught.value)
    assert caught.value.hint == "pipelines given: keystone, noauth"


@pytest.mark.parametrize(
    ("conf", "words"),
    [
        ({"api_rate_limit": "sometimes"}, "api_rate_limit"),
        ({"osapi_max_request_body_size": "big"}, "osapi_max_request_body_size = 'big' is not an integer"),
        ({"osapi_compute_limits": "(POST, *, .*, 10)"}, "needs 5 arguments"),
        ({"osapi_compute_limits": "(POST, *, .*, 10, FORTNIGHT)"}, "unknown unit 'FORTNIGHT'"),
        ({"osapi_compute_limits": "POST, *, .*, 10, MINUTE"}, "parentheses"),
        ({"osapi_compute_limits": "(POST, *, (, 10, MINUTE)"}, "bad regex"),
        ({"auth_tokens": "admin:demo = admin"}, "auth_tokens: bad entry"),
        ({"sqlite_db": ":memory:"}, ":memory:"),
    ],
)
def test_bad_settings_fail_at_load_with_a_clear_error(tmp_path: Path, conf: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, **conf)
    assert words in str(caught.value)


def test_tokens_and_limits_parse() -> None:
    tokens = parse_tokens("a:b = alice proj admin,member\n  b = bob proj ;")
    assert tokens == {"a:b": ("alice", "proj", ("admin", "member")), "b": ("bob", "proj", ())}
    with pytest.raises(ConfigValueError):
        parse_tokens("no-equals-sign")
    limits = parse_limits('(POST, "*", .*, 10, MINUTE);\n (delete, "*/servers", ^/servers, 2, hour)')
    assert [(x.verb, x.uri, x.regex, x.value, x.unit) for x in limits] == [
        ("POST", "*", ".*", 10, 60),
        ("DELETE", "*/servers", "^/servers", 2, 3600),
    ]


def test_limiter_is_a_leaky_bucket_per_user() -> None:
    limiter = Limiter(parse_limits('(POST, "*", .*, 2, MINUTE)'))
    assert limiter.check("POST", "/s", "alice", now=0.0) is None
    assert limiter.check("POST", "/s", "alice", now=0.0) is None
    assert limiter.check("POST", "/s", "alice", now=0.0) == pytest.approx(30.0)  # one slot leaks in 30 s
    assert limiter.check("GET", "/s", "alice", now=0.0) is None  # other verbs pass
    assert limiter.check("POST", "/s", "bob", now=0.0) is None  # other users have their own bucket
    assert limiter.check("POST", "/s", "alice", now=29.0) == pytest.approx(1.0)
    assert limiter.check("POST", "/s", "alice", now=30.0) is None


@pytest.mark.parametrize(
    ("headers", "version"),
    [
        ({"accept": "application/json;version=2"}, "2"),
        ({"accept": "application/vnd.openstack.compute+json; version=3"}, "3"),
        ({"accept": 'application/json; version="1.1"'}, "1.1"),
        ({"accept": "text/html, application/json;version=3"}, "3"),
        ({"accept": "application/json;version=3;q=0, application/json;version=2;q=0.5"}, "2"),
        ({"accept": "application/json"}, None),
        ({"accept": "*/*;version=2"}, "2"),
        ({"content-type": "application/json;version=3", "accept": "application/json;version=2"}, "3"),
        ({"content-type": "text/plain;version=3"}, None),
        ({}, None),
    ],
)
def test_header_version(headers: dict[str, str], version: str | None) -> None:
    scope = {"type": "http", "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    assert header_version(scope) == version


# -- faultwrap -----------------------------------------------------------------------------------
async def _explode(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    if scope["path"] == "/missing":
        raise HTTPNotFound("No such thing.")
    if scope["path"] == "/late":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        raise RuntimeError("late secret detail")
    raise RuntimeError("secret detail: /etc/shadow")


@pytest.mark.asyncio
async def test_faultwrap_turns_errors_into_json_and_logs_the_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="asgipaste.demo.faults")
    async with running_server(FaultWrapper(_explode)) as (base, _server), httpx.AsyncClient(base_url=base) as client:
        crashed = await client.get("/boom")
        assert crashed.status_code == 500
        assert crashed.json() == {"computeFault": {"code": 500, "message": SAFE_MESSAGE}}
        assert "secret" not in crashed.text
        logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
        assert "secret detail: /etc/shadow" in logged and "Traceback" in logged

        missing = await client.get("/missing")
        assert missing.status_code == 404
        assert missing.json() == {"itemNotFound": {"code": 404, "message": "No such thing."}}

        # the response had started: nothing to replace, the connection is cut and the error logged
        with pytest.raises(httpx.HTTPError):
            await client.get("/late")
    assert any("late secret detail" in (r.exc_text or "") for r in caplog.records)


# -- mounting ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_links_honour_a_mount_prefix(tmp_path: Path) -> None:
    outer = URLMap()
    outer["/compute"] = load(tmp_path, "osapi_compute").asgi
    async with running_server(outer) as (base, _server), httpx.AsyncClient(base_url=base) as client:
        versions = (await client.get("/compute/")).json()["versions"]
        assert [v["links"][0]["href"] for v in versions] == [base + "/compute/v2/", base + "/compute/v3/"]
        created = await client.post(
            "/compute/v2/demo/servers", json={"server": {"name": "m", "flavorRef": "1"}}, headers=auth()
        )
        server_id = created.json()["server"]["id"]
        assert created.json()["server"]["links"][0]["href"] == f"{base}/compute/v2/demo/servers/{server_id}"
        by_header = await client.get("/compute/demo/servers", headers=auth(Accept="application/json;version=2"))
        assert by_header.json()["servers"][0]["links"][0]["href"] == f"{base}/compute/v2/demo/servers/{server_id}"


# -- the database ---------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_database_serialises_concurrent_writes_and_refuses_when_closed(tmp_path: Path) -> None:
    db = shared_database({"sqlite_db": str(tmp_path / "c.sqlite")})
    assert db is shared_database({"sqlite_db": str(tmp_path / "c.sqlite")})  # one object per file
    with pytest.raises(DatabaseClosed):
        await db.run(lambda conn: conn.execute("SELECT 1"))

    await db.acquire()
    await db.acquire()  # a second user (v2 and v3 routers) shares the connection

    def insert(n: int) -> Callable[[sqlite3.Connection], None]:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO tokens VALUES (?, 'u', 'p', '[]', NULL)", (f"t{n}",))

        return write

    async with anyio.create_task_group() as group:
        for n in range(200):
            group.start_soon(db.run, insert(n))
    count = await db.run(lambda conn: conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0])
    assert count == 200
    await db.release()
    assert db.is_open  # still one user
    await db.release()
    assert not db.is_open
    # reopened (a restart): the rows are still there
    again = Database(tmp_path / "c.sqlite")
    await again.acquire()
    assert await again.lookup_token("t7") == ("u", "p", [])
    assert await again.lookup_token("nope") is None
    await again.release()

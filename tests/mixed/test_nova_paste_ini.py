"""The seed's full nova api-paste.ini, verbatim, against stand-ins for its factories.

nova's urlmap_factory subclasses Paste's WSGI URLMap and its pipeline_factory
composes WSGI filters by hand: as legacy composites they receive WSGI views
from the loader, so the whole osapi_compute tree stays WSGI (fused) and
crosses into ASGI once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import paste.urlmap
import pytest
from nova.conf import CONF

from asgipaste import load_stack, loadapp
from asgipaste.interop.wsgi import WSGIAdapter
from asgipaste.urlmap import URLMap
from asgipaste.urlmap_wsgi import WSGIURLMap
from tests.mixed.conftest import NOVA_INI

URI = f"config:{NOVA_INI}"


@pytest.fixture
def strategy() -> Iterator[Any]:
    saved = (CONF.auth_strategy, CONF.api_rate_limit)
    yield CONF
    CONF.auth_strategy, CONF.api_rate_limit = saved


async def request(app: Any, path: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nova:8774") as client:
        return await client.get(path, **kw)


@pytest.mark.asyncio
async def test_osapi_compute_routes_through_noauth_pipeline(strategy: Any) -> None:
    app = loadapp(URI, "osapi_compute")
    versions = (await request(app, "/")).json()
    assert versions["app"] == "oscomputeversionapp" and versions["trail"] == ["faultwrap"]
    denied = await request(app, "/v2/servers")
    assert denied.status_code == 401 and denied.json() == {"unauthorized": {"code": 401}}
    body = (await request(app, "/v2/servers", headers={"X-Auth-Token": "alice:proj"})).json()
    assert body == {
        "app": "osapi_compute_app_v2",
        "script_name": "/v2",
        "path_info": "/servers",
        "trail": ["faultwrap", "sizelimit", "noauth", "ratelimit"],
        "context": {"user": "alice", "project": "proj"},
    }
    v3 = (await request(app, "/v3/x", headers={"X-Auth-Token": "a:b"})).json()
    assert (v3["app"], v3["trail"]) == ("osapi_compute_app_v3", ["faultwrap", "sizelimit", "noauth_v3"])
    legacy = (await request(app, "/v1.1", headers={"X-Auth-Token": "a:b"})).json()
    assert (legacy["script_name"], legacy["path_info"]) == ("/v1.1", "")


@pytest.mark.asyncio
async def test_pipeline_factory_keys_pick_the_pipeline(strategy: Any) -> None:
    strategy.auth_strategy = "keystone"
    app = loadapp(URI, "osapi_compute")
    assert (await request(app, "/v2/s", headers={"X-Auth-Token": "nope"})).status_code == 401
    body = (await request(app, "/v2/s", headers={"X-Auth-Token": "valid-token"})).json()
    assert body["trail"] == ["faultwrap", "sizelimit", "authtoken", "keystonecontext", "ratelimit"]
    strategy.api_rate_limit = False
    app = loadapp(URI, "osapi_compute")
    body = (await request(app, "/v2/s", headers={"X-Auth-Token": "valid-token"})).json()
    assert body["trail"] == ["faultwrap", "sizelimit", "authtoken", "keystonecontext"]


def test_legacy_composites_get_wsgi_and_the_tree_is_fused(strategy: Any) -> None:
    stack = load_stack(URI, "osapi_compute")
    assert stack.wsgi is not None
    assert isinstance(stack.wsgi, paste.urlmap.URLMap)  # nova's own subclass of Paste's
    assert isinstance(stack.asgi, WSGIAdapter) and stack.asgi.app is stack.wsgi
    assert [n.join for n in stack.graph.walk()].count("adapter") == 1
    assert {n.protocol for n in stack.graph.walk()} == {"wsgi"}


@pytest.mark.asyncio
async def test_metadata_and_ec2_use_asgipaste_urlmap(strategy: Any) -> None:
    # egg:Paste#urlmap over WSGI apps is asgipaste's urlmap in its WSGI form:
    # the tree stays WSGI all the way down and crosses into ASGI once.
    stack = load_stack(URI, "metadata")
    assert isinstance(stack.wsgi, WSGIURLMap) and isinstance(stack.wsgi.table, URLMap)
    assert isinstance(stack.asgi, WSGIAdapter) and stack.asgi.app is stack.wsgi
    meta = stack.asgi
    body = (await request(meta, "/latest/meta-data")).json()
    assert body["app"] == "metaapp" and body["trail"] == ["ec2faultwrap", "logrequest"]
    assert (body["script_name"], body["path_info"]) == ("", "/latest/meta-data")
    ec2 = loadapp(URI, "ec2")
    body = (await request(ec2, "/services/Cloud/x")).json()
    assert body["trail"] == ["ec2faultwrap", "logrequest", "ec2noauth", "cloudrequest", "validator"]
    assert (body["script_name"], body["path_info"]) == ("/services/Cloud", "/x")
    assert (await request(ec2, "/services/Cloudy")).status_code == 404

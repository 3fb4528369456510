"""State across servers: the database survives a restart, the metadata app reads it, lifespan opens it."""

from __future__ import annotations

import httpx
import pytest

import asgipaste
from asgipaste.demo import DEFAULT_CONFIG
from tests.demo.conftest import ServeDemo, auth, create_server

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


async def test_data_survives_a_restart(serve_demo: ServeDemo) -> None:
    async with serve_demo() as first:
        server = await create_server(first, "persistent")
        renamed = await first.put(
            f"/v2/demo/servers/{server['id']}", json={"server": {"name": "renamed"}}, headers=auth()
        )
        assert renamed.status_code == 200
    async with serve_demo() as second:
        shown = await second.get(f"/v2/demo/servers/{server['id']}", headers=auth())
        assert shown.status_code == 200
        assert shown.json()["server"]["name"] == "renamed"


async def test_metadata_api_reads_the_same_database(serve_demo: ServeDemo) -> None:
    async with serve_demo() as compute, serve_demo("metadata") as metadata:
        server = await create_server(compute, "meta-host", metadata={"k": "v"})
        assert (await metadata.get("/")).text == "openstack"
        assert (await metadata.get("/openstack")).text.splitlines() == ["2012-08-10", "latest"]
        doc = await metadata.get("/openstack/latest/meta_data.json", headers={"X-Instance-ID": server["id"]})
        assert doc.status_code == 200
        found = doc.json()
        assert (found["uuid"], found["name"], found["meta"]) == (server["id"], "meta-host", {"k": "v"})
        assert (await metadata.get("/openstack/latest/meta_data.json")).status_code == 400
        unknown = await metadata.get("/openstack/latest/meta_data.json", headers={"X-Instance-ID": "nope"})
        assert unknown.status_code == 404
        assert (await metadata.post("/openstack")).status_code == 405


@pytest.mark.parametrize("strategy", ["noauth", "keystone"])
async def test_without_lifespan_the_api_refuses_with_503(tmp_path: object, strategy: str) -> None:
    # httpx's ASGITransport sends no lifespan: exactly a server (or composite) that never runs it.
    conf = {"sqlite_db": f"{tmp_path}/never-opened.sqlite", "auth_strategy": strategy}
    app = asgipaste.loadapp(f"config:{DEFAULT_CONFIG}", global_conf=conf)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        refused = await client.get("/v2/demo/servers", headers=auth())
        assert refused.status_code == 503
        assert refused.json()["serviceUnavailable"]["code"] == 503
        assert (await client.get("/")).status_code == 200  # the versions app needs no state

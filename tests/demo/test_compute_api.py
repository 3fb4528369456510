"""The bundled demo over real HTTP on 127.0.0.1, under noauth and keystone (global_conf auth_strategy).

One server per strategy serves the whole module; each test calls it as its
own users in its own project, so data and rate limits never mix.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from tests.demo.conftest import Api

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

LIMIT = 114688  # the INI's osapi_max_request_body_size


# -- version discovery ---------------------------------------------------------------------------
async def test_versions_at_root_link_to_each_mount(api: Api) -> None:
    response = await api.client.get("/")
    assert response.status_code == 200
    versions = {v["id"]: v for v in response.json()["versions"]}
    assert set(versions) == {"v2.0", "v3.0"}
    assert versions["v2.0"]["status"] == "CURRENT"
    assert versions["v2.0"]["links"] == [{"rel": "self", "href": api.base + "/v2/"}]
    assert versions["v3.0"]["links"] == [{"rel": "self", "href": api.base + "/v3/"}]
    refused = await api.client.post("/")
    assert (refused.status_code, refused.headers["Allow"]) == (405, "GET, HEAD")


async def test_version_links_follow_the_host_header(api: Api) -> None:
    response = await api.client.get("/", headers={"Host": "compute.example:8774"})
    hrefs = [v["links"][0]["href"] for v in response.json()["versions"]]
    assert hrefs == ["http://compute.example:8774/v2/", "http://compute.example:8774/v3/"]


async def test_each_version_describes_itself_at_its_mount(api: Api) -> None:
    for path, version in [("/v2/", "v2.0"), ("/v2", "v2.0"), ("/v1.1/", "v2.0"), ("/v3/", "v3.0")]:
        response = await api.client.get(path)  # version documents are public
        assert response.status_code == 200, (path, response.text)
        doc = response.json()["version"]
        assert doc["id"] == version
        assert doc["links"] == [{"rel": "self", "href": api.base + path.rstrip("/") + "/"}]
    assert (await api.client.get("/v2/", headers=api.auth())).json()["version"]["id"] == "v2.0"
    # the README's `curl -H 'Accept: application/json;version=2' /`
    by_header = await api.client.get("/", headers={"Accept": "application/json;version=2"})
    assert by_header.json()["version"]["links"] == [{"rel": "self", "href": api.base + "/v2/"}]
    # only the root is public: POST to it, or anything under it, needs a token
    assert (await api.client.post("/v2/")).status_code == 401
    assert (await api.client.get("/v2/flavors")).status_code == 401


async def test_accept_header_version_chooses_the_api(api: Api) -> None:
    server = await api.create("negotiated")
    v2 = api.auth(Accept="application/json;version=2")
    listed = await api.client.get(f"/{api.project}/servers", headers=v2)
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["servers"]] == [server["id"]]
    # the app runs as if mounted at /v2: its links carry the prefix
    href = listed.json()["servers"][0]["links"][0]["href"]
    assert href == f"{api.base}/v2/{api.project}/servers/{server['id']}"

    v3 = api.auth(Accept="application/vnd.openstack.compute+json;version=3")
    shown = await api.client.get(f"/servers/{server['id']}", headers=v3)
    assert shown.status_code == 200
    assert shown.json()["server"]["links"][0]["href"] == f"{api.base}/v3/servers/{server['id']}"

    # a version in the path wins over the header
    by_path = await api.client.get("/v2/", headers=v3)
    assert by_path.json()["version"]["id"] == "v2.0"


async def test_content_type_version_and_accept_quality_order(api: Api) -> None:
    created = await api.client.post(
        f"/{api.project}/servers",
        content=b'{"server": {"name": "by-content-type", "flavorRef": "2"}}',
        headers=api.auth(**{"Content-Type": "application/json;version=2"}),
    )
    assert created.status_code == 202, created.text
    accept = "application/json;version=3;q=0.2, application/vnd.openstack.compute+json;version=2;q=0.9"
    listed = await api.client.get(f"/{api.project}/servers", headers=api.auth(Accept=accept))
    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()["servers"]] == ["by-content-type"]


async def test_unknown_header_version_falls_back_to_the_path(api: Api) -> None:
    root = await api.client.get("/", headers={"Accept": "application/json;version=9"})
    assert root.status_code == 200
    assert {v["id"] for v in root.json()["versions"]} == {"v2.0", "v3.0"}
    # no version in path or header: nova's versions app offers the path under each version
    path = f"/{api.project}/servers"
    choices = await api.client.get(path, headers=api.auth(Accept="application/json;version=9"))
    assert choices.status_code == 300
    hrefs = [c["links"][0]["href"] for c in choices.json()["choices"]]
    assert hrefs == [api.base + "/v2" + path, api.base + "/v3" + path]


# -- servers -------------------------------------------------------------------------------------
async def test_server_lifecycle(api: Api) -> None:
    client = api.client
    server = await api.create("web-1", flavor="2", metadata={"role": "web"})
    server_id = server["id"]
    url = f"{api.servers}/{server_id}"
    assert server["adminPass"]
    assert server["links"] == [{"rel": "self", "href": api.base + url}]

    listed = (await client.get(api.servers, headers=api.auth())).json()["servers"]
    assert [(s["id"], s["name"]) for s in listed] == [(server_id, "web-1")]

    shown = await client.get(url, headers=api.auth())
    assert shown.status_code == 200
    detail = shown.json()["server"]
    user = api.token.partition(":")[0]
    assert (detail["name"], detail["status"], detail["tenant_id"], detail["user_id"]) == (
        "web-1",
        "ACTIVE",
        api.project,
        user,
    )
    assert detail["flavor"]["id"] == "2"
    assert detail["metadata"] == {"role": "web"}

    updated = await client.put(url, json={"server": {"name": "web-2"}}, headers=api.auth())
    assert updated.status_code == 200
    assert updated.json()["server"]["name"] == "web-2"

    details = (await client.get(api.servers + "/detail", headers=api.auth())).json()["servers"]
    assert [(s["id"], s["name"], s["status"]) for s in details] == [(server_id, "web-2", "ACTIVE")]

    reboot = await client.post(url + "/action", json={"reboot": {"type": "SOFT"}}, headers=api.auth())
    assert reboot.status_code == 202

    deleted = await client.delete(url, headers=api.auth())
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = await client.get(url, headers=api.auth())
    assert gone.status_code == 404
    assert gone.json() == {"itemNotFound": {"code": 404, "message": f"Instance {server_id} could not be found."}}
    assert (await client.delete(url, headers=api.auth())).status_code == 404
    assert (await client.get(api.servers, headers=api.auth())).json() == {"servers": []}


async def test_v3_serves_the_same_servers_without_project_in_url(api: Api) -> None:
    server = await api.create("shared")
    shown = await api.client.get(f"/v3/servers/{server['id']}", headers=api.auth())
    assert shown.status_code == 200
    assert shown.json()["server"]["links"][0]["href"] == f"{api.base}/v3/servers/{server['id']}"
    body = {"server": {"name": "v3", "flavorRef": "1"}}
    assert (await api.client.post("/v3/servers", json=body, headers=api.auth())).status_code == 202
    names = {s["name"] for s in (await api.client.get(api.servers, headers=api.auth())).json()["servers"]}
    assert names == {"shared", "v3"}


async def test_projects_see_only_their_servers(api: Api) -> None:
    await api.create("mine")
    peer = await api.client.get(api.servers, headers={"X-Auth-Token": api.peer_token})
    assert [s["name"] for s in peer.json()["servers"]] == ["mine"]  # same project, other user
    outsider = await api.client.get("/v3/servers", headers={"X-Auth-Token": "demo:demo"})
    assert "mine" not in [s["name"] for s in outsider.json()["servers"]]
    foreign = await api.client.get("/v2/elsewhere/servers", headers=api.auth())
    assert foreign.status_code == 400
    assert "doesn't match" in foreign.json()["badRequest"]["message"]


async def test_list_pages_with_limit_and_marker(api: Api) -> None:
    ids = [(await api.create(f"s{i}"))["id"] for i in range(3)]
    first = (await api.client.get(api.servers, params={"limit": 2}, headers=api.auth())).json()
    assert [s["id"] for s in first["servers"]] == ids[:2]
    next_href = first["servers_links"][0]["href"]
    assert next_href.startswith(api.base + api.servers + "?")
    second = (await api.client.get(next_href, headers=api.auth())).json()
    assert [s["id"] for s in second["servers"]] == ids[2:]
    bad = await api.client.get(api.servers, params={"marker": "nope"}, headers=api.auth())
    assert bad.status_code == 400


async def test_flavors(api: Api) -> None:
    flavors = f"/v2/{api.project}/flavors"
    listed = (await api.client.get(flavors, headers=api.auth())).json()["flavors"]
    assert [f["name"] for f in listed] == ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"]
    tiny = (await api.client.get(flavors + "/1", headers=api.auth())).json()["flavor"]
    assert (tiny["vcpus"], tiny["ram"], tiny["disk"]) == (1, 512, 1)
    missing = await api.client.get(flavors + "/42", headers=api.auth())
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["message"] == "Flavor 42 could not be found."


# -- auth ----------------------------------------------------------------------------------------
async def test_401_without_a_token(api: Api) -> None:
    for method, path in [("GET", api.servers), ("POST", api.servers), ("GET", "/v3/servers")]:
        response = await api.client.request(method, path, json={"server": {"name": "x", "flavorRef": "1"}})
        assert response.status_code == 401, (method, path)
        assert response.json()["unauthorized"]["code"] == 401
    # identity headers without a token never authenticate
    forged = await api.client.get(api.servers, headers={"X-User-Id": "admin", "X-Project-Id": api.project})
    assert forged.status_code == 401


async def test_tokens_per_strategy(api: Api) -> None:
    unknown = await api.client.get("/v2/mallory/servers", headers={"X-Auth-Token": "mallory:mallory"})
    if api.strategy == "keystone":
        assert unknown.status_code == 401  # not in the tokens table
    else:
        assert unknown.status_code == 200  # noauth trusts user:project
        assert unknown.json() == {"servers": []}
    # keystone: the roles come from the table, the forged header is dropped
    forged = await api.client.get(api.servers, headers=api.auth(**{"X-User-Id": "admin"}))
    assert forged.status_code == 200


# -- limits and faults ---------------------------------------------------------------------------
async def test_413_on_a_large_content_length(api: Api) -> None:
    json_type = api.auth(**{"Content-Type": "application/json"})
    body = b'{"server": {"name": "' + b"x" * LIMIT + b'", "flavorRef": "1"}}'
    response = await api.client.post(api.servers, content=body, headers=json_type)
    assert response.status_code == 413
    assert response.json()["overLimit"]["code"] == 413
    # at the limit the body is read: this one is malformed, so 400
    under = await api.client.post(api.servers, content=b"{" + b" " * (LIMIT - 1), headers=json_type)
    assert under.status_code == 400


async def test_413_on_a_large_chunked_body(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"server": {"name": "'
        for _ in range(10):
            yield b"y" * 16384
        yield b'", "flavorRef": "1"}}'

    json_type = api.auth(**{"Content-Type": "application/json"})
    response = await api.client.post(api.servers, content=chunks(), headers=json_type)
    assert "content-length" not in response.request.headers  # it really was chunked
    assert response.status_code == 413
    assert response.json()["overLimit"]["code"] == 413
    assert (await api.client.get(api.servers, headers=api.auth())).json() == {"servers": []}


async def test_429_after_the_limit_with_retry_after(api: Api) -> None:
    for i in range(10):  # the INI: (POST, "*", .*, 10, MINUTE)
        await api.create(f"burst-{i}")
    body = {"server": {"name": "one-too-many", "flavorRef": "1"}}
    over = await api.client.post(api.servers, json=body, headers=api.auth())
    assert over.status_code == 429
    retry_after = int(over.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert over.json()["overLimit"]["code"] == 429
    assert over.json()["overLimit"]["retryAfter"] == str(retry_after)
    # limits are per user: another user of the same project is not held back
    other = await api.client.post(api.servers, json=body, headers={"X-Auth-Token": api.peer_token})
    assert other.status_code == 202
    # reads are not limited; the refused create left nothing behind
    names = [s["name"] for s in (await api.client.get(api.servers, headers=api.auth())).json()["servers"]]
    assert len(names) == 11 and names.count("one-too-many") == 1
    limits = (await api.client.get(f"/v2/{api.project}/limits", headers=api.auth())).json()["limits"]
    post_any = next(
        item for group in limits["rate"] if group["uri"] == "*" for item in group["limit"] if item["verb"] == "POST"
    )
    assert (post_any["value"], post_any["unit"], post_any["remaining"]) == (10, "MINUTE", 0)
    assert limits["absolute"]["totalInstancesUsed"] == 11


async def test_json_faults(api: Api) -> None:
    client = api.client
    json_type = api.auth(**{"Content-Type": "application/json"})
    bad_json = await client.post(api.servers, content=b'{"server": ', headers=json_type)
    assert bad_json.status_code == 400
    assert bad_json.json() == {"badRequest": {"code": 400, "message": "Malformed request body"}}

    no_server = await client.post(api.servers, json={"name": "x"}, headers=api.auth())
    assert no_server.status_code == 400 and "badRequest" in no_server.json()
    bad_flavor = {"server": {"name": "x", "flavorRef": "99"}}
    invalid = await client.post(api.servers, json=bad_flavor, headers=api.auth())
    assert invalid.json() == {"badRequest": {"code": 400, "message": "Invalid flavorRef provided."}}

    unknown = await client.put(api.servers + "/nope", json={"server": {"name": "y"}}, headers=api.auth())
    assert unknown.status_code == 404 and "itemNotFound" in unknown.json()

    wrong_method = await client.patch(api.servers + "/nope", headers=api.auth())
    assert wrong_method.status_code == 405
    assert set(wrong_method.headers["Allow"].split(", ")) == {"GET", "PUT", "DELETE"}
    assert wrong_method.json()["badMethod"]["code"] == 405

    text = api.auth(**{"Content-Type": "text/plain"})
    wrong_type = await client.post(api.servers, content=b"name=x", headers=text)
    assert wrong_type.status_code == 415 and "badMediaType" in wrong_type.json()

    bad_action = await client.post(api.servers + "/nope/action", json={"explode": {}}, headers=api.auth())
    assert bad_action.status_code == 400


async def test_the_seed_tutorial_answers_beside_the_api(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="asgipaste.demo.tutorial")
    first = await api.client.get("/tutorial/firstapp")
    assert (first.status_code, first.text, first.headers["content-type"]) == (
        200,
        "I am first app",
        "text/plain; charset=UTF-8",
    )
    assert [r.getMessage() for r in caplog.records if r.name == "asgipaste.demo.tutorial"] == [
        "first filter",
        "second filter",
    ]
    second = await api.client.get("/tutorial/secondapp")
    assert (second.status_code, second.text) == (200, "I am second app")
    assert (await api.client.get("/tutorial/nothing")).status_code == 404

"""One Kinto session, driven by Kinto's own client (kinto_http), against any served URL.

:func:`run` returns the observable outcome of every step with what changes
between runs (timestamps, ports) taken out, so two servers' runs compare with
``==``; :func:`check` asserts what Kinto's API promises for each step.
"""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kinto_http import Client, KintoException

Step = tuple[str, Any]
PASSWORD = "s3cret-passw0rd"
BIG = "x" * (2 * 1024 * 1024)  # a 2 MiB string field


def _status(call: Callable[[], Any]) -> int | str:
    """The HTTP status a kinto_http call failed with ("ok" when it did not fail)."""
    try:
        call()
    except KintoException as exc:
        return exc.response.status_code if exc.response is not None else f"no response: {exc}"
    return "ok"


def _strip(obj: Any) -> Any:
    """Drop what differs between runs: timestamps and the server's own address."""
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in sorted(obj.items()) if k not in ("last_modified", "timestamp")}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _chunked_post(base: str, path: str, payload: bytes, auth: tuple[str, str]) -> tuple[int, Any]:
    """POST ``payload`` with ``Transfer-Encoding: chunked`` (http.client, 3 chunks)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        token = _basic(*auth)
        third = len(payload) // 3 + 1
        chunks = (payload[i : i + third] for i in range(0, len(payload), third))
        conn.request(
            "POST",
            parts.path + path,
            body=chunks,
            headers={"Content-Type": "application/json", "Authorization": token},
            encode_chunked=True,
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


class _Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = dict(response.getheaders())
        self.body = response.read()

    def getheader(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


def _raw(base: str, method: str, path: str, headers: dict[str, str] | None = None) -> _Answer:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        conn.request(method, path, headers={"Authorization": _basic("alice", PASSWORD), **(headers or {})})
        return _Answer(conn.getresponse())
    finally:
        conn.close()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def run(base: str) -> list[Step]:
    """Every step's outcome against Kinto at ``base`` (``http://host:port/v1``)."""
    steps: list[Step] = []
    anonymous = Client(server_url=base, timeout=15)
    info = anonymous.server_info()
    steps.append(("server_info", (info["project_name"], sorted(info["capabilities"]), urlsplit(info["url"]).path)))

    # accounts: anyone may create one (kinto.account_create_principals = system.Everyone);
    # bob is a plain basicauth user (multiauth's second policy), which also spares a bcrypt
    body, _ = anonymous.session.request("put", "/accounts/alice", data={"password": PASSWORD})
    steps.append(("create_account", body["data"]["id"]))
    alice = Client(server_url=base, auth=("alice", PASSWORD), timeout=15)
    bob = Client(server_url=base, auth=("bob", "bob's basicauth secret"), timeout=15)
    steps.append(("whoami", alice.server_info()["user"]["id"]))
    bob_id = bob.server_info()["user"]["id"]
    steps.append(("whoami_basicauth", bob_id.split(":")[0]))
    duplicate = _status(lambda: anonymous.session.request("put", "/accounts/alice", data={"password": "other"}))
    steps.append(("account_taken", duplicate))

    # buckets, collections, records
    bucket = alice.create_bucket(id="music", permissions={"read": ["system.Authenticated"]})
    steps.append(("create_bucket", (bucket["data"]["id"], sorted(bucket["permissions"]))))
    alice.create_collection(id="songs", bucket="music")
    for n in range(7):
        alice.create_record(
            id=f"song-{n}", data={"n": n, "title": f"Song {n}", "even": n % 2 == 0}, bucket="music", collection="songs"
        )
    records = alice.get_records(bucket="music", collection="songs", _sort="n")
    steps.append(("list", [r["id"] for r in records]))

    # filters
    steps.append(("min_n", [r["n"] for r in alice.get_records(bucket="music", collection="songs", min_n=4, _sort="n")]))
    steps.append(
        ("in_n", [r["n"] for r in alice.get_records(bucket="music", collection="songs", in_n="1,5", _sort="n")])
    )
    steps.append(("eq_even", len(alice.get_records(bucket="music", collection="songs", even="true"))))
    steps.append(("like", [r["id"] for r in alice.get_records(bucket="music", collection="songs", like_title="*ng 3")]))
    steps.append(("sort_desc", [r["n"] for r in alice.get_records(bucket="music", collection="songs", _sort="-n")]))

    # pagination: Next-Page links, followed by kinto_http
    pages = list(alice.get_paginated_records(bucket="music", collection="songs", _limit=3, _sort="n"))
    steps.append(("pages", [[r["n"] for r in page["data"]] for page in pages]))

    # If-Match: 412 on a stale timestamp, success on the current one
    current = alice.get_record(id="song-0", bucket="music", collection="songs")["data"]["last_modified"]
    stale = _status(
        lambda: alice.update_record(
            id="song-0", data={"n": 0, "title": "stale"}, bucket="music", collection="songs", if_match=current - 1
        )
    )
    steps.append(("if_match_stale", stale))
    fresh = alice.patch_record(
        id="song-0", data={"title": "Renamed"}, bucket="music", collection="songs", if_match=current
    )
    steps.append(("if_match_current", fresh["data"]["title"]))

    # If-None-Match: 304 on the current ETag (raw HTTP: kinto_http hides it)
    path = f"{urlsplit(base).path}/buckets/music/collections/songs/records/song-1"
    first = _raw(base, "GET", path)
    etag = first.getheader("ETag") or ""
    again, other = _raw(base, "GET", path, {"If-None-Match": etag}), _raw(base, "GET", path, {"If-None-Match": '"1"'})
    steps.append(("etag_quoted", etag.startswith('"') and etag.endswith('"')))
    steps.append(("if_none_match", (again.status, again.body, other.status)))

    # batch
    with alice.batch(bucket="music", collection="songs") as batch:
        for n in range(7, 10):
            batch.create_record(id=f"song-{n}", data={"n": n})
        batch.delete_record(id="song-6")
    steps.append(("batch", [r["data"]["id"] for r in batch.results()]))
    steps.append(("after_batch", len(alice.get_records(bucket="music", collection="songs"))))

    # permissions: bob may read (system.Authenticated) but not write, until alice lets him
    steps.append(("bob_reads", len(bob.get_records(bucket="music", collection="songs"))))
    steps.append(
        ("bob_write_denied", _status(lambda: bob.create_record(data={"n": 99}, bucket="music", collection="songs")))
    )
    alice.patch_collection(id="songs", bucket="music", permissions={"record:create": [bob_id]})
    mine = bob.create_record(id="bobs", data={"n": 100}, bucket="music", collection="songs")
    steps.append(("bob_write_allowed", mine["permissions"] == {"write": [bob_id]}))
    steps.append(
        (
            "bob_cannot_delete_alices",
            _status(lambda: bob.delete_record(id="song-1", bucket="music", collection="songs")),
        )
    )
    perms = alice.get_permissions()
    steps.append(("alice_permissions", sorted((p["resource_name"], p["uri"]) for p in perms)))

    # a 2 MiB record, up and back
    alice.create_record(id="big", data={"blob": BIG}, bucket="music", collection="songs")
    steps.append(("big_record", len(alice.get_record(id="big", bucket="music", collection="songs")["data"]["blob"])))

    # a chunked upload (no Content-Length)
    payload = json.dumps({"data": {"id": "chunked", "blob": "y" * 300_000}}).encode()
    status, body = _chunked_post(base, "/buckets/music/collections/songs/records", payload, ("alice", PASSWORD))
    steps.append(("chunked_upload", (status, body["data"]["id"] if body else None)))
    steps.append(
        ("chunked_readback", len(alice.get_record(id="chunked", bucket="music", collection="songs")["data"]["blob"]))
    )

    # history plugin and deletions
    history = alice.get_history(bucket="music", resource_name="record", _limit=1000)
    steps.append(("history_actions", sorted({h["action"] for h in history})))
    alice.delete_record(id="song-2", bucket="music", collection="songs")
    steps.append(("deleted", _status(lambda: alice.get_record(id="song-2", bucket="music", collection="songs"))))
    steps.append(("missing_bucket", _status(lambda: alice.get_bucket(id="nope"))))
    return steps


EXPECTED: dict[str, Any] = {
    "create_account": "alice",
    "whoami": "account:alice",
    "whoami_basicauth": "basicauth",
    "account_taken": 401,
    "create_bucket": ("music", ["read", "write"]),
    "list": [f"song-{n}" for n in range(7)],
    "min_n": [4, 5, 6],
    "in_n": [1, 5],
    "eq_even": 4,
    "like": ["song-3"],
    "sort_desc": [6, 5, 4, 3, 2, 1, 0],
    "pages": [[0, 1, 2], [3, 4, 5], [6]],
    "if_match_stale": 412,
    "if_match_current": "Renamed",
    "etag_quoted": True,
    "if_none_match": (304, b"", 200),
    "batch": ["song-7", "song-8", "song-9", "song-6"],
    "after_batch": 9,
    "bob_reads": 9,
    "bob_write_denied": 403,
    "bob_write_allowed": True,
    "bob_cannot_delete_alices": 403,
    "big_record": len(BIG),
    "chunked_upload": (201, "chunked"),
    "chunked_readback": 300_000,
    "history_actions": ["create", "delete", "update"],
    "deleted": 404,
    "missing_bucket": 403,
}


def check(steps: list[Step]) -> None:
    """Kinto's documented answer for every step."""
    got = dict(steps)
    assert got["server_info"][0] == "kinto" and got["server_info"][2] == "/v1/"
    assert {"accounts", "default_bucket", "history", "basicauth"} <= set(got["server_info"][1])
    assert ("bucket", "/buckets/music") in got["alice_permissions"]
    mismatches = {k: (got.get(k), v) for k, v in EXPECTED.items() if got.get(k) != v}
    assert not mismatches, mismatches

"""``metaapp``: a small nova metadata service, served on its own port beside the compute API.

It reads the same SQLite file as the compute API (opened in its own lifespan),
so a server created on port 8774 is described on port 8775:

.. code-block:: console

    $ curl -H 'X-Instance-ID: <server id>' http://127.0.0.1:8775/openstack/latest/meta_data.json

``GET /`` lists ``openstack``; ``GET /openstack`` the metadata versions;
``GET /openstack/<version>`` the files; ``meta_data.json`` describes the
instance named by ``X-Instance-ID`` (400 without it, 404 when unknown).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from asgipaste.demo.base import close_other_scope, get_header, send_fault
from asgipaste.demo.db import Database, shared_database
from asgipaste.interop.detect import declare_asgi
from asgipaste.types import Receive, Scope, Send

__all__ = ["METADATA_VERSIONS", "MetadataRequestHandler"]

#: The metadata format versions served (nova's first one, and ``latest``).
METADATA_VERSIONS = ("2012-08-10", "latest")


async def _reply(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class MetadataRequestHandler:
    """The metadata app (see the module doc); 503 until its lifespan opened the database.

    >>> MetadataRequestHandler.factory({"sqlite_db": "/tmp/demo.sqlite"})
    MetadataRequestHandler(Database('/tmp/demo.sqlite', closed))
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"MetadataRequestHandler({self.db!r})"

    @classmethod
    @declare_asgi
    def factory(cls, global_conf: Mapping[str, Any], **local_conf: str) -> MetadataRequestHandler:
        """``paste.app_factory = asgipaste.demo.metadata:MetadataRequestHandler.factory``."""
        return cls(shared_database({**dict(global_conf), **local_conf}))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    try:
                        await self.db.acquire()
                    except (OSError, sqlite3.Error) as exc:
                        await send({"type": "lifespan.startup.failed", "message": f"{self.db!r}: {exc}"})
                        return
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.db.release()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            await close_other_scope(scope, receive, send)  # a websocket: refused (403)
            return
        if not self.db.is_open:
            await send_fault(scope, receive, send, 503, "The metadata database is not open: no lifespan startup ran.")
            return
        if scope["method"] not in ("GET", "HEAD"):
            await send_fault(scope, receive, send, 405, "The method is not allowed.", {"Allow": "GET, HEAD"})
            return
        parts = [part for part in scope.get("path", "")[len(scope.get("root_path", "")) :].split("/") if part]
        text = b"text/plain; charset=utf-8"
        known_version = len(parts) > 1 and parts[0] == "openstack" and parts[1] in METADATA_VERSIONS
        if not parts:
            await _reply(send, 200, b"openstack", text)
        elif parts == ["openstack"]:
            await _reply(send, 200, "\n".join(METADATA_VERSIONS).encode(), text)
        elif known_version and len(parts) == 2:
            await _reply(send, 200, b"meta_data.json", text)
        elif known_version and parts[2:] == ["meta_data.json"]:
            await self._meta_data(scope, receive, send)
        else:
            await send_fault(scope, receive, send, 404, "The resource could not be found.")

    async def _meta_data(self, scope: Scope, receive: Receive, send: Send) -> None:
        instance = (get_header(scope, b"x-instance-id") or "").strip()
        if not instance:
            await send_fault(scope, receive, send, 400, "X-Instance-ID header is missing from request.")
            return

        def select(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            row = conn.execute(
                "SELECT id, name, project_id, metadata FROM servers WHERE id = ?", (instance,)
            ).fetchone()
            return None if row is None else tuple(row)

        row = await self.db.run(select)
        if row is None:
            await send_fault(scope, receive, send, 404, f"Instance {instance} could not be found.")
            return
        doc = {
            "uuid": row[0],
            "name": row[1],
            "hostname": row[1].lower().replace(" ", "-"),
            "project_id": row[2],
            "meta": json.loads(row[3]),
            "launch_index": 0,
            "availability_zone": "nova",
        }
        await _reply(send, 200, json.dumps(doc).encode(), b"application/json")

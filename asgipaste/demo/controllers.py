"""The ``servers`` and ``flavors`` controllers: async nova-style actions over the demo database.

Each action is ``async def action(self, req, **match)`` as
:class:`asgipaste.routes.Resource` calls it; ``req.scope["nova.context"]`` is
the caller (set by ``noauth`` or ``keystonecontext``). Servers belong to the
caller's project; in v2 the URL's ``{project_id}`` must be the caller's.

>>> from asgipaste.demo.db import Database
>>> from pathlib import Path
>>> ServersController(Database(Path("demo.sqlite")))
ServersController(Database('demo.sqlite', closed))
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from asgipaste.demo.base import CONTEXT_KEY, RequestContext
from asgipaste.demo.db import Database
from asgipaste.routes import (
    HTTPBadRequest,
    HTTPNotFound,
    HTTPUnauthorized,
    URLGenerator,
    action,
    response,
)

__all__ = ["MAX_LIMIT", "FlavorsController", "ServersController", "context_of"]

#: nova's ``osapi_max_limit``: the largest page a list returns.
MAX_LIMIT = 1000

_SERVER_COLUMNS = "id, project_id, user_id, name, flavor_id, image_ref, status, metadata, created, updated"


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def context_of(req: Request, project_id: str | None = None) -> RequestContext:
    """The caller's context; a v2 URL naming another project is refused as nova does (400)."""
    context = req.scope.get(CONTEXT_KEY)
    if not isinstance(context, RequestContext):
        raise HTTPUnauthorized("No request context: put an auth filter before the compute app.")
    if project_id is not None and project_id != context.project_id:
        raise HTTPBadRequest(
            f"Malformed request URL: URL's project_id '{project_id}' doesn't match "
            f"Context's project_id '{context.project_id}'"
        )
    return context


def _url(req: Request, name: str, **params: Any) -> str:
    url = req.scope.get("routes.url")
    if not isinstance(url, URLGenerator):
        raise RuntimeError("routes.url missing: the controller must run under asgipaste.routes.Router")
    return str(url(name, qualified=True, **params))


def _prefix(project_id: str | None) -> dict[str, str]:
    return {} if project_id is None else {"project_id": project_id}


def _page(req: Request) -> tuple[int, str | None]:
    raw = req.query_params.get("limit")
    limit = MAX_LIMIT
    if raw is not None:
        try:
            limit = int(raw)
        except ValueError:
            raise HTTPBadRequest("limit param must be an integer") from None
        if limit < 0:
            raise HTTPBadRequest("limit param must be positive")
        limit = min(limit, MAX_LIMIT)
    return limit, req.query_params.get("marker")


def _str_field(server: dict[str, Any], key: str, *, required: bool, default: str = "") -> str:
    value = server.get(key)
    if value is None:
        if required:
            raise HTTPBadRequest(f"{key} is a required field")
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise HTTPBadRequest(f"{key} must be a string")
    value = value.strip()
    if required and not value:
        raise HTTPBadRequest(f"{key} must not be empty")
    if len(value) > 255:
        raise HTTPBadRequest(f"{key} is longer than 255 characters")
    return value


def _server_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("server"), dict):
        raise HTTPBadRequest("The request body must be a JSON object with a 'server' object")
    server: dict[str, Any] = body["server"]
    return server


def _metadata(server: dict[str, Any]) -> dict[str, str]:
    meta = server.get("metadata", {})
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise HTTPBadRequest("metadata must be an object of strings")
    if len(meta) > 128:
        raise HTTPBadRequest("metadata has more than 128 items")
    return meta


class ServersController:
    """``/servers``: create (202), index, detail, show, update, delete (204) and the reboot action."""

    def __init__(self, db: Database, *, versioned_project: bool = True) -> None:
        self.db = db
        self.versioned_project = versioned_project

    def __repr__(self) -> str:
        return f"ServersController({self.db!r})"

    # -- views -----------------------------------------------------------------------
    def _links(self, req: Request, server_id: str, project_id: str | None) -> list[dict[str, str]]:
        return [{"rel": "self", "href": _url(req, "server", id=server_id, **_prefix(project_id))}]

    def _brief(self, req: Request, row: tuple[Any, ...], project_id: str | None) -> dict[str, Any]:
        return {"id": row[0], "name": row[3], "links": self._links(req, row[0], project_id)}

    def _detail(self, req: Request, row: tuple[Any, ...], project_id: str | None) -> dict[str, Any]:
        flavor_href = _url(req, "flavor", id=row[4], **_prefix(project_id))
        return {
            "id": row[0],
            "tenant_id": row[1],
            "user_id": row[2],
            "name": row[3],
            "flavor": {"id": row[4], "links": [{"rel": "bookmark", "href": flavor_href}]},
            "image": {"id": row[5]},
            "status": row[6],
            "metadata": json.loads(row[7]),
            "created": _iso(row[8]),
            "updated": _iso(row[9]),
            "links": self._links(req, row[0], project_id),
        }

    # -- queries ------------------------------------------------------------------------
    async def _get(self, context: RequestContext, server_id: str) -> tuple[Any, ...]:
        def select(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            row = conn.execute(
                f"SELECT {_SERVER_COLUMNS} FROM servers WHERE id = ? AND project_id = ?",
                (server_id, context.project_id),
            ).fetchone()
            return None if row is None else tuple(row)

        row = await self.db.run(select)
        if row is None:
            raise HTTPNotFound(f"Instance {server_id} could not be found.")
        return row

    async def _list(self, req: Request, context: RequestContext) -> tuple[list[tuple[Any, ...]], int]:
        limit, marker = _page(req)

        def select(conn: sqlite3.Connection) -> list[tuple[Any, ...]] | None:
            after = -1
            if marker is not None:
                found = conn.execute(
                    "SELECT rowid FROM servers WHERE id = ? AND project_id = ?", (marker, context.project_id)
                ).fetchone()
                if found is None:
                    return None
                after = found[0]
            rows = conn.execute(
                f"SELECT {_SERVER_COLUMNS} FROM servers WHERE project_id = ? AND rowid > ? ORDER BY rowid LIMIT ?",
                (context.project_id, after, limit),
            ).fetchall()
            return [tuple(row) for row in rows]

        rows = await self.db.run(select)
        if rows is None:
            raise HTTPBadRequest(f"marker [{marker}] not found")
        return rows, limit

    def _collection(
        self, req: Request, route: str, items: list[dict[str, Any]], limit: int, project_id: str | None
    ) -> dict[str, Any]:
        result: dict[str, Any] = {"servers": items}
        if items and len(items) == limit:  # maybe more: nova's "next" link carries the marker
            href = _url(req, route, limit=limit, marker=items[-1]["id"], **_prefix(project_id))
            result["servers_links"] = [{"rel": "next", "href": href}]
        return result

    # -- actions -------------------------------------------------------------------------
    async def index(self, req: Request, project_id: str | None = None) -> dict[str, Any]:
        context = context_of(req, project_id)
        rows, limit = await self._list(req, context)
        items = [self._brief(req, row, project_id) for row in rows]
        return self._collection(req, "servers", items, limit, project_id)

    async def detail(self, req: Request, project_id: str | None = None) -> dict[str, Any]:
        context = context_of(req, project_id)
        rows, limit = await self._list(req, context)
        items = [self._detail(req, row, project_id) for row in rows]
        return self._collection(req, "detail_servers", items, limit, project_id)

    async def show(self, req: Request, id: str, project_id: str | None = None) -> dict[str, Any]:
        context = context_of(req, project_id)
        return {"server": self._detail(req, await self._get(context, id), project_id)}

    @response(202)
    async def create(self, req: Request, body: Any = None, project_id: str | None = None) -> dict[str, Any]:
        context = context_of(req, project_id)
        server = _server_body(body)
        name = _str_field(server, "name", required=True)
        flavor_ref = _str_field(server, "flavorRef", required=True).rstrip("/").rsplit("/", 1)[-1]
        image_ref = _str_field(server, "imageRef", required=False, default="cirros")
        metadata = json.dumps(_metadata(server))
        server_id = str(uuid.uuid4())
        now = time.time()

        def insert(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM flavors WHERE id = ?", (flavor_ref,)).fetchone() is None:
                return False
            conn.execute(
                f"INSERT INTO servers ({_SERVER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    server_id,
                    context.project_id,
                    context.user_id,
                    name,
                    flavor_ref,
                    image_ref,
                    "ACTIVE",
                    metadata,
                    now,
                    now,
                ),
            )
            return True

        if not await self.db.run(insert):
            raise HTTPBadRequest("Invalid flavorRef provided.")
        return {
            "server": {
                "id": server_id,
                "adminPass": secrets.token_urlsafe(9),
                "links": self._links(req, server_id, project_id),
            }
        }

    async def update(self, req: Request, id: str, body: Any = None, project_id: str | None = None) -> dict[str, Any]:
        context = context_of(req, project_id)
        server = _server_body(body)
        name = _str_field(server, "name", required=False) if "name" in server else None
        if name == "":
            raise HTTPBadRequest("name must not be empty")
        now = time.time()

        def change(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            if name is not None:
                conn.execute(
                    "UPDATE servers SET name = ?, updated = ? WHERE id = ? AND project_id = ?",
                    (name, now, id, context.project_id),
                )
            row = conn.execute(
                f"SELECT {_SERVER_COLUMNS} FROM servers WHERE id = ? AND project_id = ?", (id, context.project_id)
            ).fetchone()
            return None if row is None else tuple(row)

        row = await self.db.run(change)
        if row is None:
            raise HTTPNotFound(f"Instance {id} could not be found.")
        return {"server": self._detail(req, row, project_id)}

    @response(204)
    async def delete(self, req: Request, id: str, project_id: str | None = None) -> None:
        context = context_of(req, project_id)

        def remove(conn: sqlite3.Connection) -> int:
            cursor = conn.execute("DELETE FROM servers WHERE id = ? AND project_id = ?", (id, context.project_id))
            return int(cursor.rowcount)

        if not await self.db.run(remove):
            raise HTTPNotFound(f"Instance {id} could not be found.")

    @response(202)
    @action("reboot")
    async def _reboot(self, req: Request, id: str, body: Any = None, project_id: str | None = None) -> None:
        context = context_of(req, project_id)
        kind = body.get("reboot") if isinstance(body, dict) else None
        if not isinstance(kind, dict) or str(kind.get("type", "")).upper() not in ("SOFT", "HARD"):
            raise HTTPBadRequest("Missing or invalid reboot type: use {'reboot': {'type': 'SOFT'|'HARD'}}")
        now = time.time()

        def touch(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "UPDATE servers SET status = 'ACTIVE', updated = ? WHERE id = ? AND project_id = ?",
                (now, id, context.project_id),
            )
            return int(cursor.rowcount)

        if not await self.db.run(touch):
            raise HTTPNotFound(f"Instance {id} could not be found.")


class FlavorsController:
    """``/flavors``: the seeded flavors (index, detail, show)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"FlavorsController({self.db!r})"

    def _view(self, req: Request, row: tuple[Any, ...], project_id: str | None, detail: bool) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": row[0],
            "name": row[1],
            "links": [{"rel": "self", "href": _url(req, "flavor", id=row[0], **_prefix(project_id))}],
        }
        if detail:
            view.update(vcpus=row[2], ram=row[3], disk=row[4])
        return view

    async def _rows(self) -> list[tuple[Any, ...]]:
        def select(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
            rows = conn.execute("SELECT id, name, vcpus, ram, disk FROM flavors ORDER BY ram, id").fetchall()
            return [tuple(row) for row in rows]

        return await self.db.run(select)

    async def index(self, req: Request, project_id: str | None = None) -> dict[str, Any]:
        context_of(req, project_id)
        return {"flavors": [self._view(req, row, project_id, False) for row in await self._rows()]}

    async def detail(self, req: Request, project_id: str | None = None) -> dict[str, Any]:
        context_of(req, project_id)
        return {"flavors": [self._view(req, row, project_id, True) for row in await self._rows()]}

    async def show(self, req: Request, id: str, project_id: str | None = None) -> dict[str, Any]:
        context_of(req, project_id)
        for row in await self._rows():
            if row[0] == id:
                return {"flavor": self._view(req, row, project_id, True)}
        raise HTTPNotFound(f"Flavor {id} could not be found.")

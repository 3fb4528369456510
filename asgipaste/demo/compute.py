"""``osapi_compute_app_v2`` / ``_v3``: nova's ``APIRouter`` on ASGI, state opened in the lifespan.

.. code-block:: ini

    [app:osapi_compute_app_v2]
    paste.app_factory = asgipaste.demo.compute:APIRouter.factory

    [app:osapi_compute_app_v3]
    paste.app_factory = asgipaste.demo.compute:APIRouterV3.factory

v2 routes live under ``/{project_id}`` (``/v2/demo/servers``), v3 routes do
not (``/v3/servers``). The database (``sqlite_db``, see
:mod:`asgipaste.demo.db`) is opened at lifespan startup, where the tokens of
``auth_tokens`` are seeded too, and closed at shutdown. Until the startup ran
every request is answered 503: a server or composite that does not pass the
lifespan down to mounted apps shows at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from asgipaste.demo.auth import DEFAULT_TOKENS, parse_tokens
from asgipaste.demo.base import send_fault
from asgipaste.demo.controllers import FlavorsController, ServersController, context_of
from asgipaste.demo.db import Database, shared_database
from asgipaste.demo.limits import LIMITS_KEY
from asgipaste.demo.versions import VERSIONS, host_url, version_view
from asgipaste.interop.detect import declare_asgi
from asgipaste.routes import Mapper, Resource, Router
from asgipaste.types import Receive, Scope, Send

__all__ = ["APIRouter", "APIRouterV3", "LimitsController", "VersionController"]


class VersionController:
    """``GET /vN/``: this version alone, its ``self`` link at the API's own mount."""

    def __init__(self, version: str) -> None:
        self.version = VERSIONS[version]

    def __repr__(self) -> str:
        return f"VersionController({self.version['id']!r})"

    async def show(self, req: Request) -> dict[str, Any]:
        href = host_url(req.scope) + req.scope.get("root_path", "") + "/"
        return {"version": version_view(self.version, href)}


class LimitsController:
    """``GET /limits``: the caller's rate limits (from ``ratelimit``) and instance count."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"LimitsController({self.db!r})"

    async def index(self, req: Request, project_id: str | None = None) -> dict[str, Any]:
        context = context_of(req, project_id)

        def count(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT COUNT(*) FROM servers WHERE project_id = ?", (context.project_id,)).fetchone()
            return int(row[0])

        used = await self.db.run(count)
        rate: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for limit in req.scope.get(LIMITS_KEY, []):
            entry = {key: limit[key] for key in ("verb", "value", "unit", "remaining")}
            rate.setdefault((limit["URI"], limit["regex"]), []).append(entry)
        groups = [{"uri": uri, "regex": regex, "limit": items} for (uri, regex), items in rate.items()]
        return {"limits": {"rate": groups, "absolute": {"totalInstancesUsed": used}}}


class APIRouter:
    """The compute API of one version: ``servers``, ``flavors``, ``limits`` and ``GET /``.

    >>> APIRouter.factory({"sqlite_db": "/tmp/demo.sqlite"})
    APIRouter(v2.0, Database('/tmp/demo.sqlite', closed))
    """

    version = "v2.0"
    project_prefix = True

    def __init__(self, db: Database, tokens: Mapping[str, tuple[str, str, tuple[str, ...]]]) -> None:
        self.db = db
        self.tokens = dict(tokens)
        prefix = "/{project_id}" if self.project_prefix else ""
        self.mapper = Mapper()
        self.mapper.connect("version", "/", controller=Resource(VersionController(self.version)), action="show")
        self.mapper.resource(
            "server",
            "servers",
            controller=Resource(ServersController(db)),
            collection={"detail": "GET"},
            member={"action": "POST"},
            path_prefix=prefix,
        )
        self.mapper.resource(
            "flavor",
            "flavors",
            controller=Resource(FlavorsController(db)),
            collection={"detail": "GET"},
            path_prefix=prefix,
        )
        self.mapper.connect(
            "limits",
            prefix + "/limits",
            controller=Resource(LimitsController(db)),
            action="index",
            conditions={"method": ["GET"]},
        )
        self.router = Router(self.mapper)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.version}, {self.db!r})"

    @classmethod
    @declare_asgi
    def factory(cls, global_conf: Mapping[str, Any], **local_conf: str) -> APIRouter:
        """``paste.app_factory``: ``sqlite_db`` and ``auth_tokens`` from the section or ``[DEFAULT]``."""
        conf = {**dict(global_conf), **local_conf}
        tokens = parse_tokens(str(conf.get("auth_tokens") or DEFAULT_TOKENS))
        return cls(shared_database(conf), tokens)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if not self.db.is_open:
            message = "The compute API's database is not open: its lifespan startup never ran."
            await send_fault(scope, receive, send, 503, message)
            return
        root = scope.get("root_path", "")
        if scope.get("path", "") == root:  # `GET /v2` reaches the version document like `GET /v2/`
            scope = dict(scope)
            scope["path"] = root + "/"
            if "raw_path" in scope:
                scope["raw_path"] = scope["raw_path"] + b"/"
        await self.router(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.db.acquire()
                except (OSError, sqlite3.Error) as exc:
                    await send({"type": "lifespan.startup.failed", "message": f"{self.db!r}: {exc}"})
                    return
                try:
                    await self.db.seed_tokens(self.tokens)
                except sqlite3.Error as exc:
                    await self.db.release()
                    await send({"type": "lifespan.startup.failed", "message": f"{self.db!r}: tokens: {exc}"})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.db.release()
                await send({"type": "lifespan.shutdown.complete"})
                return


class APIRouterV3(APIRouter):
    """v3: the same resources with no ``{project_id}`` in the URL (the caller's project is used)."""

    version = "v3.0"
    project_prefix = False

"""The demo's state: one SQLite file shared by the compute, metadata and authtoken layers.

Every app or filter built from the same INI asks :func:`shared_database` for
the file its ``sqlite_db`` option names and gets the same :class:`Database`
object. Apps with a lifespan (the compute routers, the metadata app)
:meth:`~Database.acquire` it at startup and :meth:`~Database.release` it at
shutdown; the file is opened by the first acquire and closed by the last
release. Until then the database is closed and every layer answers 503, so a
server that never ran the lifespan of the mounted apps shows it at once.

Calls run in a worker thread (``anyio.to_thread.run_sync``) through one
connection, one call at a time (a one-slot :class:`anyio.CapacityLimiter`
plus a lock, since tests may drive one database from two event loops):
SQLite serialises writers anyway, and this way no write is ever lost to a
``database is locked`` race. A cancelled request still waits for its call
to finish, so an acknowledged write is always committed.

>>> resolve_db_path({"sqlite_db": ""}).name.startswith("asgipaste-demo-")
True
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from asgipaste.errors import ConfigValueError

__all__ = ["DEFAULT_FLAVORS", "Database", "DatabaseClosed", "default_db_path", "resolve_db_path", "shared_database"]

T = TypeVar("T")

#: nova's classic flavors: (id, name, vcpus, ram MB, disk GB).
DEFAULT_FLAVORS: tuple[tuple[str, str, int, int, int], ...] = (
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
    ("5", "m1.xlarge", 8, 16384, 160),
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flavors (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, vcpus INTEGER NOT NULL,
    ram INTEGER NOT NULL, disk INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS servers (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT NOT NULL, flavor_id TEXT NOT NULL, image_ref TEXT NOT NULL,
    status TEXT NOT NULL, metadata TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS servers_project ON servers (project_id);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, project_id TEXT NOT NULL,
    roles TEXT NOT NULL, expires REAL
);
"""


class DatabaseClosed(RuntimeError):
    """The database is not open: the lifespan startup that opens it never ran."""


def default_db_path() -> Path:
    """``<tempdir>/asgipaste-demo-<uid>.sqlite``: writable even when the package dir is not."""
    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    return Path(tempfile.gettempdir()) / f"asgipaste-demo-{uid}.sqlite"


def resolve_db_path(conf: Mapping[str, Any]) -> Path:
    """The database file ``conf["sqlite_db"]`` names (``~`` expanded), or :func:`default_db_path`."""
    raw = str(conf.get("sqlite_db") or "").strip()
    if not raw:
        return default_db_path()
    if raw == ":memory:":
        raise ConfigValueError(
            "sqlite_db = :memory: cannot be shared by the demo's layers",
            key="sqlite_db",
            hint="give a file path, or leave it empty for a per-user file in the temp directory",
        )
    return Path(raw).expanduser().resolve()


class Database:
    """One SQLite file, opened by the first :meth:`acquire`, closed by the last :meth:`release`.

    >>> db = Database(Path("/tmp/x.sqlite"))
    >>> db.is_open
    False
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._users = 0
        self._lock = threading.Lock()
        self._limiter: anyio.CapacityLimiter | None = None

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"Database({str(self.path)!r}, {state})"

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    # -- lifecycle -------------------------------------------------------------------
    async def acquire(self) -> None:
        """Open the file (first caller) and create the schema; flavors are seeded once."""
        if self._conn is None:
            # A fresh limiter per opening: a limiter belongs to the event loop that made it.
            self._limiter = anyio.CapacityLimiter(1)
        await anyio.to_thread.run_sync(self._acquire)

    def _acquire(self) -> None:
        with self._lock:
            if self._conn is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False, isolation_level=None)
                try:
                    conn.execute("PRAGMA journal_mode=WAL")  # the metadata process reads while we write
                    conn.execute("PRAGMA synchronous=NORMAL")
                    conn.executescript(_SCHEMA)
                    conn.executemany("INSERT OR IGNORE INTO flavors VALUES (?, ?, ?, ?, ?)", DEFAULT_FLAVORS)
                except BaseException:
                    conn.close()
                    raise
                self._conn = conn
            self._users += 1

    async def release(self) -> None:
        """Close the file when the last user lets go."""
        await anyio.to_thread.run_sync(self._release)

    def _release(self) -> None:
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users == 0 and self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- calls -------------------------------------------------------------------------
    async def run(self, func: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``func(connection)`` in a worker thread, alone; :class:`DatabaseClosed` if not open."""
        if self._conn is None or self._limiter is None:
            raise DatabaseClosed(f"{self!r}: the app's lifespan startup has not opened it")
        return await anyio.to_thread.run_sync(self._locked, func, limiter=self._limiter)

    def _locked(self, func: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self._conn is None:
                raise DatabaseClosed(f"{self!r} was closed")
            return func(self._conn)

    # -- tokens ------------------------------------------------------------------------
    async def seed_tokens(self, tokens: Mapping[str, tuple[str, str, tuple[str, ...]]]) -> None:
        """Insert (or replace) ``{token: (user_id, project_id, roles)}`` with no expiry."""
        rows = [(tok, user, project, json.dumps(list(roles)), None) for tok, (user, project, roles) in tokens.items()]

        def insert(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?, ?)", rows)

        await self.run(insert)

    async def lookup_token(self, token: str) -> tuple[str, str, list[str]] | None:
        """``(user_id, project_id, roles)`` for a valid, unexpired token, else None."""

        def select(conn: sqlite3.Connection) -> tuple[str, str, str, float | None] | None:
            row = conn.execute(
                "SELECT user_id, project_id, roles, expires FROM tokens WHERE id = ?", (token,)
            ).fetchone()
            return None if row is None else (row[0], row[1], row[2], row[3])

        row = await self.run(select)
        if row is None or (row[3] is not None and row[3] < time.time()):
            return None
        roles = json.loads(row[2])
        return row[0], row[1], [str(role) for role in roles]


_registry: dict[Path, Database] = {}
_registry_lock = threading.Lock()


def shared_database(conf: Mapping[str, Any]) -> Database:
    """The process-wide :class:`Database` for the file ``conf`` names (see :func:`resolve_db_path`)."""
    path = resolve_db_path(conf)
    with _registry_lock:
        db = _registry.get(path)
        if db is None:
            db = _registry[path] = Database(path)
            # Part of the startup banner: where the demo's data lives, and that it is shared.
            logging.getLogger("uvicorn.error").info(
                "asgipaste demo: database %s (shared by every demo process of this user; "
                "sqlite_db=PATH chooses another)", path
            )
        return db

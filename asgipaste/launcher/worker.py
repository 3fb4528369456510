"""What runs inside the launcher's processes: one worker, or the throwaway config check.

Both run in a fresh (spawned) interpreter; they report back over a one-way pipe:
``("ready", pid)`` or ``("error", message)`` from a worker, a list of problems
from the check.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import uvicorn

from asgipaste._logging import configure_from_ini, ensure_handler
from asgipaste.errors import ConfigError
from asgipaste.launcher.plan import ApiSpec, LaunchPlan
from asgipaste.servers.policy import ServePolicy, serving_app
from asgipaste.servers.target import ServeTarget
from asgipaste.types import ASGIApp

__all__ = ["WorkerSpec", "worker_main"]

#: uvicorn's startup-failure exit code.
STARTUP_FAILURE = 3


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs, picklable."""

    path: str
    app: str
    global_conf: dict[str, str]
    max_url_len: int | None
    graceful_timeout: float
    log_level: str | None
    ini_logging: bool
    workers: int = 1
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    @classmethod
    def for_api(cls, plan: LaunchPlan, api: ApiSpec) -> WorkerSpec:
        return cls(
            path=str(plan.path),
            app=api.name,
            global_conf=dict(plan.global_conf),
            max_url_len=plan.max_url_len,
            graceful_timeout=plan.graceful_timeout,
            log_level=plan.log_level,
            ini_logging=plan.ini_logging,
            workers=api.workers,
            ssl_certfile=api.ssl_certfile,
            ssl_keyfile=api.ssl_keyfile,
        )


class _WorkerServer(uvicorn.Server):
    """uvicorn's Server that reports readiness and exits when its supervisor is gone."""

    def __init__(self, config: uvicorn.Config, conn: Connection) -> None:
        super().__init__(config)
        self._conn = conn
        self._parent = os.getppid()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._conn.send(("ready", os.getpid()))

    async def on_tick(self, counter: int) -> bool:
        if counter % 10 == 0 and os.getppid() != self._parent:
            self.should_exit = True  # orphaned: the supervisor died without stopping us
        return await super().on_tick(counter)


def _setup_logging(spec: WorkerSpec) -> dict[str, Any] | None:
    """Returns uvicorn's ``log_config``: None when the INI configured logging itself."""
    if spec.ini_logging:
        configure_from_ini(Path(spec.path), spec.global_conf)
        return None
    from uvicorn.config import LOGGING_CONFIG

    ensure_handler()
    return LOGGING_CONFIG


def worker_main(spec: WorkerSpec, sock: socket.socket, conn: Connection) -> None:
    """Load ``spec.app`` and serve it on the inherited socket until SIGTERM."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # SIGHUP is the supervisor's to handle
    try:
        log_config = _setup_logging(spec)
        target = ServeTarget(path=Path(spec.path), name=spec.app, global_conf=spec.global_conf)
        stack = target.load()
        app: ASGIApp = stack.asgi
    except ConfigError as exc:
        conn.send(("error", str(exc)))
        sys.exit(STARTUP_FAILURE)
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        sys.exit(STARTUP_FAILURE)
    app = serving_app(app, ServePolicy(max_url_len=spec.max_url_len, workers=spec.workers, freeze_gc=True))
    logging.getLogger("asgipaste.launcher").info("launcher: %s worker pid %d serves %s", spec.app, os.getpid(),
                                                 stack.describe())
    config = uvicorn.Config(
        app,
        interface="asgi3",
        lifespan="on",
        log_config=log_config,
        log_level=spec.log_level,
        timeout_graceful_shutdown=int(spec.graceful_timeout),
        proxy_headers=False,  # nova's launcher trusts no forwarded header unless a filter does
        ssl_certfile=spec.ssl_certfile,
        ssl_keyfile=spec.ssl_keyfile,
    )
    server = _WorkerServer(config, conn)
    try:
        server.run(sockets=[sock])
    finally:
        conn.close()

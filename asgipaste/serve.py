"""``uvicorn asgipaste.serve:app``: serve an INI file's app, chosen by environment variables.

.. code-block:: console

    $ ASGIPASTE_CONFIG=api-paste.ini ASGIPASTE_APP=main uvicorn asgipaste.serve:app --lifespan on
    $ uvicorn asgipaste.serve:app --env-file .env --workers 4
    $ uvicorn --factory asgipaste.serve:create_app
    $ gunicorn -k uvicorn_worker.UvicornWorker asgipaste.serve:app

``ASGIPASTE_CONFIG`` is a path or a ``config:`` URI (relative to the working
directory, ``#name`` allowed); ``ASGIPASTE_APP`` names the app section
(default ``main``); ``ASGIPASTE_VARS`` is an optional JSON object of
``var=value`` pairs for ``%(var)s``. With no ``ASGIPASTE_CONFIG`` the bundled
demo (:data:`asgipaste.demo.DEFAULT_CONFIG`) is served.

``app`` loads lazily, on its first ASGI call (the lifespan startup under
``--lifespan on``), so the environment is read after ``--env-file`` set it. A
configuration error fails the lifespan startup with asgipaste's message and
uvicorn exits with code 3; with no lifespan, every request gets a 500 naming
the error. ``app`` takes three arguments, never zero, so uvicorn's factory
probe leaves it alone.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable

from asgipaste._logging import configure_from_ini
from asgipaste.errors import ConfigError
from asgipaste.middleware.limits import RequestLimits, plain_response
from asgipaste.servers.policy import ServePolicy, serving_app
from asgipaste.servers.target import ENV_LOGGING, ServeTarget
from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = ["LazyApp", "app", "create_app", "target_from_env"]

# uvicorn's (and uvicorn-worker's) own error logger: formatted and routed like the
# server's startup lines, with no handler of ours added to the process.
logger = logging.getLogger("uvicorn.error")

#: uvicorn's exit code for a failed startup; its multiprocess supervisor stops on it.
STARTUP_FAILURE = 3


def target_from_env() -> ServeTarget:
    """The app section the environment names (the bundled demo when none).

    >>> target_from_env()  # doctest: +SKIP
    ServeTarget(path=PosixPath('/srv/api-paste.ini'), name='osapi_compute', global_conf={})
    """
    from asgipaste.demo import DEFAULT_CONFIG

    return ServeTarget.from_env(os.environ, default=DEFAULT_CONFIG)


class LazyApp:
    """An ASGI app that loads ``source()`` on its first call and then forwards to it.

    >>> lazy = LazyApp(target_from_env)
    >>> lazy.loaded
    False
    """

    def __init__(self, source: Callable[[], ServeTarget]) -> None:
        self._source = source
        self._app: ASGIApp | None = None
        self._check: Callable[[Scope], tuple[int, str] | None] | None = None  # the request-head limits
        self._error: str | None = None
        self._target: ServeTarget | None = None

    def __repr__(self) -> str:
        if self._target is None:
            return "LazyApp(<not loaded>)"
        return f"LazyApp({self._target.uri}#{self._target.name})"

    @property
    def loaded(self) -> bool:
        return self._app is not None

    def _load(self, scope_type: str) -> None:
        try:
            self._target = self._source()
            stack = self._target.load()
            policy = ServePolicy.from_env()
            served = serving_app(stack.asgi, policy)
            if isinstance(served, RequestLimits):
                # Checked inline in __call__: one coroutine layer less on every request
                # (the ASGI stack against hand-nested code, docs/benchmarks.md).
                self._check, served = served.check, served.app
            self._app = served
        except ConfigError as exc:
            self._error = str(exc)
            if scope_type != "lifespan":  # uvicorn logs the lifespan failure message itself
                logger.error("asgipaste: configuration error: %s", exc)
        except Exception as exc:  # user factory code: keep the traceback for the log
            self._error = f"{type(exc).__name__}: {exc}"
            logger.error("asgipaste: loading the app failed:\n%s", traceback.format_exc().rstrip())
        else:
            logger.info("asgipaste: serving %s; worker pid %d", stack.describe(), os.getpid())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app
        if app is None:
            if self._error is None:
                self._load(scope["type"])
            app = self._app
            if app is None:
                await self._refuse(scope, receive, send)
                return
        check = self._check
        if check is not None and scope["type"] == "http":
            refused = check(scope)
            if refused is not None:
                await plain_response(send, *refused)
                return
        await app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Never serve a half-loaded app: fail the startup, or answer 500 when there is no lifespan.
        message = f"asgipaste: configuration error: {self._error}"
        if scope["type"] == "lifespan":
            event = await receive()
            if event["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.failed", "message": message})
            else:
                await send({"type": "lifespan.shutdown.complete"})
        elif scope["type"] == "http":
            await plain_response(send, 500, message)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1011, "reason": "configuration error"})


def create_app() -> ASGIApp:
    """``uvicorn --factory asgipaste.serve:create_app``: load now; a config error exits with code 3.

    The message goes to stderr as one clean line (plus the hint), no traceback.

    >>> os.environ["ASGIPASTE_CONFIG"] = "development.ini"  # doctest: +SKIP
    >>> app = create_app()  # doctest: +SKIP
    """
    target = target_from_env()
    try:
        return target.load().asgi
    except ConfigError as exc:
        print(f"asgipaste: configuration error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(STARTUP_FAILURE) from None


def _logging_from_env() -> None:
    # Set by `asgipaste serve` for worker processes, so the INI's [loggers]
    # formats uvicorn's own startup lines too (uvicorn imports this module first).
    if os.environ.get(ENV_LOGGING) == "1":
        try:
            target = target_from_env()
            configure_from_ini(target.path, target.global_conf)
        except ConfigError as exc:
            print(f"asgipaste: {exc}", file=sys.stderr, flush=True)


_logging_from_env()

#: The app ``uvicorn asgipaste.serve:app`` serves.
app = LazyApp(target_from_env)

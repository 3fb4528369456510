"""``asgipaste.wsgi:application``: an INI file's app for WSGI servers.

For mod_wsgi, uwsgi, gunicorn's sync worker and waitress (Kolla and TripleO run
OpenStack APIs under mod_wsgi). Configured like ``asgipaste.serve:app``:
``ASGIPASTE_CONFIG`` (the INI file, ``#name`` allowed), ``ASGIPASTE_APP`` and
``ASGIPASTE_VARS``; with neither, the bundled demo.

.. code-block:: console

    $ ASGIPASTE_CONFIG=/etc/nova/api-paste.ini ASGIPASTE_APP=osapi_compute \\
          gunicorn -w 4 asgipaste.wsgi:application
    $ ASGIPASTE_CONFIG=development.ini waitress-serve --call asgipaste.wsgi:create_application

A tree that is WSGI all the way down is served as the fused WSGI app itself,
with no ASGI anywhere. In a mixed tree the urlmaps dispatch in WSGI and the
WSGI branches are called as they are; only the ASGI parts run, on one event
loop of the process's own, their lifespan started once per process
(:func:`asgipaste.urlmap.wsgi.wsgi_form`). From Python:
``loadapp(uri, protocol="wsgi")``.

Imported in a process whose SIGTERM is still at its default (waitress sets no
handler for it; gunicorn and mod_wsgi have their own), SIGTERM is made to end
the process cleanly (``SystemExit``), so that the ASGI parts' lifespan shutdown
runs as it does on Ctrl-C: systemd and ``docker stop`` send SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import traceback
from collections.abc import Iterable

from asgipaste.errors import ConfigError
from asgipaste.interop.loop_host import refuse
from asgipaste.serve import target_from_env
from asgipaste.types import Environ, StartResponse, WSGIApp
from asgipaste.urlmap.wsgi import wsgi_form

__all__ = ["application", "create_application"]

logger = logging.getLogger("asgipaste.wsgi")


def create_application() -> WSGIApp:
    """Load the app the environment names, now; a configuration error raises :class:`ConfigError`.

    >>> application = create_application()  # doctest: +SKIP
    """
    target = target_from_env()
    stack = target.load()
    logger.info(
        "asgipaste: serving [%s] from %s to a WSGI server (%s)",
        target.name,
        target.path,
        "WSGI all the way down" if stack.wsgi is not None else "ASGI parts on a loop of this process's own",
    )
    return wsgi_form(stack.asgi, stack.wsgi, name=target.name)


class _LazyApplication:
    """Loads on the first request (after a pre-forking server forked), then forwards."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._app: WSGIApp | None = None
        self._error: str | None = None

    def _load(self) -> None:
        with self._lock:
            if self._app is not None or self._error is not None:
                return
            try:
                self._app = create_application()
            except ConfigError as exc:
                self._error = str(exc)
                logger.error("asgipaste: configuration error: %s", exc)
            except Exception as exc:
                self._error = f"{type(exc).__name__}: {exc}"
                logger.error("asgipaste: loading the app failed:\n%s", traceback.format_exc().rstrip())

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self._app is None and self._error is None:
            self._load()
        if self._app is not None:
            return self._app(environ, start_response)
        return refuse(start_response, f"configuration error: {self._error}")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # the exit code of a process SIGTERM ended


def _sigterm_runs_the_shutdown() -> None:
    """A SIGTERM left at its default kills the process before any exit hook (the lifespan shutdown) runs."""
    if threading.current_thread() is not threading.main_thread() or "mod_wsgi" in sys.modules:
        return  # only the main thread may set handlers; mod_wsgi refuses them
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
    except (ValueError, OSError):  # pragma: no cover - an embedding that forbids it
        pass


_sigterm_runs_the_shutdown()

#: What a WSGI server imports: ``asgipaste.wsgi:application``.
application: WSGIApp = _LazyApplication()

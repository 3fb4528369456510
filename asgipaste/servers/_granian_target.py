"""Import targets granian's worker processes load: ``wsgi`` or ``asgi`` of the served stack.

granian takes an import string, not an object. Its workers are forked from the
process that chose the interface, so a stack loaded there (``PRELOADED``) is
reused; otherwise (a spawned worker) the stack is rebuilt from the
``ASGIPASTE_*`` environment the server set.
"""

from __future__ import annotations

from asgipaste.servers.granian_limits import granian_wsgi_app
from asgipaste.servers.policy import ServePolicy, serving_app
from asgipaste.stack import LoadedStack
from asgipaste.types import ASGIApp, WSGIApp

__all__ = ["PRELOADED", "asgi", "wsgi"]

#: The stack the parent loaded before forking granian's workers.
PRELOADED: LoadedStack | None = None


def _stack() -> LoadedStack:
    if PRELOADED is not None:
        return PRELOADED
    from asgipaste.serve import target_from_env  # the same rule as `uvicorn asgipaste.serve:app`

    return target_from_env().load()


def wsgi() -> WSGIApp:
    """The fused WSGI app, or a mixed tree's WSGI form (``interface = wsgi``)."""
    from asgipaste.interop.loop_host import LifespanStartupFailed
    from asgipaste.urlmap.wsgi import start_now, wsgi_form

    stack = _stack()
    app = wsgi_form(stack.asgi, stack.wsgi, name=stack.name)
    # A mixed tree's lifespan starts as the worker boots, as on the ASGI interface,
    # so a failed startup stops the server instead of leaving it answering 500.
    try:
        start_now(app)
    except LifespanStartupFailed:  # logged where it failed; exit as uvicorn does (code 3), no traceback
        raise SystemExit(3) from None
    # granian's HTTP/1 parser enforces the header limits it can itself
    # (granian_limits.native_head_limits); its server process set its read
    # buffer from the same policy.
    return granian_wsgi_app(app, ServePolicy.from_env())


def asgi() -> ASGIApp:
    """The ASGI app, with its lifespan fan-out."""
    return serving_app(_stack().asgi, ServePolicy.from_env())

"""The bundled demo: nova-api's ``api-paste.ini``, working, plus the seed's Paste tutorial.

``uvicorn asgipaste.serve:app`` (or ``asgipaste serve``) with no configuration
serves :data:`DEFAULT_CONFIG`'s ``[composite:main]``: a nova-style compute API
(version discovery at ``/``, ``/v2/{project_id}/servers``, ``/v3/servers``)
behind ``faultwrap sizelimit noauth ratelimit`` (or ``authtoken
keystonecontext`` with ``auth_strategy=keystone``), its state in SQLite opened
in the lifespan, and the seed's WebOb tutorial at ``/tutorial``.
``asgipaste launch`` serves ``enabled_apis``: the compute API on 8774 and the
metadata API on 8775. See ``docs/demo.md``.

>>> DEFAULT_CONFIG.name
'api-paste.ini'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asgipaste.lifespan import acknowledge_lifespan
from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT_CONFIG", "hello_app_factory"]

#: The INI ``asgipaste.serve:app`` serves when ``ASGIPASTE_CONFIG`` is unset.
DEFAULT_CONFIG = Path(__file__).with_name("api-paste.ini")


def hello_app_factory(global_conf: dict[str, Any], **local_conf: str) -> ASGIApp:
    """``[app:hello] use = call:asgipaste.demo:hello_app_factory``: answers ``message``.

    A one-line ASGI app for smoke tests of the serving layer.
    """
    body = (local_conf.get("message", "Hello from asgipaste") + "\n").encode("utf-8")

    async def hello(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await acknowledge_lifespan(receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})  # refused: 403
            return
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return hello

"""The bundled demo configuration: what ``uvicorn asgipaste.serve:app`` serves with no settings.

>>> DEFAULT_CONFIG.name
'api-paste.ini'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT_CONFIG", "hello_app_factory"]

#: The INI ``asgipaste.serve:app`` serves when ``ASGIPASTE_CONFIG`` is unset.
DEFAULT_CONFIG = Path(__file__).with_name("api-paste.ini")


def hello_app_factory(global_conf: dict[str, Any], **local_conf: str) -> ASGIApp:
    """``[app:main] use = call:asgipaste.demo:hello_app_factory``: answers ``message``."""
    body = (local_conf.get("message", "Hello from asgipaste") + "\n").encode("utf-8")

    async def hello(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return hello

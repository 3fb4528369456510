"""Small legacy WSGI apps the real-deployment INI files name with ``call:``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from paste import httpexceptions

StartResponse = Callable[..., Any]


def make_raiser(global_conf: dict[str, Any], **local_conf: str) -> Callable[..., Iterable[bytes]]:
    """Raises Paste's HTTP exceptions (for ``egg:Paste#httpexceptions``), else echoes its environ."""
    name = local_conf.get("name", "raiser")

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/found":
            raise httpexceptions.HTTPFound(headers=[("Location", "/elsewhere")])
        if path == "/forbidden":
            raise httpexceptions.HTTPForbidden("no entry for you")
        if path == "/gone":
            raise httpexceptions.HTTPGone()
        body = (
            f"{name} script_name={environ.get('SCRIPT_NAME', '')!r} path_info={path!r} "
            f"host={environ.get('HTTP_HOST', '')!r} query={environ.get('QUERY_STRING', '')!r}"
        ).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("X-App", name)])
        return [body]

    return app

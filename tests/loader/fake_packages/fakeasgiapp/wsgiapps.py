"""Legacy WSGI pieces, to mix with the ASGI ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def wsgi_hello(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"wsgi hello ", environ.get("SCRIPT_NAME", "").encode(), b"|", environ.get("PATH_INFO", "").encode()]


def make_wsgi_app(global_conf: dict[str, str], **conf: str) -> Any:
    return wsgi_hello


class TagFilter:
    """A WSGI filter adding a response header."""

    def __init__(self, app: Any, tag: str) -> None:
        self.app = app
        self.tag = tag

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        def tagged(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, ("X-Tag", self.tag)], exc_info)

        return self.app(environ, tagged)


def make_tag_filter(global_conf: dict[str, str], tag: str = "t") -> Any:
    def tag_filter(app: Any) -> Any:
        return TagFilter(app, tag)

    return tag_filter

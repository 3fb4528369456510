"""Version discovery: the ``oscomputeversionapp`` at ``/`` and each API's own ``GET /vN/``.

Links are built from the request: scheme and ``Host`` plus the ``root_path``
the app is mounted under, so the same app mounted at ``/compute`` answers
``http://host/compute/v2/``.

>>> sorted(VERSIONS)
['v2.0', 'v3.0']
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from asgipaste.demo.base import close_other_scope, get_header, send_fault
from asgipaste.interop.detect import declare_asgi
from asgipaste.types import Receive, Scope, Send

__all__ = ["VERSIONS", "Versions", "host_url", "version_view"]

#: The versions the demo serves, with the relative path each is mounted at.
VERSIONS: dict[str, dict[str, Any]] = {
    "v2.0": {
        "id": "v2.0",
        "status": "CURRENT",
        "updated": "2011-01-21T11:33:21Z",
        "path": "v2/",
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}],
    },
    "v3.0": {
        "id": "v3.0",
        "status": "EXPERIMENTAL",
        "updated": "2013-07-23T11:33:21Z",
        "path": "v3/",
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=3"}],
    },
}


def host_url(scope: Scope) -> str:
    """``scheme://host[:port]`` of the request (the ``Host`` header, else the server address)."""
    scheme = scope.get("scheme", "http")
    host = get_header(scope, b"host")
    if not host:
        server = scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else "localhost"
    return f"{scheme}://{host}"


def version_view(version: Mapping[str, Any], href: str) -> dict[str, Any]:
    """One version's JSON, its ``self`` link pointing at ``href``."""
    view = {key: value for key, value in version.items() if key != "path"}
    view["links"] = [{"rel": "self", "href": href}]
    return view


async def _json(scope: Scope, receive: Receive, send: Send, status: int, doc: Any) -> None:
    body = json.dumps(doc).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


class Versions:
    """nova's ``Versions`` app: ``GET /`` lists the versions, any other path answers 300 choices.

    >>> Versions.factory({})
    Versions()
    """

    def __repr__(self) -> str:
        return "Versions()"

    @classmethod
    @declare_asgi
    def factory(cls, global_conf: Mapping[str, Any], **local_conf: str) -> Versions:
        """``paste.app_factory = asgipaste.demo.versions:Versions.factory``."""
        return cls()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await close_other_scope(scope, receive, send)  # no lifespan to run, no websockets to serve
            return
        if scope["method"] not in ("GET", "HEAD"):
            await send_fault(scope, receive, send, 405, "The method is not allowed.", {"Allow": "GET, HEAD"})
            return
        root = scope.get("root_path", "")
        rest = scope.get("path", "")[len(root) :]
        base = host_url(scope) + root + "/"
        if rest in ("", "/"):
            versions = [version_view(v, base + v["path"]) for v in VERSIONS.values()]
            await _json(scope, receive, send, 200, {"versions": versions})
            return
        # nova: a path under no version is ambiguous, so offer it under each version.
        choices = [version_view(v, base + v["path"] + rest.lstrip("/")) for v in VERSIONS.values()]
        await _json(scope, receive, send, 300, {"choices": choices})

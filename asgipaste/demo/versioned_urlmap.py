"""nova's ``urlmap_factory``: Paste's urlmap plus API-version negotiation by media type.

.. code-block:: ini

    [composite:osapi_compute]
    use = call:asgipaste.demo.versioned_urlmap:urlmap_factory
    /: oscomputeversions
    /v2: openstack_compute_api_v2
    /v3: openstack_compute_api_v3

The version comes, in nova's order, from the path prefix (``/v2/...``), then
the ``Content-Type`` header's ``version=`` parameter, then the ``Accept``
header's (``application/json;version=2`` or
``application/vnd.openstack.compute+json;version=3``). A header version only
applies when the path has no version prefix; the request then reaches the
versioned app as if its prefix had been in the URL (``root_path`` gains
``/v2``), so the links it generates carry the prefix. A version no entry
serves falls back to plain path dispatch.

>>> header_version({"type": "http", "headers": [(b"accept", b"application/json;version=2")]})
'2'
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from asgipaste.demo.base import get_header
from asgipaste.interop.detect import declare_asgi
from asgipaste.types import Receive, Scope, Send
from asgipaste.urlmap import URLMap, normalize_root_path
from asgipaste.urlmap import urlmap_factory as paste_urlmap_factory

__all__ = ["SUPPORTED_TYPES", "VersionedURLMap", "header_version", "parse_media_type", "urlmap_factory"]

#: Media types whose ``version=`` parameter selects an API version.
SUPPORTED_TYPES = frozenset({"application/json", "application/vnd.openstack.compute+json"})
_WILDCARDS = frozenset({"*/*", "application/*"})
_SLASHES = re.compile("//+")


def parse_media_type(text: str) -> tuple[str, dict[str, str]]:
    """``("application/json", {"version": "2"})`` from ``application/json; version=2``.

    >>> parse_media_type('Application/JSON; q=0.5; version="3"')
    ('application/json', {'q': '0.5', 'version': '3'})
    """
    mime, *params = text.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        key, sep, value = param.partition("=")
        if sep:
            parsed[key.strip().lower()] = value.strip().strip('"')
    return mime.strip().lower(), parsed


def _quality(params: dict[str, str]) -> float:
    try:
        return float(params.get("q", "1"))
    except ValueError:
        return 0.0


def header_version(scope: Scope) -> str | None:
    """The API version the request's ``Content-Type`` or ``Accept`` header asks for, if any."""
    content_type = get_header(scope, b"content-type")
    if content_type:
        mime, params = parse_media_type(content_type)
        if mime in SUPPORTED_TYPES and params.get("version"):
            return params["version"]
    accept = get_header(scope, b"accept")
    if not accept:
        return None
    ranges = [parse_media_type(item) for item in accept.split(",") if item.strip()]
    ranges.sort(key=lambda item: -_quality(item[1]))  # stable: header order breaks ties
    for mime, params in ranges:
        if _quality(params) <= 0:
            continue
        if mime in SUPPORTED_TYPES or mime in _WILDCARDS:
            return params.get("version") or None  # the best acceptable type decides
    return None


class VersionedURLMap(URLMap):
    """:class:`asgipaste.urlmap.URLMap` with nova's header version negotiation (see the module doc).

    >>> VersionedURLMap()
    VersionedURLMap({})
    """

    def _version_prefix(self, scope: Scope, version: str) -> tuple[str, Any] | None:
        candidates = ["/v" + version]
        if version.endswith(".0"):
            candidates.append("/v" + version[:-2])  # version=2.0 means the /v2 mount
        for candidate in candidates:
            found = self.match(scope, candidate)
            if found is not None and found[0] == candidate:
                return found
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = normalize_root_path(scope)
            root: str = scope.get("root_path", "")
            route = _SLASHES.sub("/", scope.get("path", "")[len(root) :])
            by_path = self.match(scope, route)
            version = header_version(scope) if by_path is None or not by_path[0] else None
            found = self._version_prefix(scope, version) if version else None
            if found is not None:
                prefix, entry = found
                child = dict(scope)
                child["root_path"] = root + prefix
                child["path"] = root + prefix + route
                raw = scope.get("raw_path")
                if raw is not None:
                    child["raw_path"] = quote(child["path"]).encode("ascii") if root else prefix.encode() + raw
                await entry.app(child, receive, send)
                return
        await super().__call__(scope, receive, send)


@declare_asgi
def urlmap_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> VersionedURLMap:
    """``use = call:asgipaste.demo.versioned_urlmap:urlmap_factory``: Paste's urlmap keys, nova's negotiation.

    >>> # [composite:osapi_compute]
    >>> # use = call:asgipaste.demo.versioned_urlmap:urlmap_factory
    >>> # /v2: openstack_compute_api_v2
    """
    plain = paste_urlmap_factory(loader, global_conf, **local_conf)
    versioned = VersionedURLMap(
        plain.not_found_app, startup_timeout=plain.startup_timeout, shutdown_timeout=plain.shutdown_timeout
    )
    for entry in plain.routes:
        versioned.mount(entry.key, entry.app, name=entry.name)
    return versioned

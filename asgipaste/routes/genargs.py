"""The arguments of URL generation: sub-domains, route memory, the query string.

Shared by :class:`~asgipaste.routes.urlgen.URLGenerator` and
:func:`~asgipaste.routes.config.url_for` (Routes keeps them in ``routes.util``).
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from asgipaste.routes.route import as_unicode

if TYPE_CHECKING:
    from asgipaste.routes.mapper import Mapper

__all__ = ["_query", "_screenargs", "_special_keywords", "_subdomain_check"]


def _subdomain_check(kargs: dict[str, Any], mapper: Mapper, environ: MutableMapping[str, Any]) -> dict[str, Any]:
    """Turn a ``sub_domain`` argument into a ``_host`` (Routes' ``_subdomain_check``)."""
    if not mapper.sub_domains:
        return kargs
    subdomain = kargs.pop("sub_domain", None)
    fullhost = environ.get("HTTP_HOST") or environ.get("SERVER_NAME")
    if not fullhost:
        return kargs
    hostmatch = fullhost.split(":")
    host = hostmatch[0]
    port = ":" + hostmatch[1] if len(hostmatch) > 1 else ""
    match = re.match(rf"^(.+?)\.({mapper.domain_match})$", host)
    host_subdomain, domain = match.groups() if match else (None, host)
    subdomain = as_unicode(subdomain, mapper.encoding)
    if subdomain and host_subdomain != subdomain and subdomain not in mapper.sub_domains_ignore:
        kargs["_host"] = subdomain + "." + domain + port
    elif (subdomain in mapper.sub_domains_ignore or subdomain is None) and domain != host:
        kargs["_host"] = domain + port
    return kargs


def _screenargs(
    kargs: dict[str, Any], mapper: Mapper, environ: MutableMapping[str, Any], force_explicit: bool = False
) -> dict[str, Any]:
    """Merge the current match ("route memory") under ``kargs`` (Routes' ``_screenargs``)."""
    for key, val in kargs.items():
        if isinstance(val, str):
            kargs[key] = val.encode(mapper.encoding)
    if mapper.explicit and mapper.sub_domains and not force_explicit:
        return _subdomain_check(kargs, mapper, environ)
    if mapper.explicit and not force_explicit:
        return kargs
    controller_name = as_unicode(kargs.get("controller"), mapper.encoding)
    if controller_name and controller_name.startswith("/"):
        kargs["controller"] = kargs["controller"][1:]
        return kargs
    if controller_name and "action" not in kargs:
        kargs["action"] = "index"
    route_args = environ.get("wsgiorg.routing_args")
    memory_kargs: dict[str, Any] = dict(route_args[1]) if route_args else {}
    for key in [key for key, value in kargs.items() if value is None]:
        del kargs[key]
        memory_kargs.pop(key, None)
    memory_kargs.update(kargs)
    if mapper.sub_domains:
        memory_kargs = _subdomain_check(memory_kargs, mapper, environ)
    return memory_kargs


def _query(kargs: dict[str, Any], encoding: str) -> str:
    parts: list[str] = []
    for key, val in kargs.items():
        for value in val if isinstance(val, list | tuple) else [val]:
            parts.append(f"{quote(str(key).encode(encoding))}={quote(str(value).encode(encoding))}")
    return "&".join(parts)


def _special_keywords(kargs: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """Take ``anchor``, ``host``, ``protocol`` and ``qualified`` out of ``kargs``, as Routes does.

    ``anchor_`` and ``host_`` pass those names on as route variables; Routes
    passes ``protocol_`` on with the protocol keyword's value.

    >>> kargs = {"id": 1, "anchor": "top", "qualified": True, "host_": "h"}
    >>> _special_keywords(kargs), kargs
    (('top', None, None, True), {'id': 1, 'host': 'h'})
    """
    anchor = kargs.get("anchor")
    host = kargs.get("host")
    protocol = kargs.pop("protocol", None)
    qualified = kargs.pop("qualified", None)
    for key in ["anchor", "host"]:
        if kargs.get(key):
            del kargs[key]
        if key + "_" in kargs:
            kargs[key] = kargs.pop(key + "_")
    if "protocol_" in kargs:
        kargs["protocol_"] = protocol  # sic: Routes passes the protocol keyword on
    return anchor, host, protocol, qualified

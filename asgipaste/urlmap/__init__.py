"""Paste's composites on ASGI: ``urlmap`` (in an ASGI and a WSGI form) and ``cascade``.

* :mod:`asgipaste.urlmap.paths`: Paste's key grammar and the path arithmetic both forms share;
* :mod:`asgipaste.urlmap.asgi`: :class:`URLMap`, the pure-ASGI form;
* :mod:`asgipaste.urlmap.wsgi`: :class:`WSGIURLMap`, the form a map takes when
  every mounted app is WSGI, so a legacy tree stays WSGI all the way down;
* :mod:`asgipaste.urlmap.cascade`: Paste's ``cascade`` (try apps until one is not a 404).

``egg:Paste#urlmap`` and ``egg:asgipaste#urlmap`` name :func:`urlmap_factory`.
"""

from __future__ import annotations

from typing import Any

from asgipaste.interop.detect import declare_asgi
from asgipaste.urlmap.asgi import URLMap, build_urlmap, not_found
from asgipaste.urlmap.paths import normalize_key, normalize_root_path, parse_path_expression
from asgipaste.urlmap.wsgi import WSGIURLMap

__all__ = [
    "URLMap",
    "WSGIURLMap",
    "build_urlmap",
    "normalize_key",
    "normalize_root_path",
    "not_found",
    "parse_path_expression",
    "urlmap_factory",
]


def urlmap_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> URLMap:
    """``egg:asgipaste#urlmap`` (and ``egg:Paste#urlmap``): Paste's urlmap as an ASGI :class:`URLMap`::

        [composite:main]
        use = egg:asgipaste#urlmap
        /v2 = api_v2            ; urlmap.url_path_for("api_v2", path="/x") == "/v2/x"

    The loader calls it once, with every child built as it is; when all of
    them are WSGI it serves the map's WSGI form (:class:`WSGIURLMap`), so the
    whole tree stays WSGI and crosses into ASGI once.

    >>> urlmap_factory.__asgipaste_wsgi_form__ == WSGIURLMap.from_table
    True
    """
    return build_urlmap(loader, global_conf, local_conf)


declare_asgi(urlmap_factory)
# Read by the loader (asgipaste.loader.build.WSGI_FORM_ATTR): the form to take when every child is WSGI.
urlmap_factory.__asgipaste_wsgi_form__ = WSGIURLMap.from_table  # type: ignore[attr-defined]

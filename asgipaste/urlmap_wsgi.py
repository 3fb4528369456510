"""Old import path of :mod:`asgipaste.urlmap.wsgi` (kept: documented before the urlmap package)."""

from asgipaste.urlmap.wsgi import WSGIURLMap, wsgi_urlmap_factory

__all__ = ["WSGIURLMap", "wsgi_urlmap_factory"]

"""glance.api.middleware.gzip: GzipMiddleware (a pass-through stand-in that marks the trail)."""

from glance.common import wsgi


class GzipMiddleware(wsgi.Middleware):
    name = "glance.gzip"

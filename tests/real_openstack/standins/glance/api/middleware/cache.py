"""glance.api.middleware.cache: CacheFilter (a pass-through stand-in that marks the trail)."""

from glance.common import wsgi


class CacheFilter(wsgi.Middleware):
    name = "glance.cache"

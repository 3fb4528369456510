"""glance.api.middleware.cache_manage: CacheManageFilter (a pass-through stand-in that marks the trail)."""

from glance.common import wsgi


class CacheManageFilter(wsgi.Middleware):
    name = "glance.cache_manage"

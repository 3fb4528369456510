"""swift.common.middleware.memcache: the ``memcache`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("memcache")

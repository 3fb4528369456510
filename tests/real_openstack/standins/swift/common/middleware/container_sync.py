"""swift.common.middleware.container_sync: the ``container_sync`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("container_sync")

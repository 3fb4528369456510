"""swift.common.middleware.container_quotas: the ``container_quotas`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("container_quotas")

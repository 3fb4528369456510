"""swift.common.middleware.list_endpoints: the ``list_endpoints`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("list_endpoints")

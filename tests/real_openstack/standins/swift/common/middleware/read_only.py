"""swift.common.middleware.read_only: the ``read_only`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("read_only")

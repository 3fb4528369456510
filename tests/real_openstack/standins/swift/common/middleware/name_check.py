"""swift.common.middleware.name_check: the ``name_check`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("name_check")

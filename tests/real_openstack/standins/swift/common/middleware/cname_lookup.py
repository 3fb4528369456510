"""swift.common.middleware.cname_lookup: the ``cname_lookup`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("cname_lookup")

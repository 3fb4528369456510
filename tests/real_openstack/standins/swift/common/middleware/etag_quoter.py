"""swift.common.middleware.etag_quoter: the ``etag_quoter`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("etag_quoter")

"""swift.common.middleware.listing_formats: the ``listing_formats`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("listing_formats")

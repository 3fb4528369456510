"""swift.common.middleware.slo: the ``slo`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("slo")

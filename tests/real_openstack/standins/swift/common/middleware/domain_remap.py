"""swift.common.middleware.domain_remap: the ``domain_remap`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("domain_remap")

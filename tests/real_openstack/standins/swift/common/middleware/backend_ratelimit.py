"""swift.common.middleware.backend_ratelimit: the ``backend_ratelimit`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("backend_ratelimit")

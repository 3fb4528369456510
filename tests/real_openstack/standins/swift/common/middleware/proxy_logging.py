"""swift.common.middleware.proxy_logging: the ``proxy_logging`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("proxy_logging")

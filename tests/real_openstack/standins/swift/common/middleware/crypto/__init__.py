"""swift.common.middleware.crypto: the ``encryption`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("encryption")

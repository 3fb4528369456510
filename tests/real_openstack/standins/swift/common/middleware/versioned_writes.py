"""swift.common.middleware.versioned_writes: the ``versioned_writes`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("versioned_writes")

"""swift.common.middleware.s3api.s3token: the ``s3token`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("s3token")

"""swift.common.middleware.crypto.kms_keymaster: the ``kms_keymaster`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("kms_keymaster")

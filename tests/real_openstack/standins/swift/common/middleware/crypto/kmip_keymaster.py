"""swift.common.middleware.crypto.kmip_keymaster: the ``kmip_keymaster`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("kmip_keymaster")

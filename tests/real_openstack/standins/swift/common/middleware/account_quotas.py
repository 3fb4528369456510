"""swift.common.middleware.account_quotas: the ``account_quotas`` filter (a pass-through stand-in)."""

from swift.common.standin import make_filter_factory

filter_factory = make_filter_factory("account_quotas")

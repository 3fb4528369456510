"""barbican.api.middleware.simple: SimpleFilter, a pass-through example filter."""

from barbican.api import middleware


class SimpleFilter(middleware.Middleware):
    name = "barbican.simple"

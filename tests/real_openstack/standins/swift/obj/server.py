"""swift.obj.server: the ``object`` server app (a stand-in; the proxy pipeline does not use it)."""

from swift.common.standin import make_app_factory

app_factory = make_app_factory("object")

"""The joins between WSGI and ASGI: detection, the WSGI adapter, the ASGI bridge.

* :func:`app_protocol` / :func:`filter_protocol` tell which protocol an object
  speaks; :func:`declare_asgi` / :func:`declare_wsgi` say it explicitly.
* :class:`WSGIAdapter` serves a WSGI app (a fused WSGI stack) to an ASGI server.
* :class:`ASGIBridge` shows an ASGI app to WSGI code (a filter in front of it),
  running it on the server's own loop.

>>> from asgipaste.interop import WSGIAdapter, app_protocol
>>> def hello(environ, start_response):
...     start_response("200 OK", [])
...     return [b"hi"]
>>> app_protocol(hello), app_protocol(WSGIAdapter(hello))
('wsgi', 'asgi')
"""

from __future__ import annotations

from asgipaste.interop.bridge import ASGIBridge, BridgeError
from asgipaste.interop.detect import (
    PROTOCOL_ATTR,
    app_protocol,
    declare_asgi,
    declare_wsgi,
    filter_protocol,
)
from asgipaste.interop.environ import InvalidResponseHeader, set_process_model
from asgipaste.interop.streams import ClientDisconnected, RequestBodyDiscarded
from asgipaste.interop.wsgi import DEFAULT_THREADS, WSGIAdapter

__all__ = [
    "DEFAULT_THREADS",
    "PROTOCOL_ATTR",
    "ASGIBridge",
    "BridgeError",
    "ClientDisconnected",
    "InvalidResponseHeader",
    "RequestBodyDiscarded",
    "WSGIAdapter",
    "app_protocol",
    "declare_asgi",
    "declare_wsgi",
    "filter_protocol",
    "set_process_model",
]

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

import importlib
from typing import TYPE_CHECKING, Any

from asgipaste.interop.detect import (
    PROTOCOL_ATTR,
    app_protocol,
    declare_asgi,
    declare_wsgi,
    filter_protocol,
)

if TYPE_CHECKING:
    from asgipaste.interop.bridge import ASGIBridge, BridgeError
    from asgipaste.interop.environ import InvalidResponseHeader, set_process_model
    from asgipaste.interop.streams import ClientDisconnected, RequestBodyDiscarded
    from asgipaste.interop.wsgi import DEFAULT_THREADS, WSGIAdapter

# The adapter and the bridge (asyncio, anyio) are imported when first named, so
# that ``import asgipaste`` (which needs only ``detect``) stays light.
_LAZY = {
    "ASGIBridge": "bridge", "BridgeError": "bridge",
    "InvalidResponseHeader": "environ", "set_process_model": "environ",
    "ClientDisconnected": "streams", "RequestBodyDiscarded": "streams",
    "DEFAULT_THREADS": "wsgi", "WSGIAdapter": "wsgi",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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

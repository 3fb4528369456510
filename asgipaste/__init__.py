"""asgipaste: Paste Deployment INI files, served on ASGI.

>>> import asgipaste
>>> app = asgipaste.loadapp("config:api-paste.ini", name="osapi_compute", relative_to=".")  # doctest: +SKIP

The same INI files that PasteDeploy loads (``[app:]``, ``[filter:]``,
``[pipeline:]``, ``[composite:]``, ``use = egg:/call:/config:``, ``set``/``get``,
``[DEFAULT]``) load into one ASGI app; WSGI layers are joined where they meet.
"""

from __future__ import annotations

from asgipaste import _imports, converters
from asgipaste.errors import ConfigError
from asgipaste.interop.detect import declare_asgi, declare_wsgi
from asgipaste.loader.api import appconfig, check_config, load_stack, loadapp, loadfilter, loadserver
from asgipaste.loader.resolve import register_scheme
from asgipaste.stack import LoadedStack, StackNode

_imports.install_from_env()  # a worker of an `asgipaste` command: modules beside its INI

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "LoadedStack",
    "StackNode",
    "__version__",
    "appconfig",
    "check_config",
    "converters",
    "declare_asgi",
    "declare_wsgi",
    "load_stack",
    "loadapp",
    "loadfilter",
    "loadserver",
    "register_scheme",
]

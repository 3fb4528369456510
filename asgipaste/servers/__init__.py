"""Serving: what to serve, the options servers take, binding, and the servers themselves.

* :mod:`~asgipaste.servers.target`: :class:`ServeTarget` (a config file's app section) and its environment;
* :mod:`~asgipaste.servers.options`: listen addresses, ports and option converters;
* :mod:`~asgipaste.servers.binding`: binding sockets before workers start;
* :mod:`~asgipaste.servers.policy`: :func:`serving_app`, the one place limits and proxy trust are applied;
* :mod:`~asgipaste.servers.base`: the :class:`Server` protocol the CLI drives;
* :mod:`~asgipaste.servers.uvicorn`, :mod:`~asgipaste.servers.granian`,
  :mod:`~asgipaste.servers.legacy`: the servers (``egg:asgipaste#uvicorn``,
  ``#granian``, and migrated waitress/Paste/gunicorn sections).

>>> target = ServeTarget.parse("development.ini#api", cwd=Path("/srv"))
>>> target.uri, target.name
('config:/srv/development.ini', 'api')
"""

from __future__ import annotations

from pathlib import Path

from asgipaste.middleware.limits import (
    DEFAULT_MAX_HEADER_BYTES,
    DEFAULT_MAX_HEADERS,
    MaxURLLength,
    RequestLimits,
    plain_response,
)
from asgipaste.servers.base import Server
from asgipaste.servers.binding import bind_socket
from asgipaste.servers.options import (
    Listen,
    apply_overrides,
    choice,
    non_negative_float,
    non_negative_int,
    option,
    parse_listen,
    parse_port,
    positive_int,
    server_location,
)
from asgipaste.servers.policy import (
    ENV_MAX_HEADER_BYTES,
    ENV_MAX_HEADERS,
    ENV_MAX_URL_LEN,
    ENV_PROXY,
    ENV_WORKERS,
    ServePolicy,
    serving_app,
)
from asgipaste.servers.target import ENV_APP, ENV_CONFIG, ENV_LOGGING, ENV_VARS, Servable, ServeTarget
from asgipaste.types import ASGIApp

__all__ = [
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_HEADER_BYTES",
    "ENV_APP",
    "ENV_CONFIG",
    "ENV_LOGGING",
    "ENV_MAX_HEADERS",
    "ENV_MAX_HEADER_BYTES",
    "ENV_MAX_URL_LEN",
    "ENV_PROXY",
    "ENV_VARS",
    "ENV_WORKERS",
    "Listen",
    "MaxURLLength",
    "RequestLimits",
    "Servable",
    "ServePolicy",
    "ServeTarget",
    "Server",
    "apply_overrides",
    "bind_socket",
    "choice",
    "limits_from_env",
    "non_negative_float",
    "non_negative_int",
    "option",
    "parse_listen",
    "parse_port",
    "plain_response",
    "positive_int",
    "server_location",
    "serving_app",
]

_ = Path  # the module docstring's example uses it


def limits_from_env(app: ASGIApp) -> ASGIApp:
    """``app`` wrapped by the policy the environment gives (kept for callers of the old name)."""
    return serving_app(app, ServePolicy.from_env())

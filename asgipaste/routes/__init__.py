"""Routes on ASGI: a drop-in ``Mapper`` plus nova-style ``Router``/``Resource`` dispatch.

Migrating from Routes is a one-line import change::

    from asgipaste.routes import Mapper   # was: from routes import Mapper
    from asgipaste.routes import url_for, request_config, redirect_to, URLGenerator

>>> m = Mapper()
>>> m.resource("message", "messages")
>>> m.match("/messages/new", environ={"REQUEST_METHOD": "GET"})["action"]
'new'
"""

from __future__ import annotations

from asgipaste.routes.config import redirect_to, request_config, url_for
from asgipaste.routes.controller import Resource, action, response
from asgipaste.routes.dispatch import Router, RoutesMiddleware, routing_args
from asgipaste.routes.faults import (
    Fault,
    HTTPBadRequest,
    HTTPConflict,
    HTTPError,
    HTTPForbidden,
    HTTPInternalServerError,
    HTTPMethodNotAllowed,
    HTTPNotFound,
    HTTPRequestEntityTooLarge,
    HTTPTooManyRequests,
    HTTPUnauthorized,
    HTTPUnsupportedMediaType,
    fault_name,
    fault_response,
)
from asgipaste.routes.mapper import Mapper
from asgipaste.routes.route import Route
from asgipaste.routes.submapper import SubMapper, SubMapperParent
from asgipaste.routes.urlgen import URLGenerator
from asgipaste.routes.util import GenerationException, MatchException, RoutesException

__all__ = [
    "Fault",
    "GenerationException",
    "HTTPBadRequest",
    "HTTPConflict",
    "HTTPError",
    "HTTPForbidden",
    "HTTPInternalServerError",
    "HTTPMethodNotAllowed",
    "HTTPNotFound",
    "HTTPRequestEntityTooLarge",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnsupportedMediaType",
    "Mapper",
    "MatchException",
    "Resource",
    "Route",
    "Router",
    "RoutesException",
    "RoutesMiddleware",
    "SubMapper",
    "SubMapperParent",
    "URLGenerator",
    "action",
    "fault_name",
    "fault_response",
    "redirect_to",
    "request_config",
    "response",
    "routing_args",
    "url_for",
]

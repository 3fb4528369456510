"""The WSGI building blocks OpenStack services write for themselves, as stand-ins.

Every service has its own copy of these shapes (nova.api.wsgi, cinder.wsgi.common,
manila.wsgi.common, glance.common.wsgi, heat.common.wsgi, keystone.common.wsgi):

* ``Application.factory(global_config, **local_config)`` returns ``cls(**local_config)``;
* ``Middleware.factory(global_config, **local_config)`` returns ``_factory(app)``
  that returns ``cls(app, **local_config)``; ``__call__`` is ``webob.dec.wsgify``
  with ``process_request`` / ``process_response`` hooks;
* ``Router`` wraps a Routes mapper in ``routes.middleware.RoutesMiddleware`` and
  dispatches to the matched controller.

The stand-ins keep those shapes and answer JSON that names who answered and
what the middleware left in the environ (``standin.trail``: the service's own
middleware in order), so two loaders can be compared request by request. The
service modules under this directory import from here under their real names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import routes
import routes.middleware
import webob
import webob.dec
import webob.exc

TRAIL = "standin.trail"


class Request(webob.Request):
    """The services' ``Request`` subclass (best_match_content_type and friends elided)."""


def json_response(body: Mapping[str, Any], status: int = 200, **headers: str) -> webob.Response:
    response = webob.Response(status=status, content_type="application/json", charset="UTF-8")
    response.body = json.dumps(body, sort_keys=True).encode()
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def describe(req: webob.Request, who: str) -> dict[str, Any]:
    """What a stand-in app reports: who answered, where it was mounted, what ran before it."""
    environ = req.environ
    return {
        "app": who,
        "method": req.method,
        "script_name": environ.get("SCRIPT_NAME", ""),
        "path_info": environ.get("PATH_INFO", ""),
        "url_scheme": environ.get("wsgi.url_scheme"),
        "trail": list(environ.get(TRAIL, [])),
        "request_id": environ.get("openstack.request_id"),
        "context": environ.get("standin.context"),
        "identity_status": environ.get("HTTP_X_IDENTITY_STATUS"),
    }


def mark(req: webob.Request, name: str) -> None:
    req.environ[TRAIL] = [*req.environ.get(TRAIL, []), name]


class Application:
    """Base WSGI application wrapper (nova.api.wsgi.Application's shape)."""

    name = "application"

    @classmethod
    def factory(cls, global_config: Mapping[str, Any], **local_config: Any) -> Any:
        """Used for paste app factories in paste.deploy config files."""
        return cls(**local_config)

    def __init__(self, **local_config: Any) -> None:
        self.local_config = local_config

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        return json_response(describe(req, self.name))


class Middleware(Application):
    """Base WSGI middleware (nova.api.wsgi.Middleware's shape)."""

    name = "middleware"

    @classmethod
    def factory(cls, global_config: Mapping[str, Any], **local_config: Any) -> Any:
        """Used for paste app factories in paste.deploy config files."""

        def _factory(app: Any) -> Any:
            return cls(app, **local_config)

        return _factory

    def __init__(self, application: Any, **local_config: Any) -> None:
        self.application = application
        self.local_config = local_config

    def process_request(self, req: webob.Request) -> Any:
        """Called on each request; a response returned here stops the chain."""
        return None

    def process_response(self, response: webob.Response) -> webob.Response:
        return response

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        mark(req, self.name)
        response = self.process_request(req)
        if response:
            return response
        response = req.get_response(self.application)
        return self.process_response(response)


class Router:
    """WSGI middleware that maps incoming requests to WSGI apps (the services' Router)."""

    def __init__(self, mapper: routes.Mapper) -> None:
        self.map = mapper
        self._router = routes.middleware.RoutesMiddleware(self._dispatch, self.map)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        """Route the incoming request to a controller based on self.map."""
        return self._router

    @staticmethod
    @webob.dec.wsgify(RequestClass=Request)
    def _dispatch(req: webob.Request) -> Any:
        """Dispatch to the controller the mapper matched, or 404."""
        match = req.environ["wsgiorg.routing_args"][1]
        if not match:
            return webob.exc.HTTPNotFound()
        return match["controller"]


class Resource:
    """A controller wrapped as a WSGI app: calls ``action`` with the route's arguments."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        args = dict(req.environ["wsgiorg.routing_args"][1])
        args.pop("controller", None)
        action = args.pop("action", "index")
        args.pop("format", None)
        method: Callable[..., Any] = getattr(self.controller, action)
        result = method(req, **args)
        if isinstance(result, webob.Response):
            return result
        return json_response(result)


class Controller:
    """A resource controller that reports which action answered."""

    def __init__(self, service: str, collection: str) -> None:
        self.service = service
        self.collection = collection

    def _answer(self, req: webob.Request, action: str, **args: Any) -> dict[str, Any]:
        return {**describe(req, f"{self.service}.{self.collection}"), "action": action, "args": args}

    def index(self, req: webob.Request, **args: Any) -> dict[str, Any]:
        return self._answer(req, "index", **args)

    def show(self, req: webob.Request, **args: Any) -> dict[str, Any]:
        return self._answer(req, "show", **args)

    def create(self, req: webob.Request, **args: Any) -> webob.Response:
        body = req.json_body if req.body else None
        return json_response({**self._answer(req, "create", **args), "body": body}, status=202)

    def delete(self, req: webob.Request, **args: Any) -> webob.Response:
        return webob.Response(status=204)


def resource_router(service: str, *collections: str, prefix: str = "") -> Router:
    """A Router with Routes' ``mapper.resource`` for each collection (the services' APIRouter)."""
    mapper = routes.Mapper()
    for collection in collections:
        member = collection[:-1] if collection.endswith("s") else collection
        resource = Resource(Controller(service, collection))
        mapper.resource(member, collection, controller=resource, path_prefix=prefix)
    return Router(mapper)


def load_pipeline(loader: Any, pipeline: list[str]) -> Any:
    """The services' ``_load_pipeline``: filters from the loader, applied in reverse."""
    filters = [loader.get_filter(n) for n in pipeline[:-1]]
    app = loader.get_app(pipeline[-1])
    filters.reverse()
    for filt in filters:
        app = filt(app)
    return app


class FaultWrapper(Middleware):
    """Calls down the middleware stack, making exceptions into faults (the services' FaultWrapper)."""

    name = "faultwrap"

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        mark(req, self.name)
        try:
            return req.get_response(self.application)
        except Exception as exc:
            fault = {"computeFault": {"code": 500, "message": f"Unexpected API Error. {type(exc).__name__}"}}
            return json_response(fault, status=500)


class NoAuthMiddleware(Middleware):
    """Return a fake token if one isn't specified; trust X-Auth-Token as 'user:project'."""

    name = "noauth"

    def process_request(self, req: webob.Request) -> Any:
        token = req.headers.get("X-Auth-Token")
        if not token:
            response = webob.Response(status=204)
            response.headers["X-Auth-Token"] = "admin:admin"
            response.headers["X-Server-Management-Url"] = req.host_url + req.script_name
            return response
        user, _, project = token.partition(":")
        req.environ["standin.context"] = {"user_id": user, "project_id": project or user, "noauth": True}
        return None


class KeystoneContext(Middleware):
    """Make a request context from keystone headers (NovaKeystoneContext and friends)."""

    name = "keystonecontext"

    def process_request(self, req: webob.Request) -> Any:
        user_id = req.headers.get("X-User-Id", req.headers.get("X-User"))
        if user_id is None:
            return webob.exc.HTTPUnauthorized()
        req.environ["standin.context"] = {
            "user_id": user_id,
            "project_id": req.headers.get("X-Project-Id"),
            "roles": req.headers.get("X-Roles", "").split(","),
        }
        return None


class VersionsApp(Application):
    """The root answer listing the API versions."""

    versions: tuple[dict[str, Any], ...] = ()

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        body = {"versions": [{**v, "links": [{"rel": "self", "href": req.host_url + "/" + v["id"] + "/"}]}
                             for v in self.versions]}
        return json_response({**body, "answered_by": describe(req, self.name)}, status=300 if
                             req.path_info in ("", "/") and len(self.versions) > 1 else 200)


def passthrough_filter_factory(name: str) -> Callable[..., Any]:
    """A ``filter_factory(global_conf, **local_conf)`` for a middleware that only marks the trail."""

    klass = type(name, (Middleware,), {"name": name})
    return klass.factory  # type: ignore[no-any-return]


def register_common_opts() -> None:
    """The options the services' pipeline factories key off, on oslo.config's global CONF.

    cinder, neutron and manila read ``[DEFAULT] auth_strategy`` (and cinder/manila
    ``api_rate_limit``); glance and heat read ``[paste_deploy] flavor``. They are
    registered once here so that several stand-ins can share the process.
    """
    from oslo_config import cfg

    conf = cfg.CONF
    if "auth_strategy" not in conf:
        conf.register_opts(
            [
                cfg.StrOpt("auth_strategy", default="keystone"),
                cfg.BoolOpt("api_rate_limit", default=True),
            ]
        )
    if "paste_deploy" not in conf or "flavor" not in conf.paste_deploy:
        conf.register_opts([cfg.StrOpt("flavor")], group="paste_deploy")

"""Authentication for the demo: ``pipeline_factory``, ``noauth``, ``authtoken``, ``keystonecontext``.

``pipeline_factory`` is nova's ``nova.api.auth.pipeline_factory``: a composite
whose keys are pipelines, one per auth strategy, chosen by ``auth_strategy``
(``noauth`` by default) and ``api_rate_limit`` (true by default; false picks
the ``<strategy>_nolimit`` pipeline when there is one), both read from
``global_conf`` so ``asgipaste serve api-paste.ini auth_strategy=keystone``
switches it::

    [composite:openstack_compute_api_v2]
    use = call:asgipaste.demo.auth:pipeline_factory
    noauth = faultwrap sizelimit noauth ratelimit osapi_compute_app_v2
    keystone = faultwrap sizelimit authtoken keystonecontext ratelimit osapi_compute_app_v2
    keystone_nolimit = faultwrap sizelimit authtoken keystonecontext osapi_compute_app_v2

``authtoken`` stands in for keystonemiddleware: tokens live in the ``tokens``
table of the demo's SQLite file, seeded at startup from ``auth_tokens``
(:func:`parse_tokens`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asgipaste.converters import asbool
from asgipaste.demo.base import CONTEXT_KEY, Middleware, RequestContext, get_header, is_version_root, send_fault
from asgipaste.demo.db import shared_database
from asgipaste.errors import ConfigLookupError, ConfigValueError
from asgipaste.interop.detect import declare_asgi
from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "DEFAULT_TOKENS",
    "AuthTokenMiddleware",
    "NoAuthMiddleware",
    "NovaKeystoneContext",
    "parse_tokens",
    "pipeline_factory",
]

#: Tokens seeded when the INI sets no ``auth_tokens``: the same strings work under noauth.
DEFAULT_TOKENS = "admin:demo = admin demo admin; demo:demo = demo demo member"

_UNAUTHORIZED = "The request you have made requires authentication."

# Identity headers a client must never be able to set itself (keystonemiddleware strips them too).
_IDENTITY_HEADERS = frozenset(
    {b"x-identity-status", b"x-user-id", b"x-user", b"x-project-id", b"x-tenant-id", b"x-tenant", b"x-roles"}
)


@declare_asgi
def pipeline_factory(loader: Any, global_conf: Mapping[str, Any], **local_conf: str) -> ASGIApp:
    """Build the pipeline named by ``auth_strategy`` (and ``api_rate_limit``); see the module doc.

    >>> # [composite:api] use = call:asgipaste.demo.auth:pipeline_factory
    >>> # noauth = faultwrap noauth app
    """
    strategy = str(global_conf.get("auth_strategy") or "noauth").strip()
    if strategy not in local_conf:
        choices = ", ".join(sorted(key for key in local_conf if not key.endswith("_nolimit"))) or "none"
        raise ConfigLookupError(
            f"auth_strategy = {strategy!r} has no pipeline in this composite",
            key="auth_strategy",
            hint=f"pipelines given: {choices}",
        )
    try:
        rate_limit = asbool(global_conf.get("api_rate_limit", "true"))
    except ValueError as exc:
        raise ConfigValueError(f"api_rate_limit: {exc}", key="api_rate_limit") from None
    pipeline = local_conf[strategy]
    if not rate_limit:
        pipeline = local_conf.get(f"{strategy}_nolimit", pipeline)
    names = pipeline.split()
    if not names:
        raise ConfigValueError(f"The {strategy!r} pipeline is empty", key=strategy)
    # Pass global_conf on: the caller's var=value overrides must reach the filters and the app.
    conf = dict(global_conf)
    filters = [loader.get_filter(name, global_conf=conf) for name in names[:-1]]
    app: ASGIApp = loader.get_app(names[-1], global_conf=conf)
    for make in reversed(filters):
        app = make(app)
    return app


def parse_tokens(text: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """``TOKEN = USER PROJECT [ROLE,ROLE]`` entries, one per line or ``;``-separated.

    >>> parse_tokens("admin:demo = admin demo admin,member; t2 = bob proj")
    {'admin:demo': ('admin', 'demo', ('admin', 'member')), 't2': ('bob', 'proj', ())}
    """
    tokens: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for entry in re.split(r"[;\n]", text):
        entry = entry.strip()
        if not entry:
            continue
        token, sep, rest = entry.partition("=")
        fields = rest.split()
        if not sep or not token.strip() or len(fields) not in (2, 3):
            raise ConfigValueError(
                f"auth_tokens: bad entry {entry!r}",
                key="auth_tokens",
                hint="write 'TOKEN = USER PROJECT [ROLE,ROLE]', entries separated by ';' or new lines",
            )
        roles = tuple(role for role in fields[2].split(",") if role) if len(fields) == 3 else ()
        tokens[token.strip()] = (fields[0], fields[1], roles)
    return tokens


class NoAuthMiddleware(Middleware):
    """nova's ``NoAuthMiddleware``: trust ``X-Auth-Token: user[:project]``, 401 without one.

    The project is the token's, else ``X-Auth-Project-Id``, else the user id.
    User ``admin`` gets the admin role; everyone else is a member. ``GET`` of
    the API's root (its version document) needs no token.

    >>> async def app(scope, receive, send): ...
    >>> NoAuthMiddleware(app)
    NoAuthMiddleware(<function app at ...>)
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = (get_header(scope, b"x-auth-token") or "").strip()
        user_id, _sep, project_id = token.partition(":")
        if not user_id and is_version_root(scope):
            await self.app(scope, receive, send)
            return
        if not user_id:
            headers = {"WWW-Authenticate": "Token", "X-Auth-Token": "<user>:<project>"}
            await send_fault(scope, receive, send, 401, _UNAUTHORIZED, headers)
            return
        project_id = project_id or (get_header(scope, b"x-auth-project-id") or "").strip() or user_id
        admin = user_id == "admin"
        context = RequestContext(user_id, project_id, ("admin",) if admin else ("member",), is_admin=admin)
        scope = dict(scope)
        scope[CONTEXT_KEY] = context
        await self.app(scope, receive, send)


class AuthTokenMiddleware(Middleware):
    """keystonemiddleware's ``auth_token`` against the demo database's ``tokens`` table.

    A missing, unknown or expired ``X-Auth-Token`` is a 401; a valid one sets
    ``X-Identity-Status: Confirmed``, ``X-User-Id``, ``X-Project-Id`` and
    ``X-Roles`` in the request headers (client-sent copies are removed first)
    and ``scope["keystone.token_info"]``. ``GET`` of the API's root (its
    version document) passes without a token, with no identity headers.
    """

    def __init__(self, app: ASGIApp, global_conf: Mapping[str, Any] | None = None, **local_conf: str) -> None:
        super().__init__(app)
        conf = {**dict(global_conf or {}), **local_conf}
        self.db = shared_database(conf)

    def __repr__(self) -> str:
        return f"AuthTokenMiddleware({self.app!r}, db={self.db!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = (get_header(scope, b"x-auth-token") or "").strip()
        found = await self.db.lookup_token(token) if token else None
        kept = [(k, v) for k, v in scope.get("headers", ()) if k.lower() not in _IDENTITY_HEADERS]
        if found is None and not token and is_version_root(scope):
            scope = dict(scope)
            scope["headers"] = kept  # anonymous: no identity reaches the layers below
            await self.app(scope, receive, send)
            return
        if found is None:
            headers = {"WWW-Authenticate": "Keystone uri='local'"}
            await send_fault(scope, receive, send, 401, _UNAUTHORIZED, headers)
            return
        user_id, project_id, roles = found
        kept += [
            (b"x-identity-status", b"Confirmed"),
            (b"x-user-id", user_id.encode("latin-1")),
            (b"x-project-id", project_id.encode("latin-1")),
            (b"x-roles", ",".join(roles).encode("latin-1")),
        ]
        scope = dict(scope)
        scope["headers"] = kept
        scope["keystone.token_info"] = {"user_id": user_id, "project_id": project_id, "roles": roles}
        await self.app(scope, receive, send)


class NovaKeystoneContext(Middleware):
    """nova's ``NovaKeystoneContext``: the request context from the headers ``authtoken`` set.

    No user → 401 (except ``GET`` of the API's root); no project → 400.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        user_id = get_header(scope, b"x-user-id") or get_header(scope, b"x-user")
        if not user_id and is_version_root(scope):
            await self.app(scope, receive, send)
            return
        if not user_id:
            await send_fault(scope, receive, send, 401, "Neither X-User-Id nor X-User found in request")
            return
        project_id = get_header(scope, b"x-project-id") or get_header(scope, b"x-tenant-id")
        if not project_id:
            await send_fault(scope, receive, send, 400, "Neither X-Project-Id nor X-Tenant-Id found in request")
            return
        roles = tuple(role.strip() for role in (get_header(scope, b"x-roles") or "").split(",") if role.strip())
        scope = dict(scope)
        scope[CONTEXT_KEY] = RequestContext(user_id, project_id, roles)
        await self.app(scope, receive, send)

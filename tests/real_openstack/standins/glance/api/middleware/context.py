"""glance.api.middleware.context: request contexts (keystone headers, or unauthenticated admin)."""

from __future__ import annotations

from typing import Any

import webob

from glance.common import wsgi


class ContextMiddleware(wsgi.Middleware):
    name = "glance.context"

    def process_request(self, req: webob.Request) -> Any:
        if req.headers.get("X-Identity-Status", "Confirmed") != "Confirmed":
            return webob.exc.HTTPUnauthorized()
        req.environ["standin.context"] = {"user_id": req.headers.get("X-User-Id"), "is_admin": False}
        return None


class UnauthenticatedContextMiddleware(wsgi.Middleware):
    name = "glance.unauthenticated-context"

    def process_request(self, req: webob.Request) -> Any:
        req.environ["standin.context"] = {"user_id": None, "is_admin": True}
        return None

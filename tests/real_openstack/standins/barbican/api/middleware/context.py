"""barbican.api.middleware.context: request contexts from keystone headers, or unauthenticated."""

from __future__ import annotations

from typing import Any

import webob

from barbican.api import middleware


class ContextMiddleware(middleware.Middleware):
    name = "barbican.context"

    def process_request(self, req: webob.Request) -> Any:
        if req.headers.get("X-Identity-Status") != "Confirmed":
            return webob.exc.HTTPUnauthorized()
        req.environ["standin.context"] = {"project_id": req.headers.get("X-Project-Id")}
        return None


class UnauthenticatedContextMiddleware(middleware.Middleware):
    name = "barbican.unauthenticated-context"

    def process_request(self, req: webob.Request) -> Any:
        req.environ["standin.context"] = {"project_id": req.headers.get("X-Project-Id"), "is_admin": True}
        return None

"""keystone.middleware: URL normalizing, auth context, token and JSON body middleware."""

from __future__ import annotations

from typing import Any

import webob
from openstack_standin_kit import Middleware


class NormalizingFilter(Middleware):
    """Middleware filter to handle URL normalization (drops a trailing slash)."""

    name = "keystone.url_normalize"

    def process_request(self, req: webob.Request) -> Any:
        if len(req.environ["PATH_INFO"]) > 1 and req.environ["PATH_INFO"].endswith("/"):
            req.environ["PATH_INFO"] = req.environ["PATH_INFO"].rstrip("/")
        elif not req.environ["PATH_INFO"]:
            req.environ["PATH_INFO"] = "/"
        return None


class AuthContextMiddleware(Middleware):
    name = "keystone.build_auth_context"


class TokenAuthMiddleware(Middleware):
    name = "keystone.token_auth"


class JsonBodyMiddleware(Middleware):
    name = "keystone.json_body"

"""swift.common.middleware.tempauth: users from ``user_<account>_<user> = <key> [groups]`` lines; tokens for /auth/v1.0.

Tokens here are derived from the user (the real tempauth stores random ones in
memcache), so two servers loading the same file hand out the same token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from swift.common.standin import StartResponse, json_answer, mark


class TempAuth:
    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        self.app = app
        self.reseller_prefix = conf.get("reseller_prefix", "AUTH").strip() + "_"
        self.users: dict[str, tuple[str, list[str]]] = {}
        for key, value in conf.items():
            if key.startswith("user_"):
                account, _, user = key[len("user_"):].partition("_")
                password, *groups = value.split()
                self.users[f"{account}:{user}"] = (password, groups)

    def token_for(self, user: str) -> str:
        return self.reseller_prefix + "tk" + hashlib.sha256(user.encode()).hexdigest()[:32]

    def __call__(self, env: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        mark(env, "tempauth")
        path = env.get("PATH_INFO", "")
        if path in ("/auth/v1.0", "/v1.0"):
            user = env.get("HTTP_X_AUTH_USER", "")
            known = self.users.get(user)
            if known is None or known[0] != env.get("HTTP_X_AUTH_KEY"):
                start_response("401 Unauthorized", [("Content-Length", "0")])
                return [b""]
            account = self.reseller_prefix + user.split(":")[0]
            host = env.get("HTTP_HOST", "")
            url = f"{env['wsgi.url_scheme']}://{host}/v1/{account}"
            return json_answer(start_response, "200 OK", {"storage": {"default": "local", "local": url}},
                               ("X-Auth-Token", self.token_for(user)), ("X-Storage-Url", url))
        if path.startswith("/v1/" + self.reseller_prefix):
            token = env.get("HTTP_X_AUTH_TOKEN", "")
            account = path.split("/")[2]
            allowed = [u for u in self.users if self.token_for(u) == token
                       and self.reseller_prefix + u.split(":")[0] == account]
            if not allowed:
                challenge = ("Www-Authenticate", f'Swift realm="{account}"')
                start_response("401 Unauthorized", [("Content-Length", "0"), challenge])
                return [b""]
            env["REMOTE_USER"] = allowed[0]
        return self.app(env, start_response)  # type: ignore[no-any-return]


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    conf = global_conf.copy()
    conf.update(local_conf)

    def auth_filter(app: Any) -> Any:
        return TempAuth(app, conf)

    return auth_filter

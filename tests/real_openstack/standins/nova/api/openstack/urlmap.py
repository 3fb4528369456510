"""nova.api.openstack.urlmap: paste's URLMap with nova's '/+' wildcard prefixes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import paste.urlmap


def urlmap_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    if "not_found_app" in local_conf:
        not_found_app: Any = local_conf.pop("not_found_app")
    else:
        not_found_app = global_conf.get("not_found_app")
    if not_found_app:
        not_found_app = loader.get_app(not_found_app, global_conf=global_conf)
    urlmap = URLMap(not_found_app=not_found_app)
    for path, app_name in local_conf.items():
        path = paste.urlmap.parse_path_expression(path)
        app = loader.get_app(app_name, global_conf=global_conf)
        urlmap[path] = app
    return urlmap


class URLMap(paste.urlmap.URLMap):  # type: ignore[misc]
    def _match(self, host: str, port: str, path_info: str) -> tuple[Any, str | None]:
        """Find longest match for a given URL path ('/x/+' needs something after '/x/')."""
        for (domain, app_url), app in self.applications:
            if domain and domain != host and domain != host + ":" + port:
                continue
            if app_url.endswith("/+"):
                if not path_info.startswith(app_url[:-1]):
                    continue
                if len(path_info) < len(app_url):
                    continue
                return app, app_url[:-2]
            if path_info == app_url or path_info.startswith(app_url + "/"):
                return app, app_url
        return None, None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", environ.get("SERVER_NAME", "")).lower()
        if ":" in host:
            host, port = host.split(":", 1)
        else:
            port = "443" if environ["wsgi.url_scheme"] == "https" else "80"
        path_info = environ["PATH_INFO"]
        path_info = self.normalize_url(path_info, False)[1]
        app, app_url = self._match(host, port, path_info)
        if app is None or app_url is None:
            return self.not_found_application(environ, start_response)  # type: ignore[no-any-return]
        environ["SCRIPT_NAME"] += app_url
        environ["PATH_INFO"] = path_info[len(app_url):]
        return app(environ, start_response)  # type: ignore[no-any-return]

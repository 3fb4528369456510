"""nova.api.openstack.urlmap: a subclass of Paste's own (WSGI) URLMap."""

from __future__ import annotations

from typing import Any

import paste.urlmap


class URLMap(paste.urlmap.URLMap):
    """nova adds Accept-header version negotiation; the shape is what matters here."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        accept = environ.get("HTTP_ACCEPT", "")
        if "version=2" in accept and environ.get("PATH_INFO", "") in ("", "/"):
            environ["PATH_INFO"] = "/v2" + environ.get("PATH_INFO", "")
        return super().__call__(environ, start_response)


def urlmap_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> URLMap:
    if "not_found_app" in local_conf:
        not_found_app = local_conf.pop("not_found_app")
    else:
        not_found_app = global_conf.get("not_found_app")
    if not_found_app:
        not_found_app = loader.get_app(not_found_app, global_conf=global_conf)
    urlmap = URLMap(not_found_app=not_found_app)
    for path, app_name in local_conf.items():
        path = paste.urlmap.parse_path_expression(path)
        urlmap[path] = loader.get_app(app_name, global_conf=global_conf)
    return urlmap

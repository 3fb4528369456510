"""manila.api: root_app_factory is Paste's urlmap."""

from __future__ import annotations

from typing import Any

import paste.urlmap


def root_app_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    return paste.urlmap.urlmap_factory(loader, global_conf, **local_conf)

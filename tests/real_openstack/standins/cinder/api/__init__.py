"""cinder.api: root_app_factory drops legacy /v1 and /v2 entries, then Paste's urlmap."""

from __future__ import annotations

import logging
from typing import Any

import paste.urlmap

LOG = logging.getLogger("cinder.api")


def root_app_factory(loader: Any, global_conf: dict[str, Any], **local_conf: str) -> Any:
    for legacy in ("/v1", "/v2"):
        if legacy in local_conf:
            LOG.warning("The %s API has been removed and is no longer available.", legacy)
            del local_conf[legacy]
    return paste.urlmap.urlmap_factory(loader, global_conf, **local_conf)

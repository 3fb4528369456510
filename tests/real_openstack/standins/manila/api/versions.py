"""manila.api.versions: VersionsRouter answers the versions document."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import VersionsApp


class VersionsRouter(VersionsApp):
    name = "manila.versions"
    versions = (
        {"id": "v1.0", "status": "DEPRECATED", "version": "", "min_version": ""},
        {"id": "v2.0", "status": "CURRENT", "version": "2.84", "min_version": "2.0"},
    )

    @classmethod
    def factory(cls, global_config: dict[str, Any], **local_config: Any) -> Any:
        return cls()

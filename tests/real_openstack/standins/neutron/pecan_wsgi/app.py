"""neutron.pecan_wsgi.app: versions_factory (neutron builds a pecan app; the stand-in answers the same document)."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import VersionsApp


class _Versions(VersionsApp):
    name = "neutron.versions"
    versions = ({"id": "v2.0", "status": "CURRENT"},)


def versions_factory(global_config: dict[str, Any], **local_config: Any) -> Any:
    return _Versions()

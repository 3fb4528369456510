"""barbican.api.app: the paste app factories (barbican builds pecan apps; the stand-ins answer like them)."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import VersionsApp, resource_router


class _Versions(VersionsApp):
    name = "barbican.versions"
    versions = ({"id": "v1", "status": "stable"},)


def create_main_app(global_config: dict[str, Any], **local_conf: Any) -> Any:
    """Factory method for the Barbican-API application."""
    return resource_router("barbican", "secrets", "containers", "orders")


def create_version_app(global_config: dict[str, Any], **local_conf: Any) -> Any:
    return _Versions()

"""keystone.version.service: the app factories for the public, admin and v3 services and version documents."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import VersionsApp, resource_router

V3 = {"id": "v3.10", "status": "stable"}
V2 = {"id": "v2.0", "status": "deprecated"}


class _Versions(VersionsApp):
    name = "keystone.versions"
    versions = (V3, V2)


def public_app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    return resource_router("keystone.public", "tokens", "tenants")


def admin_app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    return resource_router("keystone.admin", "tokens", "users", "tenants")


def v3_app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    return resource_router("keystone.v3", "projects", "users", "domains")


def public_version_app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    return _Versions()


def admin_version_app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    return _Versions()

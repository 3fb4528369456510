"""nova.api.openstack.compute.versions: the version documents at / and /v2.1."""

from openstack_standin_kit import VersionsApp

V21 = {"id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1"}
V20 = {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": ""}


class Versions(VersionsApp):
    name = "nova.versions"
    versions = (V20, V21)


class VersionsV2(VersionsApp):
    name = "nova.versions_v2"
    versions = (V21,)

"""cinder.api.versions: the versions document."""

from openstack_standin_kit import VersionsApp


class Versions(VersionsApp):
    name = "cinder.versions"
    versions = ({"id": "v3.0", "status": "CURRENT", "version": "3.71", "min_version": "3.0"},)

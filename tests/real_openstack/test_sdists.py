"""The sdist cache: a file that cannot be downloaded skips the test with the reason, never silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.real_openstack import _sdists

pytestmark = pytest.mark.slow


def test_an_unreachable_index_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASGIPASTE_TEST_CACHE", str(tmp_path))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens: refused at once
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    with pytest.raises(pytest.skip.Exception, match=r"cannot download nova==31\.0\.0 for etc/nova/api-paste\.ini: "):
        _sdists.paste_file("nova")
    assert not list(tmp_path.rglob("*.ini"))


def test_a_cached_file_is_not_downloaded_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASGIPASTE_TEST_CACHE", str(tmp_path))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # would fail if it were asked
    cached = tmp_path / "openstack" / "swift-2.35.0" / "proxy-server.conf-sample"
    cached.parent.mkdir(parents=True)
    cached.write_text("[pipeline:main]\npipeline = proxy-server\n")
    assert _sdists.paste_file("swift") == cached

"""``asgipaste check`` (check_config) finds nothing wrong in the real deployments' files."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from asgipaste import check_config
from tests.real_apps._harness import write_dist
from tests.real_apps.test_pyramid import ENTRY_POINTS

HERE = Path(__file__).parent


@pytest.mark.filterwarnings("ignore:HTTPS is not enabled:UserWarning")
@pytest.mark.parametrize(
    ("name", "global_conf"),
    [
        ("paste_eggs.ini", {}),
        ("kinto.ini", {"http_port": "8888"}),
        ("development.ini", {"http_port": "6543"}),
        ("mounted.ini", {"http_port": "6543"}),
    ],
)
def test_real_files_check_clean(name: str, global_conf: dict[str, str], tmp_path: Path) -> None:
    where = write_dist(tmp_path, "realapps_pyramid", ENTRY_POINTS)
    sys.path.insert(0, str(where))
    importlib.invalidate_caches()
    try:
        problems = check_config(str(HERE / name), global_conf=dict(global_conf), strict=True)
    finally:
        sys.path.remove(str(where))
        importlib.invalidate_caches()
    assert [str(p) for p in problems] == []


@pytest.mark.filterwarnings("ignore:HTTPS is not enabled:UserWarning")
def test_a_missing_var_is_located() -> None:
    # as under pserve, %(http_port)s has to be given: the error names the file, section and key
    problems = check_config(str(HERE / "kinto.ini"), names=["main"], strict=True)
    assert [p for p in problems if "http_port" in str(p) and "[server:main]" in str(p)], problems
    assert all("HTTPS" not in str(p) for p in problems), problems

"""Test-wide fixtures: the fake distributions the loader tests name with egg:."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

_FAKE_DIRS = [
    Path(__file__).parent / "loader" / "fake_packages",
    Path(__file__).parent / "mixed" / "fake_nova",
]
for _path in _FAKE_DIRS:
    if str(_path) not in sys.path:
        sys.path.append(str(_path))
importlib.invalidate_caches()

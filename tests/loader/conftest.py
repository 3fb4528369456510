"""Put the FakeASGIApp distribution (PasteDeploy's FakeApp, in ASGI) on sys.path."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

FAKE_PACKAGES = Path(__file__).parent / "fake_packages"
SAMPLE_CONFIGS = Path(__file__).parent / "sample_configs"

if str(FAKE_PACKAGES) not in sys.path:
    sys.path.append(str(FAKE_PACKAGES))
importlib.invalidate_caches()
assert importlib.metadata.distribution("FakeASGIApp").version == "1.0"

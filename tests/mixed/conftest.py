"""Put the stand-in nova and keystoneclient packages on sys.path for these tests.

The real python-keystoneclient is installed too (keystonemiddleware needs it),
and it no longer has ``keystoneclient.middleware``, which the seed's nova file
names. Each test here sees the stand-in first and the real package is put
back afterwards, so tests of the real keystonemiddleware are not disturbed.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FAKE_NOVA = Path(__file__).parent / "fake_nova"
NOVA_INI = Path(__file__).parent / "nova-api-paste.ini"


def _keystoneclient_modules() -> dict[str, object]:
    return {k: v for k, v in sys.modules.items() if k == "keystoneclient" or k.startswith("keystoneclient.")}


@pytest.fixture(autouse=True)
def _stand_in_keystoneclient() -> Iterator[None]:
    saved = _keystoneclient_modules()
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(FAKE_NOVA))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(FAKE_NOVA))
        for name in _keystoneclient_modules():
            del sys.modules[name]
        sys.modules.update(saved)  # type: ignore[arg-type]
        importlib.invalidate_caches()

"""Put the stand-in nova and keystoneclient packages on sys.path for these tests."""

from __future__ import annotations

import sys
from pathlib import Path

FAKE_NOVA = Path(__file__).parent / "fake_nova"
NOVA_INI = Path(__file__).parent / "nova-api-paste.ini"

if str(FAKE_NOVA) not in sys.path:
    sys.path.append(str(FAKE_NOVA))

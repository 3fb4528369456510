from __future__ import annotations

from types import SimpleNamespace

CONF = SimpleNamespace(auth_strategy="noauth", api_rate_limit=True)

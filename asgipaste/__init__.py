"""asgipaste: Paste Deployment INI files, served on ASGI."""

from __future__ import annotations

from asgipaste import converters
from asgipaste.errors import ConfigError

__version__ = "0.1.0"

__all__ = ["ConfigError", "__version__", "converters"]

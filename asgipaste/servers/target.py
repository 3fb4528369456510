"""What a server is asked to serve: an app section of a config file, and the environment that names it.

A server callable (what a ``[server:NAME]`` factory returns) is called with one of:

* a :class:`ServeTarget` (config file + app name + global_conf): the server can
  load it itself, and re-load it in each worker process;
* a :class:`~asgipaste.stack.LoadedStack`: already loaded (its ``wsgi`` tells a
  WSGI-capable server it may skip the ASGI crossing);
* a plain ASGI app.

>>> target = ServeTarget.parse("development.ini#api", cwd=Path("/srv"))
>>> target.uri, target.name
('config:/srv/development.ini', 'api')
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from asgipaste.errors import ConfigValueError
from asgipaste.stack import LoadedStack
from asgipaste.types import ASGIApp

__all__ = ["ENV_APP", "ENV_CONFIG", "ENV_LOGGING", "ENV_VARS", "Servable", "ServeTarget"]

#: Environment variables ``asgipaste.serve:app`` reads (and the CLI sets for worker processes).
ENV_CONFIG = "ASGIPASTE_CONFIG"
ENV_APP = "ASGIPASTE_APP"
ENV_VARS = "ASGIPASTE_VARS"  # JSON object: command-line ``var=value`` pairs (global_conf)
ENV_LOGGING = "ASGIPASTE_LOGGING"  # "1": apply the INI's [loggers] sections in each worker


@dataclass(frozen=True)
class ServeTarget:
    """An app section of a config file, with the ``var=value`` pairs it is loaded with."""

    path: Path
    name: str = "main"
    global_conf: Mapping[str, str] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"config:{self.path}"

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        name: str | None = None,
        cwd: Path | None = None,
        global_conf: Mapping[str, str] | None = None,
    ) -> ServeTarget:
        """``file.ini``, ``file.ini#name`` or ``config:file.ini#name``, relative to ``cwd``.

        An explicit ``name`` wins over the ``#name`` fragment; neither gives ``main``.
        """
        spec = text.strip()
        if not spec:
            raise ConfigValueError("Empty configuration path", hint="give a path like development.ini#main")
        scheme, sep, rest = spec.partition(":")
        if sep and len(scheme) > 1 and not scheme.startswith(("/", ".")):
            # "C:" would be a Windows drive; anything else before ":" is a URI scheme.
            if scheme != "config":
                raise ConfigValueError(
                    f"Cannot serve {spec!r}: only config: URIs (INI files) can be served",
                    hint="give the path of an INI file, e.g. config:development.ini#main",
                )
            spec = rest
        path_text, _, fragment = spec.partition("#")
        path = Path(path_text).expanduser()
        if not path.is_absolute():
            path = (cwd or Path.cwd()) / path
        return cls(
            path=Path(os.path.normpath(path)),
            name=name or fragment.strip() or "main",
            global_conf=dict(global_conf or {}),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``asgipaste.serve:app`` load this target (in workers)."""
        env = {ENV_CONFIG: str(self.path), ENV_APP: self.name}
        if self.global_conf:
            env[ENV_VARS] = json.dumps(dict(self.global_conf))
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, default: Path) -> ServeTarget:
        """Read ``ASGIPASTE_CONFIG`` / ``ASGIPASTE_APP`` / ``ASGIPASTE_VARS``; ``default`` when unset."""
        raw_vars = environ.get(ENV_VARS, "").strip()
        global_conf: dict[str, str] = {}
        if raw_vars:
            try:
                loaded = json.loads(raw_vars)
            except ValueError as exc:
                raise ConfigValueError(f"{ENV_VARS} is not a JSON object: {exc}", key=ENV_VARS)
            if not isinstance(loaded, dict):
                raise ConfigValueError(f"{ENV_VARS} is not a JSON object", key=ENV_VARS)
            global_conf = {str(k): str(v) for k, v in loaded.items()}
        config = environ.get(ENV_CONFIG, "").strip()
        name = environ.get(ENV_APP, "").strip() or None
        if not config:
            return cls(path=default, name=name or "main", global_conf=global_conf)
        return cls.parse(config, name=name, global_conf=global_conf)

    def load(self) -> LoadedStack:
        """Load the stack (imports the loader lazily so ``check``-free paths stay cheap)."""
        from asgipaste import load_stack

        return load_stack(self.uri, name=self.name, global_conf=dict(self.global_conf) or None)


#: What a server callable accepts.
Servable = ServeTarget | LoadedStack | ASGIApp

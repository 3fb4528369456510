"""The launcher's options, read nova-style from an INI (see :mod:`asgipaste.launcher`).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "api-paste.ini"
>>> _ = path.write_text("[DEFAULT]\\nenabled_apis = osapi_compute, metadata\\nosapi_compute_workers = 2\\n")
>>> plan = read_launch_plan(path, {"metadata_workers": "1", "osapi_compute_listen": "127.0.0.1"})
>>> [(api.name, str(api.listen), api.workers) for api in plan.apis]
[('osapi_compute', '127.0.0.1:8774', 2), ('metadata', '0.0.0.0:8775', 1)]
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from asgipaste.converters import asint
from asgipaste.errors import ConfigFileNotFoundError, ConfigLookupError, ConfigValueError
from asgipaste.loader.dialect import read_ini
from asgipaste.loader.references import APP
from asgipaste.servers.options import Listen, parse_port

__all__ = ["LAUNCHER_SECTION", "ApiSpec", "LaunchPlan", "read_launch_plan"]

#: The section the launcher reads its options from, when present (else ``[DEFAULT]``).
LAUNCHER_SECTION = "asgipaste:launcher"

#: nova's default ports, so a nova api-paste.ini needs no port options.
NOVA_PORTS = {"osapi_compute": 8774, "metadata": 8775}


@dataclass(frozen=True)
class ApiSpec:
    """One app the launcher serves: its section name, address and worker count."""

    name: str
    listen: Listen
    workers: int
    ssl_certfile: str | None = None  # TLS when set (with ssl_keyfile)
    ssl_keyfile: str | None = None


@dataclass(frozen=True)
class LaunchPlan:
    """Everything the launcher needs; re-read on SIGHUP."""

    path: Path
    apis: tuple[ApiSpec, ...]
    global_conf: Mapping[str, str] = field(default_factory=dict)
    max_url_len: int | None = None
    graceful_timeout: float = 60.0
    log_level: str | None = None
    ini_logging: bool = False


class _Options:
    def __init__(self, path: Path, overrides: Mapping[str, str]) -> None:
        if not path.is_file():
            raise ConfigFileNotFoundError(f"Config file {path} not found", file=str(path))
        self.path = path
        self.overrides = dict(overrides)
        # The loader's reader: the same dialect, errors located the same way.
        self.ini = read_ini(str(path))
        self.ini.add_defaults(self.overrides, overwrite=True)  # var=value pairs interpolate, as in the loader
        self.section = LAUNCHER_SECTION if self.ini.has_section(LAUNCHER_SECTION) else "DEFAULT"

    def get(self, key: str) -> str | None:
        if key in self.overrides:
            return self.overrides[key]
        if not self.ini.has_option(self.section, key):
            return None
        return self.ini.get(self.section, key)

    def error(self, message: str, key: str, hint: str | None = None) -> ConfigValueError:
        where = key in self.overrides
        return ConfigValueError(
            message,
            file=None if where else str(self.path),
            section=None if where else self.section,
            key=key,
            line=None if where else self.ini.line_of(self.section, key),
            hint=hint,
        )

    def integer(self, key: str, default: int | None, minimum: int) -> int | None:
        raw = self.get(key)
        if raw is None:
            return default
        try:
            value = asint(raw.strip())
        except ValueError:
            raise self.error(f"{key} = {raw!r} is not an integer", key)
        if value < minimum:
            raise self.error(f"{key} = {value}: must be at least {minimum}", key)
        return value


def read_launch_plan(
    path: Path,
    overrides: Mapping[str, str] | None = None,
    *,
    log_level: str | None = None,
    ini_logging: bool = False,
) -> LaunchPlan:
    """Read ``enabled_apis`` and each ``<api>_listen``, ``<api>_listen_port``, ``<api>_workers``.

    >>> plan = read_launch_plan(Path("/etc/nova/api-paste.ini"), {"osapi_compute_workers": "4"})  # doctest: +SKIP
    >>> [(api.name, str(api.listen), api.workers) for api in plan.apis]  # doctest: +SKIP
    [('osapi_compute', '0.0.0.0:8774', 4), ('metadata', '0.0.0.0:8775', 2)]
    """
    options = _Options(path, overrides or {})
    enabled = options.get("enabled_apis")
    if enabled is None or not enabled.strip():
        raise ConfigLookupError(
            "enabled_apis is not set",
            file=str(path),
            section=options.section,
            key="enabled_apis",
            hint="add `enabled_apis = osapi_compute, metadata` to [DEFAULT] (or pass enabled_apis=... )",
        )
    names = [name for name in re.split(r"[\s,]+", enabled.strip()) if name]
    ssl_apis = {name for name in re.split(r"[\s,]+", (options.get("enabled_ssl_apis") or "").strip()) if name}
    apis: list[ApiSpec] = []
    known = set(options.ini.names_with_prefixes(APP.prefixes()))
    for name in dict.fromkeys(names):
        host = (options.get(f"{name}_listen") or "0.0.0.0").strip()
        port_key = f"{name}_listen_port"
        raw_port = options.get(port_key)
        if raw_port is None:
            if name not in NOVA_PORTS and name not in known:
                # The real cause first: an old nova.conf still listing ec2 names no app at all.
                raise options.error(
                    f"enabled_apis names {name!r}, but the file has no [composite:{name}] (or app, pipeline) "
                    "section",
                    "enabled_apis",
                    hint=f"remove {name!r} from enabled_apis; apps in the file: {', '.join(sorted(known)) or 'none'}",
                )
            if name not in NOVA_PORTS:
                raise ConfigLookupError(
                    f"{port_key} is not set", file=str(path), section=options.section, key=port_key
                )
            port = NOVA_PORTS[name]
        else:
            try:
                port = parse_port(raw_port.strip())
            except ValueError as exc:
                raise options.error(f"{port_key}: {exc}", port_key)
        workers = options.integer(f"{name}_workers", os.cpu_count() or 1, minimum=1) or 1
        certfile, keyfile = _tls(options, name, ssl_apis)
        apis.append(ApiSpec(name=name, listen=Listen(host.strip("[]"), port), workers=workers,
                            ssl_certfile=certfile, ssl_keyfile=keyfile))
    timeout = options.integer("graceful_shutdown_timeout", 60, minimum=0)
    return LaunchPlan(
        path=path,
        apis=tuple(apis),
        global_conf=dict(overrides or {}),
        max_url_len=options.integer("max_url_len", None, minimum=1),
        graceful_timeout=float(timeout if timeout is not None else 60),
        log_level=log_level,
        ini_logging=ini_logging,
    )


def _tls(options: _Options, name: str, ssl_apis: set[str]) -> tuple[str | None, str | None]:
    """``<api>_ssl_certfile``/``<api>_ssl_keyfile``; else, for an API in nova's
    ``enabled_ssl_apis``, ``ssl_cert_file``/``ssl_key_file``."""
    certfile = options.get(f"{name}_ssl_certfile")
    keyfile = options.get(f"{name}_ssl_keyfile")
    if certfile is None and keyfile is None and name in ssl_apis:
        certfile, keyfile = options.get("ssl_cert_file"), options.get("ssl_key_file")
        if certfile is None or keyfile is None:
            missing = "ssl_cert_file" if certfile is None else "ssl_key_file"
            raise options.error(f"{name} is in enabled_ssl_apis but {missing} is not set", missing)
    if (certfile is None) != (keyfile is None):
        missing = f"{name}_ssl_keyfile" if keyfile is None else f"{name}_ssl_certfile"
        raise options.error(f"TLS for {name} needs both a certificate and a key; {missing} is missing", missing)
    for key, value in ((f"{name}_ssl_certfile", certfile), (f"{name}_ssl_keyfile", keyfile)):
        if value is not None and not os.path.isfile(value.strip()):
            raise options.error(f"{value.strip()!r} is not a file", key, hint="give the path of a PEM file")
    return (certfile.strip() if certfile else None), (keyfile.strip() if keyfile else None)

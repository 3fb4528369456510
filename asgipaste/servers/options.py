"""Server-section options: listen addresses, ports and the converters every server's options go through.

Every option is a string in the INI; each is converted here and a bad value
raises :class:`~asgipaste.errors.ConfigValueError` naming the key.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from asgipaste.converters import asint
from asgipaste.errors import ConfigValueError

__all__ = [
    "Listen",
    "apply_overrides",
    "choice",
    "non_negative_float",
    "non_negative_int",
    "option",
    "parse_listen",
    "parse_port",
    "positive_int",
    "server_location",
    "unknown_option_error",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Listen:
    """One address to bind: ``host`` is an IP or name (``::1`` for IPv6, no brackets)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_listen(text: str, *, default_port: int | None = None, key: str = "listen") -> list[Listen]:
    """Parse waitress-style ``listen``: space-separated ``host:port``, ``*:port``, ``[::1]:port``.

    >>> [str(x) for x in parse_listen("localhost:6543 *:80 [::1]:8080")]
    ['localhost:6543', '0.0.0.0:80', '[::1]:8080']
    """
    out: list[Listen] = []
    for item in text.split():
        host, port_text = item, ""
        if item.startswith("["):
            end = item.find("]")
            if end < 0:
                raise ConfigValueError(f"Bad address {item!r}: unclosed '['", key=key)
            host, rest = item[1:end], item[end + 1 :]
            port_text = rest[1:] if rest.startswith(":") else ""
        elif item.count(":") == 1:
            host, port_text = item.split(":")
        elif item.isdigit():
            host, port_text = "", item
        if host in ("", "*"):
            host = "0.0.0.0"
        if not port_text:
            if default_port is None:
                raise ConfigValueError(f"Address {item!r} has no port", key=key, hint="write host:port")
            port = default_port
        else:
            try:
                port = parse_port(port_text)
            except ValueError as exc:
                raise ConfigValueError(f"Bad address {item!r}: {exc}", key=key)
        out.append(Listen(host, port))
    if not out:
        raise ConfigValueError("No address given", key=key, hint="write host:port")
    return out


def parse_port(text: str) -> int:
    """A TCP port number 0-65535; anything else raises ``ValueError``."""
    try:
        port = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a port number")
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range 0-65535")
    return port


def apply_overrides(server: object, **values: object) -> None:
    """Set each given (not ``None``) command-line override as an attribute of ``server``."""
    for name, value in values.items():
        if value is not None:
            setattr(server, name, value)


def option(
    options: dict[str, str],
    key: str,
    convert: Callable[[str], T],
    *,
    file: str | None = None,
    section: str | None = None,
) -> T | None:
    """Pop ``key`` from ``options`` and convert it; a bad value names the key."""
    if key not in options:
        return None
    raw = options.pop(key)
    try:
        return convert(raw)
    except ValueError as exc:
        raise ConfigValueError(f"Bad value for {key}: {exc}", file=file, section=section, key=key)


def unknown_option_error(server: str, unknown: list[str], known: list[str], *, file: str | None) -> ConfigValueError:
    """Unknown keys are errors (typos never pass silently), with "did you mean" when one is close.

    >>> print(unknown_option_error("uvicorn", ["prot"], ["host", "port"], file=None))
    Unknown uvicorn server option(s): prot (key 'prot')
      hint: did you mean 'port'? known: host, port
    """
    close = difflib.get_close_matches(unknown[0], known, n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    return ConfigValueError(
        f"Unknown {server} server option(s): {', '.join(unknown)}",
        file=file,
        key=unknown[0],
        hint=f"{guess}known: {', '.join(known)}",
    )


def positive_int(text: str) -> int:
    value = asint(text)
    if value < 1:
        raise ValueError(f"{text!r} must be at least 1")
    return value


def non_negative_int(text: str) -> int:
    value = asint(text)
    if value < 0:
        raise ValueError(f"{text!r} must not be negative")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number")
    if value < 0:
        raise ValueError(f"{text!r} must not be negative")
    return value


def choice(*allowed: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        word = text.strip().lower()
        if word not in allowed:
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
        return word

    return convert


def server_location(global_conf: Mapping[str, Any]) -> str | None:
    """The config file a server section came from (PasteDeploy passes ``__file__``)."""
    value = global_conf.get("__file__")
    return str(value) if value else None

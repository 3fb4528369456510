"""Configuration errors that say where: file, line, section, key, and a hint.

Every error the loader raises is a :class:`ConfigError`. Errors PasteDeploy
raised as ``LookupError`` (missing sections, names, entry points) are also
``LookupError`` here, so callers written for PasteDeploy keep working.
"""

from __future__ import annotations

import configparser
from importlib.metadata import PackageNotFoundError

__all__ = [
    "ConfigDistributionNotFoundError",
    "ConfigError",
    "ConfigFileNotFoundError",
    "ConfigInterpolationError",
    "ConfigKeyError",
    "ConfigLookupError",
    "ConfigValueError",
]


class ConfigError(Exception):
    """A configuration problem, located as precisely as the loader knows.

    >>> err = ConfigError("No loader given", file="/etc/app.ini", section="app:x", line=3)
    >>> str(err)
    'No loader given (in /etc/app.ini, line 3, section [app:x])'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        section: str | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        # Exception.__init__ directly: the stdlib bases mixed in below
        # (OSError, ImportError, configparser.Error) take other arguments.
        Exception.__init__(self, message)
        self.message = message
        self.file = file
        self.section = section
        self.key = key
        self.line = line
        self.hint = hint

    def located(self) -> str:
        """The ``in FILE, line N, section [S], key 'K'`` part of the message."""
        parts: list[str] = []
        if self.file:
            parts.append(f"in {self.file}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.section:
            parts.append(f"section [{self.section}]")
        if self.key:
            parts.append(f"key {self.key!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = self.message
        where = self.located()
        if where:
            text = f"{text} ({where})"
        if self.hint:
            text = f"{text}\n  hint: {self.hint}"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Keep the location when errors cross process boundaries (workers).
        return (
            _rebuild,
            (type(self), self.message, self.file, self.section, self.key, self.line, self.hint),
        )


def _rebuild(
    cls: type[ConfigError],
    message: str,
    file: str | None,
    section: str | None,
    key: str | None,
    line: int | None,
    hint: str | None,
) -> ConfigError:
    return cls(message, file=file, section=section, key=key, line=line, hint=hint)


class ConfigLookupError(ConfigError, LookupError):
    """A section, name, entry point or distribution that cannot be found."""


class ConfigValueError(ConfigError, ValueError):
    """A value of the wrong form (a relative URI without a base, a bad option type)."""


class ConfigFileNotFoundError(ConfigError, FileNotFoundError):
    """A configuration file that does not exist."""

    def __str__(self) -> str:  # OSError.__str__ would hide the location
        return ConfigError.__str__(self)


class ConfigKeyError(ConfigLookupError, KeyError):
    """``get L = X`` naming a global X that no section sets."""


class ConfigDistributionNotFoundError(ConfigLookupError, PackageNotFoundError):
    """An ``egg:`` or ``require`` distribution that is not installed."""


class ConfigInterpolationError(ConfigError, configparser.InterpolationError):  # type: ignore[misc]
    """A bad ``%(name)s`` reference; the message starts ``Error in file <path>:`` as PasteDeploy's."""

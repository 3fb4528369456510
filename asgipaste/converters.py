"""String converters for INI values, with PasteDeploy's exact semantics.

>>> from asgipaste.converters import asbool, asint, aslist
>>> asbool(" Yes "), asint(" 7 "), aslist("a b\\n c")
(True, 7, ['a', 'b', 'c'])
"""

from __future__ import annotations

from typing import Any

__all__ = ["asbool", "asint", "aslist"]

_TRUE = frozenset({"true", "yes", "on", "y", "t", "1"})
_FALSE = frozenset({"false", "no", "off", "n", "f", "0"})


def asbool(obj: Any) -> bool:
    """``'true yes on y t 1'`` are true, ``'false no off n f 0'`` false; other strings raise."""
    if isinstance(obj, str):
        word = obj.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(f"String is not true/false: {obj!r}")
    return bool(obj)


def asint(obj: Any) -> int:
    """``int(obj)``, with PasteDeploy's ``Bad integer value`` error."""
    try:
        return int(obj)
    except (TypeError, ValueError):
        raise ValueError(f"Bad integer value: {obj!r}")


def aslist(obj: Any, sep: str | None = None, strip: bool = True) -> list[Any] | tuple[Any, ...]:
    """Split a string on ``sep`` (any whitespace by default); lists and tuples pass through."""
    if isinstance(obj, str):
        items = obj.split(sep)
        if strip:
            items = [item.strip() for item in items]
        return items
    if isinstance(obj, (list, tuple)):
        return obj  # the same object, as PasteDeploy does
    if obj is None:
        return []
    return [obj]

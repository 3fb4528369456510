"""Generation helpers: the URL cache and Routes' route preference for ``generate``.

>>> cache = URLCache(2)
>>> cache.put("a", "/a"); cache.put("b", "/b"); cache.put("c", "/c")
>>> cache.get("a") is None, cache.get("c")
(True, '/c')
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from asgipaste.routes.route import Route

__all__ = ["URLCache", "keysort"]


class URLCache:
    """The bounded generation cache (Routes uses repoze.lru with 1,600 entries)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Any, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> str | None:
        with self.lock:
            val = self.data.get(key)
            if val is not None:
                self.data.move_to_end(key)
            return val

    def put(self, key: Any, val: str) -> None:
        with self.lock:
            self.data[key] = val
            self.data.move_to_end(key)
            if len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


def keysort(keys: frozenset[str], ra: Route, rb: Route) -> int:
    """Routes' generation preference between two routes (bug-for-bug: see ``_compare``)."""
    a, b = ra.maxkeys, rb.maxkeys
    lendiffa = len(keys ^ a)
    lendiffb = len(keys ^ b)
    if lendiffa == 0 and lendiffb == 0:
        return 0
    if lendiffa == 0:
        return -1
    if lendiffb == 0:
        return 1
    if _compare(lendiffa, lendiffb) != 0:
        return _compare(lendiffa, lendiffb)
    if len(keys & b) == len(keys & a):
        return _compare(len(a), len(b))
    return _compare(len(keys & b), len(keys & a))


def _compare(obj1: int, obj2: int) -> int:
    # Routes' comparator never returns 1 (its second test repeats "<"); the
    # generation order depends on that, so it is kept as is.
    return -1 if obj1 < obj2 else 0

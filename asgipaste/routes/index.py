"""A match index that finds the few routes a URL could match, in Routes' order.

Routes 2.5.1 tries routes grouped by their static prefix: longest prefix
first, then in the order they were connected, and only prefixes the URL
starts with (after a master regexp over *every* route, which is linear).
So the order is the key ``(-len(prefix), position)`` restricted to routes
whose prefix the URL starts with. This index keeps that order exactly and
only narrows the candidates:

* a route whose variables can never match ``/`` (checked on the parsed
  regexp, conservatively) matches only URLs with exactly as many ``/`` as its
  literal text, and each all-literal path segment must equal the URL's
  segment at that position; such routes are filed under
  ``(slash count, segment position, literal)``;
* any other route (``*path``, a requirement that may match ``/``,
  minimization) stays a candidate for every URL.

Candidates are merged by rank, then matched with the route's own regexp
and conditions, so the first route that matches is the one Routes picks.

>>> from asgipaste.routes import Mapper
>>> m = Mapper()
>>> m.resource("server", "servers")
>>> m.match("/servers/1", environ={"REQUEST_METHOD": "GET"})["action"]
'show'
"""

from __future__ import annotations

import itertools
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from asgipaste.routes.route import Route

__all__ = ["MatchIndex", "can_match_slash", "static_prefix"]

Entry = tuple[int, str, Route]

_SLASH = ord("/")
_NO_SLASH_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT,
    sre_constants.CATEGORY_WORD,
    sre_constants.CATEGORY_SPACE,
    sre_constants.CATEGORY_LINEBREAK,
    sre_constants.CATEGORY_UNI_DIGIT,
    sre_constants.CATEGORY_UNI_WORD,
    sre_constants.CATEGORY_UNI_SPACE,
    sre_constants.CATEGORY_UNI_LINEBREAK,
}


def _set_has_slash(items: list[tuple[Any, Any]]) -> bool:
    """Whether a character class ``[...]`` contains ``/``; unknown items count as yes."""
    negate = False
    hit = False
    for op, arg in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            hit = hit or arg == _SLASH
        elif op is sre_constants.RANGE:
            hit = hit or arg[0] <= _SLASH <= arg[1]
        elif op is sre_constants.CATEGORY:
            if arg not in _NO_SLASH_CATEGORIES:
                # \D, \W, \S and friends all contain "/".
                hit = True
        else:
            return True
    return not hit if negate else hit


def _seq_can_match_slash(seq: Any) -> bool:
    for op, arg in seq:
        if op is sre_constants.LITERAL:
            if arg == _SLASH:
                return True
        elif op is sre_constants.NOT_LITERAL:
            if arg != _SLASH:
                return True
        elif op is sre_constants.IN:
            if _set_has_slash(arg):
                return True
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            if _seq_can_match_slash(arg[2]):
                return True
        elif op is sre_constants.SUBPATTERN:
            if _seq_can_match_slash(arg[-1]):
                return True
        elif op is sre_constants.ATOMIC_GROUP:
            if _seq_can_match_slash(arg):
                return True
        elif op is sre_constants.BRANCH:
            if any(_seq_can_match_slash(alt) for alt in arg[1]):
                return True
        elif op is sre_constants.GROUPREF_EXISTS:
            if _seq_can_match_slash(arg[1]) or (arg[2] is not None and _seq_can_match_slash(arg[2])):
                return True
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # zero-width: consumes nothing
        else:
            return True  # ANY, GROUPREF and anything unknown: assume it may
    return False


def can_match_slash(pattern: str) -> bool:
    """Conservatively, whether ``pattern`` could consume a ``/``.

    >>> can_match_slash(r"\\d+"), can_match_slash(r"[^/]+?"), can_match_slash(".+?")
    (False, False, True)
    """
    try:
        return _seq_can_match_slash(sre_parse.parse(pattern))
    except Exception:
        return True


def static_prefix(route: Route) -> str:
    """Routes' bucket key: the leading literal text, ``/``-stripped on the right."""
    prefix = "".join(itertools.takewhile(lambda p: isinstance(p, str), route.routelist))  # type: ignore[arg-type]
    if route.minimization and not prefix.startswith("/"):
        prefix = "/" + prefix
    return prefix.rstrip("/")


SegmentKey = tuple[str, str]  # ("=", whole segment) or (".", text before the first ".")


def _segment_key(head: str, has_var: bool, dot_var_last: bool) -> SegmentKey | None:
    if not has_var:
        return ("=", head)
    if "." in head:
        return (".", head.split(".", 1)[0])
    if dot_var_last:
        # head + optional ".fmt" where fmt holds no further ".": the first "." is the var's.
        return (".", head)
    return None


def _segment_signature(route: Route, clist: list[str]) -> tuple[int, list[SegmentKey | None]] | None:
    """``(slash count, key per segment)``, or None when the route's ``/`` count can vary."""
    if route.minimization or not route.routelist:
        return None
    first = route.routelist[0]
    if not isinstance(first, str) or not first.startswith("/"):
        return None
    keys: list[SegmentKey | None] = []
    head = ""
    has_var = False
    dot_var_last = False
    for part in route.routelist:
        if isinstance(part, dict):
            if can_match_slash(route.var_pattern(part, clist)):
                return None
            dot_var_last = not has_var and part["type"] == "."
            has_var = True
            continue
        pieces = part.split("/")
        for i, piece in enumerate(pieces):
            if i > 0:
                keys.append(_segment_key(head, has_var, dot_var_last))
                head, has_var, dot_var_last = "", False, False
            if piece:
                if has_var:
                    dot_var_last = False
                else:
                    head += piece
    keys.append(_segment_key(head, has_var, dot_var_last))
    return len(keys) - 1, keys


class _SlashGroup:
    """Routes with one fixed slash count, filed by their first non-empty literal segment."""

    __slots__ = ("by_key", "positions", "unfiled")

    def __init__(self) -> None:
        self.by_key: dict[tuple[int, str, str], list[Entry]] = {}
        self.positions: list[tuple[int, str]] = []
        self.unfiled: list[Entry] = []


class MatchIndex:
    """Candidates for a URL, in Routes' trial order (see the module docstring)."""

    def __init__(self, matchlist: list[Route], clist: list[str]) -> None:
        keyed = [(static_prefix(r), n, r) for n, r in enumerate(matchlist) if not r.static]
        keyed.sort(key=lambda item: (-len(item[0]), item[1]))
        #: Every route in Routes' order (used when a URL cannot be indexed).
        self.ordered: list[Entry] = [(rank, key, route) for rank, (key, _, route) in enumerate(keyed)]
        self.loose: list[Entry] = []
        self.groups: dict[int, _SlashGroup] = {}
        for entry in self.ordered:
            signature = _segment_signature(entry[2], clist)
            if signature is None:
                self.loose.append(entry)
                continue
            slashes, keys = signature
            group = self.groups.setdefault(slashes, _SlashGroup())
            chosen = next(((i, k) for i, k in enumerate(keys) if i > 0 and k is not None and k[1]), None)
            if chosen is None:
                group.unfiled.append(entry)
                continue
            position, (kind, text) = chosen
            group.by_key.setdefault((position, kind, text), []).append(entry)
            if (position, kind) not in group.positions:
                group.positions.append((position, kind))

    def __repr__(self) -> str:
        return f"<MatchIndex routes={len(self.ordered)} loose={len(self.loose)} groups={len(self.groups)}>"

    def candidates(self, url: str) -> list[Entry]:
        """Routes that may match ``url``, in the order Routes would try them."""
        if "\n" in url:
            # "$" also matches before a final newline; let every route decide.
            return self.ordered
        group = self.groups.get(url.count("/"))
        if group is None:
            return self.loose
        lists: list[list[Entry]] = []
        if self.loose:
            lists.append(self.loose)
        if group.unfiled:
            lists.append(group.unfiled)
        if group.positions:
            segments = url.split("/")
            for position, kind in group.positions:
                segment = segments[position]
                text = segment if kind == "=" else segment.split(".", 1)[0]
                found = group.by_key.get((position, kind, text))
                if found:
                    lists.append(found)
        if not lists:
            return []
        if len(lists) == 1:
            return lists[0]
        merged = [entry for sub in lists for entry in sub]
        merged.sort(key=_rank)
        return merged


def _rank(entry: Entry) -> int:
    return entry[0]

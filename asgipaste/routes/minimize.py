"""Routes' minimization: optional trailing parts in matching and generation.

With ``Mapper.minimization = True`` (Routes' legacy mode) a route such as
``:controller/:action/:id`` matches ``/blog`` (defaults fill the rest) and
generates the shortest URL. These are Routes 2.5.1's algorithms, verbatim,
as functions of the route (``Route.buildnextreg``/``generate_minimized`` call them).

>>> from asgipaste.routes.route import Route
>>> r = Route(None, ":controller/:action/:id", _minimize=True, action="index", id=None)
>>> r.makeregexp(["blog"])
>>> r.match("/blog") == {"controller": "blog", "action": "index", "id": None}
True
>>> r.generate(controller="blog", action="index")
'/blog'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from asgipaste.routes.util import as_unicode, url_quote

if TYPE_CHECKING:
    from asgipaste.routes.route import Route, RoutePart

__all__ = ["build_minimized_regexp", "generate_minimized"]


def build_minimized_regexp(
    route: Route, path: list[RoutePart], clist: list[str], include_names: bool = True
) -> tuple[str, bool, bool]:
    """The regexp of a minimized route, built back to front (Routes' algorithm, verbatim)."""
    part: RoutePart = path[0] if path else ""
    reg = ""
    rest, noreqs, allblank = "", True, True
    if len(path[1:]) > 0:
        route.prior = part
        rest, noreqs, allblank = build_minimized_regexp(route, path[1:], clist, include_names)
    if isinstance(part, dict) and part["type"] in (":", "."):
        var = part["name"]
        typ = part["type"]
        partreg = ""
        if var in route.reqs:
            partreg = f"(?P<{var}>{route.reqs[var]})" if include_names else f"(?:{route.reqs[var]})"
            if typ == ".":
                partreg = rf"(?:\.{partreg})??"
        elif var == "controller":
            alts = "|".join(map(re.escape, clist))
            partreg = f"(?P<{var}>{alts})" if include_names else f"(?:{alts})"
        elif route.prior in ["/", "#"]:
            prior = str(route.prior)
            partreg = f"(?P<{var}>[^{prior}]+?)" if include_names else f"(?:[^{prior}]+?)"
        elif not rest:
            exclude_chars = "/." if typ == "." else "/"
            partreg = f"(?P<{var}>[^{exclude_chars}]+?)" if include_names else f"(?:[^{exclude_chars}]+?)"
            if typ == ".":
                partreg = rf"(?:\.{partreg})??"
        else:
            end = "".join(route.done_chars)
            rem = rest
            if rem[0] == "\\" and len(rem) > 1:
                rem = rem[1]
            elif rem.startswith("(\\") and len(rem) > 2:
                rem = rem[2]
            else:
                rem = end
            chars = "".join(frozenset(rem) | frozenset(["/"]))
            partreg = f"(?P<{var}>[^{chars}]+?)" if include_names else f"(?:[^{chars}]+?)"
        if var in route.reqs:
            noreqs = False
        if var not in route.defaults:
            allblank = False
            noreqs = False
        if noreqs:
            if var in route.reqs and var in route.defaults:
                reg = "(?:" + partreg + rest + ")?"
            elif var in route.reqs:
                allblank = False
                reg = partreg + rest
            elif var in route.defaults and route.prior in (",", ";", "."):
                reg = partreg + rest
            elif var in route.defaults:
                reg = partreg + "?" + rest
            else:
                allblank = False
                reg = partreg + rest
        elif allblank and var in route.defaults:
            reg = "(?:" + partreg + rest + ")?"
        else:
            reg = partreg + rest
    elif isinstance(part, dict) and part["type"] == "*":
        var = part["name"]
        reg = (f"(?P<{var}>.*)" if include_names else "(?:.*)") + rest
        if noreqs:
            if var not in route.defaults:
                allblank = False
                noreqs = False
        elif not (allblank and var in route.defaults) and var not in route.defaults:
            allblank = False
            noreqs = False
    elif isinstance(part, str) and part and part[-1] in route.done_chars:
        if allblank:
            reg = re.escape(part[:-1]) + "(?:" + re.escape(part[-1]) + rest + ")?"
        else:
            allblank = False
            # Routes relies on "/" being escaped (re.escape stopped doing so in 3.7).
            reg = (r"\/" if part == "/" else re.escape(part)) + rest
    else:
        noreqs = False
        allblank = False
        reg = re.escape(str(part)) + rest
    return reg, noreqs, allblank


def generate_minimized(route: Route, kargs: dict[str, Any]) -> str | bool:
    """Generate leaving off trailing parts equal to their defaults (Routes' algorithm)."""
    urllist: list[str] = []
    gaps = False
    for part in route.routebackwards:
        if isinstance(part, dict) and part["type"] in (":", "."):
            arg = part["name"]
            has_arg = arg in kargs
            has_default = arg in route.defaults
            if has_default and not has_arg and not gaps:
                continue
            if (
                has_default
                and has_arg
                and route.make_unicode(kargs[arg]) == route.make_unicode(route.defaults[arg])
                and not gaps
            ):
                continue
            if has_arg and kargs[arg] is None and has_default and not gaps:
                continue
            if has_arg:
                val = kargs[arg]
            elif has_default and route.defaults[arg] is not None:
                val = route.defaults[arg]
            elif part["type"] == ".":
                continue
            else:
                return False
            urllist.append(url_quote(as_unicode(val, route.encoding), route.encoding))
            if part["type"] == ".":
                urllist.append(".")
            if has_arg:
                del kargs[arg]
            gaps = True
        elif isinstance(part, dict) and part["type"] == "*":
            kar = kargs.get(part["name"])
            if kar is not None:
                urllist.append(url_quote(kar, route.encoding))
                gaps = True
        elif isinstance(part, str) and part and part[-1] in route.done_chars:
            if not gaps and part in route.done_chars:
                continue
            if not gaps:
                urllist.append(part[:-1])
                gaps = True
            else:
                gaps = True
                urllist.append(part)
        else:
            gaps = True
            urllist.append(str(part))
    urllist.reverse()
    return "".join(urllist)

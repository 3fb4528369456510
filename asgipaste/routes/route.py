"""One route: a path template that matches URLs and generates them.

A typed port of ``routes.route.Route`` (Routes 2.5.1) with the same
attributes (``routepath``, ``routelist``, ``defaults``, ``reqs``,
``conditions``, ``minkeys``, ``maxkeys``, ``hardcoded``, ``regexp`` ...), so
code that introspects routes keeps working.

>>> r = Route("message", "/messages/{id}", controller="messages", action="show")
>>> r.makeregexp([])
>>> r.match("/messages/1") == {"id": "1", "controller": "messages", "action": "show"}
True
>>> r.generate(id=7, controller="messages", action="show")
'/messages/7'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from asgipaste.routes.minimize import build_minimized_regexp, generate_minimized
from asgipaste.routes.util import as_unicode, encode_value, url_quote

__all__ = ["Route", "RoutePart", "as_unicode", "url_quote"]

#: A parsed template part: literal text, or ``{"type": ":"|"."|"*", "name": var}``.
RoutePart = str | dict[str, str]


class Route:
    """A route: recognition (``match``) and generation (``generate``) of one template.

    Normally made by :meth:`asgipaste.routes.Mapper.connect`, not directly.

    >>> r = Route(None, "/archives/{page}", controller="blog", requirements={"page": r"\\d{1,2}"})
    >>> r.reqs
    {'page': '\\\\d{1,2}'}
    """

    reserved_keys = ["requirements"]
    # Characters that end an old-style ``:var``.
    done_chars = ("/", ",", ";", ".", "#")

    regexp: str
    regmatch: re.Pattern[str]
    regpath: str
    redirect_status: str

    def __init__(self, name: str | None, routepath: str, **kargs: Any) -> None:
        self.routepath = routepath
        self.sub_domains = False
        self.prior: RoutePart | None = None
        self.redirect = False
        self.name = name
        self._kargs = kargs
        self.minimization: bool = kargs.pop("_minimize", False)
        self.encoding: str = kargs.pop("_encoding", "utf-8")
        self.reqs: dict[str, str] = kargs.get("requirements", {})
        self.decode_errors = "replace"
        self.static: bool = kargs.pop("_static", False)
        self.filter: Callable[[dict[str, Any]], dict[str, Any]] | None = kargs.pop("_filter", None)
        self.absolute: bool = kargs.pop("_absolute", False)
        self.member_name: str | None = kargs.pop("_member_name", None)
        self.collection_name: str | None = kargs.pop("_collection_name", None)
        self.parent_resource: dict[str, str] | None = kargs.pop("_parent_resource", None)
        self.conditions: dict[str, Any] | None = kargs.pop("conditions", None)
        self.explicit: bool = kargs.pop("_explicit", False)
        self.external = False
        if self.static:
            # Static routes are generated exactly as written.
            self.external = "://" in self.routepath
            self.minimization = False
        if routepath.startswith("/") and self.minimization:
            self.routepath = routepath[1:]
        self._setup_route()

    def __repr__(self) -> str:
        methods = (self.conditions or {}).get("method")
        return (
            f"<Route {self.name!r} {self.routepath!r} methods={methods!r} "
            f"controller={self.defaults.get('controller')!r} action={self.defaults.get('action')!r}>"
        )

    def _setup_route(self) -> None:
        self.routelist = routelist = self._pathkeys(self.routepath)
        routekeys = frozenset(p["name"] for p in routelist if isinstance(p, dict))
        self.dotkeys = frozenset(p["name"] for p in routelist if isinstance(p, dict) and p["type"] == ".")
        if not self.minimization:
            self.make_full_route()
        self.req_regs = {key: re.compile("^" + val + "$") for key, val in self.reqs.items()}
        self.defaults, defaultkeys = self._defaults(routekeys, self.reserved_keys, self._kargs.copy())
        self.maxkeys = defaultkeys | routekeys
        self.minkeys, self.routebackwards = self._minkeys(routelist[:])
        self.hardcoded = frozenset(
            key for key in self.maxkeys if key not in routekeys and self.defaults[key] is not None
        )
        self._default_keys = frozenset(self.defaults.keys())

    def make_full_route(self) -> None:
        """Build ``regpath``, the ``%``-format string used for non-minimized generation."""
        regpath = ""
        for part in self.routelist:
            regpath += "%(" + part["name"] + ")s" if isinstance(part, dict) else part
        self.regpath = regpath

    def make_unicode(self, s: Any) -> Any:
        """Text for ``s``: bytes decoded, callables kept, anything else ``str()``-ed."""
        if isinstance(s, str):
            return s
        if isinstance(s, bytes):
            return s.decode(self.encoding)
        if callable(s):
            return s
        return str(s)

    def _pathkeys(self, routepath: str) -> list[RoutePart]:
        """Split the template into literal text and variable parts (Routes' parser, verbatim)."""
        collecting = False
        escaping = False
        current = ""
        done_on: str | tuple[str, ...] = ""
        var_type = ""
        just_started = False
        routelist: list[RoutePart] = []
        for char in routepath:
            if escaping:
                current += char if char in ["\\", ":", "*", "{", "}"] else "\\" + char
                escaping = False
            elif char == "\\":
                escaping = True
            elif (char in [":", "*", "{"] and not collecting and not self.static) or (char in ["{"] and not collecting):
                just_started = True
                collecting = True
                var_type = char
                if char == "{":
                    done_on = "}"
                    just_started = False
                if len(current) > 0:
                    routelist.append(current)
                    current = ""
            elif collecting and just_started:
                just_started = False
                if char == "(":
                    done_on = ")"
                else:
                    current = char
                    done_on = (*self.done_chars, "-")
            elif collecting and char not in done_on:
                current += char
            elif collecting:
                collecting = False
                if var_type == "{":
                    if current[0] == ".":
                        var_type = "."
                        current = current[1:]
                    else:
                        var_type = ":"
                    opts = current.split(":")
                    if len(opts) > 1:
                        current = opts[0]
                        self.reqs[current] = opts[1]
                routelist.append({"type": var_type, "name": current})
                if char in self.done_chars:
                    routelist.append(char)
                done_on = var_type = current = ""
            else:
                current += char
        if collecting:
            routelist.append({"type": var_type, "name": current})
        elif current:
            routelist.append(current)
        return routelist

    def _minkeys(self, routelist: list[RoutePart]) -> tuple[frozenset[str], list[RoutePart]]:
        """The keys generation needs, and the parts reversed (for minimized generation)."""
        minkeys: list[str] = []
        backcheck = routelist[:]
        if not self.minimization:
            minkeys = [p["name"] for p in backcheck if isinstance(p, dict)]
            return frozenset(minkeys), backcheck
        gaps = False
        backcheck.reverse()
        for part in backcheck:
            if not isinstance(part, dict):
                if part not in self.done_chars:
                    gaps = True
                continue
            key = part["name"]
            if key in self.defaults and not gaps:
                continue
            minkeys.append(key)
            gaps = True
        return frozenset(minkeys), backcheck

    def _defaults(
        self, routekeys: frozenset[str], reserved_keys: list[str], kargs: dict[str, Any]
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """Stringified defaults, plus Routes' implicit ones when not ``explicit``."""
        defaults: dict[str, Any] = {}
        if "controller" not in routekeys and "controller" not in kargs and not self.explicit:
            kargs["controller"] = "content"
        if "action" not in routekeys and "action" not in kargs and not self.explicit:
            kargs["action"] = "index"
        defaultkeys = frozenset(key for key in kargs if key not in reserved_keys)
        for key in defaultkeys:
            defaults[key] = self.make_unicode(kargs[key]) if kargs[key] is not None else None
        if "action" in routekeys and "action" not in defaults and not self.explicit:
            defaults["action"] = "index"
        if "id" in routekeys and "id" not in defaults and not self.explicit:
            defaults["id"] = None
        newdefaultkeys = frozenset(key for key in defaults if key not in reserved_keys)
        return defaults, newdefaultkeys

    def makeregexp(self, clist: list[str], include_names: bool = True) -> str | None:
        """Compile the match regexp (``clist``: the controller names ``{controller}`` may match).

        With ``include_names=False`` the unnamed regexp string is returned instead.
        """
        if self.minimization:
            reg = self.buildnextreg(self.routelist, clist, include_names)[0]
            if not reg:
                reg = "/"
            reg = reg + "/?" + "$"
            if not reg.startswith("/"):
                reg = "/" + reg
        else:
            reg = self.buildfullreg(clist, include_names)
        reg = "^" + reg
        if not include_names:
            return reg
        self.regexp = reg
        self.regmatch = re.compile(reg)
        return None

    def var_pattern(self, part: dict[str, str], clist: list[str]) -> str:
        """The regexp one variable matches in a non-minimized route."""
        var = part["name"]
        if var == "controller":
            return "|".join(map(re.escape, clist))
        if part["type"] == ":":
            return self.reqs.get(var) or "[^/]+?"
        if part["type"] == ".":
            return self.reqs.get(var) or "[^/.]+?"
        return self.reqs.get(var) or ".+?"

    def buildfullreg(self, clist: list[str], include_names: bool = True) -> str:
        """The regexp of a non-minimized route."""
        regparts: list[str] = []
        for part in self.routelist:
            if isinstance(part, dict):
                var = part["name"]
                partmatch = self.var_pattern(part, clist)
                regpart = f"(?P<{var}>{partmatch})" if include_names else f"(?:{partmatch})"
                regparts.append(rf"(?:\.{regpart})??" if part["type"] == "." else regpart)
            else:
                regparts.append(re.escape(part))
        return "".join(regparts) + "$"

    def buildnextreg(
        self, path: list[RoutePart], clist: list[str], include_names: bool = True
    ) -> tuple[str, bool, bool]:
        """The regexp of a minimized route, built back to front (see :mod:`.minimize`)."""
        return build_minimized_regexp(self, path, clist, include_names)

    def match(
        self,
        url: str,
        environ: Mapping[str, Any] | None = None,
        sub_domains: bool = False,
        sub_domains_ignore: list[str] | None = None,
        domain_match: str = "",
    ) -> dict[str, Any] | bool:
        """The match dict for ``url``, or ``False`` (regexp or a condition failed)."""
        if self.static:
            return False
        match = self.regmatch.match(url)
        if not match:
            return False
        return self.match_conditions(match, environ, sub_domains, sub_domains_ignore, domain_match)

    def match_conditions(
        self,
        match: re.Match[str],
        environ: Mapping[str, Any] | None,
        sub_domains: bool,
        sub_domains_ignore: list[str] | None,
        domain_match: str,
    ) -> dict[str, Any] | bool:
        """Second half of :meth:`match`: conditions and defaults, given a regexp match."""
        sub_domain = None
        if sub_domains and environ and "HTTP_HOST" in environ:
            host = environ["HTTP_HOST"].split(":")[0]
            subdomain = re.sub(rf"^(.+?)\.{domain_match}$", r"\1", host)
            if subdomain not in (sub_domains_ignore or []) and host != subdomain:
                sub_domain = subdomain
        conditions = self.conditions
        if conditions:
            if "method" in conditions and environ and environ["REQUEST_METHOD"] not in conditions["method"]:
                return False
            use_sd = conditions.get("sub_domain")
            if use_sd and not sub_domain:
                return False
            if not use_sd and "sub_domain" in conditions and sub_domain:
                return False
            if isinstance(use_sd, list) and sub_domain not in use_sd:
                return False
        matchdict = match.groupdict()
        result: dict[str, Any] = {}
        extras = self._default_keys - frozenset(matchdict.keys())
        defaults = self.defaults
        for key, val in matchdict.items():
            if key != "path_info" and self.encoding:
                try:
                    val = as_unicode(val, self.encoding, self.decode_errors)
                except UnicodeDecodeError:  # pragma: no cover - str input never raises
                    return False
            if not val and key in defaults and defaults[key]:
                result[key] = defaults[key]
            else:
                result[key] = val
        for key in extras:
            result[key] = defaults[key]
        if sub_domains:
            result["sub_domain"] = sub_domain
        if conditions and "function" in conditions and not conditions["function"](environ, result):
            return False
        return result

    def generate_non_minimized(self, kargs: dict[str, Any]) -> str | bool:
        """Fill every variable of the template; ``False`` if one is missing or a default differs."""
        for k in self.maxkeys - self.minkeys:
            if k not in kargs or self.make_unicode(kargs[k]) != self.make_unicode(self.defaults[k]):
                return False
        for arg in self.minkeys:
            if arg not in kargs or kargs[arg] is None:
                if arg in self.dotkeys:
                    kargs[arg] = ""
                else:
                    return False
        for k in kargs:
            if k in self.maxkeys:
                if k in self.dotkeys:
                    if kargs[k]:
                        kargs[k] = url_quote("." + as_unicode(kargs[k], self.encoding), self.encoding)
                else:
                    kargs[k] = url_quote(as_unicode(kargs[k], self.encoding), self.encoding)
        return self.regpath % kargs

    def generate_minimized(self, kargs: dict[str, Any]) -> str | bool:
        """Generate leaving off trailing parts equal to their defaults (see :mod:`.minimize`)."""
        return generate_minimized(self, kargs)

    def generate(self, _ignore_req_list: bool = False, _append_slash: bool = False, **kargs: Any) -> str | bool:
        """The URL for ``kargs`` (extra keys become a query string), or ``False``."""
        if not _ignore_req_list:
            for key in self.reqs:
                val = kargs.get(key)
                if val and not self.req_regs[key].match(self.make_unicode(val)):
                    return False
        meth = as_unicode(kargs.get("method"), self.encoding)
        if meth:
            if self.conditions and "method" in self.conditions and meth.upper() not in self.conditions["method"]:
                return False
            kargs.pop("method")
        url = self.generate_minimized(kargs) if self.minimization else self.generate_non_minimized(kargs)
        if url is False:
            return url
        if not isinstance(url, str):  # pragma: no cover - both generators return str or False
            return False
        if not url.startswith("/") and not self.static:
            url = "/" + url
        extras = frozenset(kargs.keys()) - self.maxkeys
        if extras:
            if _append_slash and not url.endswith("/"):
                url += "/"
            fragments: list[tuple[str, bytes]] = []
            for key in kargs:  # kargs keeps the caller's order; the extras set does not
                if key not in extras or key in ("action", "controller"):
                    continue
                val = kargs[key]
                values = val if isinstance(val, tuple | list) else [val]
                for value in values:
                    fragments.append((key, encode_value(as_unicode(value, self.encoding), self.encoding)))
            if fragments:
                url += "?" + urlencode(fragments)
        elif _append_slash and not url.endswith("/"):
            url += "/"
        return url

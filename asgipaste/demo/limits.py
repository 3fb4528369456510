"""``ratelimit``: nova's ``RateLimitingMiddleware``, limits per verb and URI regex, per user.

.. code-block:: ini

    [filter:ratelimit]
    paste.filter_factory = asgipaste.demo.limits:RateLimitingMiddleware.factory
    limits = (POST, "*", .*, 10, MINUTE);(PUT, "*", .*, 10, MINUTE);(DELETE, "*", .*, 100, MINUTE)

The rules are the section's ``limits``, else ``osapi_compute_limits`` from
``global_conf`` (``[DEFAULT]`` or a ``var=value``), else :data:`DEFAULT_LIMITS`.

Each limit is a leaky bucket (nova's ``Limit``): ``value`` requests per
``unit`` for requests whose method is ``verb`` and whose path below the API's
mount matches ``regex`` (``re.match``). A request over any limit gets 429
``overLimit`` with ``Retry-After`` (seconds, rounded up). Buckets are per user
(the request context's ``user_id``, else the client address). The limits that
apply to the caller are left in ``scope["nova.limits"]`` for ``GET /limits``.

>>> [str(limit) for limit in parse_limits('(POST, "*", .*, 10, MINUTE)')]
['(POST, "*", .*, 10, MINUTE)']
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from asgipaste.demo.base import CONTEXT_KEY, Middleware, send_fault
from asgipaste.errors import ConfigValueError
from asgipaste.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT_LIMITS", "LIMITS_KEY", "UNITS", "Limit", "Limiter", "RateLimitingMiddleware", "parse_limits"]

#: Scope key of the caller's limits, as ``[Limit.display(), ...]``.
LIMITS_KEY = "nova.limits"

UNITS: dict[str, int] = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}

#: nova's classic defaults (Essex to Icehouse).
DEFAULT_LIMITS = (
    '(POST, "*", .*, 10, MINUTE);'
    '(POST, "*/servers", ^(/[^/]+)?/servers$, 50, DAY);'
    '(PUT, "*", .*, 10, MINUTE);'
    '(GET, "*changes-since*", .*changes-since.*, 3, MINUTE);'
    '(DELETE, "*", .*, 100, MINUTE)'
)

_HINT = 'write limits as (VERB, "URI", REGEX, VALUE, UNIT) groups separated by ";", UNIT one of ' + ", ".join(UNITS)


class Limit:
    """One leaky bucket: ``value`` requests per ``unit`` seconds (nova's ``Limit``).

    >>> limit = Limit("POST", "*", ".*", 2, 60)
    >>> limit("POST", "/x", now=0.0), limit("POST", "/x", now=0.0), limit("POST", "/x", now=0.0)
    (None, None, 30.0)
    """

    def __init__(self, verb: str, uri: str, regex: str, value: int, unit: int) -> None:
        self.verb = verb
        self.uri = uri
        self.regex = regex
        self.value = value
        self.unit = unit
        self.unit_name = next((name for name, seconds in UNITS.items() if seconds == unit), f"{unit}s")
        self._pattern = re.compile(regex)
        self.capacity = float(unit)
        self.request_value = self.capacity / value
        self.water_level = 0.0
        self.last_request: float | None = None
        self.next_request: float | None = None
        self.remaining = value

    def __repr__(self) -> str:
        return f"Limit({self.verb!r}, {self.uri!r}, {self.regex!r}, {self.value}, {self.unit_name})"

    def __str__(self) -> str:
        return f'({self.verb}, "{self.uri}", {self.regex}, {self.value}, {self.unit_name})'

    def copy(self) -> Limit:
        """A fresh, empty bucket with the same rule (each user gets their own)."""
        return Limit(self.verb, self.uri, self.regex, self.value, self.unit)

    def __call__(self, verb: str, path: str, now: float | None = None) -> float | None:
        """Count one request; the seconds to wait when it is over the limit, else None."""
        if verb != self.verb or self._pattern.match(path) is None:
            return None
        now = time.monotonic() if now is None else now
        if self.last_request is None:
            self.last_request = now
        self.water_level = max(self.water_level - (now - self.last_request), 0.0) + self.request_value
        self.last_request = now
        over = self.water_level - self.capacity
        if over > 0:
            self.water_level -= self.request_value  # a refused request does not count
            self.next_request = now + over
            return over
        self.remaining = math.floor((self.capacity - self.water_level) / self.capacity * self.value)
        self.next_request = now
        return None

    def display(self) -> dict[str, Any]:
        """nova's ``GET /limits`` entry for this bucket."""
        return {
            "verb": self.verb,
            "URI": self.uri,
            "regex": self.regex,
            "value": self.value,
            "unit": self.unit_name,
            "remaining": int(self.remaining),
        }


def parse_limits(text: str) -> list[Limit]:
    """Parse nova's ``limits`` option; a bad group raises :class:`ConfigValueError` naming it."""
    limits: list[Limit] = []
    for group in text.split(";"):
        group = group.strip()
        if not group:
            continue
        if group[:1] != "(" or group[-1:] != ")":
            raise ConfigValueError(f"limits: {group!r} is not surrounded by parentheses", key="limits", hint=_HINT)
        args = [arg.strip() for arg in group[1:-1].split(",")]
        if len(args) != 5:
            raise ConfigValueError(f"limits: {group!r} needs 5 arguments", key="limits", hint=_HINT)
        verb, uri, regex, value, unit = args
        try:
            count = int(value)
        except ValueError:
            raise ConfigValueError(f"limits: {group!r}: value {value!r} is not an integer", key="limits") from None
        if count < 1:
            raise ConfigValueError(f"limits: {group!r}: value must be at least 1", key="limits")
        if unit.upper() not in UNITS:
            raise ConfigValueError(f"limits: {group!r}: unknown unit {unit!r}", key="limits", hint=_HINT)
        try:
            re.compile(regex)
        except re.error as exc:
            raise ConfigValueError(f"limits: {group!r}: bad regex: {exc}", key="limits") from None
        limits.append(Limit(verb.upper(), uri.strip('"'), regex, count, UNITS[unit.upper()]))
    return limits


class Limiter:
    """Per-user buckets for a set of rules (nova's ``Limiter``); thread-safe.

    >>> limiter = Limiter(parse_limits('(POST, "*", .*, 1, MINUTE)'))
    >>> limiter.check("POST", "/s", "alice", now=0.0), limiter.check("POST", "/s", "alice", now=0.0)
    (None, 60.0)
    """

    def __init__(self, limits: list[Limit], clock: Callable[[], float] = time.monotonic) -> None:
        self.rules = limits
        self.clock = clock
        self._levels: dict[str, list[Limit]] = {}
        self._lock = threading.Lock()

    def levels(self, user: str) -> list[Limit]:
        with self._lock:
            found = self._levels.get(user)
            if found is None:
                found = self._levels[user] = [rule.copy() for rule in self.rules]
            return found

    def check(self, verb: str, path: str, user: str, now: float | None = None) -> float | None:
        """The longest wait any matching limit asks for, or None when the request may pass."""
        now = self.clock() if now is None else now
        delays: list[float] = []
        with self._lock:
            found = self._levels.get(user)
            if found is None:
                found = self._levels[user] = [rule.copy() for rule in self.rules]
            for limit in found:
                delay = limit(verb, path, now)
                if delay is not None:
                    delays.append(delay)
        return max(delays) if delays else None


class RateLimitingMiddleware(Middleware):
    """429 ``overLimit`` with ``Retry-After`` once a caller passes a limit (see the module doc).

    >>> async def app(scope, receive, send): ...
    >>> RateLimitingMiddleware(app, {}, limits='(GET, "*", .*, 5, SECOND)')
    RateLimitingMiddleware(<function app at ...>, 1 limit(s))
    """

    def __init__(self, app: ASGIApp, global_conf: Mapping[str, Any] | None = None, **local_conf: str) -> None:
        super().__init__(app)
        # The section's `limits`, else [DEFAULT] osapi_compute_limits (where var=value overrides land).
        text = local_conf.get("limits") or str((global_conf or {}).get("osapi_compute_limits") or DEFAULT_LIMITS)
        self.limiter = Limiter(parse_limits(text))

    def __repr__(self) -> str:
        return f"RateLimitingMiddleware({self.app!r}, {len(self.limiter.rules)} limit(s))"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = scope.get(CONTEXT_KEY)
        user = getattr(context, "user_id", None)
        if user is None:
            client = scope.get("client")
            user = f"address:{client[0]}" if client else "anonymous"
        path = scope.get("path", "")[len(scope.get("root_path", "")) :] or "/"
        delay = self.limiter.check(scope["method"], path, user)
        if delay is not None:
            retry = max(1, math.ceil(delay))
            message = "This request was rate-limited."
            await send_fault(scope, receive, send, 429, message, retry_after=retry)
            return
        scope = dict(scope)
        scope[LIMITS_KEY] = [limit.display() for limit in self.limiter.levels(user)]
        await self.app(scope, receive, send)

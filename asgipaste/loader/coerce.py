"""Turn INI strings into the types a middleware's signature declares.

``[filter:gzip] use = call:starlette.middleware.gzip:GZipMiddleware`` with
``minimum_size = 500`` becomes ``GZipMiddleware(app, minimum_size=500)``.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from asgipaste.converters import asbool, asint

__all__ = ["CoercionError", "coerce_kwargs"]


class CoercionError(ValueError):
    """A value that does not fit its declared type; ``key`` names the option."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _split_list(value: str) -> list[str]:
    # Commas when present (CORS origin lists are usually written that way),
    # whitespace otherwise.
    if "," in value:
        return [item.strip() for item in value.split(",") if item.strip()]
    return value.split()


def _convert(value: str, annotation: Any) -> Any:
    if annotation is inspect.Parameter.empty or annotation is Any or annotation is str:
        return value
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        if type(None) in args and value.strip().lower() in ("", "none"):
            return None
        errors: list[str] = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg)
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors) or f"cannot convert {value!r}")
    if origin is typing.Literal:
        choices = typing.get_args(annotation)
        for choice in choices:
            if str(choice) == value.strip():
                return choice
        raise ValueError(f"{value!r} is not one of {', '.join(map(repr, choices))}")
    if annotation is bool:
        return asbool(value)
    if annotation is int:
        return asint(value)
    if annotation is float:
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"Bad number value: {value!r}") from None
    if origin in (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Collection,
                  collections.abc.Iterable, collections.abc.Set):
        args = typing.get_args(annotation)
        item_type = args[0] if args else str
        items = [_convert(item, item_type) for item in _split_list(value)]
        if origin in (tuple, set, frozenset):
            return origin(items)
        return items
    if annotation in (list, tuple, set, frozenset):
        return annotation(_split_list(value))
    return value  # unknown types get the string, as PasteDeploy gives everything


def coerce_kwargs(target: Callable[..., Any], values: Mapping[str, str], *, skip: int = 1) -> dict[str, Any]:
    """Convert ``values`` by ``target``'s annotations; unknown names raise unless it takes ``**kwargs``.

    ``skip`` leading positional parameters (the wrapped app) are not options.

    >>> def mw(app, size: int = 5, on: bool = False, hosts: list[str] | None = None): ...
    >>> coerce_kwargs(mw, {"size": "10", "on": "yes", "hosts": "a.com, b.com"})
    {'size': 10, 'on': True, 'hosts': ['a.com', 'b.com']}
    """
    func = target.__init__ if inspect.isclass(target) else target
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    if inspect.isclass(target):
        params = params[1:]  # self
    params = params[skip:]
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # unresolvable annotations: fall back to the raw ones
        hints = {p.name: p.annotation for p in params}
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    by_name = {p.name: p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    out: dict[str, Any] = {}
    for key, value in values.items():
        param = by_name.get(key)
        if param is None:
            if accepts_any:
                out[key] = value
                continue
            known = ", ".join(by_name) or "none"
            raise CoercionError(key, f"unknown option {key!r} (accepted options: {known})")
        annotation = hints.get(key, param.annotation)
        try:
            out[key] = _convert(value, annotation)
        except (TypeError, ValueError) as exc:
            raise CoercionError(key, f"option {key!r}: {exc}") from None
    missing = [
        p.name for p in by_name.values()
        if p.default is inspect.Parameter.empty and p.name not in out
        and p.kind is not inspect.Parameter.POSITIONAL_ONLY
    ]
    if missing:
        raise CoercionError(missing[0], f"required option {missing[0]!r} is not set")
    return out

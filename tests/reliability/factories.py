"""Misbehaving factories for the bad-input corpus (``call:tests.reliability.factories:...``)."""

from __future__ import annotations

from typing import Any


async def ok_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def app_factory(global_conf: dict[str, str], **local: str) -> Any:
    return ok_app


def no_args() -> Any:
    return ok_app


def positional_only(a: Any, b: Any, c: Any, /) -> Any:
    return ok_app


def keyword_required(global_conf: dict[str, str], *, needed: str) -> Any:
    return ok_app


def returns_none(global_conf: dict[str, str], **local: str) -> Any:
    return None


def returns_int(global_conf: dict[str, str], **local: str) -> Any:
    return 42


def returns_str(global_conf: dict[str, str], **local: str) -> Any:
    return "not an app"


def raises(global_conf: dict[str, str], **local: str) -> Any:
    raise RuntimeError("factory exploded")


def raises_value_error(global_conf: dict[str, str], **local: str) -> Any:
    raise ValueError("bad value inside the factory")


def raises_type_error(global_conf: dict[str, str], **local: str) -> Any:
    raise TypeError("a TypeError from inside the factory, not its signature")


def raises_lookup_error(global_conf: dict[str, str], **local: str) -> Any:
    raise LookupError("lookup failed inside the factory")


def filter_returns_none(global_conf: dict[str, str], **local: str) -> Any:
    return None


def filter_returns_int(global_conf: dict[str, str], **local: str) -> Any:
    return 7


def filter_wrapper_returns_none(global_conf: dict[str, str], **local: str) -> Any:
    def wrap(app: Any) -> Any:
        return None

    return wrap


def filter_wrapper_raises(global_conf: dict[str, str], **local: str) -> Any:
    def wrap(app: Any) -> Any:
        raise RuntimeError("filter wrapper exploded")

    return wrap


def filter_raises(global_conf: dict[str, str], **local: str) -> Any:
    raise RuntimeError("filter factory exploded")


def composite_raises(loader: Any, global_conf: dict[str, str], **local: str) -> Any:
    raise RuntimeError("composite exploded")


def composite_returns_none(loader: Any, global_conf: dict[str, str], **local: str) -> Any:
    return None


def composite_loads_missing(loader: Any, global_conf: dict[str, str], **local: str) -> Any:
    return loader.get_app("nowhere", global_conf=global_conf)


def server_factory_raises(global_conf: dict[str, str], **local: str) -> Any:
    raise RuntimeError("server factory exploded")


def server_factory_returns_none(global_conf: dict[str, str], **local: str) -> Any:
    return None


NOT_CALLABLE = 12

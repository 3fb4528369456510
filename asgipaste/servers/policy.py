"""What stands between a server and the app on every serving path: one policy, applied in one place.

:func:`serving_app` is the only function that wraps a loaded app for serving.
uvicorn (one process or workers), gunicorn's uvicorn worker and
``uvicorn asgipaste.serve:app`` (through the environment), the launcher's
workers and granian's ASGI interface all call it, so the request-head limits
and the forwarded-header policy are the same wherever asgipaste serves.

>>> policy = ServePolicy(max_url_len=8192, workers=4)
>>> ServePolicy.from_env(policy.to_env()) == policy
True
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from asgipaste.errors import ConfigValueError
from asgipaste.middleware.limits import (
    DEFAULT_MAX_HEADER_BYTES,
    DEFAULT_MAX_HEADERS,
    RequestBodyLimit,
    RequestLimits,
    WSGIRequestLimits,
)
from asgipaste.middleware.proxy_headers import ProxyHeadersMiddleware, ProxyTrust
from asgipaste.types import ASGIApp, WSGIApp

__all__ = [
    "ENV_GC_FREEZE",
    "ENV_MAX_BODY_BYTES",
    "ENV_MAX_HEADERS",
    "ENV_MAX_HEADER_BYTES",
    "ENV_MAX_URL_LEN",
    "ENV_PROXY",
    "ENV_URL_PREFIX",
    "ENV_WORKERS",
    "ServePolicy",
    "freeze_loaded",
    "serving_app",
    "serving_wsgi_app",
]

ENV_MAX_URL_LEN = "ASGIPASTE_MAX_URL_LEN"  # a [server:] max_url_len, for worker processes
ENV_MAX_HEADERS = "ASGIPASTE_MAX_HEADERS"  # request headers allowed (default 100; 0: no limit)
ENV_MAX_HEADER_BYTES = "ASGIPASTE_MAX_HEADER_BYTES"  # bytes of request headers (default 64 KiB; 0: no limit)
ENV_PROXY = "ASGIPASTE_PROXY"  # JSON: a legacy waitress section's trusted_proxy options
ENV_WORKERS = "ASGIPASTE_WORKERS"  # worker processes serving the app (wsgi.multiprocess)
ENV_GC_FREEZE = "ASGIPASTE_GC_FREEZE"  # 0: leave the loaded app to the cyclic collector (default 1)
ENV_URL_PREFIX = "ASGIPASTE_URL_PREFIX"  # a migrated waitress section's url_prefix
ENV_MAX_BODY_BYTES = "ASGIPASTE_MAX_BODY_BYTES"  # a migrated waitress section's max_request_body_size (0: none)


@dataclass(frozen=True)
class ServePolicy:
    """Request-head limits, forwarded-header trust and the process model, for one served app."""

    max_url_len: int | None = None
    max_headers: int | None = DEFAULT_MAX_HEADERS
    max_header_bytes: int | None = DEFAULT_MAX_HEADER_BYTES
    #: None: forwarded headers are the server's business (asgipaste's own sections);
    #: a ProxyTrust: waitress's rules (a migrated waitress section).
    proxy: ProxyTrust | None = None
    #: waitress's url_prefix: SCRIPT_NAME (root_path) for every request, removed from the path
    url_prefix: str | None = None
    #: waitress's max_request_body_size: 413 above it (None: no limit, as asgipaste's own sections)
    max_body_bytes: int | None = None
    #: worker processes serving the app; None: unknown here (the environ then reads
    #: ASGIPASTE_WORKERS, else WEB_CONCURRENCY, else 1)
    workers: int | None = None
    #: gc.freeze() what is loaded when serving starts. A serving process's default
    #: (servers and the environment set it); off for a policy built by hand.
    freeze_gc: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict, compare=False)

    def to_env(self) -> dict[str, str]:
        """The environment that gives a worker process this policy (read by :meth:`from_env`)."""
        env = {
            ENV_MAX_HEADERS: str(self.max_headers or 0),
            ENV_MAX_HEADER_BYTES: str(self.max_header_bytes or 0),
            ENV_GC_FREEZE: "1" if self.freeze_gc else "0",
        }
        if self.workers is not None:
            env[ENV_WORKERS] = str(self.workers)
        if self.max_url_len:
            env[ENV_MAX_URL_LEN] = str(self.max_url_len)
        if self.url_prefix:
            env[ENV_URL_PREFIX] = self.url_prefix
        if self.max_body_bytes is not None:
            env[ENV_MAX_BODY_BYTES] = str(self.max_body_bytes)
        if self.proxy is not None:
            data = asdict(self.proxy)
            data["headers"] = sorted(self.proxy.headers)
            env[ENV_PROXY] = json.dumps(data)
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServePolicy:
        """The policy a worker was started with (defaults where a variable is unset)."""
        environ = os.environ if environ is None else environ

        def read(name: str, default: int | None) -> int | None:
            text = environ.get(name, "").strip()
            if not text:
                return default
            if not text.isdigit():
                raise ConfigValueError(f"{name} must be a whole number, not {text!r}", key=name)
            return int(text) or None

        proxy = None
        raw = environ.get(ENV_PROXY, "").strip()
        if raw:
            try:
                data = json.loads(raw)
                proxy = ProxyTrust(
                    trusted_proxy=data["trusted_proxy"],
                    count=int(data["count"]),
                    headers=frozenset(data["headers"]),
                    clear_untrusted=bool(data["clear_untrusted"]),
                    url_scheme=data["url_scheme"],
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigValueError(f"{ENV_PROXY} is not a proxy policy: {exc}", key=ENV_PROXY) from None
        return cls(
            max_url_len=read(ENV_MAX_URL_LEN, None),
            max_headers=read(ENV_MAX_HEADERS, DEFAULT_MAX_HEADERS),
            max_header_bytes=read(ENV_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_BYTES),
            proxy=proxy,
            url_prefix=environ.get(ENV_URL_PREFIX, "").strip() or None,
            max_body_bytes=read(ENV_MAX_BODY_BYTES, None),
            workers=read(ENV_WORKERS, None),
            # a process that reads its policy from the environment is serving
            freeze_gc=environ.get(ENV_GC_FREEZE, "1").strip() != "0",
        )


def serving_wsgi_app(app: WSGIApp, policy: ServePolicy) -> WSGIApp:
    """The WSGI form of :func:`serving_app`, for a server's WSGI interface (granian's).

    Only the limits apply: the forwarded-header policy belongs to migrated
    waitress sections, which uvicorn serves.
    """
    _prepare_process(policy)
    limits = _limit_options(policy)
    return WSGIRequestLimits(app, **limits) if limits else app


def serving_app(app: ASGIApp, policy: ServePolicy) -> ASGIApp:
    """``app`` as every asgipaste serving path serves it: limits first, then forwarded-header trust.

    >>> async def app(scope, receive, send): ...
    >>> serving_app(app, ServePolicy(max_url_len=100))  # doctest: +ELLIPSIS
    RequestLimits(<function app at ...>, max_url_len=100, max_headers=100, max_header_bytes=65536)
    """
    _prepare_process(policy)
    limits = _limit_options(policy)
    if policy.max_body_bytes is not None:
        app = RequestBodyLimit(app, policy.max_body_bytes)
    if policy.url_prefix:
        from asgipaste.middleware.prefix import URLPrefix

        app = URLPrefix(app, policy.url_prefix)
    if policy.proxy is not None and policy.proxy.active:
        app = ProxyHeadersMiddleware(app, trust=policy.proxy)
    return RequestLimits(app, **limits) if limits else app


def _prepare_process(policy: ServePolicy) -> None:
    """What serving does to the process in both forms: the worker model for the environ, the gc freeze."""
    from asgipaste.interop.environ import set_process_model

    set_process_model(workers=policy.workers)
    if policy.freeze_gc:
        freeze_loaded()


def _limit_options(policy: ServePolicy) -> dict[str, int | None]:
    """The request-head limits' options for either form; empty when every limit is off."""
    if not (policy.max_url_len or policy.max_headers or policy.max_header_bytes):
        return {}
    return {
        "max_url_len": policy.max_url_len,
        "max_headers": policy.max_headers,
        "max_header_bytes": policy.max_header_bytes,
    }


def freeze_loaded() -> None:
    """Collect load-time garbage, then ``gc.freeze()`` everything loaded: the app, its modules, the server.

    Without it, every full collection walks all of that again while requests
    wait. Objects of in-flight requests that outlive the young collections
    trigger full ones: that was a 12-16 ms p99 for a mixed tree on uvicorn
    (4-5 ms frozen), and Kinto serves 14% more requests frozen
    (docs/benchmarks.md). Objects created afterwards are collected as usual;
    it also keeps forked workers from touching (copying) the parent's pages.
    ``ASGIPASTE_GC_FREEZE=0`` turns it off.
    """
    gc.collect()
    gc.freeze()

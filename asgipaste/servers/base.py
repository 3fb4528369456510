"""The ``Server`` protocol: what a ``[server:NAME]`` factory returns and the CLI drives."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from asgipaste.servers.target import Servable

__all__ = ["Server"]


@runtime_checkable
class Server(Protocol):
    """A configured server: overridable from the command line, then called with what to serve.

    ``asgipaste serve`` calls :meth:`configure` with the command line's
    ``--host``/``--port``/``--workers``/``--reload``/``--log-level`` (``None``
    for what was not given), then calls the server with a
    :class:`~asgipaste.servers.target.ServeTarget`. A plain PasteDeploy server
    callable (``serve(app)``) is not a ``Server``: the CLI hands it the loaded
    WSGI or ASGI app and cannot apply overrides.
    """

    #: Short name for the startup banner ("uvicorn", "granian").
    name: str

    def configure(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        workers: int | None = None,
        reload: bool | None = None,
        log_level: str | None = None,
        ini_logging: bool | None = None,
    ) -> None: ...

    def __call__(self, target: Servable) -> None: ...

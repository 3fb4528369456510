"""Binding listening sockets the way uvicorn does, before any worker starts."""

from __future__ import annotations

import socket

from asgipaste.servers.options import Listen

__all__ = ["bind_socket"]


def bind_socket(listen: Listen, *, backlog: int = 2048) -> socket.socket:
    """Bind and listen like uvicorn does (``SO_REUSEADDR``, inheritable for worker processes)."""
    family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on such sockets.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((listen.host, listen.port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"Cannot listen on {listen}: {exc.strerror}") from None
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock

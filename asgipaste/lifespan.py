"""Lifespan fan-out: run the lifespan of every app a composite mounts.

Starlette's ``Router`` answers a ``lifespan`` scope with its own context and
never forwards it to ``Mount``/``Host`` children (starlette #649), so a
Starlette app mounted under a composite never sees startup or shutdown.
:class:`LifespanGroup` fixes that for asgipaste's composites: it speaks the
lifespan protocol upward and drives each member's lifespan as a background
task with its own queues (the ``asgi-lifespan`` ``LifespanManager`` pattern,
written with anyio so it runs on asyncio and trio).

Rules (documented in ``docs/urlmap.md``):

* startup in member order, shutdown in reverse order;
* a member that sends ``lifespan.startup.failed``, raises after it received the
  startup message, or does not answer within ``startup_timeout`` fails the whole
  startup with ``"<name>: <reason>"``; members already started are shut down
  (reverse order) before the failure is reported upward;
* a member that does not support lifespan (raises before it reads the startup
  message, or returns without answering) is skipped, logged at debug level;
* one app instance is started once per lifespan scope, however many names or
  groups it appears under: started ids are kept in
  ``scope["asgipaste.lifespan.started"]``, which child scopes (shallow copies)
  share;
* every member's scope is a shallow copy of the parent's, so all members share
  the server's ``state`` dict: keys a member sets are visible to every request,
  and when two members set the same key the one started later wins.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from asgipaste.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["STARTED_KEY", "LifespanFailed", "LifespanGroup", "acknowledge_lifespan", "run_lifespan"]

logger = logging.getLogger("asgipaste.lifespan")

#: Scope key holding the ids of app instances whose lifespan is already running.
STARTED_KEY = "asgipaste.lifespan.started"

DEFAULT_TIMEOUT = 60.0


class LifespanFailed(Exception):
    """A member's startup or shutdown failed; the message names the member."""


@dataclass
class _Member:
    """One child lifespan running as a background task."""

    name: str
    app: ASGIApp
    to_child: MemoryObjectSendStream[Message]
    child_inbox: MemoryObjectReceiveStream[Message]
    from_child: MemoryObjectReceiveStream[Message]
    child_outbox: MemoryObjectSendStream[Message]
    received: int = 0  # messages the child has read: tells "unsupported" from "failed"
    error: BaseException | None = None
    done: anyio.Event = field(default_factory=anyio.Event)

    async def run(self, scope: Scope) -> None:
        async def receive() -> Message:
            message = await self.child_inbox.receive()
            self.received += 1
            return message

        try:
            await self.app(scope, receive, self.child_outbox.send)
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:  # the child's failure is reported by the group, not raised here
            self.error = exc
        finally:
            self.child_outbox.close()
            self.done.set()

    async def reply(self, timeout: float) -> Message | None:
        """The child's next message, or None when it returned without one."""
        with anyio.fail_after(timeout):
            try:
                return await self.from_child.receive()
            except anyio.EndOfStream:
                await self.done.wait()
                return None

    def close(self) -> None:
        for stream in (self.to_child, self.child_inbox, self.from_child, self.child_outbox):
            stream.close()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class LifespanGroup:
    """Drive the lifespans of several ASGI apps as one.

    ``members`` are ``(name, app)`` pairs; the name (an INI section name) only
    appears in messages. Call the group with a ``lifespan`` scope::

        group = LifespanGroup([("api", api_app), ("admin", admin_app)])

        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                await group(scope, receive, send)

    Startup runs ``api`` then ``admin``; shutdown ``admin`` then ``api``.
    Timeouts are in seconds (``None``: wait forever).
    """

    def __init__(
        self,
        members: Sequence[tuple[str, ASGIApp]],
        *,
        startup_timeout: float | None = DEFAULT_TIMEOUT,
        shutdown_timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self.members = list(members)
        self.startup_timeout = math.inf if startup_timeout is None else startup_timeout
        self.shutdown_timeout = math.inf if shutdown_timeout is None else shutdown_timeout

    def __repr__(self) -> str:
        names = ", ".join(name for name, _ in self.members)
        return f"{type(self).__name__}([{names}])"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            raise ValueError(f"LifespanGroup only handles 'lifespan' scopes, got {scope['type']!r}")
        message = await receive()
        if message["type"] != "lifespan.startup":
            raise ValueError(f"Expected 'lifespan.startup', got {message['type']!r}")
        created: list[_Member] = []
        failure: str | None = None
        errors: list[str] = []
        try:
            async with anyio.create_task_group() as tg:
                try:
                    running = await self.startup(scope, tg, created)
                except LifespanFailed as exc:
                    failure = str(exc)
                else:
                    await send({"type": "lifespan.startup.complete"})
                    message = await receive()
                    if message["type"] != "lifespan.shutdown":
                        raise ValueError(f"Expected 'lifespan.shutdown', got {message['type']!r}")
                    errors = await self.shutdown(running)
                tg.cancel_scope.cancel()  # members that answered but have not returned yet
        finally:
            for member in created:  # also on cancellation: unclosed streams warn
                member.close()
        if failure is not None:
            await send({"type": "lifespan.startup.failed", "message": failure})
        elif errors:
            await send({"type": "lifespan.shutdown.failed", "message": "; ".join(errors)})
        else:
            await send({"type": "lifespan.shutdown.complete"})

    async def startup(self, scope: Scope, tg: TaskGroup, created: list[_Member]) -> list[_Member]:
        """Start every member in order; on failure shut down the started ones and raise.

        Every member task is appended to ``created`` so the caller can close its streams.
        """
        started_ids: set[int] = scope.setdefault(STARTED_KEY, set())
        running: list[_Member] = []
        for name, app in self.members:
            if id(app) in started_ids:
                logger.debug("lifespan of %s already started under another name; skipped", name)
                continue
            started_ids.add(id(app))
            try:
                member = await self._start(name, app, scope, tg, created)
            except LifespanFailed:
                errors = await self.shutdown(running)
                if errors:
                    logger.warning("while undoing a failed startup: %s", "; ".join(errors))
                raise
            if member is not None:
                running.append(member)
        return running

    async def _start(
        self, name: str, app: ASGIApp, scope: Scope, tg: TaskGroup, created: list[_Member]
    ) -> _Member | None:
        to_child, child_inbox = anyio.create_memory_object_stream[Message](1)
        child_outbox, from_child = anyio.create_memory_object_stream[Message](1)
        member = _Member(name, app, to_child, child_inbox, from_child, child_outbox)
        created.append(member)
        child_scope = dict(scope)  # shares "state" and the started-ids set
        tg.start_soon(member.run, child_scope, name=f"lifespan:{name}")
        await to_child.send({"type": "lifespan.startup"})
        try:
            reply = await member.reply(self.startup_timeout)
        except TimeoutError:
            member.close()
            raise LifespanFailed(f"{name}: startup did not complete within {self.startup_timeout:g}s")
        if reply is None:
            member.close()
            if member.error is not None and member.received > 0:
                raise LifespanFailed(f"{name}: {_describe(member.error)}") from member.error
            logger.debug("%s does not support lifespan (%s); skipped", name, member.error or "no reply")
            return None
        if reply["type"] == "lifespan.startup.complete":
            return member
        member.close()
        if reply["type"] == "lifespan.startup.failed":
            raise LifespanFailed(f"{name}: {reply.get('message') or 'startup failed'}")
        raise LifespanFailed(f"{name}: unexpected lifespan message {reply['type']!r} during startup")

    async def shutdown(self, running: list[_Member]) -> list[str]:
        """Shut members down in reverse order; return the failures, each naming its member."""
        errors: list[str] = []
        for member in reversed(running):
            error = await self._stop(member)
            if error:
                errors.append(f"{member.name}: {error}")
        return errors

    async def _stop(self, member: _Member) -> str | None:
        try:
            if not member.done.is_set():
                await member.to_child.send({"type": "lifespan.shutdown"})
            reply = await member.reply(self.shutdown_timeout)
        except TimeoutError:
            return f"shutdown did not complete within {self.shutdown_timeout:g}s"
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            reply = None  # the child already returned
        finally:
            member.close()
        if reply is None:
            # Returned without answering: fine unless it raised on the way out.
            return _describe(member.error) if member.error is not None else None
        if reply["type"] == "lifespan.shutdown.complete":
            return None
        if reply["type"] == "lifespan.shutdown.failed":
            return str(reply.get("message") or "shutdown failed")
        return f"unexpected lifespan message {reply['type']!r} during shutdown"


async def run_lifespan(
    members: Sequence[tuple[str, ASGIApp]],
    scope: Scope,
    receive: Receive,
    send: Send,
    **timeouts: Any,
) -> None:
    """Answer a lifespan ``scope`` by fanning it out to ``members`` (see :class:`LifespanGroup`).

    >>> # inside a composite's __call__:
    >>> # if scope["type"] == "lifespan":
    >>> #     await run_lifespan([("api", api)], scope, receive, send)
    """
    await LifespanGroup(members, **timeouts)(scope, receive, send)


async def acknowledge_lifespan(receive: Receive, send: Send) -> None:
    """The lifespan of an app with nothing to start: acknowledge startup and shutdown."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return

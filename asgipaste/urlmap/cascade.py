"""Paste's ``cascade`` composite as pure ASGI: try apps in turn until one is not a 404.

::

    [composite:main]
    use = egg:asgipaste#cascade
    app1 = static_files
    app2 = dynamic_app
    catch = 404 405

Each app but the last is tried with its response start held back: a status in
``catch`` is discarded (with the body that follows) and the next app is tried;
any other status is sent on and that app's response streams through. The
request body is read once and replayed to each app that needs it. The last
app's response is always sent, whatever its status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from starlette.exceptions import HTTPException

from asgipaste.converters import aslist
from asgipaste.errors import ConfigValueError
from asgipaste.interop.detect import declare_asgi
from asgipaste.lifespan import LifespanGroup
from asgipaste.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Cascade", "cascade_factory"]

# The first message an app sends decides; these carry a status or a websocket refusal.
_STARTS = frozenset({"http.response.start", "websocket.http.response.start"})


class _Replay:
    """Hands each attempt the request messages read so far, then reads on (recording while needed)."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.seen: list[Message] = []
        self.recording = True

    def reader(self) -> Receive:
        position = 0

        async def receive() -> Message:
            nonlocal position
            if position < len(self.seen):
                position += 1
                return self.seen[position - 1]
            message = await self.receive()
            if self.recording:
                self.seen.append(message)
                position += 1
            return message

        return receive


class _Attempt:
    """A ``send`` that holds back the first message until it knows whether the app missed."""

    def __init__(self, send: Send, catch: frozenset[int], replay: _Replay) -> None:
        self.send = send
        self.catch = catch
        self.replay = replay
        self.missed = False
        self.decided = False

    async def __call__(self, message: Message) -> None:
        if self.missed:
            return  # the body of a discarded response
        if not self.decided:
            self.decided = True
            kind = message["type"]
            status = message.get("status") if kind in _STARTS else None
            refused = kind == "websocket.close" and 404 in self.catch  # closed before accept
            if (status is not None and status in self.catch) or refused:
                self.missed = True
                return
            self.replay.recording = False  # this app answers: nothing more to replay
        await self.send(message)


class Cascade:
    """Try ``apps`` in turn; a response whose status is in ``catch`` moves on to the next app.

    >>> cascade = Cascade([static_app, dynamic_app], catch=(404, 405))  # doctest: +SKIP

    A Starlette ``HTTPException`` with a caught status raised before the
    response starts counts as a miss too. For websockets, an app that closes
    before accepting is a miss when 404 is caught. Lifespan is fanned out to
    every app; other scope types go to the first app.
    """

    def __init__(
        self,
        apps: Sequence[ASGIApp],
        catch: Iterable[int | str] = (404,),
        *,
        names: Sequence[str] | None = None,
    ) -> None:
        if not apps:
            raise ConfigValueError("Cascade needs at least one app", hint="add 'app1 = <app name>'")
        self.apps = list(apps)
        self.catch = frozenset(_status(code) for code in catch)
        self.names = list(names) if names is not None else [f"app{i}" for i in range(1, len(apps) + 1)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.apps!r}, catch={sorted(self.catch)!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await LifespanGroup(list(zip(self.names, self.apps, strict=True)))(scope, receive, send)
            return
        if scope["type"] not in ("http", "websocket"):
            await self.apps[0](scope, receive, send)
            return
        replay = _Replay(receive)
        for app in self.apps[:-1]:
            attempt = _Attempt(send, self.catch, replay)
            try:
                await app(dict(scope), replay.reader(), attempt)
            except HTTPException as exc:
                if attempt.decided or exc.status_code not in self.catch:
                    raise
                attempt.missed = True
            if not attempt.missed:
                return
        replay.recording = False
        await self.apps[-1](dict(scope), replay.reader(), send)


def _status(code: int | str) -> int:
    try:
        # Paste accepted "404 Not Found" as well as 404.
        return int(str(code).split(None, 1)[0])
    except (ValueError, IndexError):
        raise ConfigValueError(f"catch must list HTTP status codes (you gave {code!r})", key="catch")


def cascade_factory(
    loader: Any, global_conf: dict[str, Any], catch: str = "404", **local_conf: str
) -> Cascade:
    """``egg:asgipaste#cascade``: Paste's ``make_cascade`` building an ASGI :class:`Cascade`.

    Keys must start with ``app`` and are tried in sorted key order::

        [composite:main]
        use = egg:asgipaste#cascade
        app1 = static
        app2 = dynamic
    """
    codes = [_status(code) for code in aslist(catch)]
    apps: list[tuple[str, str, ASGIApp]] = []
    for key, value in local_conf.items():
        if not key.startswith("app"):
            raise ConfigValueError(
                f"Bad configuration key {key!r} (={value!r}); all configuration keys must start with 'app'",
                key=key,
            )
        apps.append((key, value.strip(), loader.get_app(value, global_conf=global_conf)))
    if not apps:
        raise ConfigValueError(
            "cascade needs at least one 'appN = <app>' key", hint="add 'app1 = <app name>'"
        )
    apps.sort(key=lambda item: item[0])
    return Cascade([app for _, _, app in apps], catch=codes, names=[name for _, name, _ in apps])


declare_asgi(cascade_factory)

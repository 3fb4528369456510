"""The launcher's supervisor: binds each API's sockets, starts and replaces workers, rolls them on SIGHUP.

See :mod:`asgipaste.launcher` for what the launcher does and how it is configured.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

from asgipaste.launcher.plan import ApiSpec, LaunchPlan, read_launch_plan
from asgipaste.servers import bind_socket

__all__ = ["ApiSpec", "LaunchPlan", "Launcher", "read_launch_plan"]

logger = logging.getLogger("asgipaste.launcher")

_CTX = multiprocessing.get_context("spawn")  # a fresh interpreter per worker: no inherited loop or threads
_READY_TIMEOUT = 60.0
_MAX_BACKOFF = 30.0


@dataclass
class _Worker:
    api: ApiSpec
    process: BaseProcess
    conn: Connection
    ready: bool = False
    retiring: bool = False
    eof: bool = False  # its pipe is closed: wait on its sentinel only


@dataclass
class _State:
    plan: LaunchPlan
    sockets: dict[str, socket.socket] = field(default_factory=dict)
    workers: list[_Worker] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    pending: list[tuple[float, ApiSpec]] = field(default_factory=list)  # (due time, api) respawns


class Launcher:
    """Supervise the workers of a :class:`LaunchPlan`; ``plan_factory`` is re-run on SIGHUP.

    >>> from pathlib import Path
    >>> launcher = Launcher(lambda: read_launch_plan(Path("api-paste.ini")))
    >>> launcher
    Launcher(<not started>)
    """

    def __init__(self, plan_factory: Callable[[], LaunchPlan]) -> None:
        self._plan_factory = plan_factory
        self._state: _State | None = None
        self._stop = False
        self._reload = False
        # The signal wake-up pair exists only while run() runs.
        self._wake_r: socket.socket
        self._wake_w: socket.socket

    def __repr__(self) -> str:
        if self._state is None:
            return "Launcher(<not started>)"
        apis = ", ".join(f"{api.name}@{api.listen}x{api.workers}" for api in self._state.plan.apis)
        return f"Launcher({apis})"

    # -- signals -----------------------------------------------------------

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stop = True

    def _on_reload(self, signum: int, frame: FrameType | None) -> None:
        self._reload = True

    def _install_signals(self) -> None:
        self._wake_w.setblocking(False)
        signal.set_wakeup_fd(self._wake_w.fileno())  # wakes wait() below at once
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_reload)

    def _drain_wakeups(self) -> None:
        self._wake_r.setblocking(False)
        try:
            while self._wake_r.recv(512):
                pass
        except BlockingIOError:
            pass

    # -- workers -----------------------------------------------------------

    def _spawn(self, state: _State, api: ApiSpec) -> _Worker:
        from asgipaste.launcher.worker import WorkerSpec, worker_main

        spec = WorkerSpec.for_api(state.plan, api)
        reader, writer = _CTX.Pipe(duplex=False)
        process = _CTX.Process(
            target=worker_main, args=(spec, state.sockets[api.name], writer), name=f"asgipaste-{api.name}"
        )
        process.start()
        writer.close()
        worker = _Worker(api=api, process=process, conn=reader)
        state.workers.append(worker)
        return worker

    def _handle_message(self, worker: _Worker) -> bool:
        """Read one message from a worker; False at end of stream (the worker is gone)."""
        try:
            kind, detail = worker.conn.recv()
        except (EOFError, OSError):
            worker.eof = True
            return False
        if kind == "ready":
            worker.ready = True
            if self._state is not None:
                self._state.failures[worker.api.name] = 0
            logger.info(
                "launcher: %s worker pid %s ready on %s://%s",
                worker.api.name,
                detail,
                "https" if worker.api.ssl_certfile else "http",
                worker.api.listen,
            )
        elif kind == "error":
            logger.error("launcher: %s worker pid %s failed: %s", worker.api.name, worker.process.pid, detail)
        return True

    def _wait_ready(self, worker: _Worker, timeout: float = _READY_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        while not worker.ready and not self._stop:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                logger.error("launcher: %s worker not ready after %.0f s", worker.api.name, timeout)
                return False
            ready = wait([worker.conn, worker.process.sentinel, self._wake_r], timeout=remaining)
            if self._wake_r in ready:
                self._drain_wakeups()
            if worker.conn in ready:
                self._handle_message(worker)
            if not worker.ready and worker.process.sentinel in ready:
                while worker.conn.poll() and self._handle_message(worker):
                    pass
                if not worker.ready:
                    return False
        return worker.ready

    def _retire(self, worker: _Worker) -> None:
        worker.retiring = True
        if worker.process.is_alive() and worker.process.pid is not None:
            os.kill(worker.process.pid, signal.SIGTERM)  # uvicorn drains on SIGTERM

    def _reap(self, state: _State) -> None:
        for worker in list(state.workers):
            if worker.process.is_alive():
                continue
            while worker.conn.poll() and self._handle_message(worker):
                pass
            worker.process.join()
            worker.conn.close()
            state.workers.remove(worker)
            if worker.retiring and not self._stop:
                logger.info("launcher: %s worker pid %s drained and stopped", worker.api.name, worker.process.pid)
            if worker.retiring or self._stop:
                continue
            failures = state.failures.get(worker.api.name, 0)
            if not worker.ready:
                failures += 1
                state.failures[worker.api.name] = failures
            delay = 0.0 if worker.ready else min(_MAX_BACKOFF, 2.0 ** (failures - 1))
            logger.warning(
                "launcher: %s worker pid %s exited with code %s; starting a replacement%s",
                worker.api.name,
                worker.process.pid,
                worker.process.exitcode,
                f" in {delay:.0f} s" if delay else "",
            )
            state.pending.append((time.monotonic() + delay, worker.api))

    def _spawn_due(self, state: _State) -> None:
        now = time.monotonic()
        due = [item for item in state.pending if item[0] <= now]
        state.pending = [item for item in state.pending if item[0] > now]
        for _, api in due:
            current = next((item for item in state.plan.apis if item.name == api.name), api)
            self._spawn(state, current)

    # -- reload ------------------------------------------------------------

    def _reload_config(self, state: _State) -> None:
        logger.info("launcher: SIGHUP: reloading the configuration")
        try:
            plan = self._plan_factory()
        except Exception as exc:
            logger.error("launcher: reload failed, the running workers keep serving: %s", exc)
            return
        problems = validate(plan)
        if problems:
            logger.error(
                "launcher: reload failed, the running workers keep serving:\n%s",
                "\n".join(problems),
            )
            return
        plan = _keep_listeners(state.plan, plan)
        state.plan = plan
        for api in plan.apis:
            old = [w for w in state.workers if w.api.name == api.name and not w.retiring]
            # the new generation brings the full count: drop replacements still waiting
            state.pending = [item for item in state.pending if item[1].name != api.name]
            for index in range(max(len(old), api.workers)):
                if index < api.workers:
                    worker = self._spawn(state, api)
                    if not self._wait_ready(worker):
                        logger.error(
                            "launcher: a new %s worker did not start; reload stopped, "
                            "the old workers keep serving",
                            api.name,
                        )
                        self._retire(worker)
                        return
                if index < len(old):
                    self._retire(old[index])
        logger.info("launcher: reload complete")

    # -- main loop ---------------------------------------------------------

    def run(self) -> int:
        """Validate, bind, spawn and supervise until SIGTERM/SIGINT; return the exit code."""
        plan = self._plan_factory()
        problems = validate(plan)
        if problems:
            for problem in problems:
                logger.error("launcher: %s", problem)
            return 1
        state = self._state = _State(plan=plan)
        try:
            for api in plan.apis:
                state.sockets[api.name] = bind_socket(api.listen)
        except OSError as exc:
            logger.error("launcher: %s", exc)
            self._close_sockets(state)
            return 1
        self._wake_r, self._wake_w = socket.socketpair()
        try:
            self._install_signals()
            return self._supervise(state)
        finally:
            self._shutdown(state)
            signal.set_wakeup_fd(-1)
            self._wake_r.close()
            self._wake_w.close()

    def _supervise(self, state: _State) -> int:
        for api in state.plan.apis:
            for _ in range(api.workers):
                self._spawn(state, api)
        for worker in list(state.workers):
            if not self._wait_ready(worker):
                if self._stop:
                    return 0
                logger.error("launcher: %s did not start; stopping", worker.api.name)
                return 1
        for api in state.plan.apis:
            logger.info(
                "launcher: serving [%s] on http://%s with %d worker(s)",
                api.name,
                api.listen,
                api.workers,
            )
        while not self._stop:
            if self._reload:
                self._reload = False
                self._reload_config(state)
                continue
            handles: list[Any] = [self._wake_r]
            for worker in state.workers:
                handles.append(worker.process.sentinel)
                if not worker.eof:
                    handles.append(worker.conn)
            timeout = 1.0
            if state.pending:
                timeout = max(0.0, min(timeout, min(due for due, _ in state.pending) - time.monotonic()))
            ready = wait(handles, timeout=timeout)
            if self._wake_r in ready:
                self._drain_wakeups()
            for worker in list(state.workers):
                if worker.conn in ready:
                    self._handle_message(worker)
            self._reap(state)
            self._spawn_due(state)
        return 0

    def _close_sockets(self, state: _State) -> None:
        for sock in state.sockets.values():
            sock.close()
        state.sockets.clear()

    def _shutdown(self, state: _State) -> None:
        # Stop accepting first, then let every worker finish what it has in flight.
        self._close_sockets(state)
        logger.info("launcher: stopping %d worker(s)", len(state.workers))
        for worker in state.workers:
            self._retire(worker)
        deadline = time.monotonic() + state.plan.graceful_timeout + 5.0
        for worker in state.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                logger.warning("launcher: killing %s worker pid %s", worker.api.name, worker.process.pid)
                worker.process.kill()
                worker.process.join(5.0)
            worker.conn.close()
        state.workers.clear()


def _keep_listeners(current: LaunchPlan, new: LaunchPlan) -> LaunchPlan:
    """A reload can change worker counts and app config, not which sockets are bound."""
    bound = {api.name: api for api in current.apis}
    kept: list[ApiSpec] = []
    for api in new.apis:
        old = bound.get(api.name)
        if old is None:
            logger.warning("launcher: new app %s needs a restart to be served; ignored", api.name)
            continue
        if old.listen != api.listen:
            logger.warning(
                "launcher: %s listen address changes need a restart; kept %s", api.name, old.listen
            )
        kept.append(replace(api, listen=old.listen))
    for name in bound.keys() - {api.name for api in new.apis}:
        logger.warning("launcher: %s was removed from enabled_apis; it keeps serving until a restart", name)
        kept.append(bound[name])
    return replace(new, apis=tuple(kept))


def validate(plan: LaunchPlan, names: Iterable[str] | None = None, timeout: float = 120.0) -> list[str]:
    """Load every app of ``plan`` in a throwaway process; return the problems (empty when all load).

    >>> validate(read_launch_plan(Path("api-paste.ini")))  # doctest: +SKIP
    []
    """
    from asgipaste.launcher.worker import validate_main

    wanted = list(names) if names is not None else [api.name for api in plan.apis]
    reader, writer = _CTX.Pipe(duplex=False)
    process = _CTX.Process(
        target=validate_main,
        args=(str(plan.path), wanted, dict(plan.global_conf), writer),
        name="asgipaste-check",
    )
    process.start()
    writer.close()
    try:
        if not reader.poll(timeout):
            process.kill()
            return [f"loading {plan.path} took longer than {timeout:.0f} s"]
        try:
            problems: list[str] = reader.recv()
        except EOFError:
            process.join(5.0)
            return [f"the process loading {plan.path} exited with code {process.exitcode}"]
        return problems
    finally:
        process.join(10.0)
        if process.is_alive():
            process.kill()
            process.join(5.0)
        reader.close()

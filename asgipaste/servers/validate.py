"""Validate, then swap: load the apps of a file in a throwaway process before anything is replaced.

Used by the launcher's SIGHUP, ``asgipaste serve``'s SIGHUP and ``--reload``:
a fresh interpreter loads the edited file and the edited code, so an edit that
does not load is reported with its location while the running workers keep
serving the last good version.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path

from asgipaste.errors import ConfigError
from asgipaste.servers.target import ServeTarget

__all__ = ["validate_apps", "validate_main"]

_CTX = multiprocessing.get_context("spawn")  # a fresh interpreter: edited modules are imported anew


def validate_main(path: str, names: list[str], global_conf: dict[str, str], conn: Connection) -> None:
    """Load each named app once (no serving); send back the list of problems."""
    logging.basicConfig(level=logging.WARNING)
    problems: list[str] = []
    for name in names:
        target = ServeTarget(path=Path(path), name=name, global_conf=global_conf)
        try:
            target.load()
        except ConfigError as exc:
            problems.append(f"[{name}] {exc}")
        except Exception as exc:
            problems.append(f"[{name}] {type(exc).__name__}: {exc}")
    conn.send(problems)
    conn.close()


def validate_apps(
    path: Path | str, names: Iterable[str], global_conf: Mapping[str, str] | None = None, timeout: float = 120.0
) -> list[str]:
    """Load ``names`` of ``path`` in a throwaway process; the problems found (empty when all load).

    >>> validate_apps("api-paste.ini", ["main"])  # doctest: +SKIP
    []
    """
    reader, writer = _CTX.Pipe(duplex=False)
    process = _CTX.Process(
        target=validate_main,
        args=(str(path), list(names), dict(global_conf or {}), writer),
        name="asgipaste-check",
    )
    process.start()
    writer.close()
    try:
        if not reader.poll(timeout):
            process.kill()
            return [f"loading {path} took longer than {timeout:.0f} s"]
        try:
            problems: list[str] = reader.recv()
        except EOFError:
            process.join(5.0)
            return [f"the process loading {path} exited with code {process.exitcode}"]
        return problems
    finally:
        process.join(10.0)
        if process.is_alive():
            process.kill()
            process.join(5.0)
        reader.close()

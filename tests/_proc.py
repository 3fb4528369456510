"""The one subprocess harness: a command in its own session, its log readable, always killed.

:class:`Proc` runs any command (``asgipaste serve``, ``pserve``, gunicorn...);
:func:`serve` runs ``uvicorn asgipaste.serve:app`` on a config file and waits
until it answers. Readiness is always a signal (a log line, an HTTP answer),
never a sleep.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def child_env(**extra: str) -> dict[str, str]:
    """The test's environment minus asgipaste's variables, with the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASGIPASTE_") and k != "PYTHONASYNCIODEBUG"}
    env["PYTHONPATH"] = str(REPO)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class Proc:
    """A subprocess whose stdout+stderr go to a file the test can poll."""

    def __init__(self, args: list[str], *, cwd: Path, log: Path, env: dict[str, str]) -> None:
        self.args = args
        self.log_path = log
        self._log_file = log.open("wb")
        self.popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, *, timeout: float = 20.0, count: int = 1) -> list[re.Match[str]]:
        """Wait until ``pattern`` occurs ``count`` times in the log; fail with the log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matches = list(re.finditer(pattern, self.log()))
            if len(matches) >= count:
                return matches
            if self.popen.poll() is not None:
                matches = list(re.finditer(pattern, self.log()))
                if len(matches) >= count:
                    return matches
                raise AssertionError(f"process exited ({self.popen.returncode}) before {pattern!r}:\n{self.log()}")
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} not seen {count}x within {timeout} s:\n{self.log()}")

    def wait_exit(self, timeout: float = 20.0) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout} s:\n{self.log()}") from None

    def signal(self, signum: int) -> None:
        os.kill(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole session (workers included) if anything is left."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._log_file.close()


def wait_http(url: str, *, proc: Proc, timeout: float = 20.0) -> httpx.Response:
    """GET ``url`` until it answers (any status); fail with the server's log otherwise."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise AssertionError(f"server exited ({proc.popen.returncode}):\n{proc.log()}")
        try:
            return httpx.get(url, timeout=5.0)
        except httpx.TransportError as exc:
            last = exc
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer within {timeout} s ({last}):\n{proc.log()}")


def wait_text(url: str, text: str, *, proc: Proc, timeout: float = 20.0) -> None:
    """GET ``url`` until it answers ``text`` (a reload or SIGHUP took effect); fail with the log otherwise."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        try:
            seen = httpx.get(url, timeout=5).text
        except httpx.TransportError:
            seen = "<no answer>"
        if seen == text:
            return
        time.sleep(0.1)
    raise AssertionError(f"{url} answered {seen!r}, not {text!r}:\n{proc.log()}")


PYTHON = sys.executable


def bin_path(name: str) -> str:
    """A console script installed next to this Python."""
    return str(Path(PYTHON).with_name(name))


class Served(Proc):
    """``Proc`` for a server on ``port``: ``url``, ``proc`` (the Popen), ``wait_ready``, ``stop``."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int) -> None:
        log = Path(tempfile.mkdtemp(prefix="asgipaste-served-")) / "server.log"
        super().__init__(argv, cwd=REPO, log=log, env=env)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        return self.popen

    def wait_ready(self, path: str = "/", timeout: float = 15.0) -> None:
        wait_http(self.url + path, proc=self, timeout=timeout)

    def stop(self) -> None:
        self.kill()


def uvicorn_argv(port: int, *extra: str) -> list[str]:
    return [PYTHON, "-m", "uvicorn", "asgipaste.serve:app", "--host", "127.0.0.1", "--port", str(port),
            "--lifespan", "on", "--log-level", "info", "--no-access-log", *extra]


def env_for(config: Path, **extra: str) -> dict[str, str]:
    """``child_env`` serving ``config`` through ``asgipaste.serve:app``."""
    return child_env(ASGIPASTE_CONFIG=str(config), **extra)


@contextlib.contextmanager
def serve(config: Path, *extra: str, ready: str | None = "/") -> Iterator[Served]:
    """Serve ``config`` with ``uvicorn asgipaste.serve:app``; wait for ``ready`` unless None."""
    port = free_port()
    served = Served(uvicorn_argv(port, *extra), env_for(config), port)
    try:
        if ready is not None:
            served.wait_ready(ready)
        yield served
    finally:
        served.stop()

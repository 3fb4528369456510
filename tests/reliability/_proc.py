"""``uvicorn asgipaste.serve:app`` (or any command) in a subprocess of its own, always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Served:
    """A server subprocess: ``url``, ``proc``, ``log()``; stopped by :func:`serve`'s exit."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.proc = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def wait_ready(self, path: str = "/", timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                httpx.get(self.url + path, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()}")

    def wait_exit(self, timeout: float = 15.0) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self._log.close()


def uvicorn_argv(port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "asgipaste.serve:app", "--host", "127.0.0.1", "--port", str(port),
            "--lifespan", "on", "--log-level", "info", "--no-access-log", *extra]


def env_for(config: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASGIPASTE_") and k != "PYTHONASYNCIODEBUG"}
    env.update(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1", ASGIPASTE_CONFIG=str(config), **extra)
    return env


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

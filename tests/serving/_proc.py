"""Run a command as a subprocess in its own session, read its log, always kill it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


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


PYTHON = sys.executable


def bin_path(name: str) -> str:
    """A console script installed next to this Python."""
    return str(Path(PYTHON).with_name(name))

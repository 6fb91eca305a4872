"""Start, watch and restart the local model's server process (``llm_worker``).

The app talks to it over loopback like to any OpenAI-compatible server. When it dies (crash,
out-of-memory kill) or hangs (no token within the reader's timeout), the answer falls back to the
extractive reader and the process is started again on the next question.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from assistant.readers import ReaderError

#: how long a model may take to load before the start counts as failed
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalModelServer:
    """One supervised ``llm_worker`` process serving ``model`` on a free loopback port."""

    def __init__(self, model: Path, threads: int, ctx: int, log_path: Path) -> None:
        self.model = model
        self.threads = threads
        self.ctx = ctx
        self.log_path = log_path
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._lock = threading.Lock()
        atexit.register(self.stop)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exit_code(self, wait: float = 0.0) -> int | None:
        """The server's exit status, None while it runs (waiting up to ``wait`` s for a dying one)."""
        if self.process is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.process.wait(timeout=wait) if wait else self.process.poll()
        return None

    def ensure(self) -> str:
        """The server's URL, (re)starting it first if it is not running."""
        with self._lock:
            if not self.alive():
                self._start()
            return self.url

    def _start(self) -> None:
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "assistant.readers.llm_worker",
            str(self.model),
            "--port",
            str(self.port),
            "--threads",
            str(self.threads),
            "--ctx",
            str(self.ctx),
            "--parent",
            str(os.getpid()),
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ReaderError(
                    f"the local model server exited while loading {self.model.name} "
                    f"(exit {self.process.returncode}): {self.log_tail()}"
                )
            if self._ready():
                return
            time.sleep(0.1)
        self.kill()
        raise ReaderError(f"the local model server did not start within {START_TIMEOUT_S:.0f} s: {self.log_tail()}")

    def _ready(self) -> bool:
        import httpx

        try:
            return httpx.get(f"{self.url}/models", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def log_tail(self, lines: int = 3) -> str:
        with contextlib.suppress(OSError):
            tail = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
            return " | ".join(tail) or "(no output)"
        return "(no log)"

    def kill(self) -> None:
        """Stop a failed or hung server at once; the next question starts a new one."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

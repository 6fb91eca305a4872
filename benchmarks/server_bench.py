"""Server throughput: answers/s from the web app's API (``/ask``) with 1, 4 and 16 concurrent clients.

The server is the real ``news-assistant serve`` started as a child process on a free loopback port
against an already ingested store; each client is its own ``gradio_client.Client`` in a thread and
asks dev questions round-robin until the time is up. Answers/s counts finished answers over the
wall time from the common start to the last client's last answer.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.answer_bench import latency_summary
from benchmarks.common import REPO, cli_command

SKIPPED_NO_SERVE = "skipped: serve not available"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_available() -> bool:
    """True when this build's CLI has a ``serve`` command (the web app is a separate issue)."""
    try:
        proc = subprocess.run(
            [*cli_command(), "serve", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # loopback only
                if resp.status < 500:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"server not ready after {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (its own process group), politely first."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def run_level(url: str, questions: list[str], clients: int, duration: float) -> dict[str, Any]:
    """``clients`` concurrent clients asking for ``duration`` seconds; answers/s and per-answer latency."""
    from gradio_client import Client

    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    stop_at: list[float] = [0.0]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    finished: list[float] = []

    def worker(k: int) -> None:
        try:
            client = Client(url, verbose=False, download_files=False)
        except Exception as exc:  # a client that cannot connect counts as an error, not a crash
            with lock:
                errors.append(f"connect: {exc}")
            ready.wait()
            return
        ready.wait()
        go.wait()
        i = k
        while time.perf_counter() < stop_at[0]:
            t = time.perf_counter()
            try:
                client.predict(questions[i % len(questions)], api_name="/ask")
                with lock:
                    latencies.append(time.perf_counter() - t)
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
            i += clients
        with lock:
            finished.append(time.perf_counter())

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    ready.wait()  # every client connected: start the clock, then let them go
    start = time.perf_counter()
    stop_at[0] = start + duration
    go.set()
    for t in threads:
        t.join(timeout=duration + 300)
    wall = (max(finished) if finished else time.perf_counter()) - start
    return {
        "clients": clients,
        "answers": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(latencies) / wall, 2) if wall > 0 else None,
        **latency_summary(latencies),
    }


def bench_server(
    store: Path, corpus: Path, questions: list[str], levels: tuple[int, ...] = (1, 4, 16), duration: float = 10.0
) -> dict[str, Any]:
    """Start ``news-assistant serve``, warm it with one answer, then measure each concurrency level."""
    if not serve_available():
        return {"status": SKIPPED_NO_SERVE}
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = store.parent / f"serve-{port}.log"
    cmd = [*cli_command(), "serve", "--port", str(port), "--store", str(store), "--corpus", str(corpus)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        try:
            ready = _wait_ready(url, proc, timeout=180)
        except (RuntimeError, TimeoutError) as exc:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-800:]
            return {"status": f"failed: {exc}", "log_tail": tail}
        from gradio_client import Client

        t1 = time.perf_counter()
        first = Client(url, verbose=False, download_files=False).predict(questions[0], api_name="/ask")
        first_answer_s = time.perf_counter() - t1
        levels_out = [run_level(url, questions, n, duration) for n in levels]
        return {
            "status": "ok",
            "url": url,
            "start_to_ready_s": round(ready, 2),
            "first_answer_s": round(first_answer_s, 3),
            "sample_output": repr(first)[:300],
            "duration_per_level_s": duration,
            "levels": levels_out,
        }
    except Exception as exc:
        return {"status": f"failed: {type(exc).__name__}: {exc}"[:300]}
    finally:
        _stop(proc)

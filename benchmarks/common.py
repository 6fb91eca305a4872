"""Small helpers shared by the benchmark parts: paths, percentiles, sizes, memory, child processes."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
QUESTIONS = REPO / "eval" / "questions.jsonl"


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def dir_size(path: Path) -> int:
    """Bytes of all files under ``path`` (apparent size), as the store takes on disk."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue
    return total


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def loadavg() -> list[float] | None:
    """1/5/15-minute load averages: the machine is shared, so every figure is read against this."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def cli_command() -> list[str]:
    """How to start ``news-assistant``: the installed script, else the module."""
    exe = shutil.which("news-assistant")
    return [exe] if exe else [sys.executable, "-m", "assistant.cli"]


def read_questions(path: Path = QUESTIONS, limit: int | None = None) -> list[dict[str, Any]]:
    """The dev questions (with history), optionally only the first ``limit``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


class WorkerFailed(RuntimeError):
    """A benchmark worker exited with an error; ``partial`` holds what it had measured (saved per step)."""

    partial: dict[str, Any] | None = None


def run_worker(spec: dict[str, Any], workdir: Path, timeout: float | None = None) -> dict[str, Any]:
    """Run ``benchmarks.worker`` on ``spec`` in a child process (its own peak RSS); return its result."""
    label = spec["label"]
    spec_path = workdir / f"spec-{label}.json"
    result_path = workdir / f"result-{label}.json"
    log_path = workdir / f"worker-{label}.log"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    result_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", str(spec_path), str(result_path)],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not result_path.is_file():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        failed = WorkerFailed(f"benchmark worker {label} failed (exit {proc.returncode}):\n{tail}")
        if result_path.is_file():  # what it measured before the failure
            failed.partial = json.loads(result_path.read_text(encoding="utf-8"))
        raise failed
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["process_wall_s"] = round(wall, 2)
    return result

"""Answer benchmarks: warm ``Service.ask`` latency (in a worker), cold ``news-assistant ask`` and CLI imports.

Warm: one Service, models loaded, the first question (which also builds BM25 and the term
statistics) timed apart, then every dev question with its history. Cold: the real command as a
new process against an already ingested store, from process start to exit with the answer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, cli_command, percentile

#: Modules the ``ask`` command must not import (issue 7: no Gradio or llama.cpp unless used).
FORBIDDEN_FOR_ASK = ("gradio", "llama_cpp")
#: Heavy modules worth knowing about when they appear in a command's imports.
WATCHED = ("gradio", "gradio_client", "llama_cpp", "torch", "transformers", "matplotlib", "scipy", "nltk", "pandas")


def latency_summary(seconds: list[float]) -> dict[str, Any]:
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": _round(percentile(ms, 50)),
        "p95_ms": _round(percentile(ms, 95)),
        "mean_ms": _round(sum(ms) / len(ms)) if ms else None,
        "max_ms": _round(max(ms)) if ms else None,
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def warm_latency(
    svc: Any, questions: list[dict[str, Any]], profiler: Any = None, repeat: bool = True
) -> dict[str, Any]:
    """p50/p95 of ``svc.ask`` over ``questions`` once models are loaded; a second pass shows caching."""
    t0 = time.perf_counter()
    svc.ask(questions[0]["question"], questions[0].get("history"))
    first = time.perf_counter() - t0

    def one_pass() -> tuple[list[float], int]:
        times: list[float] = []
        refused = 0
        for q in questions:
            t = time.perf_counter()
            record = svc.ask(q["question"], q.get("history"), qid=q.get("id"))
            times.append(time.perf_counter() - t)
            refused += int(record.refused)
        return times, refused

    if profiler is not None:
        profiler.start()
    times, refused = one_pass()
    if profiler is not None:
        profiler.stop()
    out = {
        "reader": svc.settings.reader,
        "first_ask_s": round(first, 3),
        "refused": refused,
        **latency_summary(times),
    }
    if repeat:
        again, _ = one_pass()
        out["repeat"] = latency_summary(again)
    return out


def cold_start(store: Path, corpus: Path, question: str, runs: int = 1) -> dict[str, Any]:
    """Wall time of ``news-assistant ask QUESTION --json`` from process start to exit (store ingested)."""
    times: list[float] = []
    ok = True
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [*cli_command(), "ask", question, "--json", "--store", str(store), "--corpus", str(corpus)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - t0)
        try:
            json.loads(proc.stdout)
        except json.JSONDecodeError:
            ok = False
        ok = ok and proc.returncode == 0
    return {
        "runs": runs,
        "seconds": [round(t, 3) for t in times],
        "median_s": round(percentile(times, 50) or 0.0, 3),
        "ok": ok,
    }


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def parse_importtime(stderr: str) -> list[tuple[str, int, int, int]]:
    """``-X importtime`` lines as (module, self µs, cumulative µs, nesting depth)."""
    rows: list[tuple[str, int, int, int]] = []
    for line in stderr.splitlines():
        m = _IMPORTTIME.match(line)
        if m:
            depth = (len(m.group(3)) - 1) // 2
            rows.append((m.group(4), int(m.group(1)), int(m.group(2)), depth))
    return rows


def _top_level_packages(rows: list[tuple[str, int, int, int]], top: int = 8, depth: int = 0) -> list[dict[str, Any]]:
    """The heaviest imports by cumulative time among modules imported at ``depth`` (what a command pulls in)."""
    heads = [r for r in rows if r[3] == depth]
    heads.sort(key=lambda r: -r[2])
    return [{"module": name, "cumulative_ms": round(cum / 1000.0, 1)} for name, _s, cum, _d in heads[:top]]


def cli_import() -> dict[str, Any]:
    """Import time of ``assistant.cli`` (what every command pays before doing anything)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import assistant.cli"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    rows = parse_importtime(proc.stderr)
    cli = next((r for r in rows if r[0] == "assistant.cli"), None)
    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import assistant.cli"], cwd=REPO, check=False)
        walls.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    subprocess.run([*cli_command(), "--help"], cwd=REPO, capture_output=True, check=False)
    help_s = time.perf_counter() - t0
    names = {r[0] for r in rows}
    return {
        "import_ms": round(cli[2] / 1000.0, 1) if cli else None,
        "python_wall_s_min": round(min(walls), 3),
        "help_wall_s": round(help_s, 3),
        "modules": len(rows),
        "watched_imported": sorted(w for w in WATCHED if w in names),
        "heaviest": _top_level_packages(rows, depth=1),
    }


def ask_imports(store: Path, corpus: Path, question: str) -> dict[str, Any]:
    """Run ``ask`` under ``-X importtime``: what the command really imports, and that Gradio/llama.cpp are not."""
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "assistant.cli",
            "ask",
            question,
            "--json",
            "--store",
            str(store),
            "--corpus",
            str(corpus),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = parse_importtime(proc.stderr)
    names = {r[0] for r in rows}
    roots = {n.split(".")[0] for n in names}
    forbidden = sorted(m for m in FORBIDDEN_FOR_ASK if m in roots)
    return {
        "ok": proc.returncode == 0,
        "exit_code": proc.returncode,
        "stderr_tail": None
        if proc.returncode == 0
        else "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("import time:"))[-600:],
        "modules": len(rows),
        "import_ms_total": round(sum(r[1] for r in rows) / 1000.0, 1),
        "forbidden_imported": forbidden,
        "watched_imported": sorted(w for w in WATCHED if w in roots),
        "heaviest": _top_level_packages(rows, top=10),
    }

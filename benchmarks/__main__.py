"""``python -m benchmarks [--quick] [--sizes 100,1000,10000] [--out FILE.json] [--plot FILE.png]``.

Runs from the repository root. By default each size N is real text: the real-news dev set's 424
articles plus the first N articles of ``../shared/scale/news-2024`` as distractors (``benchmarks.real``),
so the same run times ingest and answers and scores the dev questions at that scale (size 0 is the
dev set alone). ``--synthetic`` uses the older corpora shuffled from the seed sentences. Corpora are
copied or generated into a temporary folder (deleted at the end unless ``--keep``); each corpus is
ingested and queried in its own worker process. Sizes above ``--run-max`` are not run: their ingest
figures are extrapolated from the largest run and marked as estimates everywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks.answer_bench import ask_imports, cli_import, cold_start
from benchmarks.common import QUESTIONS, REPO, SEEDS, loadavg, read_questions, run_worker
from benchmarks.corpus import generate_corpus
from benchmarks.real import DEVSET, NEWS, build_corpus
from benchmarks.report import plot, render, write_json
from benchmarks.server_bench import bench_server

err = Console(stderr=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="Seeds + the dev set alone (synthetic: 100 articles), 10 questions: a few minutes.",
    )
    p.add_argument(
        "--sizes", default=None, help="Distractor counts (real) or corpus sizes (synthetic) [0,1000,5000,10000]."
    )
    p.add_argument("--synthetic", action="store_true", help="Corpora shuffled from the seed sentences, not real news.")
    p.add_argument("--news", type=Path, default=NEWS, help="The news-2024 scale corpus folder (slice-*/).")
    p.add_argument("--devset", type=Path, default=DEVSET, help="The real-news dev set (corpus/, questions.jsonl).")
    p.add_argument("--run-max", type=int, default=1000, help="Larger sizes are estimated, not run [1000].")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.json", help="JSON results file.")
    p.add_argument("--plot", type=Path, default=REPO / "docs" / "benchmarks.png", help="PNG plot file.")
    p.add_argument("--seed", type=int, default=7, help="Seed of the synthetic corpora [7].")
    p.add_argument("--questions", type=int, default=None, help="Use only the first N dev questions.")
    p.add_argument("--cold-runs", type=int, default=None, help="Cold `news-assistant ask` runs per corpus [3].")
    p.add_argument("--server-seconds", type=float, default=None, help="Seconds per concurrency level [10].")
    p.add_argument("--no-server", action="store_true", help="Skip the web server part.")
    p.add_argument("--profile", type=Path, default=None, help="Profile (pyinstrument) the first synthetic corpus here.")
    p.add_argument("--workdir", type=Path, default=None, help="Work here instead of a new temporary folder.")
    p.add_argument("--keep", action="store_true", help="Keep the generated corpora and stores.")
    p.add_argument("--render", type=Path, default=None, help="Only print the tables (and plot) of this JSON file.")
    args = p.parse_args(argv)
    if args.sizes is None:
        if args.synthetic:
            args.sizes = "100" if args.quick else "100,1000,10000"
        else:
            args.sizes = "0" if args.quick else "0,1000,5000,10000"
    args.size_list = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if args.questions is None and args.quick:
        args.questions = 10
    if args.cold_runs is None:
        args.cold_runs = 1 if args.quick else 3
    if args.server_seconds is None:
        args.server_seconds = 2.0 if args.quick else 10.0
    return args


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    except OSError:
        return None
    return out.stdout.strip() or None


def estimate(label: str, articles: int, basis: dict[str, Any]) -> dict[str, Any]:
    """Ingest figures for a size not run: chunks and time scale linearly from the largest run."""
    ing = basis["ingest"]
    per_article = ing["chunks"] / max(ing["articles"], 1)
    chunks = round(per_article * articles)
    rate = ing["chunks_per_s"]
    seconds = chunks / rate if rate else None
    return {
        "label": label,
        "articles": articles,
        "status": "estimate",
        "estimate": {
            "chunks": chunks,
            "ingest_s": round(seconds, 0) if seconds else None,
            "chunks_per_s": rate,
            "articles_per_s": round(articles / seconds, 2) if seconds else None,
            "basis": (
                f"{per_article:.2f} chunks/article and {rate:.1f} chunks/s measured on {basis['label']}, "
                f"scaled linearly ({chunks:,} chunks ≈ {seconds / 60:.0f} min)"
                if seconds
                else "no rate measured"
            ),
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render is not None:
        results = json.loads(args.render.read_text(encoding="utf-8"))
        render(results)
        why = plot(results, args.plot)
        err.print(f"wrote {args.plot}" if why is None else why)
        return 0
    t_start = time.perf_counter()
    os.chdir(REPO)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="news-assistant-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    err.print(f"[bold]benchmarks[/] in {work} (sizes {args.size_list}, run up to {args.run_max})")
    results: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_start": loadavg(),
            "quick": args.quick,
            "sizes": args.size_list,
            "run_max": args.run_max,
            "seed": args.seed,
            "corpus_kind": "synthetic" if args.synthetic else "real (dev set + news-2024 distractors)",
            "questions": str(QUESTIONS.relative_to(REPO)),
            "n_questions": len(read_questions(QUESTIONS, args.questions)),
            "rss_method": "resource.getrusage(RUSAGE_SELF).ru_maxrss in each corpus's worker process",
        },
        "corpora": [],
    }
    try:
        corpora: list[tuple[str, Path, int]] = []
        seeds_copy = work / "corpus-seeds"
        shutil.rmtree(seeds_copy, ignore_errors=True)
        shutil.copytree(SEEDS, seeds_copy)
        corpora.append(("seeds", seeds_copy, len(list(seeds_copy.iterdir()))))
        t0 = time.perf_counter()
        for n in args.size_list:
            if n <= args.run_max:
                folder = work / f"corpus-{n}"
                shutil.rmtree(folder, ignore_errors=True)
                if args.synthetic:
                    generate_corpus(SEEDS, folder, n, seed=args.seed)
                    corpora.append((f"synthetic-{n}", folder, n))
                else:
                    corpora.append((f"dev+{n}", folder, build_corpus(folder, n, args.news, args.devset)))
        results["meta"]["generate_s"] = round(time.perf_counter() - t0, 2)

        measured: list[dict[str, Any]] = []
        profiled = False
        for label, folder, n in corpora:
            store = work / f"store-{label}"
            shutil.rmtree(store, ignore_errors=True)
            profile_dir = None
            if args.profile and not profiled and label != "seeds":
                profile_dir, profiled = str(args.profile), True
            spec = {
                "label": label,
                "corpus": str(folder),
                "store": str(store),
                "scratch": str(work / f"scratch-{label}"),
                "questions": str(QUESTIONS),
                "n_questions": args.questions,
                "repeat": not args.quick,
                "profile_dir": profile_dir,
            }
            if label.startswith("dev+"):  # real news: time and score the dev questions at this scale
                dev_questions = str(args.devset / "questions.jsonl")
                spec.update(questions=dev_questions, dev_questions=dev_questions)
            err.print(f"[bold]{label}[/]: {n:,} articles: ingest, re-ingest, warm answers … (load {loadavg()})")
            t = time.perf_counter()
            try:
                res = run_worker(spec, work)
            except Exception as exc:
                err.print(f"[red]{label} failed:[/] {exc}")
                partial = getattr(exc, "partial", None) or {}
                results["corpora"].append({**partial, "label": label, "articles": n, "status": f"failed: {exc}"[:200]})
                continue
            res.update(status="measured", articles=n, corpus=str(folder), store=str(store))
            err.print(
                f"  ingest {res['ingest']['seconds']:.1f} s ({res['ingest']['chunks']} chunks), "
                f"worker {time.perf_counter() - t:.0f} s"
            )
            if not (args.quick and label == "seeds"):  # --quick: one cold start, on the larger corpus
                question = read_questions(Path(spec["questions"]), 1)[0]["question"]
                res["cold_start"] = cold_start(store, folder, question, runs=args.cold_runs)
                err.print(f"  cold ask {res['cold_start']['median_s']:.2f} s")
            results["corpora"].append(res)
            measured.append(res)

        if measured:
            basis = max(
                (c for c in measured if c["label"] != "seeds"), key=lambda c: c["articles"], default=measured[-1]
            )
            for n in args.size_list:
                if n > args.run_max:
                    name = f"synthetic-{n}" if args.synthetic else f"dev+{n}"
                    articles = n if args.synthetic else n + len(list((args.devset / "corpus").glob("*.txt")))
                    results["corpora"].append(estimate(name, articles, basis))

        err.print("CLI import time and the `ask` command's imports …")
        seeds_res = next((c for c in measured if c["label"] == "seeds"), None)
        results["cli"] = {"import": cli_import()}
        if seeds_res:
            q = read_questions(QUESTIONS, 1)[0]["question"]
            results["cli"]["ask_imports"] = ask_imports(Path(seeds_res["store"]), Path(seeds_res["corpus"]), q)

        if args.no_server:
            results["server"] = {"status": "skipped: --no-server"}
        elif measured:
            target = max(measured, key=lambda c: c["articles"])
            err.print(f"server: 1/4/16 clients against {target['label']} …")
            qs = [q["question"] for q in read_questions(QUESTIONS, args.questions) if not q.get("history")]
            results["server"] = bench_server(
                Path(target["store"]), Path(target["corpus"]), qs, duration=args.server_seconds
            )
            results["server"]["corpus"] = target["label"]

        for c in measured:
            for key in ("ingest_profile", "ask_profile"):
                if c.get(key):
                    results.setdefault("profiles", {})[f"{c['label']} {key.split('_')[0]}"] = c[key]
    finally:
        results["meta"]["load_end"] = loadavg()
        results["meta"]["total_s"] = round(time.perf_counter() - t_start, 1)
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    render(results)
    write_json(results, args.out)
    why = plot(results, args.plot)
    err.print(f"wrote {args.out}" + (f" and {args.plot}" if why is None else f"; {why}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

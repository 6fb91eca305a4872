"""One corpus, measured in its own process: ``python -m benchmarks.worker SPEC.json RESULT.json``.

A fresh process per corpus makes peak RSS (``ru_maxrss``) that corpus's own, and gives the first
ingest the same start a user's ``news-assistant ingest`` has (imports, tokenizer, model load).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

T_START = time.perf_counter()


def _profiler() -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    return Profiler(interval=0.002)


def top_functions(profiler: Any, top: int = 12) -> list[dict[str, Any]]:
    """Self time per function from a pyinstrument session, heaviest first (where the time goes)."""
    root = profiler.last_session.root_frame() if profiler and profiler.last_session else None
    if root is None:
        return []
    total = max(root.time, 1e-9)
    acc: dict[tuple[str, str], float] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        # pyinstrument records a frame's own time in synthetic "[self]" children: count them as the frame's
        own = frame.time - sum(c.time for c in frame.children if not c.is_synthetic)
        if own > 0 and not frame.is_synthetic:
            name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
            if name.startswith("pybind11_") and frame.parent is not None:  # a C++ call: name it by its caller
                parent = frame.parent
                name = f"{parent.class_name + '.' if parent.class_name else ''}{parent.function} [native]"
            key = (name, f"{frame.file_path_short}:{frame.line_no}")
            acc[key] = acc.get(key, 0.0) + own
        stack.extend(frame.children)
    rows = sorted(acc.items(), key=lambda kv: -kv[1])[:top]
    return [{"function": n, "where": w, "self_s": round(s, 3), "share": round(s / total, 3)} for (n, w), s in rows]


def _save_profile(profiler: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")


def raw_embedding(svc: Any, ingest: dict[str, Any], sample: int = 1000) -> dict[str, Any]:
    """The embedding model alone on a sample of the stored chunks (batches as ingest sends them):
    the rate ingest is compared with (``ingest_to_embed`` = ingest seconds / chunks at that rate)."""
    got = svc.vector_store._collection.get(limit=sample, include=["documents"])
    texts = [t for t in got.get("documents") or [] if t]
    if not texts:
        return {}
    model = svc.embed_model
    batch = max(1, int(getattr(model, "embed_batch_size", 16)))
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch):
        model.get_text_embedding_batch(texts[i : i + batch])
    rate = len(texts) / max(time.perf_counter() - t0, 1e-9)
    chunks = ingest.get("new_chunks") or 0
    return {
        "raw_embed_chunks_per_s": round(rate, 2),
        "raw_embed_sample": len(texts),
        "ingest_to_embed": round(ingest["seconds"] / (chunks / rate), 3) if chunks else None,
    }


def main(spec_path: Path, result_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    from assistant.offline import setup_offline

    setup_offline()
    from assistant.service import Service
    from assistant.settings import load_settings
    from benchmarks.common import loadavg, peak_rss_mb
    from benchmarks.ingest_bench import install_embed_timer

    install_embed_timer()
    corpus = Path(spec["corpus"])
    settings = load_settings(store_dir=Path(spec["store"]), corpus_dir=corpus)
    svc = Service(settings)
    t0 = time.perf_counter()
    _ = svc.embed_model
    model_load = time.perf_counter() - t0
    result: dict[str, Any] = {
        "label": spec["label"],
        "startup_s": round(time.perf_counter() - T_START, 3),
        "model_load_s": round(model_load, 3),
        "load_before": loadavg(),
    }
    profile_dir = Path(spec["profile_dir"]) if spec.get("profile_dir") else None
    step = "ingest"
    try:
        _measure(svc, spec, corpus, result, result_path, profile_dir)
    except BaseException as exc:
        # a late step failing must not lose the hour the first ingest took at 10,000 articles
        result["failed"] = {"step": result.get("step", step), "error": f"{type(exc).__name__}: {exc}"[:500]}
        _save(result, result_path)
        raise
    result.pop("step", None)
    result["process_peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["load_after"] = loadavg()
    _save(result, result_path)


def _save(result: dict[str, Any], path: Path) -> None:
    """Write what is measured so far (after every step, so a failure keeps it)."""
    from benchmarks.common import peak_rss_mb

    path.write_text(json.dumps({**result, "peak_rss_mb_so_far": round(peak_rss_mb(), 1)}, indent=1), encoding="utf-8")


def _measure(
    svc: Any, spec: dict[str, Any], corpus: Path, result: dict[str, Any], result_path: Path, profile_dir: Path | None
) -> None:
    from benchmarks.answer_bench import warm_latency
    from benchmarks.common import loadavg, read_questions
    from benchmarks.ingest_bench import first_ingest, reingests

    def done(next_step: str) -> None:
        result["step"] = next_step
        _save(result, result_path)

    prof = _profiler() if profile_dir else None
    result["ingest"] = first_ingest(svc, corpus, prof)
    if prof is not None and profile_dir is not None:
        _save_profile(prof, profile_dir / f"{spec['label']}-ingest.txt")
        result["ingest_profile"] = top_functions(prof)
    done("raw embedding")
    result["ingest"].update(raw_embedding(svc, result["ingest"]))
    result["load_after_ingest"] = loadavg()
    done("re-ingest")

    if spec.get("reingest", True):
        result["reingest"] = reingests(svc, corpus, result["ingest"]["seconds"], Path(spec["scratch"]))
    done("answers")

    questions = read_questions(Path(spec["questions"]), spec.get("n_questions"))
    if questions:
        prof = _profiler() if profile_dir else None
        result["answers"] = warm_latency(svc, questions, prof, repeat=spec.get("repeat", True))
        if prof is not None and profile_dir is not None:
            _save_profile(prof, profile_dir / f"{spec['label']}-ask.txt")
            result["ask_profile"] = top_functions(prof)
    done("quality")
    if spec.get("dev_questions"):
        from benchmarks.real import dev_quality

        result["quality"] = dev_quality(svc, Path(spec["dev_questions"]), Path(spec["scratch"]) / "dev-eval.jsonl")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

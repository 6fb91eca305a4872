"""Ingest benchmarks (run inside a worker process): first ingest, then the three re-ingest cases.

``IngestReport.embed_seconds`` times the whole ``pipeline.run`` (splitting, embedding and the
Chroma write), so the pure model time is measured separately here by timing
``MiniLMEmbedding.embed``; both shares are reported.
"""

from __future__ import annotations

import functools
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import dir_size, peak_rss_mb


@dataclass
class EmbedTimer:
    """Accumulated wall time, calls and texts of the embedding model since the last reset."""

    seconds: float = 0.0
    calls: int = 0
    texts: int = 0

    def reset(self) -> None:
        self.seconds, self.calls, self.texts = 0.0, 0, 0


TIMER = EmbedTimer()
_INSTALLED = False


def install_embed_timer() -> EmbedTimer:
    """Wrap ``MiniLMEmbedding.embed`` (this process only) so model time can be told apart."""
    global _INSTALLED
    if _INSTALLED:
        return TIMER
    from assistant.embedding import MiniLMEmbedding

    original = MiniLMEmbedding.embed

    @functools.wraps(original)
    def timed(self: Any, texts: list[str]) -> Any:
        t0 = time.perf_counter()
        try:
            return original(self, texts)
        finally:
            TIMER.seconds += time.perf_counter() - t0
            TIMER.calls += 1
            TIMER.texts += len(texts)

    MiniLMEmbedding.embed = timed  # type: ignore[method-assign]
    _INSTALLED = True
    return TIMER


def _report_dict(report: Any, model_seconds: float) -> dict[str, Any]:
    seconds = max(report.seconds, 1e-9)
    return {
        "seconds": round(report.seconds, 3),
        "pipeline_seconds": round(report.embed_seconds, 3),
        "model_seconds": round(model_seconds, 3),
        "added": len(report.added),
        "changed": len(report.changed),
        "unchanged": len(report.unchanged),
        "removed": len(report.removed),
        "problems": len(report.problems),
        "new_chunks": report.new_chunks,
        "total_chunks": report.total_chunks,
        "total_files": report.total_files,
        "pipeline_share": round(report.embed_seconds / seconds, 4),
        "model_share": round(model_seconds / seconds, 4),
    }


def first_ingest(svc: Any, corpus: Path, profiler: Any = None) -> dict[str, Any]:
    """Ingest ``corpus`` into an empty store: throughput, embedding share, peak RSS, store size."""
    TIMER.reset()
    if profiler is not None:
        profiler.start()
    report = svc.ingest(corpus)
    if profiler is not None:
        profiler.stop()
    out = _report_dict(report, TIMER.seconds)
    seconds = max(report.seconds, 1e-9)
    out.update(
        articles=report.total_files,
        chunks=report.total_chunks,
        articles_per_s=round(len(report.added) / seconds, 3),
        chunks_per_s=round(report.new_chunks / seconds, 3),
        model_chunks_per_s=round(TIMER.texts / TIMER.seconds, 3) if TIMER.seconds else None,
        peak_rss_mb=round(peak_rss_mb(), 1),
        store_mb=round(dir_size(svc.settings.store_dir) / 1e6, 2),
    )
    return out


def reingests(svc: Any, corpus: Path, first_seconds: float, scratch: Path) -> dict[str, Any]:
    """Re-ingest: unchanged, one file changed, one deleted; then put the corpus back as it was."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in {".txt", ".md"})
    out: dict[str, Any] = {}

    TIMER.reset()
    unchanged = svc.ingest(corpus)
    out["unchanged"] = _report_dict(unchanged, TIMER.seconds)
    out["unchanged"]["ratio_to_first"] = round(unchanged.seconds / max(first_seconds, 1e-9), 5)

    changed_file, deleted_file = files[0], files[-1] if len(files) > 1 else None
    original = changed_file.read_text(encoding="utf-8")
    changed_file.write_text(original + "\nThis article was updated after publication.\n", encoding="utf-8")
    TIMER.reset()
    out["one_changed"] = _report_dict(svc.ingest(corpus), TIMER.seconds)

    if deleted_file is not None:
        scratch.mkdir(parents=True, exist_ok=True)
        backup = scratch / deleted_file.name
        shutil.move(str(deleted_file), backup)
        TIMER.reset()
        out["one_deleted"] = _report_dict(svc.ingest(corpus), TIMER.seconds)
        shutil.move(str(backup), deleted_file)

    changed_file.write_text(original, encoding="utf-8")
    TIMER.reset()
    out["restore"] = _report_dict(svc.ingest(corpus), TIMER.seconds)
    return out

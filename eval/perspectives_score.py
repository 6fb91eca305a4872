"""Score perspectives mode on eval/perspectives.jsonl: is the grouping by claim right?

Usage (from the project root):
    python eval/perspectives_score.py [--store DIR] [--out RESULTS.jsonl] [QUESTIONS.jsonl]

The dev-set questions (eval/perspectives_dev.jsonl: real news, split by story into "build" and
"heldout") run against an ingested copy of ../shared/devsets/realtimeqa-2023/corpus:
    python eval/perspectives_score.py eval/perspectives_dev.jsonl --store COPY_OF_STORE \
        --corpus ../shared/devsets/realtimeqa-2023/corpus

Ingests the seed articles into a temporary store (or uses --store), answers every question with
``Service.perspectives``, checks each record with ../shared/tools/check_answers.py when present, and
prints file-level precision / recall of the main claim's supporting and contradicting files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _short(files: list[str]) -> list[str]:
    """File names short enough to read in a row: the seeds' "000", the dev and training sets' "0124"."""
    return [f.split("_")[1][:4] if f.startswith(("rt23_", "rt23b_")) else f[:3] for f in files]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="?", default=str(ROOT / "eval" / "perspectives.jsonl"))
    parser.add_argument("--store", help="an ingested store folder (default: a new temporary one)")
    parser.add_argument("--corpus", default=str(ROOT / "seeds"))
    parser.add_argument("--out", help="write the answer records here (JSON Lines)")
    args = parser.parse_args()

    from assistant.offline import setup_offline

    setup_offline()
    from assistant.perspectives import grouping_scores
    from assistant.service import Service
    from assistant.settings import load_settings

    questions = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(load_settings(store_dir=Path(args.store or tmp), corpus_dir=Path(args.corpus)))
        svc.ensure_ingested()
        records = []
        for q in questions:
            records.append(svc.perspectives(q["question"], q.get("history"), qid=q["id"]).to_dict())
    out = Path(args.out) if args.out else Path(tempfile.mkstemp(suffix=".jsonl")[1])
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    checker = ROOT.parent / "shared" / "tools" / "check_answers.py"
    if checker.is_file():
        subprocess.run([sys.executable, str(checker), str(out), args.corpus, args.questions], check=False)

    splits = sorted({q.get("split", "dev") for q in questions})
    for split, main_only in [(sp, m) for sp in [*splits, "all"] for m in (True, False)]:
        subset = [q for q in questions if split == "all" or q.get("split", "dev") == split]
        s = grouping_scores(records, subset, main_only=main_only)
        print(f"\n{split} ({len(subset)} questions), {'main claim' if main_only else 'all claims'}:")
        for which in ("supporting", "contradicting"):
            print(
                f"  {which:13s} precision={s[f'{which}_precision']:.2f} recall={s[f'{which}_recall']:.2f} "
                f"exact-set={s[f'{which}_exact']:.2f}"
            )
        print(f"  contradiction reported iff expected: {s['contradiction_flag_accuracy']:.2f}")
        print(f"  unanswerable refused: {s['refusal_correct']}")
        if main_only:
            for row in s["per_question"]:
                sup, con = row["supporting"], row["contradicting"]
                print(
                    f"    {row['id']:4s} S got {_short(sup['got'])} want {_short(sup['expected'])}"
                    f" | C got {_short(con['got'])} want {_short(con['expected'])}"
                )
    latencies = [r["latency_s"] for r in records]
    print(f"\nlatency: mean {sum(latencies) / len(latencies):.2f} s, max {max(latencies):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Evaluation: how often the perspectives grouping is right, scored against ``eval/perspectives.jsonl``."""

from __future__ import annotations

from typing import Any


def claim_files(record: dict[str, Any], which: str, main_only: bool = True) -> set[str]:
    """The files a record's main claim (or all its claims) cites as ``supporting`` or ``contradicting``."""
    by_n = {c["n"]: c["source"] for c in record.get("citations") or []}
    claims = record.get("claims") or []
    if main_only:
        claims = claims[:1]
    return {by_n[n] for cl in claims for n in cl.get(which, []) if n in by_n}


def grouping_scores(records: list[dict[str, Any]], questions: list[dict[str, Any]], main_only: bool = True) -> dict:
    """How often the grouping is right: file-level precision and recall of supporting and contradicting
    files against ``expected_supporting`` / ``expected_contradicting``, exact-set matches, whether a
    contradiction was reported exactly when one is expected, and refusals of unanswerable questions."""
    by_id = {r.get("id"): r for r in records}
    out: dict[str, Any] = {"questions": len(questions), "per_question": []}
    totals = {k: [0, 0, 0] for k in ("supporting", "contradicting")}  # hits, predicted, expected
    exact = {"supporting": 0, "contradicting": 0}
    flagged = refused_ok = answerable = unanswerable = 0
    for q in questions:
        r = by_id.get(q["id"], {})
        if not q.get("answerable", True):
            unanswerable += 1
            refused_ok += bool(r.get("refused"))
            continue
        answerable += 1
        row = {"id": q["id"]}
        for which in ("supporting", "contradicting"):
            got = claim_files(r, which, main_only)
            want = set(q.get(f"expected_{which}", []))
            totals[which][0] += len(got & want)
            totals[which][1] += len(got)
            totals[which][2] += len(want)
            exact[which] += got == want
            row[which] = {"got": sorted(got), "expected": sorted(want)}
        flagged += bool(row["contradicting"]["got"]) == bool(row["contradicting"]["expected"])
        out["per_question"].append(row)
    for which, (hits, predicted, expected) in totals.items():
        out[f"{which}_precision"] = round(hits / predicted, 3) if predicted else 1.0
        out[f"{which}_recall"] = round(hits / expected, 3) if expected else 1.0
        out[f"{which}_exact"] = round(exact[which] / max(answerable, 1), 3)
    out["contradiction_flag_accuracy"] = round(flagged / max(answerable, 1), 3)
    out["refusal_correct"] = round(refused_ok / unanswerable, 3) if unanswerable else None
    return out

"""`eval --perspectives`: how often the claims for and against are grouped right, per split.

Each question of a perspectives set (eval/perspectives*.jsonl) marks the files that state its claim
(``expected_supporting``) and those that dispute it (``expected_contradicting``); the main claim of each
answer record is scored against them by ``assistant.perspectives.grouping_scores``, per ``split`` ("train"
fitted on, "build" looked at while building, "heldout" reported) and for all questions together.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table


def grouping_table(questions: list[Any], results_file: Path) -> Table:
    """Precision and recall of the supporting and contradicting files of each record's main claim."""
    from assistant.perspectives import grouping_scores

    records = [json.loads(line) for line in results_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [
        {
            "id": q.id,
            "answerable": q.answerable,
            "expected_supporting": q.expected_supporting,
            "expected_contradicting": q.expected_contradicting,
            "split": q.split,
        }
        for q in questions
    ]
    table = Table(title="perspectives: the main claim's files (precision / recall)")
    for column in ("split", "questions", "supporting", "contradicting", "contradiction iff expected"):
        table.add_column(column, justify="left" if column == "split" else "right")
    splits = sorted({r["split"] for r in rows if r["split"]})
    for split in [*splits, "all"]:
        subset = [r for r in rows if split == "all" or r["split"] == split]
        s = grouping_scores(records, subset)
        table.add_row(
            split,
            str(len(subset)),
            f"{s['supporting_precision']:.2f} / {s['supporting_recall']:.2f}",
            f"{s['contradicting_precision']:.2f} / {s['contradicting_recall']:.2f}",
            f"{s['contradiction_flag_accuracy']:.2f}",
        )
    return table

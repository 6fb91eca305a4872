"""Fit the answer-span model on question sets, with k-fold cross-validation by question.

    python -m assistant.evaluation.fit_spans QUESTIONS.jsonl:STORE ... [--folds 5] [--write]
        [--report-on OTHER.jsonl:STORE ...]

Each question set is read with the store it was ingested into. For every answerable question the
retrieved passages are scored by the extractive reader, the span candidates of the best sentences
get their features, and a candidate is a positive when it holds the question's ``answer_keywords``.
Reported: held-out top-1 span accuracy per fold (never the training fit); ``--write`` then refits on
everything and writes ``assistant/answering/span_model.json``. ``--report-on`` scores the model fitted
on all the given sets on other sets it never saw (fit on one real-news set, report on another).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answering.direct import lead
from assistant.answering.question_shape import QuestionShape
from assistant.answering.ranker import MODEL_PATH, Embed, SpanModel, fit_listwise, fit_logistic, type_table
from assistant.answering.spans import FEATURES, SpanCandidate, admissible
from assistant.evaluation.metrics import keywords_ok  # the judge's rule

LISTWISE = True
#: held-out results of the last cross-validation per question set (filled by ``cross_validate``)
BY_GROUP: dict[str, list[tuple[float, float, float]]] = {}
BIAS = 0.0


@dataclass
class Example:
    qid: str
    group: str
    shape: QuestionShape
    cands: list[SpanCandidate]
    labels: np.ndarray
    sentences: list[str]
    keywords: list[str]


def examples(questions: Path, store: Path, group: str = "") -> list[Example]:
    from assistant.answering.direct import span_candidates
    from assistant.service import Service
    from assistant.settings import load_settings

    svc = Service(load_settings(store_dir=store))
    retriever, reader, _ = svc._engine()
    out = []
    rows = [json.loads(x) for x in questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    for i, q in enumerate(rows):
        if not q.get("answerable", True) or not q.get("answer_keywords"):
            continue
        nodes = retriever.retrieve(q["question"], as_of=q.get("asked_on"))
        ranked = reader.ranked(q["question"], nodes)
        qs, pool, cands = span_candidates(q["question"], ranked, nodes, reader.cache.get)
        labels = np.asarray([keywords_ok(c.text, q["answer_keywords"]) for c in cands], dtype=np.float64)
        out.append(
            Example(q["id"], group or questions.stem, qs, cands, labels, [s.text for s in pool], q["answer_keywords"])
        )
        if (i + 1) % 50 == 0:
            print(f"  {questions.name}: {i + 1}/{len(rows)} questions", file=sys.stderr)
    return out


def gold_label(e: Example) -> str | None:
    """The type of the question's answer: that of its first correct candidate (best sentence first)."""
    return next((c.label for c, y in zip(e.cands, e.labels, strict=True) if y), None)


def fit(train: list[Example], l2: float, embed: Embed) -> SpanModel:
    labels = sorted({c.label for e in train for c in e.cands})
    pairs = [(e.shape.qclass, gold_label(e)) for e in train if gold_label(e)]
    model = SpanModel(
        [0.0] * len(FEATURES), [0.0] * len(FEATURES), [1.0] * len(FEATURES), type_table(pairs, set(labels))
    )
    model.neighbours = [
        {"q": e.shape.text, "head": e.shape.head or "", "label": gold_label(e)} for e in train if gold_label(e)
    ]
    mats = [(model.matrix(e.shape, e.cands, embed, exclude=e.shape.text), e.labels) for e in train if e.cands]
    x = np.vstack([m for m, _ in mats])
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    mean[FEATURES.index("bias")], std[FEATURES.index("bias")] = 0.0, 1.0
    model.mean, model.std = mean.tolist(), std.tolist()
    if LISTWISE:
        w = fit_listwise([((m - mean) / std, y) for m, y in mats], l2=l2)
        w[FEATURES.index("bias")] = BIAS  # a softmax ignores it; the probability scale is calibrated apart
        model.weights = w.tolist()
    else:
        y = np.concatenate([y for _, y in mats])
        model.weights = fit_logistic((x - mean) / std, y, l2=l2).tolist()
    return model


def top1(model: SpanModel, test: list[Example], embed: Embed) -> tuple[float, float, float]:
    """Held-out shares: the top span holds the answer; some candidate does (the ceiling); the answer
    as shown (``span: the clauses around it``) does."""
    hit = ceiling = sent = 0
    for e in test:
        if not e.cands:
            continue
        ceiling += bool(e.labels.any())
        typed = np.asarray([admissible(e.shape, c) for c in e.cands])
        if not typed.any():
            continue  # the reader answers with the sentence (counted as a miss here)
        p = model.scores(e.shape, e.cands, embed)
        best = int(np.argmax(np.where(typed, p, -np.inf)))
        hit += bool(e.labels[best])
        c = e.cands[best]
        sent += keywords_ok(lead(e.shape.text, c.text, e.sentences[c.sentence]), e.keywords)
    n = max(len(test), 1)
    return hit / n, ceiling / n, sent / n


def cross_validate(
    data: list[Example], folds: int, l2: float, embed: Embed, seed: int = 13
) -> list[tuple[float, float, float]]:
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    out = []
    by_group = BY_GROUP
    by_group.clear()
    for k in range(folds):
        test_ids = set(order[k::folds])
        train = [d for i, d in enumerate(data) if i not in test_ids]
        test = [d for i, d in enumerate(data) if i in test_ids]
        model = fit(train, l2, embed)
        out.append(top1(model, test, embed))
        for group in sorted({d.group for d in test}):
            by_group.setdefault(group, []).append(top1(model, [d for d in test if d.group == group], embed))
    return out


def _embedder() -> Embed:
    from assistant.embedding import EmbeddingCache, MiniLMEmbedding

    model = MiniLMEmbedding()
    model.load()
    return EmbeddingCache(model).get


def _read_sets(specs: list[str]) -> list[Example]:
    data: list[Example] = []
    for spec in specs:
        qpath, _, store = spec.rpartition(":")
        data += examples(Path(qpath), Path(store), group=f"{Path(qpath).parent.name}/{Path(qpath).stem}")
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", help="QUESTIONS.jsonl:STORE_DIR pairs")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--write", action="store_true", help=f"refit on all data and write {MODEL_PATH.name}")
    ap.add_argument("--cache", type=Path, help="pickle the extracted examples here (and reuse them)")
    ap.add_argument(
        "--report-on", nargs="*", default=[], metavar="SET", help="QUESTIONS.jsonl:STORE_DIR sets scored, never fitted"
    )
    args = ap.parse_args(argv)
    import pickle

    if args.cache and args.cache.is_file():
        data = pickle.loads(args.cache.read_bytes())
    else:
        data = _read_sets(args.sets)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(data))
    for group in sorted({d.group for d in data}):
        print(f"{group}: {sum(d.group == group for d in data)} answerable questions")
    embed = _embedder()
    scores = cross_validate(data, args.folds, args.l2, embed)
    for k, (a, c, s) in enumerate(scores):
        print(f"fold {k + 1}: held-out top-1 span {a:.2f} (ceiling {c:.2f}), answer as shown {s:.2f}")
    for group, res in sorted(BY_GROUP.items()):
        g = np.mean(res, axis=0)
        print(f"  {group}: held-out top-1 span {g[0]:.3f}, ceiling {g[1]:.3f}, answer as shown {g[2]:.3f}")
    mean = np.mean(scores, axis=0)
    print(f"mean held-out: top-1 span {mean[0]:.3f}, ceiling {mean[1]:.3f}, answer as shown {mean[2]:.3f}")
    model = fit(data, args.l2, embed) if args.write or args.report_on else None
    for spec in args.report_on:
        held = _read_sets([spec])
        a, c, s = top1(model, held, embed)
        name = held[0].group if held else spec
        print(f"held-out set {name}: top-1 span {a:.3f}, ceiling {c:.3f}, answer as shown {s:.3f}")
    if args.write and model is not None:
        model.meta = {
            "questions": len(data),
            "folds": args.folds,
            "l2": args.l2,
            "heldout_top1": round(float(mean[0]), 3),
            "heldout_answer": round(float(mean[2]), 3),
        }
        MODEL_PATH.write_text(model.to_json(embed), encoding="utf-8")
        print(f"wrote {MODEL_PATH}")
        for f, w in sorted(zip(FEATURES, model.weights, strict=True), key=lambda x: -abs(x[1])):
            print(f"  {f:12s} {w:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

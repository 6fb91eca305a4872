"""A logistic model over span features, fitted on real news questions (``fit_spans``).

The weights, the feature scaling and the learned table "which entity types answer which kind of
question" live in ``span_model.json`` next to this file; ``python -m assistant.evaluation.fit_spans``
refits them with k-fold cross-validation and reports held-out accuracy.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.answering.question_shape import QuestionShape
from assistant.answering.spans import FEATURES, PROPER_NAME, SpanCandidate

Embed = Callable[[list[str]], np.ndarray]
MODEL_PATH = Path(__file__).with_name("span_model.json")
#: add-one style smoothing of the type table (a type never seen for a class is unlikely, not impossible)
PRIOR_SMOOTHING = 0.5
#: what English question words ask for, in spaCy's labels (the usual answer-type taxonomy): the type
#: table starts from these pseudo-counts, so a question kind the training set lacks or barely holds
#: ("how much", "how far") is not typed by the table pooled over all kinds
EXPECTED_TYPES: dict[str, tuple[str, ...]] = {
    "when": ("DATE", "TIME"),
    "where": ("GPE", "LOC", "FAC"),
    "who": ("PERSON", "ORG", "NORP"),
    "how_many": ("CARDINAL", "QUANTITY"),
    "how_much": ("MONEY", "PERCENT", "QUANTITY"),
    "how_long": ("DATE", "TIME", "QUANTITY"),
    "how_old": ("DATE", "CARDINAL"),
    "how_adj": ("QUANTITY", "CARDINAL", "PERCENT", "MONEY"),
}
#: how many training questions the taxonomy is worth for a kind; and for "which/what NOUN" ("what date",
#: "what sum": the noun says the type), the weight of the head noun's fit to each label's gloss in a
#: mixture with the fitted table (the training set cannot hold every noun)
TAXONOMY_WEIGHT = 2.0
HEAD_MIX = 0.5
HEAD_TEMPERATURE = 0.05
#: what an untyped proper name (``NAME``: a run of capitalised words the recogniser left untagged) can
#: be: it is as likely to answer as the average of these types, not as rarely as the tag itself occurs
NAME_TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART")
#: nearest training questions (by embedding) whose answer types vote, and the softness of the vote
NEIGHBOURS = 15
VOTE_TEMPERATURE = 0.05


@dataclass
class SpanModel:
    weights: list[float]
    mean: list[float]
    std: list[float]
    #: question class → entity label → log P(label answers | class)
    prior: dict[str, dict[str, float]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    #: training questions: {"q": text, "head": head noun or "", "label": the type of its answer}
    neighbours: list[dict[str, str]] = field(default_factory=list)

    def log_prior(self, qclass: str, label: str, head_share: float = 0.0) -> float:
        """log P(label | class), the table's belief moved towards the head noun's gloss fit
        (``head_share``: that label's share among the candidates' labels, 0 without a head)."""
        table = self.prior.get(qclass) or self.prior.get("*", {})
        unseen = table.get("<unseen>", math.log(1e-3))
        logp = table.get(label, unseen)
        if label == PROPER_NAME:
            logp = max(logp, math.log(sum(math.exp(table.get(lb, unseen)) for lb in NAME_TYPES) / len(NAME_TYPES)))
        return math.log((1 - HEAD_MIX) * math.exp(logp) + HEAD_MIX * head_share) if head_share else logp

    def votes(self, text: str, key: str, embed: Embed) -> dict[str, float]:
        """Answer types of the training questions nearest to ``text`` (compared on their ``key``:
        the question, or its head noun), weighted by similarity: "which squad" learns from "which team"."""
        vec = f"{key}_vec"
        pool = [
            n
            for n in self.neighbours
            if (n.get(key) or n.get(vec) is not None) and (self._exclude is None or n.get("q") != self._exclude)
        ]
        if not text or not pool:
            return {}
        need = [n[key] for n in pool if n.get(vec) is None]
        got = dict(zip(need, embed(need), strict=True)) if need else {}
        qv = embed([text])[0]
        sims = np.stack([n[vec] if n.get(vec) is not None else got[n[key]] for n in pool]) @ qv
        top = np.argsort(-sims)[:NEIGHBOURS]
        w = np.exp((sims[top] - sims[top].max()) / VOTE_TEMPERATURE)
        out: dict[str, float] = {}
        for i, wi in zip(top.tolist(), (w / w.sum()).tolist(), strict=True):
            out[pool[i]["label"]] = out.get(pool[i]["label"], 0.0) + wi
        return out

    _exclude: str | None = None

    def matrix(
        self, q: QuestionShape, cands: list[SpanCandidate], embed: Embed, exclude: str | None = None
    ) -> np.ndarray:
        """Feature rows; ``exclude`` leaves that training question out of the votes (leave-one-out)."""
        self._exclude = exclude
        qvote = self.votes(q.text, "q", embed)
        hvote = self.votes(q.head or "", "head", embed) if q.head else {}
        self._exclude = None
        rows = []
        head = _head_shares(cands) if q.head and q.qclass not in EXPECTED_TYPES else {}
        for c in cands:
            c.features["prior"] = self.log_prior(q.qclass, c.label, head.get(c.label, 0.0))
            c.features["qvote"] = qvote.get(c.label, 0.0)
            c.features["hvote"] = hvote.get(c.label, 0.0)
            rows.append([c.features.get(f, 0.0) for f in FEATURES])
        return np.asarray(rows, dtype=np.float64).reshape(len(cands), len(FEATURES))

    def scores(self, q: QuestionShape, cands: list[SpanCandidate], embed: Embed) -> np.ndarray:
        """Each candidate's linear score (higher: likelier the answer; compared within a question)."""
        if not cands:
            return np.zeros(0)
        x = (self.matrix(q, cands, embed) - np.asarray(self.mean)) / np.asarray(self.std)
        return x @ np.asarray(self.weights)

    def to_json(self, embed: Embed) -> str:
        """The model as JSON. The training questions go in as their embeddings only (float16, base64):
        the votes need no text, and the question sets' wording stays theirs."""
        rows = []
        for n in self.neighbours:
            row: dict = {"label": n["label"]}
            for key in ("q", "head"):
                v = n.get(f"{key}_vec")
                if v is None and n.get(key):
                    v = embed([n[key]])[0]
                row[f"{key}_vec"] = (
                    None if v is None else base64.b64encode(np.asarray(v, np.float16).tobytes()).decode()
                )
            rows.append(row)
        return self._json(rows)

    def _json(self, neighbours: list[dict]) -> str:
        return json.dumps(
            {
                "features": list(FEATURES),
                "weights": self.weights,
                "mean": self.mean,
                "std": self.std,
                "prior": self.prior,
                "meta": self.meta,
                "neighbours": neighbours,
            },
            indent=1,
        )


def _head_shares(cands: list[SpanCandidate]) -> dict[str, float]:
    """Each candidate label's share of belief from the head noun's fit to the label's gloss (softmax)."""
    sims = {c.label: c.features.get("head_label", 0.0) for c in cands}
    if not sims:
        return {}
    top = max(sims.values())
    w = {lb: math.exp((v - top) / HEAD_TEMPERATURE) for lb, v in sims.items()}
    total = sum(w.values())
    return {lb: v / total for lb, v in w.items()}


def type_table(pairs: list[tuple[str, str]], labels: set[str]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """log P(label | class) from (class, label of a correct span) pairs, smoothed and started from the
    taxonomy's pseudo-counts (``EXPECTED_TYPES``); "*" pools all classes."""
    labels = labels | {lb for types in EXPECTED_TYPES.values() for lb in types}
    table: dict[str, dict[str, float]] = {}
    for qclass in {c for c, _ in pairs} | set(EXPECTED_TYPES) | {"*"}:
        got = [lb for c, lb in pairs if c == qclass or qclass == "*"]
        expected = EXPECTED_TYPES.get(qclass, ())
        seed = {lb: TAXONOMY_WEIGHT / len(expected) for lb in expected}
        total = len(got) + (TAXONOMY_WEIGHT if expected else 0.0) + PRIOR_SMOOTHING * (len(labels) + 1)
        table[qclass] = {lb: math.log((got.count(lb) + seed.get(lb, 0.0) + PRIOR_SMOOTHING) / total) for lb in labels}
        table[qclass]["<unseen>"] = math.log(PRIOR_SMOOTHING / total)
    return table


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000, lr: float = 0.5) -> np.ndarray:
    """L2-regularised logistic regression by gradient descent (x already standardised)."""
    w = np.zeros(x.shape[1])
    pos = max(y.mean(), 1e-3)
    sample = np.where(y > 0, 0.5 / pos, 0.5 / max(1 - pos, 1e-3))  # balance the rare positives
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ ((p - y) * sample) / len(y) + l2 * w / len(y)
        w -= lr * grad
    return w


def fit_listwise(
    blocks: list[tuple[np.ndarray, np.ndarray]], l2: float = 1.0, steps: int = 800, lr: float = 0.3
) -> np.ndarray:
    """Conditional logit: per question, a softmax over its candidates, trained to put the mass on the
    correct ones (a ranking objective: only the order within a question matters). Questions with no
    correct candidate teach nothing here and are skipped."""
    blocks = [(x, y) for x, y in blocks if y.any() and len(y) > 1]
    w = np.zeros(blocks[0][0].shape[1]) if blocks else np.zeros(0)
    for _ in range(steps):
        grad = l2 * w
        for x, y in blocks:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * y
            q /= q.sum()
            grad += x.T @ (p - q)
        w -= lr * grad / max(len(blocks), 1)
    return w


def _decoded(row: dict) -> dict:
    out = dict(row)
    for key in ("q_vec", "head_vec"):
        if isinstance(row.get(key), str):
            out[key] = np.frombuffer(base64.b64decode(row[key]), dtype=np.float16).astype(np.float32)
    return out


@lru_cache(maxsize=1)
def load_model(path: str = str(MODEL_PATH)) -> SpanModel | None:
    """The shipped model; None when it is missing (the reader then answers with sentences only)."""
    p = Path(path)
    if not p.is_file():
        return None
    data = json.loads(p.read_text(encoding="utf-8"))
    if data.get("features") != list(FEATURES):
        return None  # fitted for another feature set: refit
    return SpanModel(
        data["weights"],
        data["mean"],
        data["std"],
        data.get("prior", {}),
        data.get("meta", {}),
        neighbours=[_decoded(n) for n in data.get("neighbours", [])],
    )

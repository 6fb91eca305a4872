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
from assistant.answering.spans import FEATURES, SpanCandidate

Embed = Callable[[list[str]], np.ndarray]
MODEL_PATH = Path(__file__).with_name("span_model.json")
#: add-one style smoothing of the type table (a type never seen for a class is unlikely, not impossible)
PRIOR_SMOOTHING = 0.5
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

    def log_prior(self, qclass: str, label: str) -> float:
        table = self.prior.get(qclass) or self.prior.get("*", {})
        return table.get(label, table.get("<unseen>", math.log(1e-3)))

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
        for c in cands:
            c.features["prior"] = self.log_prior(q.qclass, c.label)
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


def type_table(pairs: list[tuple[str, str]], labels: set[str]) -> dict[str, dict[str, float]]:
    """log P(label | class) from (class, label of a correct span) pairs, smoothed; "*" pools all classes."""
    table: dict[str, dict[str, float]] = {}
    for qclass in {c for c, _ in pairs} | {"*"}:
        got = [lb for c, lb in pairs if c == qclass or qclass == "*"]
        total = len(got) + PRIOR_SMOOTHING * (len(labels) + 1)
        table[qclass] = {lb: math.log((got.count(lb) + PRIOR_SMOOTHING) / total) for lb in labels}
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
        [_decoded(n) for n in data.get("neighbours", [])],
    )

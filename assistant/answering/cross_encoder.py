"""A small cross-encoder: how likely each sentence holds the answer to the question (int8 ONNX, no torch).

    from assistant.answering import cross_encoder
    logits = cross_encoder.score("Who won the match?", ["The home side won 2-1.", "It rained."])
    order = np.argsort(-cross_encoder.blend(hand_scores, logits))  # optional: with another ranker's scores

The model is all-MiniLM-L6-v2 fine-tuned as a cross-encoder (``[CLS] question [SEP] sentence [SEP]``,
at most ``MAX_LEN`` tokens, mean-pooled, one logit) by ``assistant.evaluation.train_cross_encoder``,
quantised to int8 (dynamic, per channel) and shipped in ``assistant/models/cross_encoder/``
(``model.onnx``, ``tokenizer.json``, ``meta.json`` with its held-out figures). It runs on onnxruntime
and the ``tokenizers`` library only; the session is created once, on first use, and shared.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "cross_encoder"
MAX_LEN = 128  # question + sentence, special tokens included
#: weight of the cross-encoder's z-scored logit against the other ranker's z-scored score in ``blend``
BLEND_WEIGHT = 1.0

_lock = threading.Lock()
_loaded: dict[Path, tuple[object, object]] = {}


def encode(tok, question: str, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """input_ids, attention_mask, token_type_ids (int64, padded to the longest pair, at most MAX_LEN)."""
    tok.enable_truncation(MAX_LEN, strategy="longest_first")
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    encs = tok.encode_batch([(question, s) for s in sentences])
    ids = np.array([e.ids for e in encs], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
    types = np.array([e.type_ids for e in encs], dtype=np.int64)
    return ids, mask, types


def _threads() -> int:
    env = os.environ.get("NEWS_ASSISTANT_CE_THREADS")
    return int(env) if env else min(2, os.cpu_count() or 1)


def _session(model_dir: Path | None = None):
    model_dir = Path(model_dir or MODEL_DIR)
    got = _loaded.get(model_dir)
    if got is not None:
        return got
    with _lock:
        if model_dir not in _loaded:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = _threads()
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            sess = ort.InferenceSession(
                str(model_dir / "model.onnx"), sess_options=opts, providers=["CPUExecutionProvider"]
            )
            _loaded[model_dir] = (sess, Tokenizer.from_file(str(model_dir / "tokenizer.json")))
    return _loaded[model_dir]


def reset() -> None:
    """Forget loaded sessions (after the model files were rewritten)."""
    with _lock:
        _loaded.clear()


def score(question: str, sentences: list[str], *, model_dir: Path | None = None) -> np.ndarray:
    """One logit per sentence (float32, shape ``(len(sentences),)``): higher = more likely to hold the answer."""
    if not sentences:
        return np.zeros(0, dtype=np.float32)
    sess, tok = _session(model_dir)
    with _lock:  # the tokenizer's truncation/padding settings are per object
        ids, mask, types = encode(tok, question, list(sentences))
    (logits,) = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
    return np.asarray(logits, dtype=np.float32).reshape(len(sentences))


def _z(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-9 else x - x.mean()


def blend(base_scores: np.ndarray, logits: np.ndarray, weight: float = BLEND_WEIGHT) -> np.ndarray:
    """Another ranker's scores for the same sentences plus ``weight`` x the cross-encoder's logits,
    each standardised within the question (so scales never matter); higher is better."""
    return _z(base_scores) + weight * _z(logits)

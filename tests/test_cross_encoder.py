"""The shipped int8 cross-encoder (assistant/models/cross_encoder/): loads without torch, scores shapes right,
and puts the sentence that answers above one on the same topic that does not, on several topics."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from assistant.answering import cross_encoder

pytestmark = pytest.mark.skipif(
    not (cross_encoder.MODEL_DIR / "model.onnx").is_file(), reason="cross-encoder model not built"
)

CASES = [
    (
        "Which club signed Declan Rice?",
        "Arsenal have signed midfielder Declan Rice from West Ham United for a club-record fee.",
        "Declan Rice played in the midfield in last season's European final.",
    ),
    (
        "Who won the Lakeside Marathon?",
        "Wanjiru Kamau won the Lakeside Marathon in 2 hours 18 minutes on Sunday.",
        "About 12,000 runners finished the Lakeside Marathon, the organisers said.",
    ),
    (
        "What was Harbor Foods' quarterly revenue?",
        "Harbor Foods reported quarterly revenue of $3.2 billion, up 8 percent from a year earlier.",
        "Harbor Foods is headquartered in Boston and sells frozen meals.",
    ),
]


def test_model_is_small_and_int8():
    size = (cross_encoder.MODEL_DIR / "model.onnx").stat().st_size
    assert size < 30e6
    assert (cross_encoder.MODEL_DIR / "tokenizer.json").is_file()


def test_shapes_and_empty():
    out = cross_encoder.score("Who won?", ["A won.", "B lost.", "It rained."])
    assert out.shape == (3,) and out.dtype == np.float32 and np.isfinite(out).all()
    assert cross_encoder.score("Who won?", []).shape == (0,)
    # a long sentence is truncated, never an error
    assert cross_encoder.score("Who won?", ["word " * 400]).shape == (1,)


def test_runtime_needs_no_torch():
    code = (
        "import sys; from assistant.answering import cross_encoder as c; c.score('Who won?', ['A won.']); "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_answering_sentence_scores_higher():
    wins = 0
    for question, answer, other in CASES:
        s = cross_encoder.score(question, [other, answer])
        wins += bool(s[1] > s[0])
    assert wins >= len(CASES) - 1, "the answering sentence should win on most topics"


def test_blend_is_scale_free():
    base = np.array([0.3, 0.2, 0.1])
    logits = np.array([-1.0, 5.0, 0.0])
    assert np.argmax(cross_encoder.blend(base, logits, 1.0)) == np.argmax(cross_encoder.blend(base * 100, logits, 1.0))
    assert cross_encoder.blend(base, logits, 0.0).argmax() == 0

"""Answer typing of span candidates (spaCy only, fast tier): a count or measure answers "how many/much",
an ordinal never does ("the first half", "third-quarter"), on several topics."""

from __future__ import annotations

import pytest

from assistant.answering.direct import _explain
from assistant.answering.question_shape import shape
from assistant.answering.spans import Sentence, admissible, candidates


def _embed(texts: list[str]):
    import numpy as np

    return np.ones((len(texts), 4)) / 2.0


@pytest.mark.parametrize(
    ("question", "sentence", "answer", "never"),
    [
        (
            "How much did Northfield Rovers pay for Tomas Berg?",
            "Tomas Berg scored in the first half after Northfield Rovers paid £48 million for him.",
            "£48 million",
            "the first half",
        ),
        (
            "How much revenue did Brightline Energy report?",
            "Brightline Energy reported a third-quarter profit of $410 million on revenue of $2.9 billion.",
            "$2.9 billion",
            "third",
        ),
        (
            "How many people attended the second day of the festival?",
            "About 40 thousand people came on the second day, the organisers said.",
            "About 40 thousand",
            "the second day",
        ),
    ],
)
def test_an_ordinal_never_answers_how_many_or_how_much(question: str, sentence: str, answer: str, never: str) -> None:
    q = shape(question)
    cands = candidates(q, [Sentence(sentence, 1.0, "a.txt")], [], _embed, _explain)
    ok = [c.text for c in cands if admissible(q, c)]
    assert any(answer in t or t in answer for t in ok), ok
    assert not any(never in t for t in ok), ok

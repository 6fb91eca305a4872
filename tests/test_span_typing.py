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


def _table_model(pairs: list[tuple[str, str]]):
    from assistant.answering.ranker import SpanModel, type_table

    labels = {"PERSON", "ORG", "GPE", "DATE", "MONEY", "CARDINAL", "QUANTITY", "NAME", "NP"}
    return SpanModel([], [], [], type_table(pairs, labels))


# a training set of the quiz's kind: many "who"/"which country" questions, one "how many", no "how much"
TRAIN_PAIRS = [("who", "PERSON")] * 30 + [("which_noun", "GPE")] * 25 + [("how_many", "CARDINAL")]


def test_a_question_kind_the_training_set_lacks_is_typed_by_the_taxonomy() -> None:
    """ "How much" never occurs in training: money beats a bare count, not the pooled table's favourite."""
    model = _table_model(TRAIN_PAIRS)
    assert model.log_prior("how_much", "MONEY") > model.log_prior("how_much", "CARDINAL")
    assert model.log_prior("how_much", "MONEY") > model.log_prior("how_much", "GPE")
    assert model.log_prior("how_long", "DATE") > model.log_prior("how_long", "PERSON")
    assert model.log_prior("how_adj", "QUANTITY") > model.log_prior("how_adj", "GPE")


def test_the_head_noun_moves_the_type_of_a_which_question() -> None:
    """ "On what date …" (head noun "date"): the head's fit to DATE's gloss outweighs a table that saw
    only places answer "which NOUN" questions; without a head, the table decides."""
    model = _table_model(TRAIN_PAIRS)
    assert model.log_prior("which_noun", "GPE") > model.log_prior("which_noun", "DATE")
    shares = {"DATE": 0.95, "GPE": 0.05}
    assert model.log_prior("which_noun", "DATE", shares["DATE"]) > model.log_prior("which_noun", "GPE", shares["GPE"])


def test_an_untagged_proper_name_can_answer_who() -> None:
    """A name spaCy left untagged ("Ana Ferreira" as NAME) is as likely as the average proper-name
    type, far likelier than a date, though the training set never had NAME answer "who"."""
    model = _table_model(TRAIN_PAIRS)
    assert model.log_prior("who", "NAME") > model.log_prior("who", "DATE") + 1.0
    assert model.log_prior("who", "NAME") < model.log_prior("who", "PERSON")

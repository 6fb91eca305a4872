"""Answers from the real engine over the seed articles: content, citations, refusals, follow-ups."""

from __future__ import annotations

import re

import pytest

from assistant.service import QuestionError
from tests.conftest import SEEDS, contract_problems

ANSWERABLE = [
    # (question, words the answer must contain, a file that states it)
    ("How many times has Xi Jinping met Putin as national leaders?", ["38"], "000_943f23eee93e7890.txt"),
    ("Who is the Kremlin spokesman who denied the request?", ["Peskov"], "003_2c27475b07d2a74f.txt"),
    ("What military food did Russia ask China for?", ["ready-to-eat|MREs|food kits"], "002_8fc46f05b26ff342.txt"),
    (
        "How much of Moscow's gold and foreign exchange reserves can it not access?",
        ["640bn"],
        "004_34b2354248c643af.txt",
    ),
]

UNANSWERABLE = [
    "What is the capital of Australia?",
    "Where did Jake Sullivan go to university?",
    "How old is Jake Sullivan?",
]


def has(answer: str, alternatives: str) -> bool:
    return any(a.lower() in answer.lower() for a in alternatives.split("|"))


@pytest.mark.parametrize(("question", "keywords", "source"), ANSWERABLE)
def test_answers_contain_the_fact_and_cite_the_file_that_states_it(seeded_service, question, keywords, source):
    record = seeded_service.ask(question)
    assert not record.refused, record.answer
    assert all(has(record.answer, k) for k in keywords), record.answer
    assert source in {c.source for c in record.citations}
    assert contract_problems(record.to_dict()) == []


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_questions_the_articles_cannot_answer_are_refused(seeded_service, question):
    record = seeded_service.ask(question)
    assert record.refused, record.answer
    assert "don't say" in record.answer
    assert contract_problems(record.to_dict()) == []


def test_citation_markers_are_numbered_in_order_of_first_use_and_quotes_are_verbatim(seeded_service):
    record = seeded_service.ask("What did Jake Sullivan warn China about in Rome?")
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", record.answer)]
    first_use = list(dict.fromkeys(markers))
    assert first_use == list(range(1, len(first_use) + 1))
    assert {c.n for c in record.citations} == set(first_use)
    for c in record.citations:
        text = (SEEDS / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote
    # the extractive answer states nothing but cited text: each stretch before its markers (and the
    # direct answer before a colon) is verbatim in the passages those markers cite
    quotes = {c.n: c.quote for c in record.citations}
    for text, marks in re.findall(r"([^\[\]]+)((?:\[\d+\])+)", record.answer):
        cited = " ".join(quotes[int(n)] for n in re.findall(r"\d+", marks))
        for piece in text.strip().split(": "):
            assert piece.strip() in cited, (piece, cited)


def test_follow_up_is_rewritten_with_the_history_before_retrieval(seeded_service):
    history = [{"role": "user", "content": "Who is Einar Tangen?"}]
    record = seeded_service.ask("What did he say about economics?", history)
    assert record.standalone_question and "Einar Tangen" in record.standalone_question
    assert "nothing has changed" in record.answer.lower()
    assert {c.source for c in record.citations} == {"003_2c27475b07d2a74f.txt"}


def test_follow_up_pronoun_is_resolved_from_the_question_and_its_answer(seeded_service):
    history = [
        {"role": "user", "content": "Who did Jake Sullivan meet in Rome?"},
        {"role": "assistant", "content": "Yang Jiechi."},
    ]
    record = seeded_service.ask("How long did their meeting last?", history)
    assert record.standalone_question == "How long did Jake Sullivan and Yang Jiechi's meeting last?"
    assert "seven-hour" in record.answer.lower()


def test_self_contained_question_is_not_rewritten_mid_conversation(seeded_service):
    history = [{"role": "user", "content": "What did Jake Sullivan say the US would not allow?"}]
    record = seeded_service.ask("Who is Einar Tangen?", history)
    assert record.standalone_question is None


@pytest.mark.parametrize("question", ["", "   ", "?!...", "x" * 5000])
def test_unusable_questions_raise_a_clear_error(seeded_service, question):
    with pytest.raises(QuestionError):
        seeded_service.ask(question)


def test_control_characters_and_other_languages_do_not_crash(seeded_service):
    assert seeded_service.ask("Who\x00 is\x07 Zhao Lijian?").answer
    record = seeded_service.ask("¿Quién es el portavoz del Kremlin?")
    assert record.answer and contract_problems(record.to_dict()) == []

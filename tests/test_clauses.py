"""Evidence cut by the dependency parse never makes the answer the doer of another's act: one test per
pattern (participle, appositive, "X, who …", reported speech, coordination), on several topics. Only
spaCy's pipeline: no store, no embedding model (fast tier)."""

from __future__ import annotations

import pytest

from assistant.answering.clauses import evidence_clause
from assistant.answering.direct import lead


def cut(sentence: str, span: str, max_words: int = 16) -> str:
    i = sentence.index(span)
    out = evidence_clause(sentence, (i, i + len(span)), max_words=max_words)
    assert out in sentence, "the evidence must be a verbatim stretch of the sentence"
    assert span in out
    return out


@pytest.mark.parametrize(
    ("sentence", "span", "doer", "not_kept"),
    [
        # participle clause: the subject of "pointing out" is Sullivan, not the span
        (
            "In Rome, Jake Sullivan met Yang Jiechi for a seven-hour meeting on Monday, pointing out that "
            "Moscow had feigned interest in diplomacy while preparing for the invasion of Ukraine.",
            "Yang Jiechi",
            "Jake Sullivan met",
            "pointing out",
        ),
        (
            "The striker scored twice against Eastport City in the second half on Sunday, lifting Northfield "
            "Rovers to the top of the table for the first time since the club was founded.",
            "Eastport City",
            "The striker scored",
            "lifting",
        ),
        (
            "Regulators fined Harbor Foods $12 million on Thursday after a long inquiry into its labelling, "
            "saying the company had misled shoppers about the origin of its frozen vegetables for years.",
            "$12 million",
            "Regulators fined",
            "saying",
        ),
    ],
)
def test_a_participle_clause_is_never_left_hanging_on_the_span(
    sentence: str, span: str, doer: str, not_kept: str
) -> None:
    out = cut(sentence, span)
    assert doer in out, out
    assert not_kept not in out, out


@pytest.mark.parametrize(
    ("sentence", "span", "must"),
    [
        # appositive: the person and what they are stay together with the verb
        (
            "The remarks came from Liu Pengyu, a spokesman for the Chinese Embassy in Washington, who told "
            "reporters on Monday that he had never heard of any such request from Russia before the talks.",
            "a spokesman for the Chinese Embassy in Washington",
            "The remarks came from Liu Pengyu",
        ),
        (
            "The prize went to Ana Ferreira, a marine biologist from the University of Porto, who spent a "
            "decade tracking the migration of loggerhead turtles across the Atlantic Ocean.",
            "a marine biologist",
            "The prize went to Ana Ferreira",
        ),
    ],
)
def test_an_appositive_keeps_the_person_it_describes(sentence: str, span: str, must: str) -> None:
    out = cut(sentence, span, max_words=18)
    assert out.startswith(must), out
    assert "who told" not in out and "who spent" not in out


@pytest.mark.parametrize(
    ("sentence", "span", "subject"),
    [
        # "X, who …": an answer inside the relative clause keeps the clause's noun (who did it)
        (
            "Maria Lind, who founded Brightline Energy in a garage in 2009, will step down as chief executive "
            "next spring after fifteen years, the company said in a statement on Tuesday.",
            "2009",
            "Maria Lind",
        ),
        (
            "The Lakeside Marathon, which was first run in 1978 along the shore of the lake, drew a record "
            "field of 12,000 runners this year despite the heat and a late change to the course.",
            "1978",
            "The Lakeside Marathon",
        ),
    ],
)
def test_a_relative_clause_keeps_the_noun_it_is_about(sentence: str, span: str, subject: str) -> None:
    out = cut(sentence, span, max_words=20)
    assert out.startswith(subject), out


@pytest.mark.parametrize(
    ("sentence", "span", "speaker"),
    [
        # reported speech: who says so is part of what is said
        (
            "Russia has asked China for military equipment and economic assistance to support its war in "
            "Ukraine, US officials said on Sunday, adding that Washington would warn Beijing against helping.",
            "China",
            "US officials said",
        ),
        (
            "Orion Telecom will buy the regional carrier Skylink for $2.1 billion in cash, two people familiar "
            "with the talks told reporters, although the boards of both companies have yet to approve the deal.",
            "Skylink",
            "two people familiar",
        ),
        (
            "The vaccine cut hospital admissions by 60 percent in the trial, according to the health ministry, "
            "which plans to offer it to everyone over 65 before the winter season begins next month.",
            "60 percent",
            "according to the health ministry",
        ),
    ],
)
def test_reported_speech_keeps_its_speaker(sentence: str, span: str, speaker: str) -> None:
    out = cut(sentence, span, max_words=24)
    assert speaker in out, out


def test_a_short_sentence_is_shown_whole_and_a_span_leads_once() -> None:
    s = "Arsenal paid £105 million for Declan Rice."
    assert evidence_clause(s, (12, 24)) == s
    assert lead("How much did Arsenal pay for Declan Rice?", "£105 million", s) == f"£105 million: {s}"
    assert lead("Who paid for Declan Rice?", "Arsenal", s) == s


def test_without_a_span_the_clause_nearest_the_question_is_kept_whole() -> None:
    s = (
        "During the seven-hour meeting in Rome, the US national security adviser, Jake Sullivan, laid out "
        "the US case against Chinese support for Russia in stark terms, officials said."
    )
    out = evidence_clause(s, None, question="How long was the meeting in Rome?", max_words=16)
    assert "seven-hour" in out and "Jake Sullivan, laid out" in out


def test_what_is_said_is_never_dropped_and_a_phrase_without_a_span_stays() -> None:
    s = (
        "But what I will tell you is we are communicating directly and privately to Beijing that there "
        "absolutely will be consequences if China helps Russia backfill its losses from the sanctions."
    )
    out = evidence_clause(s, None, question="What would follow if China helped Russia?", max_words=20)
    assert "consequences" in out, out  # the clausal complement is the content, not a modifier
    s2 = (
        "The meeting in Rome was first planned as a follow-up to the virtual summit in November, but it "
        "took on new urgency after the invasion of Ukraine by Russian forces last month."
    )
    out2 = evidence_clause(s2, None, question="What was the meeting planned as a follow-up to?", max_words=20)
    assert out2.endswith("summit in November"), out2  # a phrase may be the answer: only clauses go


def test_several_sentences_chosen_together_are_kept_whole() -> None:
    s = (
        "“I read a statement by an official of the People’s Republic of China, in which he called the "
        "situation difficult. There is nothing complicated about this. This is undisguised aggression,” he said."
    )
    assert evidence_clause(s, None, question="How did he describe the situation?", max_words=12) == s

"""Answer types: the direct answer leads with the asked-for fact, why/how questions get a sentence,
and refusals hold when a question uses the articles' words for something they do not say.

Real spaCy, a real Chroma store and the real embedding model, over short articles written for these
tests on four topics (sport, business, politics, science). Each topic has a distractor (another club,
company, election or research group) so the answer is never the only entity of its kind. Cases the
product gets wrong, with the most natural article wording tried, are xfail(strict=True) with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.answering.question_shape import shape
from assistant.grounding import REFUSAL
from assistant.settings import load_settings
from tests.conftest import contract_problems
from tests.topics import write_articles

ARTICLES = {
    "rovers_signing.txt": "Northfield Rovers sign Tomas Berg\nPublished: 2024-07-02\n\n"
    "Northfield Rovers have signed striker Tomas Berg from Valley United for a fee of £48 million, a record for "
    "the club. Berg, 23, scored 19 league goals last season.\n\n"
    "Berg agreed a four-year contract and will wear the number nine shirt.\n",
    "rovers_match.txt": "Rovers beat Eastport in derby\nPublished: 2024-09-15\n\n"
    "Northfield Rovers beat Eastport City 3-1 at Kingsmead Park on Saturday. "
    "Tomas Berg scored two goals in the first half.\n\n"
    "Rovers head coach Elena Marsh, who was appointed in May, praised the defence. "
    "Eastport manager Craig Dunn said his side had been too slow.\n",
    "harbour_signing.txt": "Harbour Athletic add Colombian winger\nPublished: 2024-08-11\n\n"
    "Harbour Athletic have signed winger Mateo Ruiz from Cali Sporting for £12 million. "
    "Harbour coach Gary Pell said Ruiz was quick and brave.\n",
    "brightline_results.txt": "Brightline Energy profit climbs\nPublished: 2024-10-24\n\n"
    "Brightline Energy reported a third-quarter profit of $410 million, up from $350 million a year earlier, "
    "on revenue of $2.9 billion. Brightline chief executive Priya Raman said demand for home batteries had "
    "doubled.\n\nThe company will build a new battery factory in Tucson, Arizona.\n",
    "orion_castell.txt": "Orion Telecom to buy Castell Networks\nPublished: 2024-11-05\n\n"
    "Orion Telecom agreed to buy Castell Networks for $6.8 billion in cash, the companies said on Tuesday. "
    "Castell agreed to the sale because it could not pay for its fibre network on its own.\n\n"
    "Chief executive Hugo Brandt said the deal would double Orion's customers. "
    "Regulators in Brussels must approve the merger before it closes next year.\n",
    "meridian_talks.txt": "Meridian Bank in merger talks with Solace Insurance\nPublished: 2024-11-12\n\n"
    "Meridian Bank is in merger talks with Solace Insurance, people familiar with the matter said. "
    "The talks continue this week in Frankfurt.\n\nMeridian has 4,000 employees in Germany.\n",
    "porto_alto_vote.txt": "Ferreira elected mayor of Porto Alto\nPublished: 2024-03-11\n\n"
    "Ana Ferreira won the mayoral election in Porto Alto on 10 March 2024. She defeated the incumbent, "
    "Luis Mendes. Ferreira received 41,230 votes and Mendes received 37,905, the city election office said.\n\n"
    "Ferreira, a former judge, promised to expand the tram network.\n",
    "valmont_vote.txt": "Valmont re-elects Dubois\nPublished: 2024-06-03\n\n"
    "Claire Dubois was re-elected mayor of Valmont on 2 June 2024 with 62 percent of the vote. "
    "Her rival Marc Leroy conceded on Sunday night.\n",
    "santa_luz_vote.txt": "Costa takes Santa Luz\nPublished: 2024-03-18\n\n"
    "Rui Costa won the mayoral election in Santa Luz on 17 March 2024, defeating the incumbent Paulo Dias. "
    "Costa, a bus driver, ran on a promise of cheaper fares.\n",
    "helios_launch.txt": "Helios-2 probe heads for Venus\nPublished: 2025-09-05\n\n"
    "The Helios-2 probe launched on 4 September 2025 from Kourou in French Guiana. "
    "The probe will travel 41 million kilometres to reach Venus next spring.\n\n"
    "Mission director Sofia Lindqvist said the probe would study the planet's clouds.\n",
    "mars_lake.txt": "Frozen lake found under Mars ice\nPublished: 2025-02-18\n\n"
    "A team from the University of Lund discovered a frozen lake beneath the south pole of Mars, using radar "
    "data from an orbiter. The lake is about 20 kilometres wide.\n\n"
    "Another group, from Kyoto University, had searched the same region in 2019 and found nothing.\n",
}
MAX_ANSWER_WORDS = 30


def fails(reason: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=reason)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_articles(tmp_path_factory.mktemp("answer_types") / "corpus", ARTICLES)


@pytest.fixture(scope="module")
def svc(corpus: Path) -> Any:
    from assistant.service import Service

    service = Service(load_settings(store_dir=corpus.parent / "store", corpus_dir=corpus))
    assert service.ingest().ok
    return service


def lead(record: Any) -> tuple[str | None, str]:
    """(span, evidence) of the answer's first part (before its first marker); span None for a sentence
    answer. Both must be verbatim in the quote of citation [1], which is the whole sentence."""
    head, marker, _ = record.answer.partition("[")
    assert marker and record.answer[len(head) :].startswith("[1]"), record.answer
    head = head.strip()
    quote = next(c.quote for c in record.citations if c.n == 1)
    if head in quote:
        return None, head
    span, sep, body = head.partition(": ")
    assert sep and span in quote and body in quote, f"not verbatim: {head!r} / quote {quote!r}"
    return span, body


def check_direct(record: Any, corpus: Path, facts: list[str]) -> None:
    assert not record.refused, record.answer
    assert not contract_problems(record.to_dict(), corpus)
    span, body = lead(record)
    if span is not None:
        assert any(f in span for f in facts), f"span {span!r} is not one of {facts}: {record.answer}"
    else:  # the sentence begins with the span, so it is shown once
        assert any(body.startswith(f) for f in facts), f"{record.answer!r} does not begin with one of {facts}"
    assert len(record.answer.split()) <= MAX_ANSWER_WORDS, record.answer


# -- 1. the question's shape ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "qclass", "head"),
    [
        ("Who won the mayoral election in Porto Alto?", "who", None),
        ("Whose goal won the match?", "who", None),
        ("When did the Helios-2 probe launch?", "when", None),
        ("Where will Brightline Energy build its new battery factory?", "where", None),
        ("How many votes did Ana Ferreira receive?", "how_many", "votes"),
        ("How much did Northfield Rovers pay for Tomas Berg?", "how_much", None),
        ("How much profit did Brightline Energy report?", "how_much", "profit"),
        ("How long is Tomas Berg's contract?", "how_long", None),
        ("Which university discovered the frozen lake on Mars?", "which_noun", "university"),
        ("What company did Orion Telecom buy?", "which_noun", "company"),
        ("By what score did Northfield Rovers beat Eastport City?", "which_noun", "score"),
        ("What kinds of help did the city offer?", "which_several", "kinds"),
        ("Which clubs bid for Tomas Berg?", "which_several", "clubs"),
        ("Which two countries signed the treaty?", "which_several", "countries"),
        ("Why did Castell Networks agree to the sale?", "why", None),
        ("How did the team find the lake?", "how", None),
        ("What did the coach say?", "what", None),
    ],
)
def test_shape_classifies_questions(question: str, qclass: str, head: str | None) -> None:
    got = shape(question)
    assert (got.qclass, got.head) == (qclass, head)
    assert got.text == question


def test_shape_keeps_the_counted_unit() -> None:
    assert shape("How many votes did Ana Ferreira receive?").counted == "vote"
    assert shape("How much did Northfield Rovers pay?").counted is None


# quiz questions lead with context, put the noun after "of" or ask through "is"/"called": the asking
# wh-word and its noun come from the parse (topics: labour, politics, tech, science, sport, health, food)
@pytest.mark.parametrize(
    ("question", "qclass", "head"),
    [
        ("The union, which represents 20,000 nurses, walked out. They last struck in what year?", "which_noun", "year"),
        ("Secret files were found at the home of which high-profile senator?", "which_noun", "senator"),
        ("The council debated two proposals concerning which of the mayor's housing plans?", "which_noun", "plans"),
        ("What is the name of the telescope that found the planet?", "which_noun", "telescope"),
        ("The new cancer drug was approved on Monday. What is the drug called?", "which_noun", "drug"),
        ("Which state's governor signed the water bill?", "which_noun", "state"),
        ("The final season premiered. You can watch it on which streaming platform?", "which_noun", "platform"),
        ("In what was the biggest upset of the season, how many goals did Eastport City score?", "how_many", "goals"),
        ("What is the battery plant based on?", "what", None),
        ("What did the minister say about the strike?", "what", None),
    ],
)
def test_shape_reads_quiz_questions(question: str, qclass: str, head: str | None) -> None:
    got = shape(question)
    assert (got.qclass, got.head) == (qclass, head)


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        # the recogniser tags the player only ("Mason Reilly", as ORG): the team is a run of proper nouns
        ("Ridgeway Falcons quarterback Mason Reilly signed a new deal.", "Ridgeway Falcons"),
        # a name joined by "&" that the recogniser and the noun chunks split in two
        ("Besides Copper Kettle & Loom, the company also runs two other chains.", "Copper Kettle & Loom"),
        ("Struggling Copper Kettle & Loom warned on Tuesday that it may file for bankruptcy.", "Copper Kettle & Loom"),
    ],
)
def test_names_the_recogniser_misses_are_span_candidates(sentence: str, name: str) -> None:
    from assistant.answering.nlp import parse
    from assistant.answering.spans import PROPER_NAME, _spans

    assert (name, PROPER_NAME) in [(span.text, label) for span, label in _spans(parse(sentence))]


# -- 2. the direct answer leads, verbatim, cited, short --------------------------------------------------
@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("Who is the head coach of Northfield Rovers?", ["Elena Marsh"]),
        ("Which striker did Northfield Rovers sign?", ["Tomas Berg"]),
        ("How long is Tomas Berg's contract?", ["four-year"]),
        ("Who signed Mateo Ruiz?", ["Harbour Athletic"]),
        ("Who is the manager of Eastport City?", ["Craig Dunn"]),
        ("How much profit did Brightline Energy report for the third quarter?", ["$410 million"]),
        ("How much revenue did Brightline Energy report?", ["$2.9 billion"]),
        ("Who is the chief executive of Orion Telecom?", ["Hugo Brandt"]),
        ("How much will Orion Telecom pay for Castell Networks?", ["$6.8 billion"]),
        ("Where will Brightline Energy build its new battery factory?", ["Tucson", "Arizona"]),
        pytest.param(
            "Who won the mayoral election in Porto Alto?",
            ["Ferreira"],
            marks=fails(
                "spaCy leaves 'Ana Ferreira' untagged (NAME) in the best sentence; the tagged PERSON 'Rui Costa' "
                "of the Santa Luz article (a week newer) wins on the type prior and recency; cited as [2]"
            ),
        ),
        ("Who won the mayoral election in Santa Luz?", ["Rui Costa"]),
        ("How many votes did Ana Ferreira receive?", ["41,230"]),
        ("When was the Porto Alto mayoral election held?", ["10 March 2024"]),
        ("When did the Helios-2 probe launch?", ["4 September 2025"]),
        ("What distance will the Helios-2 probe travel?", ["41 million kilometres"]),
        ("Which university discovered the frozen lake on Mars?", ["University of Lund"]),
        ("How wide is the frozen lake on Mars?", ["20 kilometres"]),
        ("Who is the chief executive of Brightline Energy?", ["Priya Raman"]),
        pytest.param(
            "By what score did Northfield Rovers beat Eastport City?",
            ["3-1"],
            marks=fails("spaCy splits '3-1' (entity '3'); the span is 'derby' from the headline"),
        ),
        ("How many goals did Tomas Berg score against Eastport City?", ["two"]),  # a spelled-out number
        # "how <adjective>" asks for a measure (the type table starts from the answer-type taxonomy)
        ("How far will the Helios-2 probe travel?", ["41 million kilometres"]),
        ("Where did the Helios-2 probe launch from?", ["Kourou"]),  # typing: a place, not the DATE beside it
        ("Who did Ana Ferreira defeat?", ["Luis Mendes"]),
    ],
)
def test_direct_answer_leads_with_the_fact(svc: Any, corpus: Path, question: str, facts: list[str]) -> None:
    check_direct(svc.ask(question), corpus, facts)


# -- 3. why / how / several things: the evidence sentence answers ------------------------------------------
@pytest.mark.parametrize(
    ("question", "explains"),
    [
        ("Why did Castell Networks agree to the sale?", "because it could not pay for its fibre network"),
        ("How did the team find the frozen lake on Mars?", "using radar data from an orbiter"),
        pytest.param(
            "Which scientists found the frozen lake on Mars?",
            "University of Lund",
            marks=fails("which_several: the cited sentence is the headline 'Frozen lake found under Mars ice'"),
        ),
    ],
)
def test_sentence_answer_without_a_span_lead(svc: Any, corpus: Path, question: str, explains: str) -> None:
    record = svc.ask(question)
    assert not record.refused, record.answer
    assert not contract_problems(record.to_dict(), corpus)
    span, body = lead(record)
    assert span is None, f"a span leads a {shape(question).qclass} answer: {record.answer}"
    assert explains in body, record.answer


# -- 4. refusals with the articles' own words, and paraphrases that are answerable --------------------------
@pytest.mark.parametrize(
    "question",
    [
        pytest.param(
            "What price did Meridian Bank offer for Solace Insurance?",
            marks=fails("answered: the talks sentence is close by embedding (cover_similarity 0.6) and typed"),
        ),
        "Why did Ana Ferreira win?",
        pytest.param(
            "Did the merger talks end with a signed deal?",
            marks=fails("answered with the headline 'Meridian Bank in merger talks with Solace Insurance'"),
        ),
        pytest.param(
            "When will the Helios-2 probe return to Earth?",
            marks=fails("answered with the launch date '4 September 2025'"),
        ),
        pytest.param(
            "Who scored for Eastport City?",
            marks=fails("answered with 'Northfield Rovers beat Eastport City 3-1 ...' (no Eastport scorer is named)"),
        ),
    ],
)
def test_unsaid_thing_in_the_articles_words_is_refused(svc: Any, question: str) -> None:
    record = svc.ask(question)
    assert record.refused, record.answer
    assert record.answer.startswith(REFUSAL) and not record.citations


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("How much did the club spend on Tomas Berg?", ["£48 million"]),  # the article: "a fee of"
        ("On what date did the Helios-2 probe take off?", ["4 September 2025"]),  # "launched on"
        ("Who was voted in as mayor of Porto Alto?", ["Ferreira"]),  # "won the mayoral election", "elected"
        ("How much did Northfield Rovers pay for Tomas Berg?", ["£48 million"]),  # answered by embedding coverage
        ("Who leads Brightline Energy?", ["Priya Raman"]),  # answered by embedding coverage
        ("What sum did Orion Telecom offer for Castell Networks?", ["$6.8 billion"]),  # answered by embedding coverage
        ("How many ballots did Ana Ferreira get?", ["41,230"]),  # the article: "received ... votes"
        ("When did the Helios-2 spacecraft lift off?", ["4 September 2025"]),
    ],
)
def test_paraphrased_question_is_answered(svc: Any, corpus: Path, question: str, facts: list[str]) -> None:
    check_direct(svc.ask(question), corpus, facts)


@pytest.mark.parametrize(
    ("question", "label", "number", "ok"),
    [
        ("When did the orchestra first tour Japan?", "PERSON", 0.0, False),
        ("When did the orchestra first tour Japan?", "DATE", 0.0, True),
        ("Who chairs the central bank?", "CARDINAL", 0.0, False),
        ("Who chairs the central bank?", "NAME", 0.0, True),
        ("How many wickets did the bowler take?", "NP", 1.0, True),  # "five wickets", untyped
        ("How many wickets did the bowler take?", "ORG", 0.0, False),
        ("How much did the merger cost?", "MONEY", 1.0, True),
        ("Which company did the regulator fine?", "CARDINAL", 0.0, True),  # a noun's type is weighed, not filtered
    ],
)
def test_answer_typing_rules_out_what_cannot_answer(question: str, label: str, number: float, ok: bool) -> None:
    from assistant.answering.spans import SpanCandidate, admissible

    cand = SpanCandidate("x", label, 0, 0, {"number": number})
    assert admissible(shape(question), cand) is ok

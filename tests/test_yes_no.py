"""Yes/no questions answer "Yes" / "No" first when the evidence states it, then the evidence; anything
less gets no verdict (several topics; the parse decides, no verb or party lists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.yes_no import is_yes_no, verdict


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("Did Russia ask China for military aid?", "Russia asked China for military aid, US officials said.", "Yes"),
        ("Has Arsenal signed Declan Rice?", "Arsenal signed Declan Rice from West Ham for a club-record fee.", "Yes"),
        ("Did Chelsea make a bid for Osimhen?", "Chelsea did not make a bid for Osimhen, the club said.", "No"),
        ("Was the Helios-2 launch delayed?", "The Helios-2 launch was not delayed despite the storm.", "No"),
        (
            "Is Tomas Berg joining Northfield Rovers?",
            "Tomas Berg is not joining Northfield Rovers, his agent said.",
            "No",
        ),
        # a denial reported is not a "No" to the claim, and a different verb is not the claim
        ("Did Chelsea make a bid for Osimhen?", "Chelsea have denied that they are in talks with Napoli.", None),
        ("Did Okonkwo lose the governorship?", "Maria Okonkwo won the governorship with 54 percent.", None),
        # a name of the question missing from the evidence: not settled ("Moscow" asked, "Beijing" said)
        ("Did Xi meet Putin in Moscow?", "Xi met Putin in Beijing in February.", None),
    ],
)
def test_the_best_evidence_settles_a_yes_no_question_only_on_its_own_words(
    question: str, sentence: str, expected: str | None
) -> None:
    assert verdict(question, sentence) == expected


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Did Russia ask China for military aid?", True),
        ("Is the probe headed for Venus?", True),
        ("Who did Chelsea bid for?", False),
        ("Will Orion Telecom buy Castell Networks or Skylink?", False),  # alternatives, not yes/no
        ("How many times has Xi met Putin?", False),
    ],
)
def test_yes_no_questions_are_told_from_others(question: str, yes_no: bool) -> None:
    assert is_yes_no(question) is yes_no


@pytest.mark.slow
def test_the_answer_leads_with_the_verdict_then_its_cited_evidence(tmp_path: Path) -> None:
    from assistant.service import Service
    from tests.conftest import make_settings
    from tests.topics import write_topics

    folders = write_topics(tmp_path / "news")
    svc = Service(make_settings(tmp_path, corpus=folders["sport"]))
    svc.ingest(list(folders.values()))
    record = svc.ask("Did Wanjiru Kamau win the Lakeside Marathon?")
    assert record.direct_answer == "Yes" and record.answer.startswith("Yes: ")
    body = record.answer.removeprefix("Yes: ").split(" [1]")[0]
    assert body in record.citations[0].quote  # the evidence after the verdict is verbatim
    unsettled = svc.ask("Did Maria Okonkwo lose the governorship?")
    assert unsettled.direct_answer is None and not unsettled.answer.startswith(("Yes", "No"))

""" "Who is X?" is answered by the description the news gives X (apposition or copula), read from the
parse, on several topics; an entity inside the description is not the answer (spaCy only, fast tier)."""

from __future__ import annotations

import pytest

from assistant.answering.describe import asked_name, description


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Who is Liu Pengyu?", "Liu Pengyu"),
        ("Who was Ana Ferreira?", "Ana Ferreira"),
        ("Who is the new speaker?", None),  # asks for a name, not a description
        ("Who won the Lakeside Marathon?", None),
    ],
)
def test_only_who_is_a_named_person_asks_for_a_description(question: str, name: str | None) -> None:
    assert asked_name(question) == name


@pytest.mark.parametrize(
    ("name", "sentence", "expected"),
    [
        (
            "Liu Pengyu",
            "Liu Pengyu, a spokesman for the Chinese Embassy in Washington, said he had never heard of it.",
            "a spokesman for the Chinese Embassy in Washington",
        ),
        (
            "Ana Ferreira",
            "Ana Ferreira, a marine biologist from the University of Porto, won the prize on Monday.",
            "a marine biologist from the University of Porto",
        ),
        ("Hugo Brandt", "Hugo Brandt is the chief executive of Orion Telecom.", "the chief executive of Orion Telecom"),
        ("Hugo Brandt", "Speaking on Tuesday, Hugo Brandt said the deal would double Orion's customers.", None),
    ],
)
def test_the_description_is_the_whole_phrase_the_sentence_gives_the_name(
    name: str, sentence: str, expected: str | None
) -> None:
    assert description(name, sentence) == expected

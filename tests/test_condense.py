"""The follow-up rewriter on real spaCy parses: a question changes only when it depends on the
conversation, and the rewrite is a clean standalone question (never a "(context: …)" suffix)."""

from __future__ import annotations

import time

import pytest

from assistant.answering.nlp import _load as _nlp
from assistant.condense import condense


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


SELF_CONTAINED = [
    # politics: a named subject asked mid-conversation
    ("Who is Einar Tangen?", [user("What did Jake Sullivan say about Taiwan?"), assistant("He warned China.")]),
    # business: "it" points at the question's own subject, in another clause
    ("Did Apple say when it will ship?", [user("What did Tim Cook announce?")]),
    # business: a possessive bound to the question's own subject
    ("What did Microsoft say about its profits?", [user("Who is Satya Nadella?")]),
    # sport: "they" is the team named in the same question
    ("How did the team react after they lost?", [user("Who won the final?")]),
    # science: "their" is the researchers of the same question
    ("Where did the researchers publish their findings?", [user("What did CERN find?")]),
    # science: "it" is the clause that follows, not a back-reference
    ("How long does it take to reach Mars?", [user("What did NASA announce?")]),
    # expletive "there"
    ("Is there a deal?", [user("What did Russia say about the talks?")]),
    # sport: no reference at all
    ("What did Lionel Messi say after the match?", [user("Who won the World Cup?")]),
]


@pytest.mark.parametrize(("question", "history"), SELF_CONTAINED)
def test_a_self_contained_question_is_returned_unchanged(question: str, history: list[dict[str, str]]) -> None:
    assert condense(question, history) == question


@pytest.mark.parametrize("history", [None, []])
def test_without_history_the_question_is_unchanged(history: list[dict[str, str]] | None) -> None:
    assert condense("What did he say about economics?", history) == "What did he say about economics?"
    assert condense("And when?", history) == "And when?"


RESOLVED = [
    # he / she / his / her -> the person of the previous question
    ("What did he say about economics?", [user("Who is Einar Tangen?")], "What did Einar Tangen say about economics?"),
    ("When did he become CEO?", [user("What did Satya Nadella say about AI?")], "When did Satya Nadella become CEO?"),
    ("What is his salary?", [user("When did Satya Nadella become CEO?")], "What is Satya Nadella's salary?"),
    ("Who replaced her?", [user("When did Jacinda Ardern resign?")], "Who replaced Jacinda Ardern?"),
    (
        "What did she say about inflation?",
        [user("Who is Janet Yellen?"), assistant("Janet Yellen is the US Treasury Secretary.")],
        "What did Janet Yellen say about inflation?",
    ),
    # they / their -> two names of the previous question
    (
        "How long did they meet?",
        [user("What did Jake Sullivan and Yang Jiechi discuss in Rome?")],
        "How long did Jake Sullivan and Yang Jiechi meet?",
    ),
    (
        "What did they agree on?",
        [user("Did Joe Biden meet Xi Jinping in Bali?")],
        "What did Joe Biden and Xi Jinping agree on?",
    ),
    (
        "How long did their meeting last?",
        [user("Who did Jake Sullivan meet in Rome?"), assistant("Yang Jiechi.")],
        "How long did Jake Sullivan and Yang Jiechi's meeting last?",
    ),
    (
        "What did they publish?",
        [user("What did the researchers at CERN find about the Higgs boson?")],
        "What did the researchers at CERN publish?",
    ),
    # it / that / that X -> the previous question's object or topic
    ("When will it ship?", [user("Did Apple release the Vision Pro?")], "When will the Vision Pro ship?"),
    (
        "When was it launched?",
        [user("What is the James Webb telescope?")],
        "When was the James Webb telescope launched?",
    ),
    (
        "What did Russia say about it?",
        [user("What is the Nord Stream pipeline?")],
        "What did Russia say about the Nord Stream pipeline?",
    ),
    (
        "What did he say about that?",
        [user("What did Einar Tangen say about the trade war?")],
        "What did Einar Tangen say about the trade war?",
    ),
    (
        "Who attended that meeting?",
        [user("What did Russia say about the talks in Geneva?")],
        "Who attended the talks in Geneva?",
    ),
    # there / then -> the place or time of the previous question
    ("What happened there?", [user("Who did Jake Sullivan meet in Rome?")], "What happened in Rome?"),
    ("Who was president then?", [user("What happened in 2019?")], "Who was president in 2019?"),
    # the answer is used only when the user's turns name no one ...
    (
        "How old is he?",
        [user("Who won the Ballon d'Or?"), assistant("Lionel Messi won the Ballon d'Or in 2023, the magazine said.")],
        "How old is Lionel Messi?",
    ),
    (
        "And what did he claim about Russia's military strength?",
        [
            user("What did the Kremlin spokesman say about seeking Chinese military help?"),
            assistant("Dmitry Peskov said Russia has not asked China for military assistance."),
        ],
        "What did Dmitry Peskov claim about Russia's military strength?",
    ),
    # ... or when the question asked for just what the reference points to
    (
        "Whom will he hold discussions with there?",
        [user("Where is Sullivan headed after Rome, and when?"), assistant("To Paris, on Tuesday.")],
        "Whom will Sullivan hold discussions with in Paris?",
    ),
    (
        "How many words was that document?",
        [
            user("What did Xi and Putin issue during Putin's February visit to Beijing?"),
            assistant("A lengthy statement declaring limitless friendship."),
        ],
        "How many words was the lengthy statement?",
    ),
    (
        "When was that institute founded?",
        [
            user("Which think tank does Einar Tangen work for?"),
            assistant("The Taihe Institute, a China-based think-tank."),
        ],
        "When was the Taihe Institute founded?",
    ),
    # two pronouns of one question point to two different things
    (
        "In what currency does it still keep part of them?",
        [user("How much of its gold and foreign currency reserves is Moscow unable to use?")],
        "In what currency does Moscow still keep part of its gold and foreign currency reserves?",
    ),
]


@pytest.mark.parametrize(("question", "history", "expected"), RESOLVED)
def test_a_back_reference_is_replaced_by_its_antecedent(
    question: str, history: list[dict[str, str]], expected: str
) -> None:
    assert condense(question, history) == expected


ELLIPSIS = [
    ("What about China?", "What did Russia say about the talks?", "What did China say about the talks?"),
    ("And Lavrov?", "What did Jake Sullivan say about Taiwan?", "What did Lavrov say about Taiwan?"),
    (
        "What about Germany?",
        "How did France vote on the climate resolution?",
        "How did Germany vote on the climate resolution?",
    ),
    ("How about the second game?", "Who scored in the first game?", "Who scored in the second game?"),
    ("And in 2018?", "Who won the 2022 World Cup?", "Who won the 2018 World Cup?"),
    ("And when?", "Where did the meeting take place?", "When did the meeting take place?"),
    ("And why?", "When did Elon Musk buy Twitter?", "Why did Elon Musk buy Twitter?"),
    ("Why?", "Did Apple delay the Vision Pro?", "Why did Apple delay the Vision Pro?"),
]


@pytest.mark.parametrize(("question", "previous", "expected"), ELLIPSIS)
def test_an_ellipsis_is_completed_from_the_previous_question(question: str, previous: str, expected: str) -> None:
    assert condense(question, [user(previous), assistant("An answer.")]) == expected


def test_a_chain_of_follow_ups_keeps_its_antecedent() -> None:
    history = [
        user("Who is Einar Tangen?"),
        assistant("A commentator on China."),
        user("What did he say about economics?"),
        assistant("That nothing has changed."),
    ]
    assert condense("What did he say about Taiwan?", history) == "What did Einar Tangen say about Taiwan?"
    chain = [user("What did Russia say about the talks?"), user("What about China?")]
    assert condense("And India?", chain) == "What did India say about the talks?"


@pytest.mark.parametrize(
    ("history", "question", "expected"),
    [
        # the web chat case: the older turn's two names must not beat the latest turn's meeting
        (
            [
                user("How many times has Xi met Putin?"),
                assistant("Xi Jinping has met Vladimir Putin nearly 40 times [1]."),
                user("Who did Jake Sullivan meet in Rome?"),
                assistant("Yang Jiechi: In Rome, Jake Sullivan met Yang Jiechi, China's top diplomat [1]."),
            ],
            "How long did their meeting last?",
            "How long did Jake Sullivan and Yang Jiechi's meeting last?",
        ),
        (
            [
                user("How many times have Elon Musk and Mark Zuckerberg met?"),
                assistant("Elon Musk and Mark Zuckerberg have never met in person [1]."),
                user("Who did Satya Nadella meet in Paris?"),
                assistant("Emmanuel Macron: Satya Nadella met Emmanuel Macron at the Elysee Palace on Monday [1]."),
            ],
            "What did they discuss?",
            "What did Satya Nadella and Emmanuel Macron discuss?",
        ),
        (
            [
                user("Which two players shared the Golden Boot?"),
                assistant("Harry Kane and Erling Haaland shared the Golden Boot with 30 goals each [1]."),
                user("Who did Serena Williams play in the final?"),
                assistant("Naomi Osaka: Serena Williams played Naomi Osaka in the final at Flushing Meadows [1]."),
            ],
            "Who won their match?",
            "Who won Serena Williams and Naomi Osaka's match?",
        ),
    ],
)
def test_a_follow_up_resolves_to_the_latest_turn_that_supplies_the_referent(
    history: list[dict[str, str]], question: str, expected: str
) -> None:
    assert condense(question, history) == expected


def test_no_antecedent_leaves_the_question_unchanged() -> None:
    # "What" is the object: "When did Jake Sullivan discuss?" would not be a question
    assert condense("And when?", [user("What did Jake Sullivan discuss?")]) == "And when?"
    # no person anywhere in the conversation
    assert condense("What did he say?", [user("What happened to the markets?")]) == "What did he say?"
    # "that" is the answer just given, which no noun of the conversation stands for
    history = [user("How many times has Xi met Putin as national leaders?"), assistant("38 times.")]
    assert condense("Is that more than with any other world leader?", history) == (
        "Is that more than with any other world leader?"
    )


def test_no_rewrite_carries_a_context_suffix_and_condensing_is_cheap() -> None:
    cases = [(q, h) for q, h in SELF_CONTAINED] + [(q, h) for q, h, _ in RESOLVED]
    cases += [(q, [user(p)]) for q, p, _ in ELLIPSIS]
    condense(*cases[0])  # the spaCy pipeline loads once, on first use
    t0 = time.perf_counter()
    outputs = [condense(q, h) for q, h in cases]
    per_call = (time.perf_counter() - t0) / len(cases)
    assert not any("(context" in out for out in outputs), outputs
    assert all(out.strip() for out in outputs)
    assert _nlp.cache_info().misses == 1  # one pipeline load for the whole process, not one per question
    print(f"condense: {per_call * 1000:.2f} ms per question over {len(cases)} questions")

"""Issue 14, the output half: perspectives on stories other than the seeds' (a football transfer a club
denies, a merger one company confirms and the other denies, job cuts only denied): one bottom line
naming both sides, at most three groups, articles named by outlet or title, never by file name, and a
denial never shown as the claim's support.

The fixture articles are written here; one store is ingested from them for the whole module.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.settings import load_settings
from tests.conftest import contract_problems

ARTICLES = {
    "101_9f3a1c2b4d5e6f70.txt": """Chelsea deny making bid for Napoli striker Osimhen
By Tom Reed, Sky Sports

Chelsea have denied that they made a bid for Napoli striker Victor Osimhen. A Chelsea spokesman said the club \
had not made any offer for the Nigeria international. The London club are looking for a new centre forward this \
summer, and several agents have offered them players.
""",
    "102_0b7e55d1c3a9f214.txt": """Napoli president says Chelsea bid for Osimhen
By Marco Bianchi, Football Italia

Napoli president Aurelio De Laurentiis said Chelsea made a bid for Victor Osimhen last week. De Laurentiis told \
reporters the offer was far below the striker's value and was rejected at once. Osimhen scored 26 league goals \
last season as Napoli won the title.
""",
    "103_5c2d8e9a7f1b3046.txt": """Acme says it has agreed to merge with Globex
By Sara Lin, Business Daily

Acme Corp said on Monday that it had agreed to merge with rival Globex in a deal worth $4 billion. Acme chief \
executive Dana Wu said the merger would create the largest maker of industrial pumps in Europe. Shares in Acme \
rose 8 percent after the announcement.
""",
    "104_e4a1f0c6b28d7593.txt": """Globex denies merger agreement with Acme
By Omar Haddad, Market Watchers

Globex denied on Tuesday that it had agreed to merge with Acme. A Globex spokeswoman said no agreement had been \
reached and talks were at an early stage. Analysts said the two pump makers would face a long competition \
review in any deal.
""",
    "105_7d3f9b0e1a6c4285.txt": """Globex rejects reports of job cuts at Lyon plant
By Claire Martin, Market Watchers

Globex denied reports that it had cut 500 jobs at its Lyon plant. A Globex spokeswoman said the company has not \
cut any jobs at the plant this year. The plant makes pumps for the water industry.
""",
    "106_2a8c4e6f0b1d3957.txt": """Rovers weigh move for striker Dan Smith
By Ann Lee, Northern Echo

Rovers could sign striker Dan Smith before the transfer window closes, according to reports. The club have \
considered signing Smith since January, and his agent held talks with three clubs this month. Smith scored 14 \
goals for Town last season.
""",
}
TRANSFER, NAPOLI, ACME, GLOBEX, JOBS, ROVERS = sorted(ARTICLES)
HASH_NAME = re.compile(r"\d{3}_[0-9a-f]{16}|\.txt\b")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from assistant.service import Service

    tmp = tmp_path_factory.mktemp("perspectives_topics")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    svc = Service(load_settings(store_dir=tmp / "index", corpus_dir=corpus))
    assert svc.ingest().ok
    return SimpleNamespace(svc=svc, corpus=corpus)


def sources_of(record: Any, numbers: list[int]) -> set[str]:
    by_n = {c.n: c.source for c in record.citations}
    return {by_n[n] for n in numbers}


def check_shape(record: Any, corpus: Path) -> str:
    """The record keeps FORMATS.md, leads with its bottom line, and names no file; returns the bottom line."""
    data = record.to_dict()
    assert contract_problems(data, corpus) == []
    assert data["bottom_line"] and record.answer.startswith(data["bottom_line"])
    groups = record.answer.split("\n\n")[1:]
    assert 1 <= len(groups) <= 3
    assert [g.split(":")[0] for g in groups][:2] == ["Says yes", "Says no"]
    assert not HASH_NAME.search(record.answer), record.answer
    assert "Supported by" not in record.answer and "Contradicted by" not in record.answer
    return data["bottom_line"]


@pytest.mark.slow
def test_a_transfer_the_club_denies(env: Any) -> None:
    record = env.svc.perspectives("Did Chelsea make a bid for Osimhen?")
    bottom = check_shape(record, env.corpus)
    main = record.claims[0]
    assert sources_of(record, main.supporting) == {NAPOLI}
    assert sources_of(record, main.contradicting) == {TRANSFER}
    # both sides by name, each with its markers: "Napoli president says …; Chelsea denies it"
    yes, no = bottom.split(";")
    assert "Napoli" in yes and "Chelsea did make a bid for Osimhen" in yes and "[" in yes
    assert "Chelsea" in no and "deni" in no and "[" in no
    says_yes = record.answer.split("\n\n")[1]
    assert "have denied" not in says_yes  # the denial is never shown as the claim's support


@pytest.mark.slow
def test_a_merger_one_side_confirms_and_the_other_denies(env: Any) -> None:
    record = env.svc.perspectives("Did Acme agree to merge with Globex?")
    bottom = check_shape(record, env.corpus)
    main = record.claims[0]
    assert ACME in sources_of(record, main.supporting) and GLOBEX not in sources_of(record, main.supporting)
    assert GLOBEX in sources_of(record, main.contradicting)
    yes, no = bottom.split(";")
    assert "Acme" in yes and "Globex" in no and "deni" in no
    assert "“Globex denies merger agreement with Acme”" in record.answer  # the article by its title


@pytest.mark.slow
def test_a_claim_only_denied_is_not_supported(env: Any) -> None:
    record = env.svc.perspectives("Did Globex cut jobs at its Lyon plant?")
    bottom = check_shape(record, env.corpus)
    main = record.claims[0]
    assert main.supporting == [] and sources_of(record, main.contradicting) == {JOBS}
    assert main.claim == "Globex did cut jobs at its Lyon plant"  # the question's claim stays the claim
    assert bottom.startswith("No retrieved article says Globex did cut jobs at its Lyon plant;")
    assert "Globex" in bottom.split(";")[1] and ("deny" in bottom.split(";")[1] or "denies" in bottom.split(";")[1])
    says_yes = record.answer.split("\n\n")[1]
    assert says_yes == "Says yes: no retrieved article says Globex did cut jobs at its Lyon plant."
    assert "has not cut" not in says_yes and "has not cut" in record.answer.split("\n\n")[2]


@pytest.mark.slow
def test_a_claim_no_article_makes_is_not_answered_by_a_neighbouring_fact(env: Any) -> None:
    """ "Did Globex cut jobs at its Paris plant?": a denial of cuts at its Lyon plant neither says yes nor
    denies it, and the answer is "no retrieved article says so", not the likeliest sentence put as if it
    were the claim."""
    record = env.svc.perspectives("Did Globex cut jobs at its Paris plant?")
    bottom = check_shape(record, env.corpus)
    assert record.claims[0].supporting == [], bottom
    assert bottom.startswith("No retrieved article says Globex did cut jobs at its Paris plant"), bottom
    by_n = {c.n: c for c in record.citations}
    assert not any("Lyon" in by_n[n].quote for n in record.claims[0].contradicting), bottom  # another plant


@pytest.mark.slow
def test_a_claim_only_hedged_is_never_stated_as_fact(env: Any) -> None:
    """Issue 14: the bottom line asserts a side only when a sentence plainly states it; "could sign" and
    "considered signing" are possibilities, so no one is reported as saying Rovers signed Smith."""
    record = env.svc.perspectives("Did Rovers sign Dan Smith?")
    bottom = check_shape(record, env.corpus)
    assert "did sign Dan Smith [" not in bottom and "says Rovers did sign" not in bottom, bottom
    assert bottom.startswith(("It is unclear whether Rovers did sign Dan Smith", "No retrieved article says")), bottom
    assert "Smith" not in bottom.split(";")[1] or "may dispute" in bottom


@pytest.mark.slow
def test_the_web_chat_shows_the_bottom_line_and_the_groups(env: Any) -> None:
    from ui import messages

    record = env.svc.perspectives("Did Chelsea make a bid for Osimhen?").to_dict()
    message = messages.answer_message(record)
    assert message.index('<span class="na-bottom-label">Bottom line:</span>') < message.index("<details")
    assert "Napoli president says" in message.split("<details")[0]  # the record's bottom_line, not the first claim
    assert '<span class="na-support">Says yes</span>' in message and '<span class="na-contra">Says no</span>' in message
    assert message.count('<details class="na-claim"') == len(record["answer"].split("\n\n")) - 1
    assert message.count('<details class="na-claim" open>') == 2  # says yes, says no
    assert not HASH_NAME.search(message.split('class="na-sources')[0])


def test_bottom_line_wording() -> None:
    """Without a store: the question's claim as a statement, and who says and denies it."""
    from assistant.perspectives.summary import declarative, label

    assert declarative("Did Chelsea make a bid for Osimhen?") == "Chelsea did make a bid for Osimhen"
    assert declarative("Has Acme agreed to merge with Globex?") == "Acme has agreed to merge with Globex"
    assert declarative("Was the Dominion settlement worth $787.5 million?").startswith("the Dominion settlement was")
    meta = {"a.txt": {"outlet": "Sky Sports"}, "b.txt": {"title": "Globex denies merger agreement with Acme"}}
    assert label("a.txt", meta) == "Sky Sports"
    assert label("b.txt", meta) == "“Globex denies merger agreement with Acme”"
    assert label("c.txt", meta) == "an untitled article"


def test_bottom_line_asserts_only_what_the_parse_reads_plainly() -> None:
    """Without a store: a side is stated only when one of its sentences plainly states (denies) the claim;
    otherwise it is attributed cautiously, and an article that only reports a denial does not deny."""
    from assistant.answering.nlp import parse
    from assistant.perspectives.evidence import Group
    from assistant.perspectives.meaning import Frame, stance
    from assistant.perspectives.summary import bottom_line

    frame = Frame.of("Acme did agree to merge with Globex")
    read = {
        "Acme said on Monday that it had agreed to merge with Globex.": "affirm",
        "Globex denied on Tuesday that it had agreed to merge with Acme.": "deny",
        "A Globex spokeswoman said no agreement had been reached.": "deny",
        "Acme could agree to merge with Globex next year.": "hedged",
        "Initech did not agree to merge with Globex.": "other",  # someone else's act
        "Acme has refused to agree to merge with Globex.": "deny",  # a refusal at the root, read once
        "Analysts discussed the agreement.": "hedged",  # only a noun: nothing stated as done
    }
    for text, want in read.items():
        assert stance(parse(text), frame) == want, text

    def group(text: str, source: str, speaker: str = "") -> Group:
        doc = parse(text)
        cand = SimpleNamespace(text=text, source=source)
        return Group([SimpleNamespace(cand=cand, speaker=speaker, reading=stance(doc, frame))], False)

    meta = {"a.txt": {"outlet": "Business Daily"}, "b.txt": {"outlet": "Market Watchers"}}
    claim = "Acme did agree to merge with Globex"
    plain = group("Acme said on Monday that it had agreed to merge with Globex.", "a.txt")
    hedged = group("Acme could agree to merge with Globex next year.", "a.txt")
    denial = group("Globex denied on Tuesday that it had agreed to merge with Acme.", "b.txt", "Globex")
    vague = group("Analysts discussed the agreement.", "b.txt")

    def line(yes: list[Group], no: list[Group]) -> str:
        cite = {id(m): [i] for i, m in enumerate([m for g in yes + no for m in g.members], 1)}
        return bottom_line(claim, yes, no, meta, cite)

    both = line([plain], [denial])
    assert both == "Business Daily says Acme did agree to merge with Globex [1]; Globex denies it [2].", both
    unsure = line([hedged], [vague])
    assert unsure.startswith("It is unclear whether Acme did agree to merge with Globex:"), unsure
    assert "Business Daily says" not in unsure and "Market Watchers may dispute it [2]" in unsure
    assert line([], [denial]) == "No retrieved article says Acme did agree to merge with Globex; Globex denies it [1]."


def test_bottom_line_names_speakers_and_outlets_not_headlines() -> None:
    """A headline in a list of speakers reads as one of them ("A club official, “Striker joins…” and
    Sky Sports say …"): beside named sources an article named only by its title is "another report";
    it is named by its title only when nobody else is. A sentence-initial "The" is not part of a name."""
    from assistant.perspectives.evidence import Group
    from assistant.perspectives.summary import bottom_line

    meta = {
        "a.txt": {"outlet": "Harbor Gazette"},
        "b.txt": {"title": "Dockworkers vote to end the strike at Port Lennox"},
        "c.txt": {"title": "Port Lennox strike: what we know"},
    }
    claim = "the dockworkers did vote to end the strike"

    def member(source: str, speaker: str, reading: str = "affirm") -> Any:
        return SimpleNamespace(
            cand=SimpleNamespace(text="The dockworkers voted to end the strike.", source=source),
            speaker=speaker,
            reading=reading,
        )

    def line(yes: list[Any], no: list[Any]) -> str:
        cite = {id(m): [i] for i, m in enumerate(yes + no, 1)}
        return bottom_line(claim, [Group(yes, False)], [Group(no, False)] if no else [], meta, cite)

    mixed = line([member("a.txt", "The union"), member("b.txt", ""), member("c.txt", "")], [])
    want = "The union and 2 other reports say the dockworkers did vote to end the strike [1][2][3]; "
    assert mixed == want + "no retrieved article denies it.", mixed
    alone = line([member("b.txt", "")], [member("a.txt", "The port authority", "deny")])
    assert alone.startswith("“Dockworkers vote to end the strike at Port Lennox” says"), alone
    assert "; the port authority denies it [2]." in alone, alone


def test_stance_reads_what_a_negation_is_of() -> None:
    """Without a store: generic English decides what a "not" negates, no story's words. A plan, a question
    ("if"), a time ("when it was first spotted"), another case ("in that case"), another doer ("a
    contractor"), "not just", "not guilty" and a failure of another act are not denials;
    a plan ("the decision to …") is not a statement that it was done."""
    from assistant.answering.nlp import parse
    from assistant.perspectives.meaning import Frame, stance

    frame = Frame.of("Acme did buy the factory")
    read = {
        "Acme did not buy the factory.": "deny",
        "The decision to buy the factory was made in May.": "hedged",  # a plan, not an act done
        "He refused to say if Acme bought the factory.": "hedged",  # asked, not said
        "Acme did not buy the factory when it was first offered.": "scoped",  # not then is not never
        "Acme did not buy the factory in that case.": "scoped",  # another case than the claim's
        "Acme did not buy the factory in Ohio.": "deny",  # a place named plainly still denies
    }
    for text, want in read.items():
        assert stance(parse(text), frame) == want, text
    timed = Frame.of("Acme did buy the factory when it was first offered")
    assert stance(parse("Acme did not buy the factory when it was first offered."), timed) == "deny"
    inspector = Frame.of("An inspector did approve the plan")
    assert stance(parse("A contractor did not approve the plan."), inspector) == "other"  # someone else
    assert stance(parse("The inspector did not approve the plan."), inspector) == "deny"
    charged = Frame.of("Acme was charged with fraud")
    assert stance(parse("Acme pleads not guilty in the first case of fraud charges."), charged) != "deny"
    assert stance(parse("Acme was not charged with fraud."), charged) == "deny"
    pay = Frame.of("Acme did pay the supplier")
    assert stance(parse("The case is not just one payment to the supplier."), pay) != "deny"  # "not just"
    assert stance(parse("Acme was fined for failing to report the payment."), pay) != "deny"  # of the report


def test_a_question_about_a_denial_is_not_contradicted_by_one() -> None:
    """A question about a denial ("Did Acme deny the charges?"): a sentence saying Acme denied them agrees."""
    from assistant.perspectives.question import Question

    class _Stats:
        def idf(self, term: str) -> float:
            return 1.0

    assert Question.parse("Did Acme deny the charges?", _Stats()).denies
    assert not Question.parse("Did Acme buy the factory?", _Stats()).denies

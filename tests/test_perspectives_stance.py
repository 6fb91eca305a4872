"""Stance from the parse, without a store: when an affirmation states the claim itself and not a
neighbouring fact. Invented stories on other topics (a marathon, a port, a museum); generic English only."""

from __future__ import annotations


def test_an_affirmation_must_state_the_claims_own_doer_thing_and_time() -> None:
    """ "Did a spectator trip the runner?" is not answered yes by "A marshal tripped the runner" nor by
    "The runner was tripped" (who did it is the question); "Did the crane lift the container when the ship
    docked?" not by a lift "after the storm", nor by a lift of "a lorry" (another thing). A denial needs none
    of these: if no one tripped the runner, no spectator did."""
    from assistant.answering.nlp import parse
    from assistant.perspectives.meaning import Frame, stance

    spectator = Frame.of("A spectator did trip the leading runner")
    read = {
        "A spectator tripped the leading runner near the finish.": "affirm",
        "Marshals tripped the leading runner near the finish.": "",  # a doer, not a spectator: not said
        "The leading runner was tripped near the finish.": "",  # nobody named: not said either
        "The leading runner was not tripped by anyone.": "deny",  # a denial of everyone's act
        "A spectator did not trip the leading runner.": "deny",
    }
    for text, want in read.items():
        assert stance(parse(text), spectator) == want, text

    docked = Frame.of("The crane did lift the container when the ship docked")
    read = {
        "The crane lifted the container when the ship docked on Monday.": "affirm",
        "The crane lifted the container as the ship docked.": "affirm",  # "as" is the same time as "when"
        "The crane lifted the container after the ship docked.": "",  # another time, though the words recur
        "The crane lifted the container on Friday.": "",  # no time of the claim's
    }
    for text, want in read.items():
        assert stance(parse(text), docked) == want, text

    painting = Frame.of("The museum did sell the painting")
    assert stance(parse("The museum sold a sculpture last year."), painting) == "other"  # another thing
    assert stance(parse("The museum sold the painting last year."), painting) == "affirm"
    assert stance(parse("The museum sold the famous painting in March."), painting) == "affirm"
    # a word found by its role ("fired" for "shoot") may take another object than the claim's: no clash then
    drone = Frame.of("The army did shoot down the drone")
    assert stance(parse("Army jets fired a missile and struck the drone."), drone) == "affirm"
    assert stance(parse("The army shot down a helicopter."), drone) == "other"


def test_the_speaker_is_the_doer_of_the_sentences_own_reporting_verb() -> None:
    """Read from the parse: a denial is its denier's (the passive's "by" agent), a reporting verb inside a
    clause that describes something does not make the sentence its speaker's, "claims" as a noun reports
    nothing, a headline's label is no part of the speaker, and "U.S." and "US" are one side."""
    from assistant.perspectives.speakers import party_of, speaker_of

    disputed = "The club has maintained the fee was fair, but that has been rejected by the players' union."
    assert speaker_of(disputed, denial=True) == "the players' union"
    described = "The ferry, which port officials said was overloaded, sank on Tuesday off the coast."
    assert speaker_of(described) == ""
    assert speaker_of("The mayor paid $3,000 to the consultant before the vote to silence claims of bias.") == ""
    assert speaker_of("Transfer news: Rovers denied that a bid had been made.") == "Rovers"
    assert speaker_of("The strike will end on Friday, union leaders said.") == "union leaders"
    assert speaker_of("Striking dockers return to work, says port authority") == "port authority"
    assert speaker_of("He said the strike would end.") == ""  # a pronoun names no one
    assert party_of("U.S. officials") == party_of("US officials") == "us"
    long_one = (
        "Maria Lopez, senior research fellow at the Institute for Coastal Studies, a think-tank based in "
        "Lisbon that advises the port, told reporters the strike would end."
    )
    assert speaker_of(long_one).startswith("Maria Lopez")
    assert speaker_of("The union's leader said: “The strike will end on Friday.”") == "The union's leader"
    # a denial is its denier's wherever it stands; "Both" is no part of the side's name
    bribe = "The mayor said on Friday he has proof of the bribe, which the contractor denies."
    assert speaker_of(bribe, denial=True) == "the contractor"
    assert speaker_of(bribe) == "The mayor"  # read as the mayor's statement, it is his
    predicted = "Officials said the union would likely deny the deal."
    assert speaker_of(predicted, denial=True) == "Officials"  # a predicted denial is none
    assert party_of("Both Rovers and their manager") == "rovers"


def test_the_claims_word_is_its_act_not_a_report_or_another_part_of_it() -> None:
    """ "Did the mayor report the gift on his disclosure forms?" asks about the act of reporting (no clause
    follows "report"); a sentence's "documented that …" reports something else rather than doing the act,
    and "disclosure" plays its own part in the claim, not the verb's."""
    from assistant.answering.nlp import parse
    from assistant.perspectives.meaning import Frame, stance
    from assistant.perspectives.question import Question

    class _Stats:
        def idf(self, term: str) -> float:
            return 1.0

    q = Question.parse("Did the mayor report the gift on his disclosure forms?", _Stats())
    assert q.frame.verb == "report" and not q.denies
    assert Question.parse("Did the mayor deny wrongdoing?", _Stats()).frame.verb == "deny"
    assert Question.parse("Did the mayor say that the gift was reported?", _Stats()).frame.verb != "say"
    gift = Frame.of("the mayor did report the gift on his disclosure forms")
    assert stance(parse("A newspaper documented that the mayor had accepted a gift from a developer."), gift) == ""
    assert stance(parse("The mayor reported the gift on his disclosure forms in May."), gift) == "affirm"
    # what governs the noun a relative clause describes does not govern the clause's act
    fired = Frame.of("the coach was fired")
    talks = "The talks were meant to avoid a strike, during which the owner had threatened to fire the coach."
    assert stance(parse(talks), fired) != "deny"


def test_what_is_only_alleged_aimed_at_or_said_of_someone_else_is_not_stated() -> None:
    """An act under an allegation is only claimed, and denied when the allegation is ("denies allegations
    that it dumped waste"); a purpose ("made offers to get the hostage released") is not an
    outcome; a headline's "Smith released from prison" is about Smith, not about Jones; a question's main
    verb is its root, not a participle that describes its subject."""
    from assistant.answering.nlp import parse
    from assistant.perspectives.meaning import Frame, stance

    dumped = Frame.of("the firm did dump waste into the river")
    alleged = "Residents made allegations that the firm dumped waste into the river."
    assert stance(parse(alleged), dumped) == "hedged"
    assert stance(parse("The firm denies allegations that it dumped waste into the river."), dumped) == "deny"
    assert stance(parse("The firm dumped waste into the river in June."), dumped) == "affirm"

    jones = Frame.of("Jones was released from prison")
    offers = "The family repeatedly made offers to get Jones released from prison."
    assert stance(parse(offers), jones) == "hedged"
    assert stance(parse("Maria Lopez released from prison after ten years"), jones) == "other"
    assert stance(parse("Jones was released from prison on Monday."), jones) == "affirm"
    assert stance(parse("Releasing Jones from prison was the only way to end the strike."), jones) == "hedged"

    assert Frame.of("the three workers hired by the firm all did want to stay").verb == "want"


def test_bottom_line_speakers_open_in_lower_case_but_not_acronyms() -> None:
    """ "A United States official" in mid-sentence is "a United States official"; "US officials" stays."""
    from assistant.perspectives.summary import _speaker

    assert _speaker("A United States official") == "a United States official"
    assert _speaker("Both the Chinese and Russian governments") == "both the Chinese and Russian governments"
    assert _speaker("US officials") == "US officials"
    from assistant.perspectives.summary import _one_side

    assert _one_side("A US official", "US officials") and _one_side("a City spokesman", "City")
    assert not _one_side("US officials", "Chinese officials")


def test_a_sentence_states_the_claim_only_if_it_names_what_the_claim_names() -> None:
    """ "Did the mayor open the bridge in Leeds?" is not answered yes by "the mayor opened the bridge in
    York" (another place where the claim's place is), nor "Did Smith resign?" by a sentence about Jones; a
    name missing where the sentence names nothing of its sort ("for the festival in Leeds" left out) does
    not block it, nor does "UN" written "the United Nations"."""
    from assistant.perspectives.question import Question

    class _Stats:
        def idf(self, term: str) -> float:
            return 1.0

    q = Question.parse("Did the mayor open the bridge in Leeds?", _Stats())
    assert q.names_the_claim({"mayor", "open", "bridg", "leed"}, set(), "The mayor opened the bridge in Leeds.")
    assert not q.names_the_claim({"mayor", "open", "bridg", "york"}, set(), "x", frozenset({"thing"}))
    assert q.names_the_claim({"mayor", "open", "bridg"}, set(), "The mayor opened the bridge on Monday.")
    smith = Question.parse("Did Alice Smith resign from the board?", _Stats())
    assert not smith.names_the_claim({"jone", "resign", "board"}, set(), "Jones resigned from the board.")
    assert smith.names_the_claim({"resign", "board"}, {"smith"}, "She resigned from the board.")  # "she", named before
    un = Question.parse("Did China abstain in UN votes?", _Stats())
    assert un.names_the_claim(
        {"china", "abstain", "vote", "unit", "nation"}, set(), "China abstained in United Nations votes."
    )

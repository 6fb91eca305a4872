"""Stance by meaning: does a sentence state, deny or only touch on the question's claim?

Read from spaCy's parse, never from a story's word lists: the claim's predicate (its main verb's lemma),
who does it (agent) and to whom or what (patient), and in the sentence the word that carries that
predicate, whether it is negated (``dep_ == "neg"``, "no" on an argument, "failed to", "refused to"),
governed by a denial ("denied that …", "rejected … allegation"), hedged ("could", "considered …ing", a
question) or said of someone else ("A vigilante did not shoot …" is not about the US). The few verbs
named here are English (how denial, failure and hedging are said), not any story's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.perspectives.scope import (
    claim_doer,
    claim_patient,
    narrowed,
    other_doer,
    other_thing,
    same_word,
    unmet,
)

#: verbs that deny what their complement or object says ("denied that it had agreed", "rejected the claim")
DENY_LEMMAS = frozenset(["deny", "reject", "refute", "dismiss", "dispute", "rebut", "disavow", "contradict"])
#: verbs that make what they govern not happen ("failed to expel", "refused to pay")
FAIL_LEMMAS = frozenset(["fail", "refuse", "decline", "avoid", "stop", "prevent", "halt"])
#: verbs and modals under which the act is only possible, planned or alleged, not stated as done
HEDGE_LEMMAS = frozenset(
    ["consider", "plan", "propose", "threaten", "want", "try", "hope", "expect", "intend", "allege", "accuse",
     "weigh", "mull", "may", "might", "could", "would", "should"]
)  # fmt: skip
#: verbs that hedge the act they govern ("sought to free", "urged them to sign") but may be the act itself
#: ("Russia is seeking military aid"): never skipped as the claim's word
AIM_LEMMAS = frozenset(["offer", "seek", "urge", "demand", "aim"])
#: nouns under which the act is only claimed ("allegations that it is seeking …"), besides those derived
#: from a hedging verb ("allegation", "accusation", "plan", "threat", "offer")
CLAIM_NOUNS = frozenset(["claim", "rumor", "rumour", "speculation", "suspicion"])
_SUBJECTS = frozenset(["nsubj", "csubj", "expl"])
_PASSIVE_SUBJECTS = frozenset(["nsubjpass", "csubjpass"])
_OBJECTS = frozenset(["dobj", "obj", "attr", "oprd"])
#: verbs that only say who says it ("said", "told"): never the claim's act
REPORT_LEMMAS = frozenset(["say", "tell", "add", "report", "state"])
#: verbs of knowing or perceiving: "had not heard of the request" denies it; never the claim's act themselves
KNOW_LEMMAS = frozenset(["hear", "know", "see", "learn", "notice"])
#: light verbs: the act is their object ("make a bid" is said "bid", "give support" is said "support")
LIGHT_VERBS = frozenset(["make", "take", "give", "have", "do", "hold", "launch", "carry"])
#: how far up the parse a denial or a failure may govern the act ("denied that it had agreed to merge")
MAX_CHAIN = 4


def _names(tokens: Any) -> set[str]:
    return {t.lower_ for t in tokens if t.pos_ == "PROPN" or t.ent_type_ in ("GPE", "NORP", "ORG", "PERSON")}


def kind(token: Any) -> str:
    """What sort of name a token is: a person, a place or its people, an organisation; "" when spaCy
    does not say. Only names of one sort can stand for different parties ("Pearson" is not "Johnson");
    a person or an office may speak for a place ("Putin", "the Kremlin" for "Russia")."""
    ent = token.ent_type_
    return "place" if ent in ("GPE", "NORP", "LOC") else ent.lower()


@dataclass
class Frame:
    """The claim as spaCy reads it: its predicate lemma, agent and patient words, polarity and modality."""

    verb: str = ""
    #: the object of a light verb, which may carry the act itself ("bid" of "make a bid")
    noun: str = ""
    agent: set[str] = field(default_factory=set)
    patient: set[str] = field(default_factory=set)
    negated: bool = False
    modal: bool = False
    #: the sort of each of the agent's and patient's names (``kind``)
    kinds: dict[str, str] = field(default_factory=dict, compare=False)
    #: the claim's verb token in its parse: its vector in context finds the word a sentence says it with
    token: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, claim: str) -> Frame:
        """``claim``: the question put as a statement ("Chelsea did make a bid for Osimhen")."""
        from assistant.answering.nlp import parse

        doc = parse(claim)
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        # the main verb; the first one only where the root is none ("the five Iranians freed by the US all
        # did want to go back": "want", not "freed")
        verb = root if root is not None and root.pos_ == "VERB" else None
        verb = verb or next((t for t in doc if t.pos_ == "VERB" and t.dep_ != "aux"), None)
        if verb is not None and verb.lemma_ == "do" and verb.i + 1 < len(doc) and doc[verb.i + 1].is_alpha:
            verb = doc[verb.i + 1]  # "Trump did rape …" read with "did" as the verb
        if verb is None:  # "the Dominion settlement was worth …": the copula's complement carries the claim
            verb = next((t for t in doc if t.dep_ in ("acomp", "attr", "amod") and t.pos_ in ("ADJ", "NOUN")), None)
        if verb is None:
            return cls()
        agent, patient = _roles(verb)
        obj = next((c for c in verb.children if c.dep_ in ("dobj", "obj")), None)
        light = verb.lemma_.lower() in LIGHT_VERBS and obj is not None and obj.pos_ == "NOUN"
        return cls(
            verb=verb.lemma_.lower(),
            noun=obj.lemma_.lower() if light and obj is not None else "",
            agent=_names(agent),
            patient=_names(patient),
            negated=any(c.dep_ == "neg" for c in verb.children),
            modal=any(c.tag_ == "MD" for c in verb.children),
            kinds={t.lower_: kind(t) for t in agent + patient},
            token=obj if light and obj is not None else verb,
        )


def _roles(verb: Any) -> tuple[list[Any], list[Any]]:
    """The tokens of who does it and to whom or what (passive subjects are patients, "by" objects agents)."""
    agent: list[Any] = []
    patient: list[Any] = []
    for c in verb.children:
        if c.dep_ in _SUBJECTS:
            agent.extend(c.subtree)
        elif c.dep_ in _PASSIVE_SUBJECTS or c.dep_ in _OBJECTS:
            patient.extend(c.subtree)
        elif c.dep_ == "agent":
            agent.extend(c.subtree)
    return agent, patient


def _head_names(tokens: list[Any]) -> list[Any]:
    """The names of a role's head words ("Pearson and Jones", "Napoli president"), not of what modifies them
    ("any offer for the Nigeria international" names no one)."""
    roots = [t for t in tokens if t.head not in tokens or t.head.i == t.i]
    heads = [h for r in roots for h in [r, *r.conjuncts]]
    words = [x for h in heads for x in [h, *h.children] if x is h or x.dep_ in ("compound", "flat")]
    return [t for t in words if t.lower_ in _names([t])]


def _clashes(frame_names: set[str], tokens: list[Any], agent: bool, kinds: dict[str, str]) -> bool:
    """The sentence names someone else of the same sort in a role the claim's names fill ("Pearson and
    Jones were expelled" for "Was Johnson expelled", "a vigilante" for "the US"); "it", "the club" may be
    anyone, and a person or an office may speak for a place ("refused to criticise Putin" of Russia): no clash."""
    if not frame_names or not tokens:
        return False
    names = _head_names(tokens)
    if names:
        if any(same_word(t.lower_, b) for t in names for b in frame_names):
            return False
        sorts = {kinds.get(b, "") for b in frame_names}
        return any(not kind(t) or "" in sorts or kind(t) in sorts for t in names)
    head = next((t for t in tokens if t.head not in tokens or t.head.i == t.i), tokens[0])
    indefinite = any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in head.children)
    return agent and indefinite and head.pos_ == "NOUN"


#: verbs through which a noun's act is still denied or negated: light verbs ("made a request"), what is
#: said ("denied the request") and what is known of it ("had not heard of the request")
_CARRIERS = LIGHT_VERBS | DENY_LEMMAS | FAIL_LEMMAS | KNOW_LEMMAS | frozenset(["be"])
#: words after "not" that make it "more than" ("not just one payment", "not only a player"): no negation
_NOT_ONLY = frozenset(["just", "only", "merely", "simply"])


def _negates(token: Any) -> bool:
    """A negation ("not", "n't", "never"), but not "not just" / "not only"."""
    if token.dep_ != "neg":
        return False
    nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return nxt is None or nxt.lower_ not in _NOT_ONLY


def _anchor(doc: Any, frame: Frame) -> Any:
    """The sentence's word that carries the claim's predicate: its lemma or a derivation of it, else the
    verb or noun that plays the claim verb's part in context ("requested", "the request" for "asked";
    ``context.same_role``), never a word that only reports, denies or hedges."""
    # a light verb's noun first ("has no enforcement mechanism" for "have a mechanism"); never an auxiliary
    # ("experts have said …" does not "have" anything)
    words = [w for w in (frame.noun, frame.verb) if w]
    found = next(
        (t for w in words for t in doc if t.is_alpha and t.dep_ not in ("aux", "auxpass") and same_word(t.lemma_, w)),
        None,
    )
    if found is not None or frame.token is None:
        return found
    from assistant.perspectives.context import same_role

    skip = DENY_LEMMAS | FAIL_LEMMAS | HEDGE_LEMMAS | REPORT_LEMMAS | LIGHT_VERBS | KNOW_LEMMAS
    # a word the claim itself uses for something else ("disclosure" of "report … on his disclosure forms")
    # plays that part here too, not the verb's
    own = [x.lemma_.lower() for x in frame.token.doc if x.i != frame.token.i and x.pos_ in ("NOUN", "VERB", "PROPN")]
    cands = [
        t for t in doc
        if t.pos_ in ("VERB", "NOUN") and t.dep_ not in ("aux", "prep") and t.lemma_.lower() not in skip
        and not any(same_word(t.lemma_, w) for w in own)
        and not any(c.dep_ == "ccomp" for c in t.children)  # "documented that …" reports, it does not act
    ]  # fmt: skip
    return same_role(frame.token, cands)


def _apart(a: Any, b: Any) -> bool:
    """A colon or semicolon stands between two words: a headline and its quotation ("Pence drops out of the
    race: 'This is not my time'"), two reports ("…, Pentagon says; US weighed …"). Neither governs the other."""
    lo, hi = sorted((a.i, b.i))
    return any(t.text in (":", ";") for t in a.doc[lo + 1 : hi])


def _claimed(noun: Any) -> bool:
    """A noun that only claims what it governs ("allegation", "accusation", "plan", "claim")."""
    lemma = noun.lemma_.lower()
    return lemma in CLAIM_NOUNS or any(same_word(lemma, h) for h in HEDGE_LEMMAS | AIM_LEMMAS if len(h) >= 4)


def stance(doc: Any, frame: Frame) -> str:
    """``"affirm"``, ``"deny"`` (the sentence negates or denies the claim's predicate of the same parties),
    ``"other"`` (the predicate, said of someone else), ``"hedged"`` (possible, planned, alleged, asked),
    ``"scoped"`` (negated only of a time or another case than the claim's: ``scope.narrowed``; neither side,
    and no word-level denial either) or ``""`` (the predicate is not there: the parse cannot tell)."""
    if not frame.verb:
        return ""
    t = _anchor(doc, frame)
    if t is None:
        return ""
    agent, patient = _roles(t) if t.pos_ in ("VERB", "AUX") else ([], [])
    if t.dep_ == "conj" and not any(c.dep_ in _SUBJECTS | _PASSIVE_SUBJECTS for c in t.children):
        # "Pearson and Jones … had employed bullhorns and were expelled": the first verb's subject
        subject = [x for c in t.head.children if c.dep_ in _SUBJECTS | _PASSIVE_SUBJECTS for x in c.subtree]
        if any(c.dep_ == "auxpass" for c in t.children):
            patient = patient + subject
        else:
            agent = agent + subject
    # "Griner, released from detention, …": the names of the noun a participle describes are its patient's
    described = [x for x in t.head.subtree if x.i < t.i] if t.dep_ == "acl" and t.tag_ == "VBN" else []
    passive = frame.token is not None and any(c.dep_ == "auxpass" for c in frame.token.children)
    if passive and agent and not any(c.dep_ in _OBJECTS | {"agent"} for c in t.children):
        agent, described = [], described + agent  # a headline's passive read as active: "Griner released"
    if _clashes(frame.agent, agent, True, frame.kinds) or _clashes(
        frame.patient, patient + described, False, frame.kinds
    ):
        return "other"
    if frame.token is not None and other_doer(claim_doer(frame.token), agent):
        return "other"  # "A vigilante did not shoot …" for "Did an F-22 shoot …"
    own_verb = same_word(t.lemma_, frame.verb)  # not a word found by its role ("fired a missile" for "shoot")
    if own_verb and frame.token is not None and other_thing(claim_patient(frame.token), patient):
        return "other"  # "shot down an unidentified object" for "Did the Pentagon shoot down the balloon …"
    negated = any(_negates(c) or (c.dep_ == "det" and c.lower_ == "no") for c in t.children) or any(
        c.dep_ in _PASSIVE_SUBJECTS | _OBJECTS | _SUBJECTS and any(d.lower_ in ("no", "none") for d in c.children)
        for c in t.children
    )
    # a noun only mentions the act ("rape allegations", "the expulsion"): it states nothing happened
    modal = not frame.modal and any(c.tag_ == "MD" for c in t.children)
    hedged = t.pos_ not in ("VERB", "AUX", "ADJ") or modal or doc.text.rstrip().endswith("?")
    if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in t.children):
        return "hedged"  # "refused to say if jamming devices were used": asked, not said
    if t.dep_ == "acl" and t.head.pos_ == "NOUN" and any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children):
        hedged = True  # "the decision to shoot down the balloon": a plan, not an act done
    if t.dep_ == "csubj" and t.tag_ == "VBG":
        hedged = True  # "releasing Bout was the only way": an act named, not said to be done
    denied = False
    node = t
    for _ in range(MAX_CHAIN):
        # spaCy makes a new Token each time: never `is`. What governs the noun a relative clause describes
        # ("to avoid a shutdown, during which Gaetz threatened to oust …") does not govern the clause's act.
        if node.head.i == node.i or node.dep_ == "relcl" or _apart(node, node.head):
            break
        if node.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
            hedged = True  # "made offers to get Whelan released": a purpose, not an outcome
        node = node.head
        lemma = node.lemma_.lower()
        if t.pos_ == "NOUN" and node.pos_ in ("VERB", "ADJ") and lemma not in _CARRIERS:
            break  # "failing to report the payment", "not guilty in a case of charges": another predicate
        if lemma in DENY_LEMMAS:
            denied = True
            break
        if node.pos_ == "NOUN" and _claimed(node):
            hedged = True  # "allegations that it dumped waste", "the claim that …": only claimed
        if lemma in FAIL_LEMMAS:
            negated = not negated
        elif (lemma in HEDGE_LEMMAS | AIM_LEMMAS or any(c.tag_ == "MD" for c in node.children)) and not frame.modal:
            hedged = True  # "considered shooting it down", "should be able to complain"
        if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in node.children):
            return "hedged"  # "it is not yet clear whether China intends to provide": asked, not said
        if any(_negates(c) for c in node.children) and node.pos_ in ("VERB", "AUX", "ADJ"):
            negated = not negated  # "did not say that …", "has not decided to …", "was not interested in …"
    if not denied and negated != frame.negated and narrowed(t, frame.token):
        return "scoped"  # "did not shoot it down when it was first spotted", "was not charged in that case"
    if denied or negated != frame.negated:
        return "deny"
    if hedged:
        return "hedged"
    return "" if unmet(t, frame.token) else "affirm"

"""Perspectives mode: what the sources say about a question, grouped by claim, for and against.

Offline and without an LLM. The evidence is the extractive reader's own candidate sentences and
scores (``ExtractiveReader.candidates`` / ``score``, same refusal rule) over a wider retrieval.

* Each relevant sentence gets a *stance*: it asserts, or it denies ("denied", "rejects",
  "disinformation", "never heard of", or a negation on the question's verb: "has not asked"), and a
  *speaker party* where it names one ("Kremlin spokesman Dmitry Peskov" -> Russia).
* A yes/no question is itself the proposition. A sentence supports it when it states every
  predicate word of the question (synonyms folded: "requested" ~ "asked", "assistance" ~ "aid") with
  the question's names in the same agent order; a denial contradicts it when, read with its
  neighbours and its article's headline (a denial points back: "denied that *the request* had been
  made"), it is about the same predicate, and its speaker is not on the supporting side.
* A wh-question's main claim is its best sentence, with every file that states the same fact: near
  duplicates (embedding similarity plus content-word containment) or sentences naming the same
  answer (the same person, number).
* Near-duplicate statements are cited once with all their files (``[1][3]``); further facts several
  files agree on become further claims.

The answer is assembled from the cited sentences themselves, so it says nothing no article says.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.grounding import CitationList, refusal_text
from assistant.readers.candidates import Candidate
from assistant.readers.extractive import ExtractiveReader
from assistant.readers.postprocessors import refusal_reason
from assistant.records import AnswerRecord, Citation, Claim
from assistant.retrieval import retrieved_of
from assistant.text import NUMBER_WORDS, STOPWORDS, content_terms, question_type, stem, words

#: passages retrieved for a perspectives answer (more than for a plain answer: every side is wanted)
TOP_K = 18
#: sentences embedded per question (the lexically most relevant ones)
EMBED_LIMIT = 80
#: relevance = this share of embedding similarity + the rest from the question's words the sentence has
W_EMBEDDING = 0.5
#: neighbouring sentences count this much towards a sentence's coverage of the question (denials more:
#: they point back to what they deny)
CONTEXT_COVER = 0.7
DENIAL_CONTEXT_COVER = 0.85
#: the reader's penalties, applied the same way: the wrong kind of answer, or nothing of what is asked
TYPE_PENALTY = 0.6
UNCOVERED_PENALTY = 0.7
#: a sentence is evidence when its relevance reaches this, and this share of the best sentence's
MIN_RELEVANCE = 0.33
RELATIVE_RELEVANCE = 0.55
#: denials score lower (they point back to what they deny instead of repeating it): a lower bar
RELATIVE_RELEVANCE_DENIAL = 0.45
#: in a sentence's coverage of the question, the question's names count this much (what is said about them counts fully)
NAME_WEIGHT = 0.5
#: two sentences state the same fact at this similarity (0.6 embedding cosine + 0.4 word containment)
SAME_FACT = 0.74
SHARED_QUOTE = 0.9
#: an opposite-stance sentence disputes a wh-question's claim at this similarity
SAME_PROPOSITION = 0.62
#: further claims: facts stated by at least this many files, at least this share of the main claim's relevance
FURTHER_MIN_FILES = 2
#: a wh-question's claim is the best sentence with the question's verb when it scores this share of the best
HEAD_RATIO = 0.8
FURTHER_RATIO = 0.75
MAX_CLAIMS = 3
MAX_CONTRADICTING = 6

# -- vocabulary ---------------------------------------------------------------------------------
#: words that name the same thing for the purpose of matching a question to a sentence
_SYNONYMS = {
    "ask": "ask asked asking asks request requested requesting requests sought seek seeking seeks solicit",
    "aid": "aid aids assistance assist assisted help helped helping helps support supported supporting supports "
    "give gives given giving provide provided provides providing send sending sent",
    "russia": "russia russian russians moscow kremlin",
    "china": "china chinese beijing",
    "us": "us u.s american americans washington",
    "ukraine": "ukraine ukrainian ukrainians kyiv kiev",
    "criticize": "criticize criticise criticized criticised criticizing criticising criticism condemn condemned "
    "condemnation censure censured censuring",
    "meet": "meet met meeting meetings talks",
    "invade": "invade invaded invading invasion invasions",
    "abstain": "abstain abstained abstaining abstention abstentions",
    "know": "know knew known knowing aware",
    "decide": "decide decided decides deciding decision",
}
CANON = {stem(w): canon for canon, group in _SYNONYMS.items() for w in group.split()}
#: canonical names of the parties (countries): never "the answer" to a wh-question on their own
PARTY_TERMS = frozenset(["russia", "china", "us", "ukraine"])
#: canonical acts: a denial that names one of these denies that act, not another
ACTIONS = frozenset(["ask", "aid", "criticize", "meet", "invade", "abstain", "know", "decide"])
#: a quotation of at least five words shared by two sentences makes them one statement
_QUOTE_RE = re.compile(r"[“\"]([^”\"]{20,})[”\"]")

#: words that deny or dispute what was said
DENIAL_RE = re.compile(
    r"\b(den(?:y|ies|ied|ial|ials|ying)|reject(?:s|ed|ing)?|disinformation|misinformation|fake news|"
    r"baseless|groundless|untrue|unfounded|refut(?:e|ed|es|ing)|fabricat\w*|smear\w*|"
    r"never heard|not heard|no sign|no evidence|nonsense)\b",
    re.IGNORECASE,
)
#: "would likely deny": a prediction, not a denial
_HYPOTHETICAL_RE = re.compile(r"\b(?:would|could|might|may|will|likely|if)\s+(?:\w+\s+)?$", re.IGNORECASE)
#: words that negate the predicate word right after them
NEGATORS = frozenset(["not", "never", "no", "neither", "nor", "without", "cannot"])
NEGATING_VERBS = re.compile(r"^(?:refus|avoid|declin|fail)")
NEGATION_WINDOW = 3
#: the words after a denial word that say what is denied
DENIAL_SCOPE = 6
#: "did not provide details": a negation of saying more, not of the act
_NOT_THE_ACT = frozenset(["details", "detail", "comment", "comments", "information", "specifics", "further"])

#: who speaks: the party a speaker phrase belongs to
_PARTIES = {
    "Russia": r"russia|russian|kremlin|moscow|putin|peskov|lavrov",
    "China": r"china|chinese|beijing|xi jinping|zhao lijian|liu pengyu|wang yi",
    "United States": r"\bus\b|u\.s\.|united states|america|american|washington|white house|pentagon|"
    r"state department|biden|sullivan|blinken|ned price|\bcia\b",
    "Ukraine": r"ukrain|kyiv|zelensky",
}
_PARTY_RES = {name: re.compile(rf"(?:{pat})", re.IGNORECASE) for name, pat in _PARTIES.items()}
_SPEECH = (
    r"said|says|say|told|tells|added|denied|denies|deny|rejects|rejected|accused|accuses|warned|called|calls|"
    r"insisted|claimed|claims|stated|argued|believe|believes|fear|fears|criticised|criticized"
)
_SPEECH_RE = re.compile(rf"\b(?:{_SPEECH})\b")
_ACCORDING_RE = re.compile(
    r"\baccording to ((?:the |a |an )?[^,.;:“\"]{2,80})((?:,\s*[^,.;:“\"]{2,80})?)", re.IGNORECASE
)
_INVERTED_RE = re.compile(r",[”\"’]?\s*(?:said|says)\s+([^,.;:“\"]{2,60})[.!?]?\s*$")
_APPOSITIVE_START = frozenset(
    ["a", "an", "senior", "former", "who", "deputy", "chief", "spokesman", "spokeswoman", "spokesperson"]
)
_PRONOUNS = frozenset(["he", "she", "they", "it", "we", "that", "there", "i", "you"])
#: "Have US officials said (that) …": the proposition is what follows
_REPORTED_RE = re.compile(
    r"^\s*(?:did|do|does|have|has|had|is|are|was|were)\s+(?:.{1,60}?)\s+"
    r"(?:say|said|claim|claimed|report|reported|state|stated|confirm|confirmed|deny|denied|suggest|suggested)"
    r"\s+(?:that\s+)?(?=\S)",
    re.IGNORECASE,
)
#: a denial that points back to something said before it ("denied *the request*", "rejects *the assertions*")
_ANAPHORA_RE = re.compile(
    r"\b(?:the|these|those|such|that|this|its|their) (?:\w+ ){0,2}(?:request|requests|report|reports|claim|claims|"
    r"assertion|assertions|allegation|allegations|accusation|accusations|story|stories)\b|\b(?:it|this|that)\b",
    re.IGNORECASE,
)
YES_NO_RE = re.compile(
    r"^\s*(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|didn't|doesn't|isn't|hasn't)\b",
    re.IGNORECASE,
)
_NAME_WORD_RE = re.compile(r"\b[A-Z][A-Za-z’'\-]+|\b\d[\d,.]*\b")


def norm(term: str) -> str:
    return CANON.get(term, term)


def norm_terms(text: str) -> list[str]:
    """Content words in order, synonyms and place adjectives folded together ("requested" -> "ask")."""
    return [norm(t) for t in content_terms(text)]


def _appositive(clause: str) -> bool:
    """A comma clause describing the name before it ("a spokesman for the Chinese Embassy")."""
    first = clause.strip().split(" ", 1)[0].lower() if clause.strip() else ""
    return first in _APPOSITIVE_START


def denial_cue(text: str, head: set[str], denials: bool = True, negations: bool = True) -> str:
    """The words that make ``text`` deny or dispute the question's proposition, or ``""``.

    Either an explicit denial word (not a predicted one: "would likely deny"), or a negation ("not",
    "never", "refused to") within a few words before the question's main verb ("has not asked").
    """
    if denials:
        for m in DENIAL_RE.finditer(text):
            if not _HYPOTHETICAL_RE.search(text[max(0, m.start() - 25) : m.start()]):
                return m.group(0)
    if not negations:
        return ""
    toks = words(text)
    for i, tok in enumerate(toks):
        negates = tok in NEGATORS or tok.endswith(("n't", "n’t")) or bool(NEGATING_VERBS.match(tok))
        if not negates:
            continue
        window = toks[i + 1 : i + 1 + NEGATION_WINDOW]
        for j, nxt in enumerate(window):
            if nxt not in STOPWORDS and norm(stem(nxt)) in head:
                after = toks[i + 2 + j : i + 3 + j]
                if after and after[0] in _NOT_THE_ACT:
                    break
                return f"{tok} … {nxt}"
    return ""


def speaker_of(text: str) -> str:
    """Who a sentence reports as saying it ("Kremlin spokesman Dmitry Peskov", "US officials"), or ``""``.

    "according to X", "…, says X" at the end, or the subject before the first reporting verb, with
    the appositive that describes it ("Liu Pengyu, a spokesman for the Chinese Embassy").
    """
    m = _ACCORDING_RE.search(text)
    if m:
        extra = m.group(2)
        return (m.group(1) + (extra if extra and _appositive(extra.lstrip(", ")) else "")).strip()
    m = _INVERTED_RE.search(text)
    if m and m.group(1).split(" ", 1)[0].lower() not in _PRONOUNS:
        return m.group(1).strip()
    m = _SPEECH_RE.search(text)
    if not m:
        return ""
    clauses = [c for c in re.split(r",\s+", text[: m.start()].strip()) if c]
    if not clauses:
        return ""
    subject = clauses.pop()
    while clauses and _appositive(subject):
        subject = f"{clauses.pop()}, {subject}"
    subject = re.sub(r"^(?:and|but|so|also|meanwhile)\s+", "", subject.strip(), flags=re.IGNORECASE)
    subject = re.sub(r"\s+(?:also|publicly|later|then|bluntly)$", "", subject)
    subject = re.sub(r"\s+(?:on|last|this|over the)\s+\w+$", "", subject)  # "Beijing on Monday"
    if subject.split(" ", 1)[0].lower() in _PRONOUNS:
        return ""
    return subject if 0 < len(subject.split()) <= 16 else ""


def party_of(speaker: str) -> str:
    """The country a speaker phrase belongs to (the first one it names), or ``""``."""
    best: tuple[int, str] | None = None
    for name, rx in _PARTY_RES.items():
        m = rx.search(speaker)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else ""


# -- the question -------------------------------------------------------------------------------
@dataclass
class Question:
    """What the question asserts: its words, names, predicate (main verb first) and polarity."""

    text: str
    terms: set[str]
    names: list[str]
    predicate: set[str]
    head: str
    weights: dict[str, float]
    yes_no: bool
    negated: bool
    denies: bool

    @classmethod
    def parse(cls, text: str, stats: Any) -> Question:
        ordered = list(dict.fromkeys(norm_terms(text)))
        m = _REPORTED_RE.match(text)
        proposition = text[m.end() :] if m else text
        names: list[str] = []
        for i, w in enumerate(_NAME_WORD_RE.finditer(proposition)):
            word = w.group(0)
            if i == 0 and word.lower() in STOPWORDS | {"did", "does", "do", "who", "what", "how", "has", "have"}:
                continue
            names.extend(t for t in norm_terms(word) if t not in names)
        prop_terms = list(dict.fromkeys(norm_terms(proposition)))
        verbs = [t for t in prop_terms if t not in names] or prop_terms or ordered
        weights = {t: max(stats.idf(t), 0.5) * (NAME_WEIGHT if t in names else 1.0) for t in ordered}
        head = {verbs[0]} if verbs else set()
        negated = bool(denial_cue(proposition, head, denials=False))
        denies = bool(denial_cue(proposition, head, negations=False))
        return cls(
            text, set(ordered), names, set(verbs), verbs[0] if verbs else "", weights,
            bool(YES_NO_RE.match(text)), negated, denies,
        )  # fmt: skip

    def coverage(self, terms: set[str]) -> float:
        total = sum(self.weights.values()) or 1.0
        return sum(w for t, w in self.weights.items() if t in terms) / total

    def states_predicate(self, terms: set[str]) -> bool:
        """Every predicate word (all but one of four or more) is in ``terms``."""
        have = len(self.predicate & terms)
        need = len(self.predicate) if len(self.predicate) <= 3 else len(self.predicate) - 1
        return have >= need

    def same_agent_order(self, ordered: list[str]) -> bool:
        """The question's first two party names appear in the same order ("Russia asked China", not the reverse)."""
        parties = [n for n in self.names if n in PARTY_TERMS][:2]
        if len(parties) < 2 or not all(p in ordered for p in parties):
            return True
        return ordered.index(parties[0]) < ordered.index(parties[1])


# -- evidence -----------------------------------------------------------------------------------
@dataclass
class Statement:
    """One evidence sentence with its stance, speaker and what it covers of the question."""

    cand: Candidate
    terms: set[str]
    ordered: list[str]
    raw: set[str]
    around: set[str]
    relevance: float
    negative: bool
    cue: str
    speaker: str
    party: str
    vec: Any = None
    flat: str = ""
    quotes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flat = " ".join(words(self.cand.text))
        self.quotes = [q for q in (" ".join(words(x)) for x in _QUOTE_RE.findall(self.cand.text)) if q.count(" ") >= 4]


@dataclass
class Group:
    """Sentences of several files that state one fact: cited once with every file (best sentence per file)."""

    members: list[Statement]
    negative: bool

    @property
    def rep(self) -> Statement:
        return self.members[0]

    @property
    def sources(self) -> list[str]:
        return [m.cand.source for m in self.members]

    @property
    def parties(self) -> set[str]:
        return {m.party for m in self.members if m.party}

    def add(self, s: Statement) -> bool:
        if s.cand.source in self.sources:
            return False
        self.members.append(s)
        return True


@dataclass
class ClaimGroups:
    claim: Group
    contradicting: list[Group]


@dataclass
class Perspectives:
    """The result before numbering: claims, or a refusal and why."""

    claims: list[ClaimGroups]
    refused: bool
    reason: str
    statements: list[Statement] = field(default_factory=list)


def similarity(a: Statement, b: Statement) -> float:
    """Same-fact similarity: embedding cosine and the share of the shorter sentence's words in the other."""
    containment = len(a.raw & b.raw) / max(min(len(a.raw), len(b.raw)), 1)
    sim = 0.6 * float(a.vec @ b.vec) + 0.4 * containment
    if any(q in b.flat for q in a.quotes) or any(q in a.flat for q in b.quotes):
        sim = max(sim, SHARED_QUOTE)  # the same quotation: the same statement, however it is introduced
    return sim


def _parties_in_order(ordered: list[str]) -> list[str]:
    return list(dict.fromkeys(t for t in ordered if t in PARTY_TERMS))[:2]


def same_direction(a: Statement, b: Statement) -> bool:
    """False when both name the same two parties in opposite order ("Russia asked China" / "China gives Russia")."""
    pa, pb = _parties_in_order(a.ordered), _parties_in_order(b.ordered)
    return not (len(pa) == 2 and len(pb) == 2 and set(pa) == set(pb) and pa != pb)


def select_statements(
    reader: ExtractiveReader, q: Question, nodes: list[Any], focus: str | None = None
) -> tuple[list[Statement], str]:
    """Score the retrieved sentences; keep the relevant ones with their stance (most relevant first).

    The reader decides refusal exactly as for a plain answer; its reason is returned ("" = answer).
    """
    cands = reader.candidates(nodes)
    if not cands:
        return [], "nothing retrieved"
    reader.score(q.text, cands, focus)
    refused = refusal_reason(max(cands, key=lambda c: c.score), reader.settings.refusal_threshold)
    if refused:
        return [], refused

    titles = {n.node.metadata.get("source", ""): n.node.metadata.get("title") or "" for n in nodes}
    pre: list[tuple[float, Candidate, list[str], set[str], str]] = []
    for c in cands:
        ordered = norm_terms(c.text)
        terms = set(ordered)
        cue = denial_cue(c.text, {q.head}, denials=not q.denies, negations=not q.negated)
        around = {norm(t) for t in c.context_terms}
        if cue:  # a denial points back to what it denies: its neighbours and its article's headline
            around |= set(norm_terms(titles.get(c.source, "")))
        own = q.coverage(terms)
        factor = DENIAL_CONTEXT_COVER if cue else CONTEXT_COVER
        cover = max(own, factor * q.coverage(terms | around))
        if own > 0:
            pre.append((cover, c, ordered, around, cue))
    pre.sort(key=lambda p: p[0], reverse=True)
    pre = pre[:EMBED_LIMIT]
    if not pre:
        return [], "no sentence speaks to the question"
    vecs = reader.cache.get([q.text] + [p[1].text for p in pre])
    vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    out: list[Statement] = []
    for (cover, c, ordered, around, cue), vec in zip(pre, vecs[1:], strict=True):
        relevance = W_EMBEDDING * float(vec @ vecs[0]) + (1 - W_EMBEDDING) * cover
        if not c.parts.get("typed", 1.0):
            relevance *= TYPE_PENALTY
        if not c.parts.get("covers", 1.0):
            relevance *= UNCOVERED_PENALTY
        speaker = speaker_of(c.text)
        raw = set(content_terms(c.text))
        out.append(
            Statement(c, set(ordered), ordered, raw, around, relevance, bool(cue), cue, speaker, party_of(speaker), vec)
        )
    top = max(s.relevance for s in out)
    keep = [
        s
        for s in out
        if s.relevance >= max(MIN_RELEVANCE, (RELATIVE_RELEVANCE_DENIAL if s.negative else RELATIVE_RELEVANCE) * top)
    ]
    keep.sort(key=lambda s: s.relevance, reverse=True)
    return keep, ""


def group_statements(statements: list[Statement]) -> list[Group]:
    """Near-duplicate grouping: a sentence joins the most similar group of its stance (one sentence per file)."""
    groups: list[Group] = []
    for s in statements:  # most relevant first: each group's first member is its best sentence
        best, best_sim = None, SAME_FACT
        for g in groups:
            if g.negative != s.negative or not all(same_direction(s, m) for m in g.members):
                continue
            sim = max(similarity(s, m) for m in g.members)
            if sim >= best_sim:
                best, best_sim = g, sim
        if best is None:
            groups.append(Group([s], s.negative))
        else:
            best.add(s)  # a second sentence of a file already in the group adds nothing new
    return groups


def _regroup(statements: list[Statement]) -> list[Group]:
    """Groups of the given statements, strongest first."""
    return sorted(group_statements(statements), key=lambda g: g.rep.relevance, reverse=True)


def _supporting_side(q: Question, statements: list[Statement]) -> tuple[list[Statement], list[Statement]]:
    """Yes/no questions: the sentences that state the proposition, and those that deny it."""
    parties = [n for n in q.names if n in PARTY_TERMS]
    affirm = [
        s
        for s in statements
        if not s.negative
        and q.head in s.terms
        and q.states_predicate(s.terms)
        and q.same_agent_order(s.ordered)
        and all(p in s.terms for p in parties)
        and (not q.names or any(n in s.terms for n in q.names))
    ]
    deny = [
        s
        for s in statements
        if s.negative and _denies_the_act(q, s) and len(q.predicate & (s.terms | s.around)) * 2 >= len(q.predicate)
    ]
    return affirm, deny


def _denies_the_act(q: Question, s: Statement) -> bool:
    """A denial is of the question's act when it names the act in its scope ("denied it has sought …",
    "has not asked"), or points back to it ("denied that the request had been made") without naming
    another act ("criticised China for helping spread disinformation" denies nothing)."""
    toks = words(s.cand.text)
    acts = [norm(stem(t)) if t not in STOPWORDS else "" for t in toks]
    head_at = next((i for i, a in enumerate(acts) if a == q.head), None)
    points_back = bool(_ANAPHORA_RE.search(s.cand.text))
    if "…" in s.cue:  # a negation right before the act itself
        return True
    m = DENIAL_RE.search(s.cand.text)
    cue_at = len(words(s.cand.text[: m.start()])) if m else 0
    if head_at is not None:
        return cue_at <= head_at or points_back
    other_act = any(a in ACTIONS for a in acts[cue_at : cue_at + DENIAL_SCOPE])
    return not other_act and q.head in s.around and points_back


def _answer_terms(q: Question, first: Statement, statements: list[Statement]) -> set[str]:
    """Who/how-many questions: the names or numbers of the best sentence that other files repeat (the answer)."""
    kind = question_type(q.text)
    if kind not in ("person", "number", "date"):
        return set()
    mine: set[str] = set()
    if kind == "person":
        for m in _NAME_WORD_RE.finditer(first.cand.text):
            if m.group(0).lower() not in STOPWORDS:
                mine.update(t for t in norm_terms(m.group(0)) if t not in q.terms and t not in PARTY_TERMS)
    else:
        mine = {norm(t) for t in content_terms(first.cand.text) if t[:1].isdigit() or t.split("-")[0] in NUMBER_WORDS}
    files: Counter = Counter()
    for t in mine:
        files[t] = len({s.cand.source for s in statements if t in s.terms and s.negative == first.negative})
    if not files:
        return set()
    top = max(files.values())
    return {t for t, n in files.items() if n == top} if top >= 2 else set()


def build_claims(q: Question, statements: list[Statement]) -> list[ClaimGroups]:
    """The main claim with what contradicts it, then further facts several files agree on."""
    if not statements:
        return []
    used: set[int] = set()
    claims: list[ClaimGroups] = []
    if q.yes_no:
        affirm, deny = _supporting_side(q, statements)
        # the claim the question asks about, as the question puts it (negative only when nothing affirms it)
        support, against = (affirm, deny) if affirm or not deny else (deny, affirm)
        if support:
            main = Group([], support[0].negative)
            for s in support:
                main.add(s)
            used.update(id(s) for s in support)
            parties = main.parties
            others = [s for s in against if not (s.party and s.party in parties)]
            contra = _regroup(others)[:MAX_CONTRADICTING]
            used.update(id(s) for s in against)
            claims.append(ClaimGroups(main, contra))
    if not claims:
        # the best sentence that says what is asked (the question's verb), unless it is far weaker
        first = next(
            (s for s in statements if q.head in s.terms and s.relevance >= HEAD_RATIO * statements[0].relevance),
            statements[0],
        )
        main = next(g for g in group_statements(statements) if g.rep is first)
        answer = set() if q.yes_no else _answer_terms(q, first, statements)
        for s in statements:
            if answer and s.negative == first.negative and answer <= s.terms:
                main.add(s)
        used.update(id(s) for s in statements if s.cand.source in main.sources and s.negative == main.negative)
        used.update(id(m) for m in main.members)
        parties = main.parties
        against = [
            s
            for s in statements
            if s.negative != main.negative
            and id(s) not in used
            and not (s.party and s.party in parties)
            and max(similarity(s, m) for m in main.members) >= SAME_PROPOSITION
        ]
        used.update(id(s) for s in against)
        claims.append(ClaimGroups(main, _regroup(against)[:MAX_CONTRADICTING]))
    strength = max(m.relevance for m in claims[0].claim.members)
    rest = [s for s in statements if id(s) not in used]
    for g in _regroup(rest):
        if len(claims) >= MAX_CLAIMS:
            break
        if len(g.members) >= FURTHER_MIN_FILES and g.rep.relevance >= FURTHER_RATIO * strength:
            claims.append(ClaimGroups(g, []))
    return claims


def find_perspectives(
    reader: ExtractiveReader, question: str, nodes: list[Any], focus: str | None = None
) -> Perspectives:
    """Claims about ``question`` from the retrieved ``nodes``, or a refusal."""
    q = Question.parse(question, reader.stats)
    statements, reason = select_statements(reader, q, nodes, focus)
    if reason:
        return Perspectives([], True, reason)
    claims = build_claims(q, statements)
    if not claims:
        return Perspectives([], True, "no relevant statements", statements)
    return Perspectives(claims, False, "ok", statements)


# -- the answer record --------------------------------------------------------------------------
def source_metadata(nodes: list[Any]) -> dict[str, dict[str, Any]]:
    """Each retrieved file's ingest metadata (title, outlet, date …), by file name."""
    out: dict[str, dict[str, Any]] = {}
    for n in nodes:
        meta = n.node.metadata
        out.setdefault(meta.get("source", ""), meta)
    return out


def add_source_metadata(citations: list[Citation], nodes: list[Any]) -> list[Citation]:
    """Fill each citation's title, outlet and date from its file's metadata (where the text states them)."""
    meta = source_metadata(nodes)
    for c in citations:
        m = meta.get(c.source, {})
        c.title = c.title or m.get("title") or None
        c.outlet = m.get("outlet") or None
        c.date = m.get("date") or None
    return citations


def label(source: str, meta: dict[str, dict[str, Any]]) -> str:
    """How the answer names a file: its outlet where the text states one, else its file name."""
    outlet = meta.get(source, {}).get("outlet")
    return f"{outlet} ({source})" if outlet else source


def _join(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _shown(group: Group) -> str:
    """The sentence that states a group's fact: its best one, or a fuller one that contains all its words."""
    rep = group.rep
    fuller = [m for m in group.members if rep.raw <= m.raw]
    return max(fuller, key=lambda m: len(m.cand.text)).cand.text.strip()


def compose(result: Perspectives, nodes: list[Any]) -> tuple[str, list[Citation], list[Claim]]:
    """Number the citations and write the answer: each claim, who supports it, who contradicts it."""
    meta = source_metadata(nodes)
    cites = CitationList()

    def cite(group: Group) -> list[int]:
        numbers = []
        for s in group.members:
            c, m = s.cand, meta.get(s.cand.source, {})
            numbers.append(
                cites.number(
                    c.source,
                    c.start,
                    c.end,
                    c.text,
                    s.relevance,
                    title=c.title or m.get("title") or None,
                    outlet=m.get("outlet") or None,
                    date=m.get("date") or None,
                )
            )
        return list(dict.fromkeys(numbers))

    paragraphs: list[str] = []
    claims: list[Claim] = []
    for i, cg in enumerate(result.claims):
        supporting = cite(cg.claim)
        head = "" if i == 0 else "Also: "
        shown = _shown(cg.claim)
        text = (
            f"{head}Supported by {_join([label(s, meta) for s in cg.claim.sources])}: "
            f"{shown} {''.join(f'[{n}]' for n in supporting)}"
        )
        contradicting: list[int] = []
        if cg.contradicting:
            parts = []
            for g in cg.contradicting:
                numbers = cite(g)
                contradicting.extend(numbers)
                parts.append(f"{_shown(g)} {''.join(f'[{n}]' for n in numbers)}")
            files = [label(s, meta) for g in cg.contradicting for s in g.sources]
            text += f"\nContradicted by {_join(files)}: " + " ".join(parts)
        elif i == 0:
            text += "\nNo retrieved article contradicts this."
        paragraphs.append(text)
        claims.append(Claim(claim=cg.claim.rep.cand.text.strip(), supporting=supporting, contradicting=contradicting))
    return "\n\n".join(paragraphs), cites.items, claims


def extractive_reader(reader: Any, settings: Any, embed_model: Any, stats: Any) -> ExtractiveReader:
    """The extractive reader's machinery, whichever reader answers plain questions."""
    if isinstance(reader, ExtractiveReader):
        return reader
    inner = getattr(reader, "extractive", None)
    if isinstance(inner, ExtractiveReader):
        return inner
    return ExtractiveReader(settings=settings, embed_model=embed_model, stats=stats)


def perspectives_record(
    question: str,
    standalone: str,
    retriever: Any,
    reader: Any,
    embed_model: Any,
    sources: list[str] | None = None,
    qid: str | None = None,
    started: float | None = None,
    as_of: Any = None,
) -> AnswerRecord:
    """The FORMATS.md answer record of a perspectives answer (``claims`` filled; refusals as usual).

    ``as_of``: the question's date, for retrieval (``HybridRetriever.retrieve``)."""
    t0 = started if started is not None else time.perf_counter()
    extractive = extractive_reader(reader, retriever.settings, embed_model, retriever.stats)
    nodes = retriever.retrieve(standalone, top_k=max(TOP_K, retriever.settings.top_k), sources=sources, as_of=as_of)
    result = find_perspectives(extractive, standalone, nodes, focus=question if standalone != question else None)
    retrieved = retrieved_of(nodes)
    if result.refused:
        answer, citations, claims = refusal_text(question), [], []
        reason = result.reason
    else:
        answer, citations, claims = compose(result, nodes)
        n_contra = sum(len(c.contradicting) for c in claims)
        reason = f"perspectives: {len(claims)} claim(s), {len(citations)} citations, {n_contra} contradicting"
    return AnswerRecord(
        id=qid,
        question=question,
        answer=answer,
        refused=result.refused,
        citations=citations,
        reader=extractive.name,
        latency_s=round(time.perf_counter() - t0, 4),
        standalone_question=standalone if standalone != question else None,
        grounding=reason,
        retrieved=retrieved,
        claims=claims,
    )


def text_lines(record: AnswerRecord) -> list[tuple[str, str]]:
    """A perspectives record for the terminal: (rich style, plain text) lines."""
    lines: list[tuple[str, str]] = []
    for para in record.answer.split("\n"):
        lines.append(("yellow" if record.refused else "bold", para) if para else ("", ""))
    if not record.citations:
        return lines
    lines.append(("", ""))
    for i, claim in enumerate(record.claims or [], 1):
        marks = "".join(f"[{n}]" for n in claim.supporting)
        against = "".join(f"[{n}]" for n in claim.contradicting) or "none found"
        lines.append(("cyan", f"Claim {i}: supported by {marks}; contradicted by {against}"))
    lines.append(("", ""))
    for c in record.citations:
        about = " · ".join(x for x in (c.outlet, c.date) if x)
        lines.append(("cyan", f"[{c.n}] {c.source}" + (f" — {about}" if about else "") + f"  chars {c.start}–{c.end}"))
        if c.title:
            lines.append(("dim", f"    {c.title}"))
        lines.append(("", f"    “{c.quote}”"))
    return lines


# -- evaluation ---------------------------------------------------------------------------------
def claim_files(record: dict[str, Any], which: str, main_only: bool = True) -> set[str]:
    """The files a record's main claim (or all its claims) cites as ``supporting`` or ``contradicting``."""
    by_n = {c["n"]: c["source"] for c in record.get("citations") or []}
    claims = record.get("claims") or []
    if main_only:
        claims = claims[:1]
    return {by_n[n] for cl in claims for n in cl.get(which, []) if n in by_n}


def grouping_scores(records: list[dict[str, Any]], questions: list[dict[str, Any]], main_only: bool = True) -> dict:
    """How often the grouping is right: file-level precision and recall of supporting and contradicting
    files against ``expected_supporting`` / ``expected_contradicting``, exact-set matches, whether a
    contradiction was reported exactly when one is expected, and refusals of unanswerable questions."""
    by_id = {r.get("id"): r for r in records}
    out: dict[str, Any] = {"questions": len(questions), "per_question": []}
    totals = {k: [0, 0, 0] for k in ("supporting", "contradicting")}  # hits, predicted, expected
    exact = {"supporting": 0, "contradicting": 0}
    flagged = refused_ok = answerable = unanswerable = 0
    for q in questions:
        r = by_id.get(q["id"], {})
        if not q.get("answerable", True):
            unanswerable += 1
            refused_ok += bool(r.get("refused"))
            continue
        answerable += 1
        row = {"id": q["id"]}
        for which in ("supporting", "contradicting"):
            got = claim_files(r, which, main_only)
            want = set(q.get(f"expected_{which}", []))
            totals[which][0] += len(got & want)
            totals[which][1] += len(got)
            totals[which][2] += len(want)
            exact[which] += got == want
            row[which] = {"got": sorted(got), "expected": sorted(want)}
        flagged += bool(row["contradicting"]["got"]) == bool(row["contradicting"]["expected"])
        out["per_question"].append(row)
    for which, (hits, predicted, expected) in totals.items():
        out[f"{which}_precision"] = round(hits / predicted, 3) if predicted else 1.0
        out[f"{which}_recall"] = round(hits / expected, 3) if expected else 1.0
        out[f"{which}_exact"] = round(exact[which] / max(answerable, 1), 3)
    out["contradiction_flag_accuracy"] = round(flagged / max(answerable, 1), 3)
    out["refusal_correct"] = round(refused_ok / unanswerable, 3) if unanswerable else None
    return out

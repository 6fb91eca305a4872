"""The perspectives vocabulary: synonyms folded together, the parties and the acts a question can name."""

from __future__ import annotations

from assistant.text import content_terms, stem

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


def norm(term: str) -> str:
    return CANON.get(term, term)


def norm_terms(text: str) -> list[str]:
    """Content words in order, synonyms and place adjectives folded together ("requested" -> "ask")."""
    return [norm(t) for t in content_terms(text)]

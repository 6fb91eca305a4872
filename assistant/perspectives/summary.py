"""The reader's view of a perspectives result: who is named for each side, and the one-sentence bottom line.

Built only from the question and the groups found: the question's own claim (its auxiliary moved after
its subject: "Did Chelsea bid for X?" -> "Chelsea did bid for X"), the speakers the cited sentences
state ("a club spokesman", "US officials"), else the outlet or title of the article that says it.
"""

from __future__ import annotations

from typing import Any

from assistant.perspectives.evidence import Group

#: a speaker phrase longer than this many words is named by its article instead
MAX_SPEAKER_WORDS = 6
#: names per side in the bottom line, and characters of a title used as a name
MAX_NAMES = 3
TITLE_CHARS = 60
_SUBJECT_DEPS = frozenset(["nsubj", "nsubjpass", "expl", "csubj"])
#: words that end a speaker phrase without being part of it ("Trump's lawyer has", "Trump has repeatedly")
_TRAILING = frozenset(["has", "have", "had", "is", "are", "was", "were", "also", "repeatedly", "previously", "again"])
_NOT_SPEAKER = frozenset(
    ["in", "on", "at", "after", "before", "when", "which", "who", "whom", "as", "while", "but", "if", "that", "what"]
)
#: longest quotation of a sentence in the bottom line, in words
QUOTE_WORDS = 18


def label(source: str, meta: dict[str, dict[str, Any]]) -> str:
    """How the answer names an article: its outlet where the text states one, else its title (never a file name)."""
    m = meta.get(source, {})
    if m.get("outlet"):
        return str(m["outlet"])
    title = " ".join(str(m.get("title") or "").split())
    if not title:
        return "an untitled article"
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"“{title}”"


def join(names: list[str]) -> str:
    names = list(dict.fromkeys(n for n in names if n))
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def declarative(question: str) -> str:
    """The claim a yes/no question asks about, as a statement ("" when its subject is not found)."""
    from assistant.answering.nlp import parse_many

    text = question.strip().rstrip("?").strip()
    doc = parse_many([text])[0]
    if len(doc) < 3 or doc[0].pos_ not in ("AUX", "VERB"):
        return ""
    # the subject: the one the parser finds, else the words before the first verb ("Did Trump | call …"),
    # else the noun phrase that opens the question
    subject = next((t.right_edge.i + 1 for t in doc if t.dep_ in _SUBJECT_DEPS and t.left_edge.i == 1), 0)
    verb = next((t.i for t in doc[2:] if t.pos_ == "VERB"), 0)
    chunk = next((c.end for c in doc.noun_chunks if c.start == 1), 0)
    if verb and subject > verb:  # a subject that runs past the verb is a misparse
        subject = 0
    # a misparse that reads the verb as a noun ("Did Donald Trump rape …"): the first lowercase word after a name
    named = next(
        (
            t.i
            for t in doc[2:-1]
            if t.text.islower()
            and doc[t.i - 1].text[:1].isupper()
            and (doc[t.i + 1].text[:1].isupper() or doc[t.i + 1].pos_ == "DET")
        ),
        0,
    )
    end = next((e for e in (subject, verb, named, chunk) if 1 < e < len(doc)), 0)
    if not end:
        return ""
    return f"{doc[1:end].text} {doc[0].text.lower()} {doc[end:].text}".strip()


def _speaker(phrase: str) -> str:
    """A speaker phrase short enough for the bottom line ("Liu Pengyu, a spokesman for …" -> "Liu Pengyu"),
    or "" for one that is no speaker ("In a statement", "which officials")."""
    words = phrase.split(",")[0].split()
    while words and words[-1].lower() in _TRAILING:
        words.pop()
    if not words or words[0].lower() in _NOT_SPEAKER:
        return ""
    if words[0] in ("A", "An"):  # "a Globex spokeswoman", wherever it stands in the sentence
        words[0] = words[0].lower()
    return " ".join(words) if len(words) <= MAX_SPEAKER_WORDS else ""


def _plural(phrase: str) -> bool:
    from assistant.answering.nlp import parse_many

    doc = parse_many([phrase])[0]
    return len(doc) > 0 and doc[-1].tag_ in ("NNS", "NNPS") and doc[-1].text.endswith("s")


def who(
    groups: list[Group], meta: dict[str, dict[str, Any]], cite: dict[int, list[int]]
) -> tuple[str, list[int], bool]:
    """Who a side's statements come from (the speakers they state, else their articles), their markers,
    and whether the names take a plural verb ("US officials say", "CNN says")."""
    names: list[str] = []
    numbers: list[int] = []
    plural = False
    for g in groups:
        for m in g.members:
            speaker = _speaker(m.speaker)
            name = speaker or label(m.cand.source, meta)
            if name not in names and len(names) < MAX_NAMES:
                names.append(name)
                numbers.extend(n for n in cite.get(id(m), []) if n not in numbers)
                plural = plural or bool(speaker and _plural(speaker))
    return join(names), numbers, plural or len(names) > 1 or any(" and " in n for n in names)


def marks(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def bottom_line(
    claim: str, yes: list[Group], no: list[Group], meta: dict[str, dict[str, Any]], cite: dict[int, list[int]]
) -> str:
    """One sentence: who says the claim, who denies it, with their markers.

    ``claim``: the question's claim as a statement ("" for a question that asks what, who, how many);
    ``cite``: the citation numbers of each statement, by ``id()``."""
    yes_who, yes_n, yes_many = who(yes, meta, cite)
    no_who, no_n, no_many = who(no, meta, cite)
    if claim.endswith("?"):  # a question whose claim could not be put as a statement
        claim = f"yes to “{claim}”"
    if yes_who:
        said = claim or _quote(yes[0].rep.cand.text)
        first = f"{yes_who} {'say' if yes_many else 'says'} {said} {marks(yes_n)}"
    else:
        first = f"No retrieved article says {claim}" if claim else "No retrieved article says so"
    if no_who:
        second = f"{no_who} {'deny' if no_many else 'denies'} it {marks(no_n)}"
    else:
        second = "no retrieved article denies it" if claim else "no retrieved article disputes it"
    sentence = f"{first.strip()}; {second.strip()}."
    return sentence[0].upper() + sentence[1:]


def _quote(text: str) -> str:
    words = text.strip().rstrip(".").strip('“”"').split()
    short = " ".join(words[:QUOTE_WORDS]) + ("…" if len(words) > QUOTE_WORDS else "")
    return f"“{short}”"

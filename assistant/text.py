"""Small text tools shared by retrieval, evidence selection and grounding.

Sentence spans keep exact character offsets, so a citation can always be ``text[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


def _stopwords() -> frozenset[str]:
    """spaCy's English stop words, less the number words (a count is often the answer), plus the
    words of reporting that every news question and article uses ("said", "according", "report")."""
    from spacy.lang.en.lex_attrs import like_num
    from spacy.lang.en.stop_words import STOP_WORDS

    reporting = "according article articles describe described mention mentioned mentions report reported reports"
    reporting += " reportedly said says state stated tell told don s t theirs long"
    return frozenset(w for w in STOP_WORDS if not like_num(w)) | frozenset(reporting.split())


STOPWORDS = _stopwords()

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
    ]
)

NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "dozen",
        "dozens",
        "half",
    ]
)
DATE_RE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|yesterday|today|tomorrow|week|weekend|month|year|"
    r"(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
AGE_RE = re.compile(r"\b\d{1,3}[- ]years?[- ]old\b|\baged? \d{1,3}\b|\bage of \d{1,3}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """A sentence and where it sits in its text."""

    start: int
    end: int
    text: str


_SPLIT_RE = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+|\n+|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Split into sentences (and lines), keeping exact offsets; abbreviations do not end a sentence."""
    spans: list[Span] = []
    start = 0
    for m in _SPLIT_RE.finditer(text):
        cut = m.start()
        # closing quotes right after the stop belong to the sentence
        piece_end = cut
        while piece_end < len(text) and text[piece_end] in "\"”’')]" and m.group(0).strip():
            piece_end += 1
        if "\n" not in m.group(0):
            before = text[start:cut].rstrip()
            last = before.split()[-1].lower().rstrip(".!?") if before.split() else ""
            if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
            nxt = text[m.end() : m.end() + 1]
            if nxt and nxt.islower():
                continue
        piece_end = cut + len(m.group(0).rstrip())
        _add(spans, text, start, piece_end, offset)
        start = m.end()
    _add(spans, text, start, len(text), offset)
    return spans


def _add(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    # trim whitespace on both sides, keeping offsets exact
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(offset + start, offset + end, text[start:end]))


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased words; a hyphenated word also yields its parts ('think-tank' -> think, tank)."""
    out: list[str] = []
    for w in WORD_RE.findall(text.lower()):
        w = w.strip("'’-").replace("’", "'")
        out.append(w)
        if "-" in w:
            out.extend(p for p in w.split("-") if p)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word.removesuffix("'s"))


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stopwords, no one-letter tokens), in order."""
    return [stem(w) for w in words(text) if w and w not in STOPWORDS and len(w) > 1]


QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "did",
        "does",
        "do",
        "can",
        "could",
    ]
)


def name_terms(question: str) -> set[str]:
    """Stemmed words of the question's names: capitalised words (not the opening question word) and acronyms."""
    out: set[str] = set()
    for i, m in enumerate(WORD_RE.finditer(question)):
        w = m.group(0)
        if not w[0].isupper() or (i == 0 and w.lower() in QUESTION_WORDS | STOPWORDS):
            continue
        out.update(content_terms(w))
    return out


PERSON_RE = re.compile(r"\b(?!(?:The|A|An|In|On|At|But|And|This|That|It|He|She|They)\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", text)) or any(w in NUMBER_WORDS for w in words(text))


def question_type(question: str) -> str | None:
    """The kind of answer asked for, where it can be checked in the evidence."""
    q = question.lower()
    if re.search(r"\bhow old\b|\bwhat age\b|\bage of\b|\bhow many years old\b", q):
        return "age"
    if re.search(r"\bhow (many|much)\b|\bwhat (number|percentage|amount|share)\b|\bhow long\b|\bhow big\b", q):
        return "number"
    if re.match(r"\s*who\b|.*\bwhich (?:official|spokesman|spokeswoman|person|leader|diplomat|minister)\b", q):
        return "person"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|date|day|month)\b", q):
        return "date"
    return None


def type_present(qtype: str | None, text: str) -> bool:
    if qtype is None:
        return True
    if qtype == "age":
        return bool(AGE_RE.search(text))
    if qtype == "number":
        return has_number(text)
    if qtype == "person":
        return bool(PERSON_RE.search(text))
    if qtype == "date":
        return bool(DATE_RE.search(text)) or bool(re.search(r"\b\d{1,2}\b", text))
    return True

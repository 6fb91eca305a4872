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

The answer is assembled from the cited sentences themselves, so it says nothing no article says: one
bottom line first ("Napoli president says Chelsea did make a bid for Osimhen [1]; Chelsea denies it [2]",
also the record's ``bottom_line``), then at most three groups, "Says yes", "Says no", "Unclear" (a
what/who question: "Reported", "Disputed", "Also reported"), each line naming its articles by outlet or
title. A yes/no claim that only denials speak to stays the question's claim, with no support.

The modules, one job each: ``meaning`` (stance read from the parse), ``context``
(words in context), ``stance`` (denials and
negations), ``speakers`` (who says it, for which party), ``question`` (what the question asserts),
``evidence`` (the relevant sentences, grouped by fact), ``claims`` (claims for and against),
``summary`` (the bottom line, who says what, article names), ``render`` (citations, answer text,
terminal lines), ``pipeline`` (``PerspectivesReader``, the query engine's synthesizer in its
"perspectives" mode: chunks in, a typed ``Answer`` with claims out) and
``scoring`` (the grouping against ``eval/perspectives.jsonl``).
"""

from __future__ import annotations

from assistant.perspectives.claims import build_claims, find_perspectives
from assistant.perspectives.evidence import (
    ClaimGroups,
    Group,
    Perspectives,
    Statement,
    group_statements,
    same_direction,
    select_statements,
    similarity,
)
from assistant.perspectives.pipeline import TOP_K, PerspectivesReader, extractive_reader
from assistant.perspectives.question import Question
from assistant.perspectives.render import add_source_metadata, compose, label, source_metadata, text_lines
from assistant.perspectives.scoring import claim_files, grouping_scores
from assistant.perspectives.speakers import party_of, speaker_of
from assistant.perspectives.stance import denial_cue

__all__ = [
    "TOP_K",
    "ClaimGroups",
    "Group",
    "Perspectives",
    "PerspectivesReader",
    "Question",
    "Statement",
    "add_source_metadata",
    "build_claims",
    "claim_files",
    "compose",
    "denial_cue",
    "extractive_reader",
    "find_perspectives",
    "group_statements",
    "grouping_scores",
    "label",
    "party_of",
    "same_direction",
    "select_statements",
    "similarity",
    "source_metadata",
    "speaker_of",
    "text_lines",
]

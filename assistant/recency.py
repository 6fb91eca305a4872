"""Time: the date a question is asked (``as_of``), and the preference for recent news it implies.

News is dated. A question asked on a day cannot be answered from an article published after it
(retrieval drops those). "This week", "latest", "now" mean the articles published on or shortly
before that day: fused retrieval scores decay with the article's age, by half every
``recency_half_life_days`` (a week). Any other news question mostly means the latest too, so it
decays by half every ``default_half_life_days`` (a year): older articles that once were true lose
ties. Both were measured on the realtimeqa-2023 dev set (docs/design.md). Undated articles are kept
and count as one half-life old.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.errors import UsageError

#: Generic English cue words that make a question about the latest news. "new" counts only in lower
#: case, so "New York" or "New Zealand" does not.
_CUES = re.compile(
    r"\b(?:this|last|past) (?:week|weekend|month|year)\b"
    r"|\b(?:recent|recently|latest|lately|now|current|currently|today|tonight|yesterday|newly)\b",
    re.IGNORECASE,
)
_NEW = re.compile(r"\bnew(?:est)?\b")


class AsOfError(UsageError, ValueError):
    """An ``as_of`` date that is not a real YYYY-MM-DD date; the message says what was given."""


def parse_as_of(value: str | date | None) -> date:
    """The question's date: ``value`` as a ``date`` (ISO ``YYYY-MM-DD`` string or ``date``); None is today."""
    if value is None:
        return date.today()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise AsOfError(f"the date {value!r} is not in the form YYYY-MM-DD (e.g. 2023-01-31)")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise AsOfError(f"the date {value!r} does not exist ({exc})") from exc


def is_date(value: str) -> bool:
    """Whether ``value`` is a valid ``YYYY-MM-DD`` date (question-set validation)."""
    try:
        parse_as_of(value)
    except AsOfError:
        return False
    return True


def asks_recent(question: str) -> bool:
    """Whether the question says it is about the latest news ("this week", "recently", "now" …)."""
    return bool(_CUES.search(question) or _NEW.search(question))


def published_after(published: str, as_of: date) -> bool:
    """Whether an article's ISO date (``""``: unknown) is after ``as_of``; unknown dates never are."""
    return bool(published) and published > as_of.isoformat()


def recency_factor(published: str, ref: date, half_life_days: float) -> float:
    """The score multiplier of an article published on ``published``: 1.0 on ``ref``, halved per half-life.

    An article with no (or an unreadable) date counts as one half-life old: kept, mildly behind.
    """
    try:
        days = max((ref - date.fromisoformat(published)).days, 0) if published else half_life_days
    except ValueError:
        days = half_life_days
    return 0.5 ** (days / half_life_days)


def prefer_recent(nodes: list[Any], as_of: date, half_life_days: float) -> list[Any]:
    """Retrieved passages (``NodeWithScore``) re-scored by ``recency_factor`` and sorted, best first.

    Age counts from the newest article among them (never after ``as_of``), so a corpus with nothing
    from the last weeks still prefers its latest news, and undated articles stay comparable. Passages
    none of which is dated come back as they are.
    """
    dates = [d for n in nodes if (d := n.node.metadata.get("date", "")) and not published_after(d, as_of)]
    if not dates:
        return nodes  # nothing dated: nothing to prefer
    try:
        ref = date.fromisoformat(max(dates))
    except ValueError:
        ref = as_of
    for n in nodes:
        n.score = (n.score or 0.0) * recency_factor(n.node.metadata.get("date", ""), ref, half_life_days)
    return sorted(nodes, key=lambda n: -(n.score or 0.0))

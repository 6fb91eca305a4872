"""HTML and Markdown for the web chat: answers, their sources and the index status.

Pure functions of an answer record (``record.to_dict()``) and the article texts, so the page shows
exactly what the service returned. Every piece of article or user text is escaped before it is
placed in HTML: an article containing ``<script>`` is shown as text, never run.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable
from typing import Any

#: Characters of the passage shown on each side of the cited sentence (cut at a word boundary).
CONTEXT_CHARS = 240
#: Articles longer than this are shown as a window around the cited passage, not whole.
MAX_ARTICLE_CHARS = 200_000

_MD_SPECIAL = set(string.punctuation) - {"&", "<", ">", "'", '"', ",", ";", ":", "?", "/", "%", "@", "="}
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)+")

#: The service's ``article(name)``: an object with the stored ``text`` and the article's facts
#: (``outlet``, ``date``, ``people``, ``places``), or an ``OSError`` / ``ValueError`` when the store has none.
ArticleText = Callable[[str], Any]


def md_text(text: str) -> str:
    """Plain text made safe for the chatbot's Markdown: HTML escaped, Markdown syntax neutralised.

    Article sentences may contain ``*``, ``_``, ``#`` or ``$$``; unescaped they would turn into
    emphasis, headings or maths and change what the reader sees.
    """
    out: list[str] = []
    for ch in text:
        if ch in "&<>":
            out.append(html.escape(ch))
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _containing_passage(record: dict[str, Any], source: str, start: int, end: int) -> tuple[int, int] | None:
    """The retrieved chunk that holds a citation: the passage the reader chose the sentence from."""
    for r in record.get("retrieved") or []:
        if r.get("source") == source and r["start"] <= start and end <= r["end"]:
            return r["start"], r["end"]
    return None


def _context(text: str, start: int, end: int, passage: tuple[int, int] | None) -> tuple[int, int]:
    """The part of the retrieved passage around a quote worth showing: a few lines, whole words."""
    p_lo, p_hi = passage or (0, len(text))
    lo, hi = max(p_lo, start - CONTEXT_CHARS), min(p_hi, end + CONTEXT_CHARS)
    if lo > p_lo:  # start at a line (paragraph) start if there is one, else at a word
        cut = text.find("\n", lo, start)
        if cut == -1:
            cut = text.find(" ", lo, start)
        lo = cut + 1 if cut != -1 else lo
    if hi < p_hi:
        cut = text.rfind("\n", end, hi)
        if cut == -1:
            cut = text.rfind(" ", end, hi)
        hi = cut if cut != -1 else hi
    while lo < start and text[lo].isspace():
        lo += 1
    while hi > end and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _show(text: str) -> str:
    """Article text for display: escaped, blank lines between paragraphs folded into one break."""
    return _BLANK_LINES.sub('<span class="na-gap"></span>', html.escape(text))


def marked(text: str, start: int, end: int, lo: int, hi: int) -> str:
    """``text[lo:hi]`` escaped, with ``text[start:end]`` inside ``<mark>``."""
    start, end = max(start, lo), min(end, hi)
    return _show(text[lo:start]) + f"<mark>{_show(text[start:end])}</mark>" + _show(text[end:hi])


def claim_roles(record: dict[str, Any]) -> dict[int, str]:
    """Perspectives records: what each citation does ("supports claim 1", "contradicts claim 1")."""
    roles: dict[int, list[str]] = {}
    for i, claim in enumerate(record.get("claims") or [], 1):
        for n in claim.get("supporting", []):
            roles.setdefault(int(n), []).append(f"supports claim {i}")
        for n in claim.get("contradicting", []):
            roles.setdefault(int(n), []).append(f"contradicts claim {i}")
    return {n: ", ".join(r) for n, r in roles.items()}


def _listed(value: Any) -> list[str]:
    return [p.strip() for p in str(value or "").split(";") if p.strip()]


def article_meta_html(c: dict[str, Any], article: Any) -> str:
    """The article's own metadata under a card: outlet, date, people and places it names (as the store holds them)."""
    outlet = c.get("outlet") or getattr(article, "outlet", "")
    date = c.get("date") or getattr(article, "date", "")
    parts = [x for x in (outlet, date) if x]
    lines = [f'<div class="na-about na-outlet">{html.escape(" · ".join(parts))}</div>'] if parts else []
    people, places = _listed(getattr(article, "people", "")), _listed(getattr(article, "places", ""))
    if people:
        lines.append(f'<div class="na-about">People: {html.escape(", ".join(people[:6]))}</div>')
    if places:
        lines.append(f'<div class="na-about">Places: {html.escape(", ".join(places[:6]))}</div>')
    return "".join(lines)


def citation_html(
    record: dict[str, Any], c: dict[str, Any], article_text: ArticleText, role: str = "", turn: int | None = None
) -> str:
    """One card of the sources panel: title, outlet, date, the passage, the whole article; the file in small print.

    ``turn`` gives the card the id the answer's ``[n]`` links point at (``na-src-TURN-N``).
    """
    source, start, end = c["source"], int(c["start"]), int(c["end"])
    badge = ""
    if role:
        kind = "na-contra" if role.startswith("contradicts") else "na-support"
        badge = f' <span class="na-role {kind}">{html.escape(role)}</span>'
    head = (
        f'<div class="na-card-head"><span class="na-cite">[{int(c["n"])}]</span> '
        f'<span class="na-title">{html.escape(c.get("title") or source)}</span>{badge}</div>'
    )
    title = ""
    meta = f'<div class="na-meta"><span class="na-file">{html.escape(source)}</span> · characters {start}–{end}</div>'
    ident = f' id="na-src-{turn}-{int(c["n"])}" tabindex="-1"' if turn is not None else ""
    try:
        article = article_text(source)
        text = article.text if hasattr(article, "text") else str(article)
    except (OSError, ValueError) as exc:
        title += article_meta_html(c, None)
        note = f"The article cannot be opened now ({html.escape(str(exc))}). The quoted passage:"
        body = f'<div class="na-warn">{note}</div><div class="na-passage"><mark>{_show(c["quote"])}</mark></div>'
        return f'<div class="na-card"{ident}>{head}{title}{meta}{body}</div>'
    title += article_meta_html(c, article)
    warn = ""
    if text[start:end] != c["quote"]:
        warn = (
            '<div class="na-warn">This file changed after it was ingested: the offsets may no longer '
            "match. Re-ingest to refresh the index.</div>"
        )
    lo, hi = _context(text, start, end, _containing_passage(record, source, start, end))
    passage = marked(text, start, end, lo, hi)
    prefix = "… " if lo > 0 and text[lo - 1] != "\n" else ""
    suffix = " …" if hi < len(text) and text[hi] != "\n" else ""
    if len(text) > MAX_ARTICLE_CHARS:
        a_lo, a_hi = max(0, start - MAX_ARTICLE_CHARS // 2), min(len(text), end + MAX_ARTICLE_CHARS // 2)
        label = f"Open the article around this passage (characters {a_lo}–{a_hi} of {len(text)})"
    else:
        a_lo, a_hi = 0, len(text)
        label = f"Open the whole article ({len(text):,} characters) with this passage marked"
    article = marked(text, start, end, a_lo, a_hi)
    return (
        f'<div class="na-card"{ident}>{head}{title}{meta}{warn}'
        f'<div class="na-passage">{prefix}{passage}{suffix}</div>'
        f'<details class="na-article"><summary>{html.escape(label)}</summary>'
        f'<div class="na-article-text">{article}</div></details></div>'
    )


def sources_html(record: dict[str, Any] | None, article_text: ArticleText, turn: int | None = None) -> str:
    """The sources panel for one answer (``turn``: its id in the conversation): a card per citation, or why none."""
    if record is None:
        return (
            '<div class="na-panel-empty">Ask a question: the passages each answer cites appear here, '
            "with the supporting sentence highlighted. Click an earlier answer to see its sources again.</div>"
        )
    question = f'<div class="na-panel-q">Sources for: “{html.escape(record.get("question", ""))}”</div>'
    if record.get("refused"):
        seen = list(dict.fromkeys(r["source"] for r in record.get("retrieved") or []))
        looked = (
            "<div class='na-meta'>Closest articles searched: "
            + ", ".join(f"<code>{html.escape(s)}</code>" for s in seen)
            + "</div>"
            if seen
            else ""
        )
        return (
            f'{question}<div class="na-card na-card-refused"><b>⚠️ No source supports an answer.</b> '
            f"The assistant only answers from the ingested articles, and none of them contains this."
            f"{looked}</div>"
        )
    roles = claim_roles(record)
    cards = [
        citation_html(record, c, article_text, roles.get(int(c["n"]), ""), turn) for c in record.get("citations") or []
    ]
    return question + "".join(cards)


def status_markdown(status: dict[str, Any]) -> str:
    """The small status line: what is indexed and which models answer."""
    articles = status.get("articles")
    articles_txt = f"**{articles}** articles" if articles is not None else "articles on the Chroma server"
    return (
        f"{articles_txt} · **{status.get('chunks', 0)}** chunks indexed · reader **{status.get('reader')}** · "
        f"embedding **{status.get('embedding')}**"
    )


"""The assistant's chat messages: direct answer, evidence with live citations, copy text, sources.

Gradio's chatbot renders Markdown and sanitises the HTML in it (``data-*`` attributes are dropped,
scripts and handlers removed), so everything interactive is plain markup that survives it: each
``[n]`` is an ``<a href="#na-src-TURN-N">`` (the page script in ``ui.style`` reads the turn and
number from the href) followed by a tooltip span shown by CSS on hover and focus; the copy button
finds its text in a hidden span of the same message. Answer text is escaped with ``md_text`` inside
paragraphs; the sources list is a raw HTML block (``<details>``), where Markdown does not run, so
it is escaped with ``html.escape`` and kept on one line (a blank line would end the block).
"""

from __future__ import annotations

import html
import re
from typing import Any

from ui.render import md_text

_MARKER = re.compile(r"\\\[(\d+)\\\]")
#: a sentence grounding withdrew while the answer streamed (``assistant.streaming.StreamView``)
_WITHDRAWN = re.compile(r"~~(.+?)~~ \(withdrawn: ([^)]*)\)")
_STANCE = re.compile(
    r"^(Also: )?(Supported by|Contradicted by|Says yes|Says no|Unclear|Reported|Disputed|Also reported)\b"
)
#: each group heading's mark (``assistant.perspectives.render`` writes them)
_STANCE_CLASS = {"Contradicted by": "na-contra", "Says no": "na-contra", "Disputed": "na-contra"}
_UNCLEAR = ("Unclear", "Also reported")
#: groups of a perspectives answer shown open: says yes and says no ("unclear" starts collapsed)
OPEN_GROUPS = 2
#: Characters of a title shown in the sources line before it is cut.
TITLE_CHARS = 70


def _one_line(text: str) -> str:
    return " ".join(str(text or "").split())


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def source_label(c: dict[str, Any]) -> str:
    """How a person names a source: its title and outlet (the file name only when the article has no title)."""
    title = _short(c.get("title") or "") or c.get("source", "")
    return " — ".join(x for x in (title, _one_line(c.get("outlet") or "")) if x)


def _quoted(text: str) -> str:
    """A quote in quotation marks, unless it opens with its own (reported speech): never ““…."""
    text = _one_line(text)
    return text if text[:1] in "“\"‘'" else f"“{text}”"


def _tip(c: dict[str, Any]) -> str:
    """The preview of one citation, shown on hover and on keyboard focus: title, outlet, date, quote."""
    about = " · ".join(x for x in (_one_line(c.get("outlet") or ""), _one_line(c.get("date") or "")) if x)
    parts = [f'<span class="na-tip-title">{md_text(_one_line(c.get("title") or c.get("source", "")))}</span>']
    if about:
        parts.append(f'<span class="na-tip-about">{md_text(about)}</span>')
    parts.append(f'<span class="na-tip-quote">{md_text(_quoted(c.get("quote", "")))}</span>')
    return f'<span class="na-tip" role="tooltip">{"".join(parts)}</span>'


def _linked(text: str, record: dict[str, Any] | None, turn: int | None) -> str:
    """``text`` escaped, each ``[n]`` a link to card n of this turn with its preview (plain when unknown)."""
    by_n = {int(c["n"]): c for c in (record or {}).get("citations") or []}

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if turn is None or n not in by_n:
            return f'<span class="na-cite">[{n}]</span>'
        return f'<span class="na-cref"><a class="na-cite" href="#na-src-{turn}-{n}">[{n}]</a>{_tip(by_n[n])}</span>'

    return _MARKER.sub(link, md_text(text))


def _stance(m: re.Match) -> str:
    kind = "na-unclear" if m.group(2) in _UNCLEAR else _STANCE_CLASS.get(m.group(2), "na-support")
    return f'{m.group(1) or ""}<span class="{kind}">{m.group(2)}</span>'


def _stanced(line: str, record: dict[str, Any] | None, turn: int | None) -> str:
    return _STANCE.sub(_stance, _linked(line, record, turn))


def _claim_summary(i: int, claim: dict[str, Any]) -> str:
    """A group's one-line summary: which claim, how many citations back it and dispute it, its start."""
    backing, against = len(claim.get("supporting") or []), len(claim.get("contradicting") or [])
    counts = f"{backing} supporting" + (f" · {against} contradicting" if against else " · none contradicting")
    return (
        f"<summary><b>Claim {i}</b> <small>({counts})</small>: "
        f"{html.escape(_short(claim.get('claim') or '', 90))}</summary>"
    )


def perspectives_body(answer: str, record: dict[str, Any] | None = None, turn: int | None = None) -> str:
    """A perspectives answer: the bottom line first, then one collapsible group per claim (the first open).

    The bottom line is the record's ``bottom_line`` when it has one, else its first claim with the
    citations that support it. Each group holds the claim's paragraph of the answer ("Supported by …",
    "Contradicted by …", marked); the paragraphs inside ``<details>`` are Markdown (blank lines around
    them), so their ``[n]`` links and previews work as in any answer. A record whose paragraphs do not
    match its claims is shown line by line, as written.
    """
    record = record or {}
    claims = record.get("claims") or []
    paragraphs = [p for p in answer.split("\n\n") if p.strip()]
    if record.get("bottom_line") and paragraphs and paragraphs[0].strip() == record["bottom_line"].strip():
        return _grouped(paragraphs, record, turn)
    if not claims or len(claims) != len(paragraphs):
        return "\n\n".join(_stanced(line, record, turn) for line in answer.split("\n") if line.strip())
    lead = record.get("bottom_line") or (
        f"{claims[0].get('claim', '').strip()} {''.join(f'[{int(n)}]' for n in claims[0].get('supporting') or [])}"
    )
    label = '<span class="na-bottom-label">Bottom line:</span>'
    out = [f'<span class="na-bottom">{label} {_linked(lead, record, turn)}</span>']
    for i, (claim, para) in enumerate(zip(claims, paragraphs, strict=True), 1):
        lines = [_stanced(line.removeprefix("Also: "), record, turn) for line in para.split("\n") if line.strip()]
        out.append(f'<details class="na-claim"{" open" if i == 1 else ""}>{_claim_summary(i, claim)}')
        out += lines
        out.append("</details>")
    return "\n\n".join(out)


def _grouped(paragraphs: list[str], record: dict[str, Any], turn: int | None) -> str:
    """The answer as written since issue 14: its bottom line, then one collapsible group per side ("Says
    yes", "Says no", "Unclear"), both sides open; a group's heading line is its summary."""
    label = '<span class="na-bottom-label">Bottom line:</span>'
    out = [f'<span class="na-bottom">{label} {_linked(paragraphs[0], record, turn)}</span>']
    for i, para in enumerate(paragraphs[1:]):
        head, *rest = [line for line in para.split("\n") if line.strip()]
        m = _STANCE.match(head)
        summary = _stance(m) + html.escape(head[m.end() :]) if m else html.escape(head)
        out.append(f'<details class="na-claim"{" open" if i < OPEN_GROUPS else ""}><summary>{summary}</summary>')
        out += [_linked(line, record, turn) for line in rest]
        out.append("</details>")
    return "\n\n".join(out)


def understood_line(record: dict[str, Any]) -> str:
    """The standalone form of a follow-up question, shown discreetly above the answer."""
    standalone = record.get("standalone_question")
    if not standalone:
        return ""
    return f'<span class="na-understood">Understood as: “{md_text(standalone)}”</span>'


def sources_block(record: dict[str, Any], turn: int | None = None) -> str:
    """The sources under an answer: one line naming them (title — outlet, file in small print), opening
    on the quoted passages. A raw HTML block, so Markdown never runs inside it (``html.escape`` only)."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for c in record.get("citations") or []:
        by_file.setdefault(c["source"], []).append(c)
    if not by_file:
        return ""
    names = []
    for source, cs in by_file.items():
        numbers = " ".join(f'<span class="na-cite">[{int(c["n"])}]</span>' for c in cs)
        names.append(
            f'{numbers}&nbsp;<span class="na-src-name">{html.escape(source_label(cs[0]))}</span> '
            f'<small class="na-src-file">{html.escape(source)}</small>'
        )
    cards = []
    for c in record.get("citations") or []:
        about = " · ".join(x for x in (_one_line(c.get("outlet") or ""), _one_line(c.get("date") or "")) if x)
        ident = f' id="na-msrc-{turn}-{int(c["n"])}"' if turn is not None else ""
        cards.append(
            f'<div class="na-mcard"{ident} tabindex="-1"><span class="na-cite">[{int(c["n"])}]</span> '
            f'<span class="na-mcard-title">{html.escape(_one_line(c.get("title") or c["source"]))}</span>'
            + (f' <span class="na-mcard-about">{html.escape(about)}</span>' if about else "")
            + f'<div class="na-mcard-quote">{html.escape(_quoted(c.get("quote", "")))}</div>'
            f'<small class="na-src-file">{html.escape(c["source"])}, '
            f"characters {int(c['start'])}–{int(c['end'])}</small>"
            "</div>"
        )
    return (
        f'<details class="na-sources"><summary>Sources: {" · ".join(names)}</summary>'
        f'<div class="na-mcards">{"".join(cards)}</div></details>'
    )


def copy_text(record: dict[str, Any]) -> str:
    """What the copy button puts on the clipboard: the answer, then its numbered sources with quotes."""
    lines = [record.get("answer", "").strip()]
    citations = record.get("citations") or []
    if citations:
        lines += ["", "Sources:"]
        for c in citations:
            about = ", ".join(x for x in (_one_line(c.get("outlet") or ""), _one_line(c.get("date") or "")) if x)
            title = _one_line(c.get("title") or c["source"])
            lines.append(f"[{int(c['n'])}] {title}" + (f" ({about})" if about else "") + f" — {_quoted(c['quote'])}")
    return "\n".join(lines)


def _copy_button(record: dict[str, Any]) -> str:
    text = "&#10;".join(md_text(line) for line in copy_text(record).split("\n"))
    return (
        '<span class="na-actions"><button type="button" class="na-copy" aria-label="Copy the answer with its sources">'
        f'Copy</button><span class="na-copy-text">{text}</span></span>'
    )


def answer_message(record: dict[str, Any], turn: int | None = None) -> str:
    """The assistant message for a finished answer: direct answer, evidence, copy button, sources."""
    lines = []
    understood = understood_line(record)
    if understood:
        lines.append(understood)
    if record.get("refused"):
        lines.append(f'<span class="na-refused">⚠️ Not in the articles.</span> {md_text(record["answer"])}')
        lines += notices(record)
        return "\n\n".join(lines)
    if record.get("claims") is not None:
        lines.append(perspectives_body(record["answer"], record, turn))
    else:
        lead = record.get("direct_answer")
        if lead and record["answer"].startswith(lead):  # the direct answer first, prominent; its evidence under it
            lines.append(f'<span class="na-direct">{md_text(lead)}</span>')
        lines.append(f'<span class="na-evidence">{_linked(record["answer"], record, turn)}</span>')
    lines += notices(record)
    lines.append(_copy_button(record))
    block = sources_block(record, turn)
    if block:
        lines.append(block)
    return "\n\n".join(lines)


def _withdrawn_html(text: str, reason: str) -> str:
    why = f'<span class="na-withdrawn-why">withdrawn: {md_text(reason)}</span>'
    return f'<del class="na-withdrawn">{md_text(text)}</del> {why}'


def partial_message(text: str) -> str:
    """The assistant message while the answer streams in: withdrawn sentences struck out, with why."""
    out, pos = [], 0
    for m in _WITHDRAWN.finditer(text):
        out += [_linked(text[pos : m.start()], None, None), _withdrawn_html(m.group(1), m.group(2))]
        pos = m.end()
    return "".join([*out, _linked(text[pos:], None, None)]) + " …"


def notices(record: dict[str, Any]) -> list[str]:
    """Lines under an answer: the model failing (the answer is extractive), sentences withdrawn."""
    lines = []
    if record.get("reader_error"):
        lines.append(
            f'<span class="na-notice">⚠️ {md_text(record["reader_error"])}; this is the extractive answer.</span>'
        )
    lines += [_withdrawn_html(w.get("text", ""), w.get("reason", "")) for w in record.get("withdrawn") or []]
    return lines


def error_message(text: str) -> str:
    return f'<span class="na-refused">⚠️ {md_text(text)}</span>'


def waiting_message(position: int) -> str:
    """A question sent while another is answered: it waits its turn (never dropped)."""
    if position <= 0:
        return '<span class="na-thinking">Searching the articles …</span>'
    return (
        f'<span class="na-thinking">Queued: answered after the question{"s" if position > 1 else ""} before it.</span>'
    )


def stopped_message(partial: str = "") -> str:
    text = f"{_linked(partial, None, None)} " if partial else ""
    return f'{text}<span class="na-stopped">Stopped: no answer was kept for this question.</span>'

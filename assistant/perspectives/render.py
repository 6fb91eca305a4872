"""Rendering: the numbered citations and answer text of a perspectives result, and its terminal lines."""

from __future__ import annotations

from typing import Any

from assistant.grounding import CitationList
from assistant.perspectives.evidence import Group, Perspectives
from assistant.perspectives.question import YES_NO_RE
from assistant.perspectives.summary import bottom_line, declarative, join, label, marks
from assistant.records import AnswerRecord, Citation, Claim

#: the groups' headings (``ui.messages`` marks them): a yes/no question's, and a what/who question's
HEADINGS_YES_NO = ("Says yes", "Says no", "Unclear")
HEADINGS_WH = ("Reported", "Disputed", "Also reported")
#: statements shown in a group; the rest are named in one line with their markers
MAX_LINES = 3


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


def _shown(group: Group) -> str:
    """The sentence that states a group's fact: its best one, or a fuller one that contains all its words."""
    rep = group.rep
    fuller = [m for m in group.members if rep.raw <= m.raw]
    return max(fuller, key=lambda m: len(m.cand.text)).cand.text.strip()


def headings(question: str) -> tuple[str, str, str]:
    """The three groups' headings: a yes/no question's sides, or a wh-question's report and disputes."""
    return HEADINGS_YES_NO if YES_NO_RE.match(question or "") else HEADINGS_WH


def compose(result: Perspectives, nodes: list[Any], question: str = "") -> tuple[str, list[Citation], list[Claim], str]:
    """Number the citations and write the answer: the bottom line, then at most three groups (says yes,
    says no, unclear), each line naming its articles by outlet or title. Also the record's claims."""
    meta = source_metadata(nodes)
    cites = CitationList()
    numbers_of: dict[int, list[int]] = {}

    def cite(group: Group) -> list[int]:
        numbers = []
        for s in group.members:
            c, m = s.cand, meta.get(s.cand.source, {})
            n = cites.number(
                c.source,
                c.start,
                c.end,
                c.text,
                s.relevance,
                title=c.title or m.get("title") or None,
                outlet=m.get("outlet") or None,
                date=m.get("date") or None,
            )
            numbers_of[id(s)] = [n]
            numbers.append(n)
        return list(dict.fromkeys(numbers))

    def line(group: Group, numbers: list[int]) -> str:
        return f"{join([label(s, meta) for s in group.sources])}: {_shown(group)} {marks(numbers)}"

    yes_head, no_head, other_head = headings(question)
    main = result.claims[0]
    yes = [main.claim] if main.claim.members else []
    claim_text = main.text or (declarative(question) if main.affirms else "")
    supporting = cite(main.claim) if yes else []
    contra_numbers = [cite(g) for g in main.contradicting]
    further = [(cg, cite(cg.claim)) for cg in result.claims[1:]]
    bottom = bottom_line(claim_text, yes, main.contradicting, meta, numbers_of)

    if yes:
        yes_para = f"{yes_head}:\n{line(main.claim, supporting)}"
    else:
        yes_para = f"{yes_head}: no retrieved article says {claim_text or 'so'}."
    if main.contradicting:
        shown = list(zip(main.contradicting, contra_numbers, strict=True))
        rows = [line(g, ns) for g, ns in shown[:MAX_LINES]]
        rest = shown[MAX_LINES:]
        if rest:
            names = join([label(s, meta) for g, _ in rest for s in g.sources])
            rows.append(f"Also {names} {marks([n for _, ns in rest for n in ns])}")
        no_para = f"{no_head}:\n" + "\n".join(rows)
    else:
        no_para = f"{no_head}: no retrieved article {'denies' if yes_head == HEADINGS_YES_NO[0] else 'disputes'} it."
    paragraphs = [bottom, yes_para, no_para]
    if further:
        paragraphs.append(f"{other_head}:\n" + "\n".join(line(cg.claim, ns) for cg, ns in further))

    claims = [
        Claim(
            claim=main.text or main.claim.rep.cand.text.strip(),
            supporting=supporting,
            contradicting=list(dict.fromkeys(n for ns in contra_numbers for n in ns)),
        )
    ]
    claims += [Claim(claim=cg.claim.rep.cand.text.strip(), supporting=ns) for cg, ns in further]
    return "\n\n".join(paragraphs), cites.items, claims, bottom


def text_lines(record: AnswerRecord) -> list[tuple[str, str]]:
    """A perspectives record for the terminal: (rich style, plain text) lines."""
    lines: list[tuple[str, str]] = []
    for para in record.answer.split("\n"):
        lines.append(("yellow" if record.refused else "bold", para) if para else ("", ""))
    if not record.citations:
        return lines
    lines.append(("", ""))
    for i, claim in enumerate(record.claims or [], 1):
        backing = marks(claim.supporting) or "none found"
        against = marks(claim.contradicting) or "none found"
        lines.append(("cyan", f"Claim {i}: supported by {backing}; contradicted by {against}"))
    lines.append(("", ""))
    for c in record.citations:
        about = " · ".join(x for x in (c.outlet, c.date) if x)
        lines.append(("cyan", f"[{c.n}] {c.source}" + (f" — {about}" if about else "") + f"  chars {c.start}–{c.end}"))
        if c.title:
            lines.append(("dim", f"    {c.title}"))
        lines.append(("", f"    “{c.quote}”"))
    return lines

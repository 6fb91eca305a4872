"""The HTML report: one self-contained file (inline CSS and SVG, no script, no network).

People read it to see *why* questions fail, so next to the summary and the charts it has a
per-question table with the answer, the files cited and expected, and the failure reasons in words.
Every piece of text from questions, answers or files is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import METRICS, QuestionScore, format_value
from assistant.evaluation.questions import LineProblem
from assistant.evaluation.runner import ConfigResult

COLORS = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777"]

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1f2937;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.meta{color:#6b7280;margin:0 0 12px}table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid #e5e7eb;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f3f4f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.best{font-weight:700;background:#ecfdf5}.help{color:#6b7280;font-size:12px}
.pass{color:#166534;background:#dcfce7;font-weight:700;padding:1px 6px;border-radius:4px}
.fail{color:#991b1b;background:#fee2e2;font-weight:700;padding:1px 6px;border-radius:4px}
.qt td{font-size:13px}.qt td.ans{max-width:420px}.qt td.q{max-width:260px}.why{color:#991b1b}.note{color:#6b7280}
.hist{color:#6b7280;font-size:12px}.files{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.ok{color:#166534}.bad{color:#991b1b}.legend span{display:inline-block;margin-right:16px}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.row{display:flex;flex-wrap:wrap;gap:0 40px;align-items:flex-start}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}.warn{color:#92400e;background:#fffbeb;padding:6px 10px}
"""


def _color(i: int) -> str:
    return COLORS[i % len(COLORS)]


def _legend(results: Sequence[ConfigResult]) -> str:
    items = "".join(
        f'<span><i class="sw" style="background:{_color(i)}"></i>{escape(r.config.label)}</span>'
        for i, r in enumerate(results)
    )
    return f'<p class="legend">{items}</p>'


def summary_table(results: Sequence[ConfigResult]) -> str:
    """Metrics as rows, configurations as columns; the best value of a row in bold when comparing."""
    head = "".join(f"<th>{escape(r.config.label)}</th>" for r in results)
    rows = []
    for key in ("questions", "answerable", "unanswerable", "errors"):
        cells = "".join(f'<td class="num">{r.metrics[key]}</td>' for r in results)
        rows.append(f"<tr><th>{key}</th>{cells}<td class='help'></td></tr>")
    for m in METRICS:
        values = [r.metrics.get(m.key) for r in results]
        known = [v for v in values if v is not None]
        best = (max(known) if m.higher_is_better else min(known)) if len(results) > 1 and known else None
        cells = "".join(
            f'<td class="num{" best" if v is not None and v == best else ""}">{escape(format_value(m.key, v))}</td>'
            for v in values
        )
        rows.append(f"<tr><th>{escape(m.label)}</th>{cells}<td class='help'>{escape(m.help)}</td></tr>")
    for key in ("judge_correctness", "judge_faithfulness"):
        if any(r.judge and r.judge.get(key) is not None for r in results):
            cells = "".join(
                f'<td class="num">{escape(format_value(key, (r.judge or {}).get(key)))}</td>' for r in results
            )
            rows.append(f"<tr><th>{key.replace('_', ' ')}</th>{cells}<td class='help'>LLM judge</td></tr>")
    for key in results[0].settings if results else []:
        cells = "".join(f"<td>{escape(str(r.settings.get(key)))}</td>" for r in results)
        rows.append(f"<tr><th class='help'>{escape(key)}</th>{cells}<td class='help'>setting</td></tr>")
    return f"<table><tr><th>metric</th>{head}<th>meaning</th></tr>{''.join(rows)}</table>"


def metric_chart(results: Sequence[ConfigResult]) -> str:
    """Horizontal bars, one group per rate metric, one bar per configuration (0 … 1)."""
    rates = [m for m in METRICS if m.kind == "rate"]
    bar, gap, left, width = 14, 12, 170, 520
    group = bar * len(results) + gap
    height = group * len(rates) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 70}" height="{height}" role="img">']
    for tick in range(0, 11, 2):
        x = left + width * tick / 10
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height - 24}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{x}" y="{height - 8}" font-size="11" text-anchor="middle" fill="#6b7280">{tick / 10:.1f}</text>'
        )
    for gi, m in enumerate(rates):
        y0 = gi * group + 2
        mid = y0 + bar * len(results) / 2 + 4
        parts.append(f'<text x="{left - 8}" y="{mid}" font-size="12" text-anchor="end">{escape(m.label)}</text>')
        for ci, r in enumerate(results):
            value = r.metrics.get(m.key)
            y = y0 + ci * bar
            w = width * max(0.0, min(1.0, value or 0.0))
            parts.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{_color(ci)}">'
                f"<title>{escape(r.config.label)}: {escape(format_value(m.key, value))}</title></rect>"
            )
            parts.append(
                f'<text x="{left + w + 4:.1f}" y="{y + bar - 4}" font-size="11" fill="#374151">'
                f"{escape(format_value(m.key, value))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def latency_histogram(results: Sequence[ConfigResult], bins: int = 12) -> str:
    """Questions per latency bin, one bar colour per configuration."""
    series = [[s.latency for s in r.scores if s.latency is not None] for r in results]
    top = max((max(v) for v in series if v), default=0.0) or 1.0
    step = top / bins
    counts = [[min(int(x / step), bins - 1) for x in v] for v in series]
    tallies = [[c.count(b) for b in range(bins)] for c in counts]
    peak = max((max(t) for t in tallies if t), default=1) or 1
    left, width, height, base = 40, 640, 220, 190
    slot = width / bins
    bar = (slot - 6) / max(len(results), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{height + 20}" role="img">']
    for tick in range(0, 5):
        count = peak * tick / 4
        y = base - (base - 10) * tick / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#6b7280">{count:.0f}</text>'
        )
    for b in range(bins):
        x0 = left + b * slot + 3
        for ci, t in enumerate(tallies):
            h = (base - 10) * t[b] / peak
            parts.append(
                f'<rect x="{x0 + ci * bar:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{_color(ci)}"><title>{escape(results[ci].config.label)}: {t[b]} questions, '
                f"{b * step:.2f}–{(b + 1) * step:.2f} s</title></rect>"
            )
        if b % 2 == 0:
            parts.append(
                f'<text x="{left + b * slot:.1f}" y="{base + 16}" font-size="11" text-anchor="middle" '
                f'fill="#6b7280">{b * step:.2f}</text>'
            )
    parts.append(
        f'<text x="{left + width:.1f}" y="{base + 16}" font-size="11" text-anchor="end" fill="#6b7280">'
        f"{top:.2f} s</text>"
    )
    parts.append(
        f'<text x="{left + width / 2}" y="{height + 14}" font-size="12" text-anchor="middle">'
        "seconds per question (models loaded)</text></svg>"
    )
    return "".join(parts)


def _files(names: Sequence[str], expected: Sequence[str] | None = None) -> str:
    if not names:
        return '<span class="note">none</span>'
    out = []
    for name in dict.fromkeys(names):
        cls = "" if expected is None else (' class="ok"' if name in expected else ' class="bad"')
        out.append(f"<span{cls}>{escape(name)}</span>")
    return "<br>".join(out)


def question_table(scores: Sequence[QuestionScore]) -> str:
    """One row per question: what was asked, what came back, and why it failed."""
    rows = []
    for s in scores:
        q, rec = s.question, s.record or {}
        history = " / ".join(f"{t['role']}: {t['content']}" for t in q.history)
        hist = f'<div class="hist">after: {escape(history)}</div>' if history else ""
        kind = "" if q.answerable else '<div class="hist">unanswerable</div>'
        answer = escape(str(rec.get("answer", ""))) if rec else f'<span class="why">{escape(s.error or "")}</span>'
        why = "".join(f'<div class="why">{escape(r)}</div>' for r in s.reasons)
        why += "".join(f'<div class="note">{escape(n)}</div>' for n in s.notes)
        badge = '<span class="pass">pass</span>' if s.passed else '<span class="fail">fail</span>'
        rows.append(
            f'<tr id="q-{escape(q.id)}"><td>{escape(q.id)}</td><td class="q">{escape(q.question)}{hist}{kind}</td>'
            f'<td class="ans">{answer}</td><td class="files">{_files(s.cited, q.expected_sources)}</td>'
            f'<td class="files">{_files(q.expected_sources)}</td><td>{badge}</td><td>{why}</td></tr>'
        )
    cols = ("id", "question", "answer", "cited files", "expected files", "result", "why")
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>"
    return f'<table class="qt">{head}{"".join(rows)}</table>'


def _reason_kind(reason: str) -> str:
    return re.split(r"[\s]*[\('\[]", reason, maxsplit=1)[0].strip() or reason


def failure_counts(scores: Sequence[QuestionScore]) -> str:
    counts = Counter(_reason_kind(r) for s in scores for r in s.reasons)
    if not counts:
        return "<p>No failures.</p>"
    items = ", ".join(f"{escape(k)}: {v}" for k, v in counts.most_common())
    return f"<p>Failure reasons: {items}</p>"


def pass_matrix(results: Sequence[ConfigResult]) -> str:
    """Questions whose outcome differs between configurations (only when comparing)."""
    by_id = [{s.question.id: s for s in r.scores} for r in results]
    ids = [s.question.id for s in results[0].scores]
    differ = [i for i in ids if len({m[i].passed for m in by_id if i in m}) > 1]
    if not differ:
        return "<p>Every question has the same outcome in every configuration.</p>"
    head = "".join(f"<th>{escape(r.config.label)}</th>" for r in results)
    rows = []
    for i in differ:
        cells = "".join(
            "<td>"
            + (
                ('<span class="pass">pass</span>' if m[i].passed else '<span class="fail">fail</span>')
                if i in m
                else ""
            )
            + "</td>"
            for m in by_id
        )
        rows.append(f"<tr><td>{escape(i)}</td>{cells}</tr>")
    return f"<table><tr><th>id</th>{head}</tr>{''.join(rows)}</table>"


def render(
    results: Sequence[ConfigResult],
    question_file: Path,
    problems: Sequence[LineProblem] = (),
    notes: Sequence[str] = (),
) -> str:
    """The whole report as one HTML string."""
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    n = results[0].metrics["questions"] if results else 0
    body = [
        "<h1>news-assistant evaluation</h1>",
        f'<p class="meta">{escape(str(question_file))} · {n} questions · {len(results)} configuration(s) · {when}</p>',
    ]
    if problems:
        items = "".join(f"<li>{escape(str(p))}</li>" for p in problems)
        body.append(f'<div class="warn"><b>{len(problems)} line(s) skipped</b><ul>{items}</ul></div>')
    body += [f'<p class="note">{escape(note)}</p>' for note in notes]
    body.append('<div class="row"><div><h2>Summary</h2>' + summary_table(results) + "</div>")
    body.append("<div><h2>Metrics</h2>" + _legend(results) + metric_chart(results))
    body.append("<h2>Latency</h2>" + _legend(results) + latency_histogram(results) + "</div></div>")
    if len(results) > 1:
        body += ["<h2>Questions whose outcome differs</h2>", pass_matrix(results)]
    for i, r in enumerate(results):
        failed = sum(not s.passed for s in r.scores)
        body.append(f"<h2>Questions — {escape(r.config.label)}</h2>")
        body.append(f'<p class="meta">results: {escape(str(r.results_file))} · {failed} failed · {r.seconds:.1f} s</p>')
        if r.judge_note:
            body.append(f'<p class="note">{escape(r.judge_note)}</p>')
        body.append(failure_counts(r.scores))
        table = question_table(r.scores)
        body.append(
            f"<details{' open' if i == 0 else ''}><summary>all {len(r.scores)} questions</summary>{table}</details>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>news-assistant evaluation</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def write_report(path: Path, results: Sequence[ConfigResult], question_file: Path, **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results, question_file, **kwargs), encoding="utf-8")
    return path

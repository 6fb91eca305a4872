"""Turn benchmark results into the three outputs: rich tables on stdout, a JSON file and a PNG plot.

Estimated figures (corpus sizes not run, extrapolated from the largest measured run) are always
marked ``est.`` in the table and drawn hollow and dashed in the plot, never shown as measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

INGEST_COLUMNS = [
    "corpus",
    "articles",
    "chunks",
    "ingest s",
    "articles/s",
    "chunks/s",
    "embed %",
    "raw embed chunks/s",
    "ingest / embed",
    "peak RSS MB",
    "store MB",
    "re-ingest s",
    "re-ingest %",
    "1 changed s",
    "1 deleted s",
    "load",
]
ANSWER_COLUMNS = ["corpus", "chunks", "reader", "first ask s", "p50 ms", "p95 ms", "repeat p50 ms", "cold ask s"]
QUALITY_COLUMNS = [
    "corpus",
    "articles",
    "accuracy",
    "first 20 words",
    "median words",
    "hit rate",
    "MRR",
    "refusal ok",
    "false refusal",
    "p50 ms",
    "p95 ms",
    "accuracy vs dev alone",
]
SERVER_COLUMNS = ["clients", "answers", "answers/s", "p50 ms", "p95 ms", "errors"]


def fmt(value: Any, digits: int = 1) -> str:
    """Numbers for a table cell: thousands separators, fixed decimals; missing values as '–'."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _get(d: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def ingest_row(c: dict[str, Any]) -> list[str]:
    """One row of the ingest table for a corpus: measured, estimated or not run."""
    if c.get("status") == "estimate":
        est = c.get("estimate", {})
        return [
            c["label"],
            fmt(c.get("articles")),
            f"~{fmt(est.get('chunks'))} est.",
            f"~{fmt(est.get('ingest_s'), 0)} est.",
            f"~{fmt(est.get('articles_per_s'), 2)} est.",
            f"~{fmt(est.get('chunks_per_s'))} est.",
            *["not run"] * 9,
            "–",
        ]
    if c.get("status") != "measured":
        return [c["label"], fmt(c.get("articles")), *[str(c.get("status", "–"))] * (len(INGEST_COLUMNS) - 2)]
    ing = c.get("ingest", {})
    re = c.get("reingest", {})
    share = ing.get("model_share")
    ratio = _get(re, "unchanged", "ratio_to_first")
    return [
        c["label"],
        fmt(ing.get("articles")),
        fmt(ing.get("chunks")),
        fmt(ing.get("seconds")),
        fmt(ing.get("articles_per_s"), 2),
        fmt(ing.get("chunks_per_s")),
        fmt(share * 100 if share is not None else None, 0),
        fmt(ing.get("raw_embed_chunks_per_s")),
        fmt(ing.get("ingest_to_embed"), 2),
        fmt(ing.get("peak_rss_mb"), 0),
        fmt(ing.get("store_mb")),
        fmt(_get(re, "unchanged", "seconds"), 2),
        fmt(ratio * 100 if ratio is not None else None, 2),
        fmt(_get(re, "one_changed", "seconds"), 2),
        fmt(_get(re, "one_deleted", "seconds"), 2),
        fmt((c.get("load_before") or [None])[0]),
    ]


def answer_row(c: dict[str, Any]) -> list[str]:
    if c.get("status") != "measured" or not c.get("answers"):
        reason = "not run" if c.get("status") == "estimate" else str(c.get("status", "–"))
        return [c["label"], fmt(_get(c, "estimate", "chunks")), "–", *[reason] * (len(ANSWER_COLUMNS) - 3)]
    a = c["answers"]
    return [
        c["label"],
        fmt(_get(c, "ingest", "chunks")),
        str(a.get("reader", "–")),
        fmt(a.get("first_ask_s"), 2),
        fmt(a.get("p50_ms")),
        fmt(a.get("p95_ms")),
        fmt(_get(a, "repeat", "p50_ms")),
        fmt(_get(c, "cold_start", "median_s"), 2),
    ]


def quality_rows(corpora: list[dict[str, Any]]) -> list[list[str]]:
    """The dev questions scored on each real corpus; the last column is the change from the dev set alone."""
    base = next((c["quality"].get("answer_accuracy") for c in corpora if c["label"] == "dev+0"), None)
    rows = []
    for c in corpora:
        q = c["quality"]
        acc = q.get("answer_accuracy")
        delta = acc - base if acc is not None and base is not None and c["label"] != "dev+0" else None
        p50, p95 = q.get("latency_p50"), q.get("latency_p95")
        rows.append(
            [
                c["label"],
                fmt(_get(c, "ingest", "articles")),
                *(fmt(q.get(k), 2) for k in ("answer_accuracy", "first20_accuracy")),
                fmt(q.get("answer_words_median")),
                *(fmt(q.get(k), 2) for k in ("hit_rate", "mrr", "refusal_correct", "false_refusal")),
                fmt(p50 * 1000 if p50 is not None else None, 0),
                fmt(p95 * 1000 if p95 is not None else None, 0),
                f"{delta:+.2f}" if delta is not None else "–",
            ]
        )
    return rows


def server_rows(server: dict[str, Any] | None) -> list[list[str]]:
    if not server or server.get("status") != "ok":
        status = (server or {}).get("status", "not run")
        return [[status, *[""] * (len(SERVER_COLUMNS) - 1)]]
    return [
        [
            fmt(lv["clients"]),
            fmt(lv["answers"]),
            fmt(lv["answers_per_s"], 2),
            fmt(lv["p50_ms"]),
            fmt(lv["p95_ms"]),
            fmt(lv["errors"]),
        ]
        for lv in server.get("levels", [])
    ]


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 or col == "reader" else "right", no_wrap=i == 0)
    for row in rows:
        table.add_row(*row)
    return table


def render(results: dict[str, Any], console: Console | None = None) -> None:
    """Print the ingest, answer and server tables, then the CLI and machine notes."""
    if console is None:
        console = Console()
        if not console.is_terminal:  # piped to a file or CI log: do not squeeze the tables to 80 columns
            console = Console(width=200)
    corpora = results.get("corpora", [])
    console.print(_table("Ingest (first ingest, then re-ingest)", INGEST_COLUMNS, [ingest_row(c) for c in corpora]))
    console.print(
        _table("Answers (warm Service.ask over the dev questions)", ANSWER_COLUMNS, [answer_row(c) for c in corpora])
    )
    quality = [c for c in corpora if c.get("quality")]
    if quality:
        console.print(_table("Dev-set answers with N real distractors (eval)", QUALITY_COLUMNS, quality_rows(quality)))
    server = results.get("server")
    where = f" – {server['corpus']}" if server and server.get("corpus") else ""
    console.print(_table(f"Server (/ask on loopback){where}", SERVER_COLUMNS, server_rows(server)))
    for line in notes(results):
        console.print(line, highlight=False)


def notes(results: dict[str, Any]) -> list[str]:
    """The lines under the tables: CLI imports, what `ask` imports, load, estimates."""
    out: list[str] = []
    cli = _get(results, "cli", "import") or {}
    if cli:
        out.append(
            f"CLI: import assistant.cli {fmt(cli.get('import_ms'))} ms (-X importtime), "
            f"`python -c 'import assistant.cli'` {fmt(cli.get('python_wall_s_min'), 2)} s, "
            f"`news-assistant --help` {fmt(cli.get('help_wall_s'), 2)} s"
        )
    ask = _get(results, "cli", "ask_imports") or {}
    if ask:
        bad = ask.get("forbidden_imported") or []
        verdict = "NONE of gradio / llama_cpp imported" if not bad else f"IMPORTED: {', '.join(bad)}"
        out.append(f"`ask` command: {fmt(ask.get('modules'))} modules, {verdict}")
    meta = results.get("meta", {})
    if meta:
        out.append(
            f"load average (1/5/15 min) at start {meta.get('load_start')}, at end {meta.get('load_end')} "
            f"on {meta.get('cpus')} CPUs; total {fmt(meta.get('total_s'), 0)} s"
        )
    out.append(
        "embed % = model (MiniLM ONNX) time / ingest time; raw embed = the model alone on 1,000 stored chunks; "
        "ingest / embed = ingest s / (chunks at the raw rate); ingest s excludes model load; "
        "re-ingest % = unchanged re-ingest / first ingest; load = 1-min load average when the corpus started"
    )
    for c in results.get("corpora", []):
        if c.get("status") == "estimate":
            out.append(f"{c['label']}: NOT RUN – estimate: {c['estimate'].get('basis')}")
    return out


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def plot(results: dict[str, Any], path: Path) -> str | None:
    """Ingest time and answer latency against corpus size (log-log); returns why not, if it could not."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed (pip install matplotlib): no plot"

    measured = [c for c in results.get("corpora", []) if c.get("status") == "measured"]
    estimated = [c for c in results.get("corpora", []) if c.get("status") == "estimate"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 5.2))

    xs = [c["ingest"]["articles"] for c in measured]
    ax1.plot(xs, [c["ingest"]["seconds"] for c in measured], "o-", label="first ingest (measured)")
    reing = [(c["ingest"]["articles"], _get(c, "reingest", "unchanged", "seconds")) for c in measured]
    reing = [(x, y) for x, y in reing if y]
    if reing:
        ax1.plot(*zip(*reing, strict=True), "s-", label="re-ingest, unchanged")
    if measured and estimated:
        last = measured[-1]
        ex = [last["ingest"]["articles"]] + [c["articles"] for c in estimated]
        ey = [last["ingest"]["seconds"]] + [c["estimate"]["ingest_s"] for c in estimated]
        ax1.plot(ex, ey, "o--", mfc="none", color="grey", label="first ingest (ESTIMATE, not run)")
    ax1.plot([10_000], [1200], "x", color="red", ms=9, label="target: 10,000 articles in 20 min")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("articles in corpus")
    ax1.set_ylabel("seconds")
    ax1.set_title("Ingest time")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)

    with_answers = [c for c in measured if c.get("answers")]
    ax = [c["ingest"]["articles"] for c in with_answers]
    ax2.plot(ax, [c["answers"]["p50_ms"] for c in with_answers], "o-", label="warm ask p50")
    ax2.plot(ax, [c["answers"]["p95_ms"] for c in with_answers], "^-", label="warm ask p95")
    cold = [(c["ingest"]["articles"], _get(c, "cold_start", "median_s")) for c in with_answers]
    cold = [(x, y * 1000) for x, y in cold if y]
    if cold:
        ax2.plot(*zip(*cold, strict=True), "s:", label="cold `news-assistant ask`")
    ax2.plot([1_000, 10_000], [250, 250], "x", color="red", ms=9, label="target p50: 250 ms @1k and @10k")
    ax2.axhline(1500, color="red", ls=":", lw=1, label="target cold ask: 1.5 s")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("articles in corpus")
    ax2.set_ylabel("milliseconds")
    ax2.set_title("Answer latency (extractive reader)")
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)

    meta = results.get("meta", {})
    fig.suptitle(
        f"news-assistant benchmarks – {meta.get('cpus', '?')} CPUs, load at start {meta.get('load_start')}",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None

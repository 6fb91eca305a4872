"""Time: a question's date (``as_of`` / ``--as-of`` / ``asked_on``) limits and ranks what is used.

Real store, real models: articles written for these tests, two of them on the same subject years apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.recency import AsOfError, asks_recent, parse_as_of, recency_factor
from assistant.settings import load_settings
from tests.topics import write_articles

OLD, NEW, UNDATED = "mayor_2019.txt", "mayor_2023.txt", "marathon.txt"
ARTICLES = {
    # the same story years apart; the older one says more about the election, so by words alone it ranks
    # first: only recency can put the newer one first
    OLD: (
        "Lopez wins the vote\n"
        "Published: 2019-11-06\n\n"
        "Maria Lopez was elected mayor of Harbor City on Tuesday with 58 percent of the vote.\n\n"
        "Lopez, a former nurse, said she would start with the city's buses.\n\n"
        "Turnout was 44 percent. It was the first Harbor City mayor election held on a Tuesday in November, "
        "and the Harbor City election board counted the mayor votes by hand.\n"
    ),
    NEW: (
        "Reyes wins the vote\n"
        "Published: 2023-03-01\n\n"
        "Tom Reyes was elected mayor of Harbor City on Tuesday with 52 percent of the vote.\n\n"
        "Reyes, a former teacher, said he would start with the city's schools.\n"
    ),
    UNDATED: (
        "Kenyan runner wins the Lakeside Marathon\n\n"
        "Wanjiru Kamau won the Lakeside Marathon in 2 hours 18 minutes on Sunday, breaking the course record "
        "by forty seconds.\n"
    ),
}
THIS_WEEK = "Who was elected mayor of Harbor City this week?"
NO_RECENCY = {"recency_half_life_days": 0, "default_half_life_days": 0}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_articles(tmp_path_factory.mktemp("dated") / "corpus", ARTICLES)


@pytest.fixture(scope="module")
def store(corpus: Path) -> Path:
    from assistant.service import Service

    path = corpus.parent / "store"
    assert Service(load_settings(store_dir=path, corpus_dir=corpus)).ingest().ok
    return path


def service(store: Path, corpus: Path, **overrides: Any) -> Any:
    from assistant.service import Service

    return Service(load_settings(store_dir=store, corpus_dir=corpus, **overrides))


@pytest.fixture(scope="module")
def svc(store: Path, corpus: Path) -> Any:
    return service(store, corpus)


def used(record: Any) -> set[str]:
    return {c.source for c in record.citations} | {r.source for r in record.retrieved}


# -- the pieces ------------------------------------------------------------------------------------
def test_as_of_parsing_and_cue_words() -> None:
    assert parse_as_of("2023-03-03") == date(2023, 3, 3)
    assert parse_as_of(None) == date.today()
    for bad in ("2023-02-30", "03/03/2023", "yesterday", "2023-3-3"):
        with pytest.raises(AsOfError, match=r"YYYY-MM-DD|does not exist"):
            parse_as_of(bad)
    for cue in ("Who won this week?", "What did he say recently?", "Who is the new coach?", "Who leads now?"):
        assert asks_recent(cue), cue
    for plain in ("Who is the mayor of New York?", "What did Lopez promise?", "Who won in New Zealand?"):
        assert not asks_recent(plain), plain


def test_recency_factor_halves_per_half_life_and_undated_counts_one_half_life() -> None:
    day = date(2023, 3, 8)
    assert recency_factor("2023-03-08", day, 7) == 1.0
    assert recency_factor("2023-03-01", day, 7) == pytest.approx(0.5)
    assert recency_factor("2023-02-22", day, 7) == pytest.approx(0.25)
    assert recency_factor("", day, 7) == pytest.approx(0.5)


# -- the service -----------------------------------------------------------------------------------
def test_an_article_published_after_as_of_is_never_used(svc: Any) -> None:
    before_new = svc.ask(THIS_WEEK, as_of="2019-11-08")
    assert "Lopez" in before_new.answer and not before_new.refused
    assert NEW not in used(before_new)
    before_all = svc.ask("Who was elected mayor of Harbor City?", as_of="2019-01-01")
    assert before_all.refused and not before_all.citations
    assert {OLD, NEW}.isdisjoint(used(before_all))
    perspectives = svc.perspectives("Who was elected mayor of Harbor City?", as_of=date(2019, 11, 8))
    assert NEW not in used(perspectives)


def test_undated_articles_are_kept_whatever_the_date(svc: Any) -> None:
    record = svc.ask("Who won the Lakeside Marathon?", as_of="1999-01-01")
    assert "Kamau" in record.answer and {c.source for c in record.citations} == {UNDATED}


def test_this_week_prefers_the_article_just_before_as_of(svc: Any, store: Path, corpus: Path) -> None:
    # by words alone the older article is the better match ...
    plain = service(store, corpus, **NO_RECENCY).ask(THIS_WEEK, as_of="2023-03-03")
    assert plain.retrieved[0].source == OLD
    # ... but asked in the week of the newer one, "this week" means the newer one
    record = svc.ask(THIS_WEEK, as_of="2023-03-03")
    assert record.retrieved[0].source == NEW
    assert "Reyes" in record.answer and record.citations[0].source == NEW
    assert record.citations[0].date == "2023-03-01"
    assert record.to_dict()["citations"][0]["date"] == "2023-03-01"


def test_a_bad_as_of_is_a_question_error(svc: Any) -> None:
    from assistant.errors import UsageError

    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        svc.ask(THIS_WEEK, as_of="03/03/2023")


# -- the command -----------------------------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_ask_as_of_flag(store: Path, corpus: Path) -> None:
    where = ["--store", str(store), "--corpus", str(corpus)]
    proc = cli("ask", "--json", "--as-of", "2019-11-08", THIS_WEEK, *where)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert "Lopez" in record["answer"] and {c["source"] for c in record["citations"]} == {OLD}
    assert record["citations"][0]["date"] == "2019-11-06"
    text = cli("ask", "--as-of", "2023-03-03", THIS_WEEK, *where)
    assert text.returncode == 0, text.stderr
    assert "Reyes" in text.stdout and f"{NEW} (2023-03-01)" in text.stdout  # the date beside the citation
    bad = cli("ask", "--as-of", "2023-02-30", THIS_WEEK, *where)
    assert bad.returncode == 2 and "--as-of" in bad.stderr and "does not exist" in bad.stderr
    helped = cli("ask", "--help")
    assert "--as-of" in helped.stdout and "YYYY-MM-DD" in helped.stdout


def test_eval_passes_asked_on(store: Path, corpus: Path, tmp_path: Path) -> None:
    from assistant.cli import app

    def question(qid: str, asked_on: str | None, source: str, keyword: str) -> dict[str, Any]:
        q = {"id": qid, "question": THIS_WEEK, "expected_sources": [source], "answer_keywords": [keyword]}
        q["answerable"] = True
        if asked_on:
            q["asked_on"] = asked_on
        return q

    lines = [
        json.dumps(question("then", "2019-11-08", OLD, "Lopez")),
        json.dumps(question("now", "2023-03-03", NEW, "Reyes")),
        json.dumps(question("undated", None, NEW, "Reyes")),  # no asked_on: today, the newest wins
        json.dumps(question("bad", "2023-13-01", NEW, "Reyes")),
    ]
    qfile, out = tmp_path / "q.jsonl", tmp_path / "r.jsonl"
    qfile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(qfile), "--out", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "asked_on" in " ".join(result.stderr.split())  # the bad line is named and skipped
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(records) == {"then", "now", "undated"}
    assert "Lopez" in records["then"]["answer"] and NEW not in {c["source"] for c in records["then"]["citations"]}
    assert "Reyes" in records["now"]["answer"] and "Reyes" in records["undated"]["answer"]

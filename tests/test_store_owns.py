"""The store owns its articles (issue 12): nothing is lost, and every command works from any folder.

Real processes and a real Chroma store: each test runs the CLI the way a user would, from a
working directory that is not the repository and holds no ``seeds/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.topics import ARTICLES, write_topics

ROOT = Path(__file__).resolve().parents[1]
# the checkout under test, whatever the installed package points at
ENV = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")} | {"PYTHONPATH": str(ROOT)}


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=cwd,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def held(store: Path, cwd: Path, *extra: str) -> dict[str, dict]:
    proc = cli("sources", "--json", "--store", str(store), *extra, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return {e["name"]: e for e in json.loads(proc.stdout)}


@pytest.fixture()
def work(tmp_path: Path) -> tuple[Path, Path, dict[str, Path]]:
    """(an empty working directory, a store path, the topic folders elsewhere)."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    return cwd, tmp_path / "store", write_topics(tmp_path / "articles")


def test_ingest_a_then_b_keeps_both_and_ask_works_from_anywhere(work: tuple[Path, Path, dict[str, Path]]) -> None:
    cwd, store, folders = work
    first = cli("ingest", str(folders["sport"]), "--store", str(store), cwd=cwd)
    assert first.returncode == 0, first.stderr
    second = cli("ingest", str(folders["business"]), "--store", str(store), cwd=cwd)
    assert second.returncode == 0, second.stderr
    assert "0 removed" in second.stderr
    names = held(store, cwd)
    assert set(names) == {n for files in ARTICLES.values() for n in files}
    rice = names["transfer.txt"]
    assert rice["title"] == "Arsenal complete record signing of Declan Rice"
    assert rice["date"] == "2023-07-15" and rice["chunks"] >= 1
    assert rice["origin"] == str((folders["sport"] / "transfer.txt").resolve()) and rice["ingested"]
    # both batches answer, from a folder that is neither of them
    for question, source in [
        ("Who won the Lakeside Marathon?", "marathon.txt"),
        ("Who won the governorship?", "election.txt"),
    ]:
        proc = cli("ask", question, "--json", "--store", str(store), cwd=cwd)
        assert proc.returncode == 0, proc.stderr
        record = json.loads(proc.stdout)
        assert not record["refused"] and source in {c["source"] for c in record["citations"]}, record


def test_missing_or_empty_paths_change_nothing(work: tuple[Path, Path, dict[str, Path]], tmp_path: Path) -> None:
    cwd, store, folders = work
    assert cli("ingest", str(folders["sport"]), "--store", str(store), cwd=cwd).returncode == 0
    before = held(store, cwd)
    missing = cli("ingest", str(tmp_path / "gone"), "--store", str(store), cwd=cwd)
    assert missing.returncode == 1 and "not found" in missing.stderr and "nothing was changed" in missing.stderr
    assert "Traceback" not in missing.stderr
    # one good and one missing path: still nothing changes (the good one is not half-ingested)
    mixed = cli("ingest", str(folders["business"]), str(tmp_path / "gone"), "--store", str(store), cwd=cwd)
    assert mixed.returncode == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("ingest", str(empty), "--store", str(store), cwd=cwd).returncode == 1
    assert held(store, cwd) == before


def test_same_name_from_another_folder_is_refused_not_merged(work: tuple[Path, Path, dict[str, Path]]) -> None:
    cwd, store, folders = work
    assert cli("ingest", str(folders["sport"]), "--store", str(store), cwd=cwd).returncode == 0
    other = cwd.parent / "other"
    other.mkdir()
    (other / "transfer.txt").write_text("A different story\n\nThe ferry to the island was cancelled by fog.\n")
    (other / "copy-of-marathon.txt").write_text(ARTICLES["sport"]["marathon.txt"])
    proc = cli("ingest", str(other), "--store", str(store), cwd=cwd)
    assert "a different article of that name is already in the store" in proc.stderr, proc.stderr
    names = held(store, cwd)
    assert set(names) == {"transfer.txt", "marathon.txt", "copy-of-marathon.txt"}  # other names are other articles
    assert names["transfer.txt"]["origin"].startswith(str(folders["sport"].resolve()))
    text = cli("ask", "How much did Arsenal pay for Declan Rice?", "--json", "--store", str(store), cwd=cwd)
    assert "ferry" not in text.stdout


def test_remove_and_prune(work: tuple[Path, Path, dict[str, Path]]) -> None:
    cwd, store, folders = work
    for folder in ("sport", "business"):
        assert cli("ingest", str(folders[folder]), "--store", str(store), cwd=cwd).returncode == 0
    unknown = cli("remove", "no-such.txt", "election.txt", "--store", str(store), cwd=cwd)
    assert unknown.returncode == 2 and "no-such.txt" in unknown.stderr and "nothing was removed" in unknown.stderr
    assert "election.txt" in held(store, cwd)
    gone = cli("remove", "election.txt", "--store", str(store), cwd=cwd)
    assert gone.returncode == 0, gone.stderr
    assert "election.txt" not in held(store, cwd)
    # a file deleted from its folder stays in the store until the folder is ingested with --prune
    (folders["sport"] / "marathon.txt").unlink()
    again = cli("ingest", str(folders["sport"]), "--store", str(store), cwd=cwd)
    assert again.returncode == 0 and "marathon.txt" in held(store, cwd)
    pruned = cli("ingest", str(folders["sport"]), "--prune", "--store", str(store), cwd=cwd)
    assert pruned.returncode == 0 and "1 removed" in pruned.stderr, pruned.stderr
    assert set(held(store, cwd)) == {"transfer.txt", "earnings.txt"}  # the other folder's article is untouched


def test_empty_store_elsewhere_says_what_to_do(tmp_path: Path) -> None:
    proc = cli("ask", "Who won?", "--store", str(tmp_path / "store"), cwd=tmp_path)
    assert proc.returncode == 1
    assert "news-assistant ingest FOLDER" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_text_eval_and_sources_panel_work_after_the_folder_is_gone(work: tuple[Path, Path, dict[str, Path]]) -> None:
    cwd, store, folders = work
    assert cli("ingest", str(folders["business"]), "--store", str(store), cwd=cwd).returncode == 0
    shutil.rmtree(folders["business"])  # the articles' folder is deleted: the store still has them
    questions = cwd / "q.jsonl"
    rows = [
        {
            "id": "q1",
            "question": "What was Harbor Foods' quarterly revenue?",
            "expected_sources": ["earnings.txt"],
            "reference_answer": "$3.2 billion",
            "answer_keywords": ["3.2 billion"],
            "answerable": True,
        },
        {
            "id": "q2",
            "question": "What share of the vote did Maria Okonkwo win?",
            "expected_sources": ["election.txt"],
            "reference_answer": "54 percent",
            "answer_keywords": ["54"],
            "answerable": True,
        },
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = cli(
        "eval",
        str(questions),
        "--store",
        str(store),
        "--out",
        str(cwd / "res.jsonl"),
        "--report",
        str(cwd / "report.html"),
        cwd=cwd,
    )
    assert proc.returncode == 0, proc.stderr
    assert "skipped" not in proc.stderr  # expected_sources were found in the store, not in a folder
    texts = {n: ARTICLES["business"][n] for n in ARTICLES["business"]}
    records = [json.loads(line) for line in (cwd / "res.jsonl").read_text().splitlines()]
    assert records and all(
        texts[c["source"]][c["start"] : c["end"]] == c["quote"] for r in records for c in r["citations"]
    )

    from assistant.service import Service
    from assistant.settings import load_settings
    from ui import render

    svc = Service(load_settings(store_dir=store))
    record = svc.ask("What was Harbor Foods' quarterly revenue?").to_dict()
    panel = render.sources_html(record, svc.article)
    assert "cannot be opened" not in panel and "<mark>" in panel and "Dana Whitfield" in panel
    assert svc.article("earnings.txt").text == ARTICLES["business"]["earnings.txt"]


def test_config_file_paths_unknown_keys_and_chunking(work: tuple[Path, Path, dict[str, Path]]) -> None:
    cwd, _store, folders = work
    conf_dir = cwd.parent / "conf"
    conf_dir.mkdir()
    conf = conf_dir / "assistant.toml"
    conf.write_text('store_dir = "my-store"\ntop_k = 4\n')
    proc = cli("ingest", str(folders["sport"]), "--config", str(conf), cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert (conf_dir / "my-store" / "chroma").is_dir() and not (cwd / "my-store").exists()

    for bad, hint in [("topk = 1", "top_k"), ("refusal_treshold = 0.9", "refusal_threshold")]:
        wrong = conf_dir / "wrong.toml"
        wrong.write_text(bad + "\n")
        proc = cli("ask", "Who won?", "--config", str(wrong), cwd=cwd)
        assert proc.returncode == 2 and hint in proc.stderr and bad.split()[0] in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr

    other = cli("ingest", str(folders["business"]), "--config", str(conf), cwd=cwd, env={"ASSISTANT_CHUNK_SIZE": "300"})
    assert other.returncode == 1 and "chunk_size: store 200, settings 300" in other.stderr
    assert "ingest --rebuild" in other.stderr
    assert "earnings.txt" not in held(conf_dir / "my-store", cwd)
    warned = cli("ask", "Who won the marathon?", "--config", str(conf), cwd=cwd, env={"ASSISTANT_CHUNK_SIZE": "300"})
    assert warned.returncode == 0 and "ingest --rebuild" in warned.stderr

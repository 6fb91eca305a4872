"""The news-assistant command as a user runs it: real processes, real store, exit codes, stdout/stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS, contract_problems, copy_seeds


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("ASSISTANT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh working directory with its own seeds/ copy, as a fresh clone would have."""
    wd = tmp_path_factory.mktemp("cli")
    copy_seeds(wd / "seeds")
    return wd


def test_first_ask_json_ingests_then_prints_exactly_one_record(workdir: Path) -> None:
    proc = run(["ask", "--json", "Who did Jake Sullivan meet in Rome?"], workdir)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)  # stdout is one JSON object and nothing else
    assert "ingesting" in proc.stderr and "5 added" in proc.stderr
    assert (workdir / ".news-assistant").is_dir()
    assert {"question", "answer", "refused", "citations", "reader", "latency_s"} <= set(record)
    assert "Yang Jiechi" in record["answer"] and not record["refused"]
    assert contract_problems(record, workdir / "seeds") == []


def test_ask_prints_answer_with_markers_and_each_cited_passage(workdir: Path) -> None:
    proc = run(["ask", "Which Kremlin spokesman said Russia had not asked China for military help?"], workdir)
    assert proc.returncode == 0, proc.stderr
    assert "Peskov" in proc.stdout and "[1]" in proc.stdout
    assert "003_2c27475b07d2a74f.txt" in proc.stdout


def test_ingest_again_reports_everything_unchanged(workdir: Path) -> None:
    proc = run(["ingest"], workdir)
    assert proc.returncode == 0, proc.stderr
    assert "0 added, 0 changed, 5 unchanged, 0 removed" in proc.stderr


def test_usage_errors_exit_2_and_missing_folder_exits_1(workdir: Path) -> None:
    assert run(["ask", ""], workdir).returncode == 2
    assert run(["ask", "--no-such-option", "x"], workdir).returncode == 2
    proc = run(["ingest", "no-such-folder", "--store", str(workdir / "other")], workdir)
    assert proc.returncode == 1
    assert "not found: no-such-folder" in proc.stderr and "Traceback" not in proc.stderr


def test_ingest_with_bad_files_lists_them_and_exits_0(tmp_path: Path) -> None:
    corpus = copy_seeds(tmp_path / "c")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "bin.txt").write_bytes(b"\x00\x01\x02")
    proc = run(["ingest", str(corpus), "--store", str(tmp_path / "s")], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "skipped empty.txt: empty file" in proc.stderr and "bin.txt: binary" in proc.stderr
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "empty.txt").write_bytes(b"")
    proc = run(["ingest", str(only_bad), "--store", str(tmp_path / "s2")], tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_chat_rewrites_follow_ups_and_shows_the_rewrite(workdir: Path) -> None:
    stdin = "Who is Einar Tangen?\nWhat did he say about economics?\n/quit\n"
    proc = run(["chat"], workdir, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    assert "understood as: What did Einar Tangen say about economics?" in proc.stdout
    assert "nothing has changed" in proc.stdout


def test_settings_precedence_flag_over_env_over_toml(tmp_path: Path) -> None:
    from assistant.settings import load_settings

    toml = tmp_path / "conf.toml"
    toml.write_text('top_k = 3\nmax_sentences = 3\nstore_dir = "from-toml"\n')
    os.environ["ASSISTANT_TOP_K"] = "4"
    try:
        s = load_settings(config=toml, store_dir=Path("from-flag"))
    finally:
        del os.environ["ASSISTANT_TOP_K"]
    assert s.store_dir == Path("from-flag")  # flag beats TOML
    assert s.top_k == 4  # env beats TOML
    assert s.max_sentences == 3  # TOML beats default


def test_every_command_has_help(workdir: Path) -> None:
    top = run(["--help"], workdir)
    assert top.returncode == 0
    for cmd in ("ingest", "ask", "chat"):
        assert cmd in top.stdout
        proc = run([cmd, "--help"], workdir)
        assert proc.returncode == 0 and "--store" in proc.stdout


def test_seeds_are_the_shared_corpus() -> None:
    shared = SEEDS.parents[1] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this clone")
    assert sorted(p.name for p in SEEDS.iterdir()) == sorted(p.name for p in shared.iterdir())

"""``ingest --workers N``: the same store as one worker, a killed worker loses and duplicates nothing,
and two ingests against one Chroma server share the files (claims in ``store.claims``).

Real components throughout: the CLI in subprocesses, the MiniLM model, Chroma embedded and ``chroma run``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import load_settings
from tests.test_server_mode import chroma_server  # noqa: F401 - the module's server fixture

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
ENV.pop("ASSISTANT_CONFIG", None)

TOPICS = [
    ("harbour", "Harbour pilots in {city} counted {n} container ships before the strike began."),
    ("wheat", "Farmers near {city} harvested {n} tonnes of wheat after a late and wet spring."),
    ("rail", "The new rail link to {city} carried {n} passengers in its first month of service."),
    ("museum", "The museum in {city} lent {n} paintings to a touring exhibition of northern artists."),
    ("storm", "A winter storm cut power to {n} homes around {city} for most of a weekend."),
    ("election", "Voters in {city} elected a mayor by {n} votes after a recount of postal ballots."),
]
CITIES = ["Valparaiso", "Tromso", "Gdansk", "Porto", "Nagoya", "Durban", "Halifax", "Tampere"]


def write_articles(folder: Path, count: int) -> set[str]:
    """Short articles on several topics, each a few paragraphs so that it makes a few chunks."""
    folder.mkdir(parents=True)
    for i in range(count):
        topic, line = TOPICS[i % len(TOPICS)]
        city = CITIES[i % len(CITIES)]
        paras = [
            line.format(city=city, n=100 + 37 * i + k) + f" Officials in {city} spoke of item {k}." for k in range(12)
        ]
        (folder / f"{i:03d}_{topic}.txt").write_text(
            f"{topic.title()} news from {city}\n\n" + "\n\n".join(paras) + "\n"
        )
    return {p.name for p in folder.iterdir()}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from assistant.cli import main; main()", "ingest", *args]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)


def state(**settings: object) -> tuple[dict[str, str], dict[str, tuple]]:
    """Chunk id → text, and article → (sha256, chunks, title), straight from the store."""
    from assistant.service import Service

    svc = Service(load_settings(**settings))
    got = svc.vector_store._collection.get(include=["documents", "metadatas"])
    chunks = dict(zip(got["ids"], got["documents"], strict=True))
    spans = [(m["document_id"], json.loads(m["_node_content"])["start_char_idx"]) for m in got["metadatas"]]
    assert len(spans) == len(set(spans)), "duplicate chunks"
    entries = {e.name: (e.sha256, e.chunks, e.title, e.chars) for e in svc.catalogue.entries()}
    return chunks, entries


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread that just ended
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def test_two_workers_give_exactly_the_store_of_one(tmp_path: Path) -> None:
    from assistant.service import Service

    names = write_articles(tmp_path / "articles", 12)
    one = Service(load_settings(store_dir=tmp_path / "one"))
    report = one.ingest([tmp_path / "articles"])
    assert sorted(report.added) == sorted(names)
    done = run_cli(str(tmp_path / "articles"), "--store", str(tmp_path / "two"), "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "12 added" in done.stderr
    chunks_one, entries_one = state(store_dir=tmp_path / "one")
    chunks_two, entries_two = state(store_dir=tmp_path / "two")
    assert chunks_two == chunks_one and len(chunks_one) >= 24
    assert entries_two == entries_one and set(entries_one) == names
    again = run_cli(str(tmp_path / "articles"), "--store", str(tmp_path / "two"), "--workers", "2")
    assert "0 added, 0 changed, 12 unchanged" in again.stderr
    # an edited article: the workers re-embed its new chunk only, the others keep their stored vectors
    edited = sorted((tmp_path / "articles").iterdir())[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA closing paragraph added later.\n", encoding="utf-8")
    edit = run_cli(str(tmp_path / "articles"), "--store", str(tmp_path / "two"), "--workers", "2")
    assert "0 added, 1 changed, 11 unchanged" in edit.stderr, edit.stderr
    kept = re.search(r"(\d+) new chunks \((\d+) kept their vectors\)", edit.stderr)
    assert kept and 1 <= int(kept[2]) < int(kept[1]), edit.stderr


def test_a_killed_worker_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    names = write_articles(tmp_path / "articles", 48)
    store = tmp_path / "store"
    proc = subprocess.Popen(
        cli(str(tmp_path / "articles"), "--store", str(store), "--workers", "2"),
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        workers = children(proc.pid)
        if len(workers) >= 2:
            time.sleep(2.0)  # let them start embedding
            killed = workers[-1]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.2)
    _out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err  # the dead worker's batches went to a fresh pool
    chunks, entries = state(store_dir=store)
    assert set(entries) == names
    # the whole ingest killed mid-way, then run again: complete, no duplicates (``state`` checks)
    shutil_store = tmp_path / "store2"
    proc = subprocess.Popen(
        cli(str(tmp_path / "articles"), "--store", str(shutil_store), "--workers", "2"),
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(8.0)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    rerun = run_cli(str(tmp_path / "articles"), "--store", str(shutil_store), "--workers", "2")
    assert rerun.returncode == 0, rerun.stderr
    chunks2, entries2 = state(store_dir=shutil_store)
    assert entries2 == entries and chunks2 == chunks


def test_two_ingests_against_one_server_share_the_files(chroma_server: str, tmp_path: Path) -> None:  # noqa: F811
    names = write_articles(tmp_path / "articles", 40)
    procs = [
        subprocess.Popen(
            cli(str(tmp_path / "articles"), "--store", str(tmp_path / f"machine-{i}"), "--chroma-url", chroma_server),
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _o, e in results]
    added = [int(re.search(r"(\d+) added", e).group(1)) for _o, e in results]
    assert sum(added) == len(names), added  # each file added by exactly one of them
    chunks, entries = state(store_dir=tmp_path / "check", chroma_url=chroma_server)
    assert set(entries) == names
    assert {cid.split("#")[0] for cid in chunks} == names
    from assistant.service import Service

    svc = Service(load_settings(store_dir=tmp_path / "check", chroma_url=chroma_server))
    from store.chroma import open_client, open_kv_collection

    claims = open_kv_collection(open_client(svc.settings), svc.settings.collection).get(where={"claim": 1})
    assert claims["ids"] == []  # every claim released
    local = Service(load_settings(store_dir=tmp_path / "local"))
    local.ingest([tmp_path / "articles"])
    assert state(store_dir=tmp_path / "local") == (chunks, entries)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

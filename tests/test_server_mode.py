"""Chroma server mode against a real ``chroma run`` on loopback: two "machines" share one corpus.

Each Service has its own local store folder and its own copy of the articles, so anything the
second one knows about the corpus can only have come from the server.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from assistant.settings import load_settings
from store.chroma import StoreError
from tests.conftest import contract_problems, copy_seeds

QUESTION = "How many times has Xi Jinping met Putin as national leaders?"
EXTRA = "999_extra_note.txt"
EXTRA_TEXT = (
    "Harbour pilots in Valparaiso counted 417 container ships in the first week of the strike.\n\n"
    "The union said the walkout would continue until the port authority restored night-shift pay.\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_heartbeat(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"chroma server at {url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Chroma server on a free loopback port, stopped after the module."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    data = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_heartbeat(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def machines(chroma_server: str, tmp_path_factory: pytest.TempPathFactory):
    """Two Services ("machines") with separate local folders and article copies, one server."""
    from assistant.service import Service

    out = []
    for name in ("machine-a", "machine-b"):
        tmp = tmp_path_factory.mktemp(name)
        corpus = copy_seeds(tmp / "articles")
        settings = load_settings(store_dir=tmp / "store", corpus_dir=corpus, chroma_url=chroma_server)
        out.append(Service(settings))
    first = out[0].ingest()
    assert sorted(first.added) == sorted(p.name for p in out[0].settings.corpus_dir.iterdir())
    return out[0], out[1], first


def test_second_machine_sees_the_corpus_ingested_by_the_first(machines):
    from store.record import count_files

    _, b, first = machines
    assert first.new_chunks > 0
    assert b.chunk_count() == first.total_chunks
    assert count_files(b.settings) == 5
    assert not any(b.settings.store_dir.glob("docstore*.json")), "server mode must keep no local ingest record"


def test_reingest_from_the_second_machine_is_a_no_op(machines):
    _, b, first = machines
    report = b.ingest()
    assert (report.added, report.changed, report.removed) == ([], [], [])
    assert len(report.unchanged) == 5
    assert report.new_chunks == 0
    assert report.total_chunks == first.total_chunks


def test_answer_from_the_second_machine_has_verified_citations(machines):
    _, b, _ = machines
    record = b.ask(QUESTION)
    assert not record.refused, record.answer
    assert "38" in record.answer
    assert "000_943f23eee93e7890.txt" in {c.source for c in record.citations}
    assert contract_problems(record.to_dict()) == []


def test_a_change_from_one_machine_is_incremental_and_seen_by_the_other(machines):
    from store.record import ingest_state_version

    a, b, first = machines
    assert a.ask(QUESTION).citations  # a's engine is built on the current store
    before = ingest_state_version(a.settings)
    extra = b.settings.corpus_dir / EXTRA
    extra.write_text(EXTRA_TEXT, encoding="utf-8")
    try:
        added = b.ingest()
        assert added.added == [EXTRA] and added.changed == [] and added.removed == []
        assert ingest_state_version(a.settings) != before
        record = a.ask("How many container ships did harbour pilots in Valparaiso count?")
        assert not record.refused and "417" in record.answer, record.answer
        assert [c.source for c in record.citations] == [EXTRA]
    finally:
        extra.unlink()
    kept = b.ingest()  # gone from b's folder, but ingesting never removes: only --prune does
    assert kept.removed == [] and EXTRA in {e.name for e in a.sources()}
    removed = b.ingest(prune=True)
    assert removed.removed == [EXTRA] and removed.added == [] and removed.new_chunks == 0
    assert a.chunk_count() == first.total_chunks


def test_ingest_a_on_one_machine_then_b_on_another_keeps_both(chroma_server, tmp_path):
    """The catalogue lives with the collection: every machine sees every article, with its text."""
    from assistant.service import Service
    from tests.topics import ARTICLES, write_topics

    folders = write_topics(tmp_path / "articles")
    a, b = (
        Service(load_settings(store_dir=tmp_path / m, collection="topics", chroma_url=chroma_server))
        for m in ("a", "b")
    )
    assert a.ingest(folders["sport"]).added == sorted(ARTICLES["sport"])
    second = b.ingest(folders["business"])
    assert second.added == sorted(ARTICLES["business"]) and second.removed == []
    everything = {n for files in ARTICLES.values() for n in files}
    for machine in (a, b):
        assert {e.name for e in machine.sources()} == everything
    import shutil

    shutil.rmtree(tmp_path / "articles")  # the files are gone from disk: the server still has their text
    assert a.article("earnings.txt").text == ARTICLES["business"]["earnings.txt"]
    record = a.ask("Who won the Lakeside Marathon?")
    assert not record.refused and [c.source for c in record.citations][:1] == ["marathon.txt"], record.answer
    assert b.remove(["marathon.txt"]) == ["marathon.txt"]
    assert "marathon.txt" not in {e.name for e in a.sources()}


def test_rebuild_in_server_mode_ingests_everything_again(chroma_server, tmp_path):
    """A dropped and recreated chunk collection invalidates the server's ingest record."""
    from assistant.service import Service

    settings = load_settings(
        store_dir=tmp_path / "store", corpus_dir=copy_seeds(tmp_path / "articles"), chroma_url=chroma_server
    )
    # a collection of its own, with one small file, so the test stays fast
    settings = settings.model_copy(update={"collection": "rebuildtest"})
    for f in list(settings.corpus_dir.iterdir())[1:]:
        f.unlink()
    svc = Service(settings)
    assert svc.ingest().new_chunks > 0
    again = svc.ingest(rebuild=True)
    assert len(again.added) == 1 and again.new_chunks > 0
    assert svc.chunk_count() == again.total_chunks > 0


def test_unreachable_server_is_a_store_error_naming_the_url(tmp_path):
    from assistant.service import Service

    url = f"http://127.0.0.1:{free_port()}"
    svc = Service(load_settings(store_dir=tmp_path / "store", chroma_url=url))
    with pytest.raises(StoreError, match=url.replace(".", r"\.")):
        svc.ingest()
    with pytest.raises(StoreError, match=url.replace(".", r"\.")):
        svc.chunk_count()


def test_unreachable_server_on_the_command_line_is_one_clear_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "--store", str(tmp_path), "--chroma-url", url, "Who?"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert url in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


class _RecordingProxy(BaseHTTPRequestHandler):
    """Forwards every request to the real server and remembers the headers it saw."""

    upstream: ClassVar[tuple[str, int]] = ("127.0.0.1", 0)
    seen: ClassVar[list[dict[str, str]]] = []

    def _forward(self) -> None:
        type(self).seen.append(dict(self.headers))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        return None


def test_auth_token_is_sent_as_a_bearer_header(chroma_server, tmp_path):
    from store.chroma import open_client

    host, port = chroma_server.removeprefix("http://").split(":")
    handler = type("Proxy", (_RecordingProxy,), {"upstream": (host, int(port)), "seen": []})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        settings = load_settings(store_dir=tmp_path, chroma_url=url, chroma_token="s3cret-token")
        client = open_client(settings)
        client.list_collections()
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert handler.seen
    assert all(h.get("Authorization") == "Bearer s3cret-token" for h in handler.seen)

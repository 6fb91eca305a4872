"""Two ``serve`` processes on one store, started from a folder that is neither the repository nor
the articles' folder (issue 12): an upload through one server's page lands under the store, and
the other server answers about it and still about every article it held before.

Real processes: ``news-assistant serve`` twice, Debian's Chromium for the upload, and the Gradio
``/ask`` API of the second server through ``gradio_client``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.test_browser import ARGS, CHROMIUM, free_port
from tests.test_store_owns import ENV, cli, held
from tests.topics import write_topics

URL_RE = re.compile(r"running at (http://\S+)")
#: one question per topic article, with a word its answer must hold
ABOUT = [
    ("Who did Arsenal sign from West Ham United?", "Rice"),
    ("Who won the Lakeside Marathon?", "Kamau"),
    ("What was Harbor Foods' quarterly revenue?", "3.2 billion"),
    ("Who won the governorship of the coastal province?", "Okonkwo"),
]


def start_server(store: Path, cwd: Path, log: Path) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--store", str(store), "--port", str(free_port())]
    handle = log.open("w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=handle, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        found = URL_RE.search(log.read_text())
        if found:
            return proc, found.group(1)
        assert proc.poll() is None, f"serve exited: {log.read_text()}"
        time.sleep(0.5)
    proc.kill()
    raise AssertionError(f"serve did not start: {log.read_text()}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    tmp = tmp_path_factory.mktemp("two-servers")
    cwd = tmp / "elsewhere"
    cwd.mkdir()
    store = tmp / "store"
    folders = write_topics(tmp / "articles")
    ingest = cli("ingest", *map(str, folders.values()), "--store", str(store), cwd=cwd)
    assert ingest.returncode == 0, ingest.stderr
    procs: list[subprocess.Popen] = []
    try:
        first, url_a = start_server(store, cwd, tmp / "a.log")
        procs.append(first)
        second, url_b = start_server(store, cwd, tmp / "b.log")
        procs.append(second)
        yield SimpleNamespace(a=url_a, b=url_b, store=store, cwd=cwd, tmp=tmp)
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def upload_through_the_page(url: str, article: Path) -> str:
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium not found at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            # the drop zone is on the first screen; a file dropped or chosen there is ingested at once
            page.locator("#na-upload input[type=file]").set_input_files(str(article))
            page.wait_for_function("() => document.querySelector('#na-ingest-msg')?.innerText.includes('added as')")
            # the page's summary line then counts the upload with what the store held before
            page.wait_for_function("() => document.querySelector('#na-status')?.innerText.includes('5 articles')")
            return page.locator("#na-ingest-msg").inner_text()
        finally:
            browser.close()


def ask(url: str, question: str) -> dict[str, Any]:
    from gradio_client import Client

    return Client(url, verbose=False).predict(question, None, api_name="/ask")


def test_upload_on_one_server_is_answered_by_the_other_and_nothing_is_lost(servers: SimpleNamespace) -> None:
    article = servers.tmp / "comet.txt"
    article.write_text(
        "Amateur astronomer finds a new comet\n"
        "Published: 2024-03-11\n\n"
        "An amateur astronomer in Namibia, Tobias Engel, discovered a comet that will pass Earth next spring, "
        "the observatory said on Monday.\n\n"
        "The comet was spotted with a 30-centimetre telescope.\n",
        encoding="utf-8",
    )
    message = upload_through_the_page(servers.a, article)
    assert "comet.txt: added as comet.txt" in message and re.search(r"\d+ passages? embedded", message), message

    # the upload is kept under the store, not in the folder either server runs from
    assert (servers.store / "uploads" / "comet.txt").is_file()
    assert not any(servers.cwd.rglob("comet.txt"))

    record = ask(servers.b, "Who discovered the new comet?")
    assert not record["refused"] and "Engel" in record["answer"], record
    assert {c["source"] for c in record["citations"]} == {"comet.txt"}
    for question, word in ABOUT:  # nothing the store held before is gone
        record = ask(servers.b, question)
        assert not record["refused"] and word in record["answer"], (question, record)

    assert len(held(servers.store, servers.cwd)) == 5

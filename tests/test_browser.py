"""The web chat in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The app is launched on a loopback port over a store ingested from a temp copy of the seeds; the
browser types questions, presses Enter and checks what a reader sees: the answer, its [n] markers,
the cited file names, the highlighted passage, the whole article, refusals, follow-ups, a new
conversation, examples, and adding an article without a restart. Every request the page makes must
stay on the loopback server. Set WEB_CHAT_SCREENSHOT=path.png to keep the main screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
TANGEN = "003_2c27475b07d2a74f.txt"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DONE = "#na-chat .na-sources, #na-chat .na-refused"
HIGHLIGHT = (253, 230, 138)  # the <mark> colour of the sources panel (#fde68a)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from assistant.service import Service

    tmp = tmp_path_factory.mktemp("browser")
    corpus = tmp / "corpus"
    shutil.copytree(SEEDS, corpus)
    service = Service(load_settings(store_dir=tmp / "store", corpus_dir=corpus))
    report = service.ensure_ingested()
    assert report is not None and report.ok

    from ui.app import build_app, launch_app

    demo = build_app(service)
    url = launch_app(demo, host="127.0.0.1", port=free_port())
    yield SimpleNamespace(url=url, corpus=corpus, service=service)
    demo.close(verbose=False)


@pytest.fixture(scope="module")
def browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium not found at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: Any) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    outside: list[str] = []
    errors: list[str] = []
    pg.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((server.url, "data:", "blob:")) else None,
    )
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server.url)
    pg.wait_for_selector("#na-input textarea")
    yield pg
    context.close()
    assert outside == [], f"the page reached outside the server: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def ask(page: Any, question: str) -> None:
    """Type a question, press Enter and wait for the finished answer (sources line or refusal)."""
    before = page.locator(DONE).count()
    box = page.locator("#na-input textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[DONE, before], timeout=90_000
    )


def bot_messages(page: Any) -> Any:
    return page.locator("#na-chat [data-testid='bot']")


def highlight_pixels(png: bytes) -> int:
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.resize((img.width // 2, img.height // 2))
    return sum(1 for px in img.getdata() if all(abs(a - b) <= 6 for a, b in zip(px, HIGHLIGHT, strict=True)))


def test_answer_with_sources_rendered(page: Any, server: Any, tmp_path: Path) -> None:
    ask(page, "Which photo agency took the picture of the officer adjusting a Russian flag?")
    answer = bot_messages(page).last
    assert "Reuters" in answer.inner_text()
    assert "[1]" in answer.inner_text()
    assert TANGEN in answer.locator(".na-sources").inner_text()  # file name visible without a click

    panel = page.locator("#na-sources")
    card = panel.locator(".na-card").filter(has=page.locator(".na-passage mark", has_text="Reuters")).first
    assert card.locator(".na-file").inner_text() == TANGEN
    assert "characters " in card.locator(".na-meta").inner_text()
    quote = card.locator(".na-passage mark").inner_text()
    article = (server.corpus / TANGEN).read_text(encoding="utf-8")
    assert "Reuters" in quote
    assert " ".join(quote.split()) in " ".join(article.split())

    card.locator("details.na-article summary").click()
    whole = card.locator(".na-article-text")
    whole.wait_for(state="visible")
    assert card.locator(".na-article-text mark").is_visible()
    assert len(whole.inner_text()) > 0.9 * len(" ".join(article.split()))
    page.wait_for_timeout(300)

    png = page.screenshot(full_page=False)
    (tmp_path / "answer.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert highlight_pixels(png) > 500, "the cited passage is not visibly highlighted"


def test_refused_answer_looks_different(page: Any) -> None:
    ask(page, "What is the capital of Australia?")
    refusal = page.locator("#na-chat .na-refused").last
    assert refusal.is_visible()
    assert "Not in the articles" in refusal.inner_text()
    bubble = page.locator("#na-chat .message:has(.na-refused)").last
    assert bubble.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 247, 237)"
    assert page.locator("#na-sources .na-card-refused").is_visible()
    assert page.locator("#na-chat .na-sources").count() == 0  # no sources line on a refusal


def panel_shows(page: Any, question: str) -> None:
    page.wait_for_function(
        "(q) => document.querySelector('#na-sources .na-panel-q')?.innerText.includes(q)", arg=question
    )


def test_follow_up_earlier_sources_and_new_conversation(page: Any, tmp_path: Path) -> None:
    """A whole conversation; its screenshot is the one in docs/ (WEB_CHAT_SCREENSHOT=docs/web-chat.png)."""
    ask(page, "Who is Einar Tangen?")
    assert page.locator("#na-chat .na-understood").count() == 0
    ask(page, "What did he say about economics?")
    understood = page.locator("#na-chat .na-understood").last
    assert "Einar Tangen" in understood.inner_text()
    assert TANGEN in bot_messages(page).last.inner_text()
    ask(page, "What is the capital of Australia?")
    panel_shows(page, "What is the capital of Australia?")

    bot_messages(page).nth(1).click()  # an earlier answer brings its own sources back
    panel_shows(page, "What did he say about economics?")
    assert TANGEN in page.locator("#na-sources .na-file").first.inner_text()
    page.wait_for_timeout(300)
    png = page.screenshot(full_page=False)
    (tmp_path / "web-chat.png").write_bytes(png)
    if os.environ.get("WEB_CHAT_SCREENSHOT"):
        Path(os.environ["WEB_CHAT_SCREENSHOT"]).write_bytes(png)
    assert highlight_pixels(png) > 300, "the cited passage is not visibly highlighted"

    bot_messages(page).first.click()
    panel_shows(page, "Who is Einar Tangen?")

    page.locator("#na-new").click()
    page.wait_for_function("() => document.querySelectorAll('#na-chat [data-testid=\"bot\"]').length === 0")
    assert page.locator("#na-sources .na-panel-empty").is_visible()
    ask(page, "What did he say about economics?")  # no history any more: nothing to resolve "he" against
    assert page.locator("#na-chat .na-understood").count() == 0


def test_example_question_is_asked_on_click(page: Any) -> None:
    page.locator("#na-chat button", has_text="Who is Einar Tangen?").first.click()
    page.wait_for_selector(DONE)
    assert "Tangen" in bot_messages(page).last.inner_text()
    assert page.locator("#na-sources .na-card").count() >= 1


def test_upload_reingest_and_escaping(page: Any, server: Any, tmp_path: Path) -> None:
    """An added article is answerable without a restart, and its HTML is shown as text, never run."""
    article = tmp_path / "zorblat festival.txt"
    article.write_text(
        "Zorblat festival opens in Quimper\n\n"
        "The Zorblat festival of kite makers opened in Quimper on Saturday, drawing visitors from across Brittany.\n\n"
        "The festival was opened by the mayor, <b>Anna Kervella</b>, who cut a ribbon made of kite string "
        '<img src=x onerror="window.__pwned=1">.\n\n'
        "Organisers said 4,200 kites were flown on the first day, a record for the event.\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Articles").click()
    page.locator("#na-upload input[type=file]").set_input_files(str(article))  # ingested on drop, no button
    page.wait_for_function("() => document.querySelector('#na-ingest-msg')?.innerText.includes('added as')")
    message = page.locator("#na-ingest-msg").inner_text()
    assert "zorblat festival.txt: added as zorblat_festival.txt" in message
    assert re.search(r", \d+ passages? embedded", message), message
    # the upload is kept under the store's own folder, never in the folder the corpus came from
    assert (server.service.settings.upload_dir / "zorblat_festival.txt").is_file()
    assert not (server.corpus / "zorblat_festival.txt").exists()
    page.wait_for_function("() => document.querySelector('#na-status')?.innerText.includes('6 articles')")
    page.get_by_role("tab", name="Chat").click()

    ask(page, "Who opened the Zorblat festival?")
    answer = bot_messages(page).last
    assert "<b>Anna Kervella</b>" in answer.inner_text()  # literal tags, not bold text
    assert "zorblat_festival.txt" in answer.inner_text()
    passages = page.locator("#na-sources .na-passage").all_inner_texts()
    assert any("<b>Anna Kervella</b>" in p for p in passages), passages
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_two_sessions_keep_separate_conversations(page: Any, browser: Any, server: Any) -> None:
    """Two visitors at once: each answer lands in its own page, and one's history never leaks to the other."""
    other_context = browser.new_context(viewport={"width": 1360, "height": 1000})
    other = other_context.new_page()
    other.set_default_timeout(90_000)
    try:
        other.goto(server.url)
        other.wait_for_selector("#na-input textarea")
        ask(page, "Who is Einar Tangen?")
        for pg, question in ((page, "What did he say about economics?"), (other, "What did he say about economics?")):
            pg.locator("#na-input textarea").fill(question)
            pg.locator("#na-input textarea").press("Enter")  # both run at the same time on the server
        page.wait_for_function(f"() => document.querySelectorAll('{DONE}').length >= 2")
        other.wait_for_function(f"() => document.querySelectorAll('{DONE}').length >= 1")
        assert "Einar Tangen" in page.locator("#na-chat .na-understood").last.inner_text()
        assert other.locator("#na-chat .na-understood").count() == 0  # no history in the other session
        assert bot_messages(other).count() == 1 and bot_messages(page).count() == 2
    finally:
        other_context.close()


def test_a_generative_answer_streams_into_the_page_as_the_model_writes(browser: Any, tmp_path: Path) -> None:
    """With the local model, the page shows the words while they are generated (not the finished
    answer pasted at once), struck-out sentences grounding withdrew, then the cited answer."""
    pytest.importorskip("llama_cpp", reason="the local model needs the local-llm extra (llama-cpp-python)")
    import time

    from assistant.service import Service
    from ui.app import build_app, launch_app

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    service = Service(load_settings(store_dir=tmp_path / "store", corpus_dir=corpus, reader="llamacpp"))
    service.ensure_ingested()
    demo = build_app(service)
    url = launch_app(demo, host="127.0.0.1", port=free_port())
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#na-input textarea")
        snapshots: list[tuple[str, str]] = []
        for question in (
            "How many times has Xi Jinping met Vladimir Putin as national leaders?",
            "How long a grace period does Russia have on its debt interest payments?",
        ):
            before = page.locator(DONE).count()
            box = page.locator("#na-input textarea")
            box.fill(question)
            box.press("Enter")
            deadline = time.monotonic() + 120
            while page.locator(DONE).count() == before and time.monotonic() < deadline:
                last = bot_messages(page).last
                if last.count():
                    snapshots.append((last.inner_text(), last.inner_html()))
                time.sleep(0.05)
            assert page.locator(DONE).count() > before, "no finished answer"
        partial = [text for text, _ in snapshots if text.rstrip().endswith("…") and "Searching" not in text]
        assert len(set(partial)) >= 3, snapshots[-5:]  # the text grew in steps while the model wrote
        final = bot_messages(page).last.inner_text()
        assert "[1]" in final
        withdrawn = [html for _, html in snapshots if "na-withdrawn" in html]
        print(f"{len(set(partial))} partial states, {len(withdrawn)} with a withdrawn sentence")
    finally:
        context.close()
        demo.close(verbose=False)
        service._engine().reader.server.stop()

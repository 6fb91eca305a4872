"""The web chat people expect, in Debian's Chromium: live citations, copy, kept conversations, input
never lost, phones, dark mode and drop-to-ingest (issue 15).

Same real app and store as ``test_browser`` (its fixtures); each test opens its own browser context,
so each starts as a new visitor with an empty conversation list. Set ``WEB_CHAT_DOCS=1`` to write the
screenshots in ``docs/`` (web-chat.png, web-chat-phone.png, web-chat-dark.png).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import ARGS, DONE, ROOT, TANGEN, ask, bot_messages, browser, free_port, server  # noqa: F401

DOCS = ROOT / "docs"
AGENCY = "Which photo agency took the picture of the officer adjusting a Russian flag?"


def open_page(browser: Any, url: str, **options: Any) -> tuple[Any, Any]:  # noqa: F811
    """A new visitor's page (own context: own storage, clipboard allowed), loaded and ready."""
    context = browser.new_context(viewport=options.pop("viewport", {"width": 1360, "height": 1000}), **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    page = context.new_page()
    page.set_default_timeout(90_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#na-input textarea")
    page.wait_for_timeout(300)  # the load event: the browser's saved conversation
    page.errors = errors
    return context, page


@pytest.fixture
def visitor(browser: Any, server: Any) -> Any:  # noqa: F811
    context, page = open_page(browser, server.url)
    yield page
    context.close()
    assert page.errors == [], f"JavaScript errors: {page.errors}"


def screenshot(page: Any, name: str) -> None:
    png = page.screenshot(full_page=False)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("WEB_CHAT_DOCS"):
        (DOCS / name).write_bytes(png)


def answers_done(page: Any, n: int) -> None:
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length >= n", arg=[DONE, n])


def assert_preview_clear(page: Any) -> None:
    """Nothing paints over the shown citation preview (the sources column once hid its title's end)."""
    tip = page.locator("#na-tip-float")
    covered = tip.evaluate(
        "t => [...t.children].flatMap((c) => { const r = c.getBoundingClientRect();"
        " return [[r.left + 3, r.top + 3], [r.right - 3, r.top + 3], [r.right - 3, r.bottom - 3]]; })"
        ".filter(([x, y]) => !t.contains(document.elementFromPoint(x, y)))"
    )
    assert covered == [], covered
    assert tip.locator(".na-tip-title").evaluate("e => e.scrollWidth <= e.clientWidth + 1")


def test_direct_answer_citation_preview_jump_and_copy(visitor: Any) -> None:
    page = visitor
    ask(page, AGENCY)
    answer = bot_messages(page).last
    assert answer.locator(".na-direct").is_visible()  # the direct answer first, its evidence under it
    assert "Reuters" in answer.locator(".na-evidence").inner_text()
    # sources are named by title and outlet, the file name in small print
    summary = answer.locator("details.na-sources summary")
    assert "Al Jazeera" in summary.inner_text() and "Russia seeking military aid" in summary.inner_text()
    assert summary.locator("small.na-src-file").inner_text() == TANGEN

    links = answer.locator("a.na-cite")
    assert links.count() >= 1
    link = links.last
    href = link.get_attribute("href")
    turn, n = re.fullmatch(r"#na-src-(\d+)-(\d+)", href).groups()
    assert link.locator("xpath=following-sibling::span[@role='tooltip']").count() == 1  # its preview's text
    tip = page.locator("#na-tip-float")
    assert not tip.is_visible()
    link.hover()  # the preview: title, outlet, quoted sentence
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert_preview_clear(page)
    assert "Russia seeking military aid from China" in text and "Al Jazeera" in text
    quote = page.locator(f"#na-src-{turn}-{n} .na-passage mark").inner_text()
    assert " ".join(quote.split()) in " ".join(text.split())  # the sentence the card highlights
    page.mouse.move(5, 5)
    tip.wait_for(state="hidden")
    link.focus()  # the keyboard gets the same preview
    tip.wait_for(state="visible")

    page.locator("#na-sources").evaluate("e => { e.scrollTop = 0; e.parentElement.scrollTop = 0; }")
    link.click()
    card = page.locator(f"#na-src-{turn}-{n}")
    page.wait_for_function(
        "(id) => document.getElementById(id)?.classList.contains('na-card-focus')", arg=f"na-src-{turn}-{n}"
    )
    box, panel = card.bounding_box(), page.locator("#na-sources").bounding_box()
    assert box["y"] >= panel["y"] - 1 and box["y"] < panel["y"] + panel["height"], (box, panel)
    assert page.locator(".na-card-focus").count() == 1
    assert page.url.endswith("/")  # the link scrolls the panel, not the page's address

    answer.locator("button.na-copy").click()
    page.wait_for_function("() => document.querySelector('button.na-copy')?.innerText === 'Copied'")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    lines = copied.split("\n")
    assert "Reuters" in lines[0] and f"[{n}]" in lines[0]
    assert "Sources:" in lines
    mine = [ln for ln in lines if ln.startswith(f"[{n}] Russia seeking military aid from China")]
    assert mine and "Al Jazeera" in mine[0] and " ".join(quote.split()) in mine[0]
    assert TANGEN not in copied  # named by title and outlet


def test_five_turns_reload_switch_rename_delete_and_export(visitor: Any, tmp_path: Path) -> None:
    page = visitor
    for question in (
        "Who is Einar Tangen?",
        "What did he say about economics?",
        "Who did Jake Sullivan meet in Rome?",
        "What about China?",
        "What is the capital of Australia?",
    ):
        ask(page, question)
    assert bot_messages(page).count() == 5
    assert "Einar Tangen" in page.locator("#na-chat .na-understood").first.inner_text()
    conversations = page.locator("#na-conversations label")
    assert conversations.count() == 1 and "Who is Einar Tangen?" in conversations.first.inner_text()

    page.reload()  # the conversation is kept
    page.wait_for_function("() => document.querySelectorAll('#na-chat [data-testid=\"bot\"]').length === 5")
    assert "Einar Tangen" in bot_messages(page).first.inner_text()

    page.locator("#na-new").click()
    page.wait_for_function("() => document.querySelectorAll('#na-chat [data-testid=\"bot\"]').length === 0")
    ask(page, AGENCY)
    page.wait_for_function("() => document.querySelectorAll('#na-conversations label').length === 2")
    page.locator("#na-conversations label", has_text="Who is Einar Tangen?").click()  # switch back
    page.wait_for_function("() => document.querySelectorAll('#na-chat [data-testid=\"bot\"]').length === 5")
    page.locator("#na-conversations label", has_text="Which photo agency").click()
    page.wait_for_function("() => document.querySelectorAll('#na-chat [data-testid=\"bot\"]').length === 1")
    assert "Reuters" in bot_messages(page).first.inner_text()

    page.locator("#na-rename-box textarea, #na-rename-box input").first.fill("Flag photo")
    page.locator("#na-rename").click()
    page.wait_for_function("() => document.querySelector('#na-conversations')?.innerText.includes('Flag photo')")

    page.locator("#na-export").click()
    link = page.locator("#na-export-file a").first
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.startswith("# Flag photo") and "Reuters" in exported
    assert "Sources:" in exported and f"`{TANGEN}`" in exported and "Al Jazeera" in exported

    page.locator("#na-delete").click()  # asks first; "Keep it" keeps it
    page.locator("#na-confirm-delete").wait_for(state="visible")
    assert "Flag photo" in page.locator("#na-confirm-text").inner_text()
    page.locator("#na-confirm-cancel").click()
    page.locator("#na-confirm-delete").wait_for(state="hidden")
    assert page.locator("#na-conversations label").count() == 2
    page.locator("#na-delete").click()
    page.locator("#na-confirm-delete").click()
    page.wait_for_function("() => document.querySelectorAll('#na-conversations label').length === 1")
    assert "Flag photo" not in page.locator("#na-conversations").inner_text()


def test_fast_double_send_keeps_both_and_the_draft(visitor: Any) -> None:
    page = visitor
    box = page.locator("#na-input textarea")
    box.fill("Who is Einar Tangen?")
    box.press("Enter")
    box.fill("Who did Jake Sullivan meet in Rome?")  # sent within a few milliseconds of the first
    box.press("Enter")
    box.type("a draft being typed")  # while both are answered
    try:
        answers_done(page, 2)
    except Exception:
        users = page.locator("#na-chat [data-testid='user']").all_inner_texts()
        raise AssertionError(f"asked {users}, answers {bot_messages(page).all_inner_texts()}") from None
    assert page.locator("#na-chat [data-testid='user']").count() == 2
    texts = bot_messages(page).all_inner_texts()
    assert "Tangen" in texts[0] and "Yang Jiechi" in texts[1], texts
    page.wait_for_timeout(500)
    assert box.input_value() == "a draft being typed"  # streaming never touched the box


def test_questions_sent_fast_on_a_slow_page_are_kept_whole_and_in_order(visitor: Any) -> None:
    """Questions typed and sent while the page is slow to react (CPU throttled like a cheap phone): each is
    sent once, in order, and the box is left empty (the page once read the box late and sent the next
    question, or the emptied box, in place of the first)."""
    page = visitor
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 8})
    box = page.locator("#na-input textarea")
    questions = ["Who is Einar Tangen?", "Who did Jake Sullivan meet in Rome?", "What about China?"]
    for question in questions:
        box.fill(question)
        box.press("Enter")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    settled(page, len(questions))
    assert [u.strip() for u in page.locator("#na-chat [data-testid='user']").all_inner_texts()] == questions
    assert box.input_value() == ""


#: Each bot message: "done" (answer or refusal), "stopped", "waiting" (queued, searching or streaming).
TURN_STATES = """() => [...document.querySelectorAll("#na-chat [data-testid='bot']")].map((m) =>
  m.querySelector(".na-sources, .na-refused") ? "done" : m.querySelector(".na-stopped") ? "stopped" : "waiting")"""


def settled(page: Any, n: int, timeout: float = 90_000) -> list[str]:
    """Wait until the chat shows ``n`` questions, each answered or stopped, with nothing waiting; their states."""
    try:
        page.wait_for_function(
            f"""(n) => {{ const s = ({TURN_STATES})();
            return document.querySelectorAll("#na-chat [data-testid='user']").length === n
              && s.length === n && s.every((x) => x !== "waiting"); }}""",
            arg=n,
            timeout=timeout,
        )
    except Exception:
        users = page.locator("#na-chat [data-testid='user']").all_inner_texts()
        states = page.evaluate(TURN_STATES)
        raise AssertionError(f"expected {n} questions answered or stopped: asked {users}, {states}") from None
    return page.evaluate(TURN_STATES)


def test_stop_ends_the_answer_and_the_queue(visitor: Any, server: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Six questions sent at typing speed, Stop pressed while the first is answered: every question is
    kept and shown, each answered or stopped (none lost, none left waiting), also after a reload."""
    import time

    real = server.service.answers.stream

    def slow(*args: Any, **kwargs: Any) -> Any:  # Stop must land while an answer streams, however fast the machine
        for step in real(*args, **kwargs):
            time.sleep(0.4)
            yield step

    monkeypatch.setattr(server.service.answers, "stream", slow)
    page = visitor
    box = page.locator("#na-input textarea")
    questions = [
        "Who is Einar Tangen?",
        "What did he say about economics?",
        "What about China?",
        "Who did Jake Sullivan meet in Rome?",
        "How long did they meet?",
        "Which photo agency took the picture?",
    ]
    for question in questions:
        box.fill(question)
        box.press("Enter")
    # Stop is pressed the moment it becomes usable, while the questions are still being answered
    page.wait_for_function(
        "() => { const b = document.querySelector('#na-stop');"
        " if (!b || b.disabled) return false; b.click(); return true; }"
    )
    states = settled(page, len(questions))
    users = page.locator("#na-chat [data-testid='user']").all_inner_texts()
    assert sorted(u.strip() for u in users) == sorted(questions), users  # every question sent is kept, once
    assert "stopped" in states, states  # the answer being written when Stop came
    page.wait_for_function("() => document.querySelector('#na-stop')?.disabled")
    assert box.input_value() == ""
    page.reload()  # what the page shows is what the conversation store holds
    page.wait_for_selector("#na-input textarea")
    assert settled(page, len(questions)) == states
    assert page.locator("#na-chat [data-testid='user']").all_inner_texts() == users
    monkeypatch.undo()
    ask(page, "Who did Jake Sullivan meet in Rome?")  # the chat goes on
    assert "Yang Jiechi" in bot_messages(page).last.inner_text()


def test_phone_layout(browser: Any, server: Any) -> None:  # noqa: F811
    context, page = open_page(
        browser, server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        ask(page, AGENCY)
        settled(page, 1)  # the answer is finished (drawn with its sources) before anything is measured
        page.wait_for_function("() => document.querySelector('#na-stop')?.disabled")
        # the panel gives way to the sources under each answer
        page.locator("#na-sources").wait_for(state="hidden", timeout=5_000)
        answer = bot_messages(page).last
        sources = answer.locator("details.na-sources")
        sources.wait_for(state="visible", timeout=5_000)
        assert sources.get_attribute("open") is None  # collapsible, closed
        answer.locator("a.na-cite").first.click()
        card = answer.locator(".na-mcard.na-card-focus")
        card.wait_for(state="visible")
        assert "Russia seeking military aid" in card.inner_text()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        for sel in ("#na-input textarea", "#na-ask", "#na-stop", "#na-perspectives label"):
            b = page.locator(sel).first.bounding_box()
            assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= 390 + 0.5, (sel, b)
        clipped = page.locator("#na-perspectives label span").first.evaluate("e => e.scrollWidth > e.clientWidth + 1")
        assert not clipped
        screenshot(page, "web-chat-phone.png")
    finally:
        context.close()


CONTRAST = """(el) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => [r, g, b].map(lin)
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = null;
  for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c.slice(0, 3); break; }
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color).slice(0, 3);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return [(a + 0.05) / (b + 0.05), getComputedStyle(el).color, String(bg)];
}"""


def test_dark_mode_every_text_is_readable(browser: Any, server: Any) -> None:  # noqa: F811
    context, page = open_page(browser, server.url, color_scheme="dark")
    try:
        assert page.evaluate("() => !!document.querySelector('.dark')"), "Gradio did not switch to dark"
        ask(page, AGENCY)
        ask(page, "What is the capital of Australia?")
        checked = 0
        selectors = (
            "#na-chat .na-refused",
            "#na-chat .na-direct",
            "#na-chat .na-evidence",
            "#na-chat a.na-cite",
            "#na-chat details.na-sources summary",
            "#na-chat .na-src-file",
            "#na-chat [data-testid='user'] p",
            "#na-sources .na-card-refused",
            "#na-status",
        )
        for sel in selectors:
            for el in page.locator(sel).all():
                ratio, fg, bg = el.evaluate(CONTRAST)
                assert ratio >= 4.5, f"{sel}: {fg} on {bg} = {ratio:.2f}"
                checked += 1
        link = bot_messages(page).first.locator("a.na-cite").first
        link.hover()
        tip = page.locator(".na-tip:visible").first
        tip.wait_for()
        ratio, fg, bg = tip.evaluate(CONTRAST)
        assert ratio >= 4.5, f"preview: {fg} on {bg}"
        assert checked >= 8
        page.mouse.move(5, 5)
        bot_messages(page).first.click()  # the answer's sources in the panel for the screenshot
        page.wait_for_timeout(400)
        screenshot(page, "web-chat-dark.png")
    finally:
        context.close()


DROP = """([names, texts]) => {
  const dt = new DataTransfer();
  names.forEach((n, i) => dt.items.add(new File([texts[i]], n, { type: "text/plain" })));
  const zone = document.querySelector("#na-upload button.upload-container");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
  }
}"""


def test_desktop_screenshot_and_other_tabs_see_a_drop(browser: Any, server: Any, tmp_path: Path) -> None:  # noqa: F811
    """Files dropped (a real drop event) on the first screen are ingested at once with per-file results and
    a bar that follows the passages embedded; another open page sees the new count."""
    context, page = open_page(browser, server.url)
    other_context, other = open_page(browser, server.url)
    try:
        ask(page, "Who is Einar Tangen?")
        ask(page, "What did he say about economics?")
        bot_messages(page).last.locator("a.na-cite").first.click()
        page.locator("#na-tip-float").wait_for(state="visible")  # the clicked link keeps its preview
        page.wait_for_function("() => document.querySelector('.na-card-focus')")
        assert_preview_clear(page)
        screenshot(page, "web-chat.png")

        before = server.service.status()["articles"]
        assert page.get_by_role("tab", name=f"Articles ({before})").is_visible()
        names, texts = [], []
        for i, town in enumerate(("Quimper", "Brest", "Morlaix")):
            names.append(f"kites-{i}.txt")
            texts.append(
                f"Kite festival opens in {town}\n\nThe kite festival of {town} opened on Saturday with "
                f"{1000 + i} kites in the air, organisers said.\n"
            )
        names.append("empty.txt")
        texts.append("")
        page.evaluate(
            "() => { window.__progress = []; new MutationObserver(() => { const t = document.body.innerText;"
            " const m = t.match(/Embedding [^\\n]*passages embedded/);"
            " if (m) window.__progress.push(m[0]); })"
            ".observe(document.body, {subtree: true, childList: true, characterData: true}); }"
        )
        assert page.locator("#na-upload").is_visible()  # on the first screen, no tab to open first
        page.evaluate(DROP, [names, texts])
        page.wait_for_function("() => document.querySelectorAll('#na-ingest-msg li').length >= 4")
        results = page.locator("#na-ingest-msg li").all_inner_texts()
        embedded = [r for r in results if "added as kites-" in r and re.search(r"\d+ passages? embedded", r)]
        assert len(embedded) == 3, results
        assert any(r.startswith("⚠️ empty.txt") for r in results), results
        progress = page.evaluate("() => window.__progress")
        assert any(re.search(r"\(file \d of 4\): \d+ of \d+ passages embedded", p) for p in progress), progress
        count = f"{before + 3} articles"
        page.wait_for_function("(c) => document.querySelector('#na-status').innerText.includes(c)", arg=count)
        other.wait_for_function(
            "(c) => document.querySelector('#na-status').innerText.includes(c)", arg=count, timeout=30_000
        )
        tab = f"Articles ({before + 3})"  # every tab shows the new count, in this page and the other
        for p in (page, other):
            p.wait_for_function(
                "(t) => [...document.querySelectorAll('[role=tab]')].some((e) => e.innerText.includes(t))", arg=tab
            )
        page.get_by_role("tab", name="Articles").click()
        page.locator("#na-search input, #na-search textarea").first.fill("Brest")
        page.wait_for_function("() => !document.querySelector('#na-articles')?.innerText.includes('kites-0.txt')")
        assert "kites-1.txt" in page.locator("#na-articles").inner_text()
    finally:
        other_context.close()
        context.close()


def test_conversations_survive_a_server_restart(browser: Any, server: Any) -> None:  # noqa: F811
    """A new app on the same port and store (nothing kept in memory) shows the conversation again."""
    from ui.app import build_app, launch_app

    port = free_port()
    demo = build_app(server.service)
    url = launch_app(demo, host="127.0.0.1", port=port)
    context, page = open_page(browser, url)
    try:
        ask(page, "Who is Einar Tangen?")
        demo.close(verbose=False)
        demo = build_app(server.service)
        launch_app(demo, host="127.0.0.1", port=port)
        page.reload()
        page.wait_for_function("() => document.querySelectorAll('#na-chat [data-testid=\"bot\"]').length === 1")
        assert "Tangen" in bot_messages(page).first.inner_text()
        assert "Who is Einar Tangen?" in page.locator("#na-conversations").inner_text()
    finally:
        context.close()
        demo.close(verbose=False)

"""Issue 9, "what do the sources say": article metadata, the source filter, near-duplicate grouping and
perspectives mode (claims with supporting and contradicting citations), through the real engine, the
real CLI process and the real web page.

One store is ingested from a temp copy of the seeds for the whole module.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.settings import load_settings
from tests.conftest import ROOT, contract_problems, copy_seeds

NYT, F001, CNN, AJ, F004 = (
    "000_943f23eee93e7890.txt",
    "001_0bf01c31decb14ad.txt",
    "002_8fc46f05b26ff342.txt",
    "003_2c27475b07d2a74f.txt",
    "004_34b2354248c643af.txt",
)
RUSSIA_CHINA = "Did Russia ask China for military aid?"
QUESTIONS = ROOT / "eval" / "perspectives.jsonl"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A service over an ingested temp copy of the seeds; the CLI tests reuse its store."""
    from assistant.service import Service

    tmp = tmp_path_factory.mktemp("perspectives")
    corpus = copy_seeds(tmp / "corpus")
    settings = load_settings(store_dir=tmp / "index", corpus_dir=corpus)  # not "store/": the CLI runs in tmp
    svc = Service(settings)
    report = svc.ingest()
    assert report.ok and len(report.added) == 5
    return SimpleNamespace(svc=svc, corpus=corpus, store=tmp / "index", tmp=tmp)


def sources_of(record: Any, numbers: list[int]) -> set[str]:
    by_n = {c.n: c.source for c in record.citations}
    return {by_n[n] for n in numbers}


def cli(args: list[str], env: Any) -> subprocess.CompletedProcess:
    full_env = {**os.environ}
    full_env.pop("ASSISTANT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args, "--store", str(env.store), "--corpus", str(env.corpus)],
        cwd=env.tmp,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# -- metadata -------------------------------------------------------------------------------------
def test_metadata_of_the_seed_articles() -> None:
    from store.metadata import extract_metadata

    meta = {p.name: extract_metadata(p.read_text(encoding="utf-8")) for p in (ROOT / "seeds").iterdir()}
    assert meta[AJ].title == "Russia seeking military aid from China, says US official"
    assert meta[F004].title == "China to send economic aid to Russia in Ukraine conflict, US officials fear"
    assert meta[NYT].title.startswith("Russia asked China to give it military equipment")  # no headline: the lede
    assert len(meta[CNN].title) <= 160
    # the explicit credit line: "Source: Al Jazeera and news agencies"
    assert (meta[AJ].outlet, meta[AJ].outlet_basis) == ("Al Jazeera", "source line")
    assert meta[CNN].outlet == "CNN"  # "US officials familiar with the intelligence told CNN"
    assert meta[NYT].outlet == "The New York Times"  # "U.S. officials told The New York Times"
    assert meta[F004].outlet == ""  # it only quotes CNN ("CNN reported that …")
    assert meta[F001].outlet == ""  # names no outlet at all
    assert {"CNN", "Reuters", "Financial Times", "The Washington Post"} <= set(meta[AJ].outlets_named)  # quoted
    assert {"Dmitry Peskov", "Jake Sullivan", "Einar Tangen", "Zhao Lijian", "Yang Jiechi"} <= set(meta[AJ].people)
    assert {"Liu Pengyu", "Jake Sullivan", "Xi Jinping"} <= set(meta[NYT].people)
    assert not {"White House", "Chinese Embassy", "Financial Times", "Winter Olympics"} & set(meta[AJ].people)
    assert {"China", "Russia", "United States", "Rome", "Beijing"} <= set(meta[AJ].places)
    assert "New York" not in meta[NYT].places  # "The New York Times" is an outlet, not a place
    assert all(m.date == "" for m in meta.values())  # no article states its date (June 8, 2018 is a photo's)


def test_metadata_from_bylines_datelines_and_dates() -> None:
    from store.metadata import extract_metadata

    wire = "Talks resume in Geneva\n\nGENEVA (Reuters) - Negotiators met on Tuesday, officials said.\n"
    assert extract_metadata(wire).outlet == "Reuters"
    byline = "Ceasefire holds\nBy Jane Doe, BBC News\nPublished: 14 March 2022\n\nThe ceasefire held, the mayor said."
    meta = extract_metadata(byline)
    assert (meta.outlet, meta.outlet_basis, meta.date) == ("BBC", "byline", "2022-03-14")
    assert extract_metadata("Storm hits coast\nMarch 3, 2021\n\nA storm hit.").date == "2021-03-03"
    quoting = "Talks stall\n\nThe minister told CNN on Sunday that talks had stalled. CNN reported no deal."
    assert extract_metadata(quoting).outlet == ""  # an interview on CNN is not CNN's article
    credit = "Vote delayed\n\nThe vote was delayed.\n\nThis article was originally published by Kyiv Post.\n"
    assert extract_metadata(credit).outlet == "Kyiv Post"


def test_ingest_stores_flat_metadata_on_every_chunk(env: Any) -> None:
    retriever = env.svc._engine().retriever
    by_source = {n.metadata["source"]: n.metadata for n in retriever.nodes}
    assert by_source[AJ]["outlet"] == "Al Jazeera"
    assert "Dmitry Peskov" in by_source[AJ]["people"].split("; ")
    for meta in by_source.values():
        assert all(isinstance(v, str | int | float | bool) for v in meta.values())  # Chroma accepts only these
    from store.documents import META_KEYS

    assert {"outlet", "people", "places", "date"} <= set(META_KEYS)  # kept out of the embedded text


def test_plain_answers_carry_outlet_and_title(env: Any) -> None:
    record = env.svc.ask("Which photo agency took the picture of the officer adjusting a Russian flag?")
    cited = {c.source: c for c in record.citations}
    assert AJ in cited and cited[AJ].outlet == "Al Jazeera"
    assert cited[AJ].title == "Russia seeking military aid from China, says US official"


# -- stance rules ---------------------------------------------------------------------------------
def test_denial_and_speaker_rules() -> None:
    from assistant.perspectives import denial_cue, party_of, speaker_of

    assert denial_cue("Russia has not asked China for military assistance.", {"ask"}) == "not … asked"
    assert denial_cue("Beijing rejects the US assertions as ‘disinformation’.", {"ask"}) == "rejects"
    assert denial_cue("He said he had never heard of the request from Russia.", {"ask"}) == "never heard"
    assert denial_cue("The official did not provide details on the scope of the request.", {"aid"}) == ""
    assert denial_cue("The US warned that China would likely deny its willingness to help.", {"aid"}) == ""
    assert denial_cue("Beijing was not interested in providing military support.", {"ask"}) == ""  # not the act
    # the side as the text names it: no country list ("us" is not the word "us")
    peskov = "Kremlin spokesman Dmitry Peskov said on Monday that Russia has not asked."
    assert party_of(speaker_of(peskov)) == "kremlin"
    liu = "Liu Pengyu, a spokesman for the Chinese Embassy in Washington, said he had never heard of the request."
    assert speaker_of(liu).startswith("Liu Pengyu, a spokesman") and party_of(speaker_of(liu)) == "liu pengyu"
    assert party_of(speaker_of("Russia asked China for equipment, according to US officials.")) == "us"
    assert party_of(speaker_of("West Ham chairman David Sullivan said the fee was too low.")) == "west ham"
    assert party_of(speaker_of("A City spokesman said the club had made no bid.")) == "city"


# -- perspectives ---------------------------------------------------------------------------------
def test_cli_perspectives_json_has_claims_for_and_against(env: Any) -> None:
    proc = cli(["ask", "--perspectives", "--json", RUSSIA_CHINA], env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # exactly one JSON record on stdout
    assert contract_problems(data, env.corpus) == []  # claim references count as uses of citations
    assert not data["refused"] and data["claims"]
    main = data["claims"][0]
    assert main["supporting"] and main["contradicting"]
    by_n = {c["n"]: c for c in data["citations"]}
    supporting = {by_n[n]["source"] for n in main["supporting"]}
    contradicting = {by_n[n]["source"] for n in main["contradicting"]}
    assert {NYT, F001, AJ} <= supporting
    assert {NYT, F001, CNN, AJ} <= contradicting  # Liu Pengyu (000, 001), both governments (002), Kremlin (003)
    quotes = " ".join(by_n[n]["quote"] for n in main["contradicting"])
    assert "Peskov" in quotes and "never heard" in quotes and "disinformation" in quotes
    assert not any("lifeline" in by_n[n]["quote"] for n in main["contradicting"])
    assert "\n\nSays yes:" in data["answer"] and "\n\nSays no:" in data["answer"]
    assert data["bottom_line"] and data["answer"].startswith(data["bottom_line"])
    assert ".txt" not in data["answer"]  # articles by outlet or title, never by file name
    assert by_n[main["supporting"][0]]["source"] != "" and any(c.get("outlet") == "Al Jazeera" for c in by_n.values())
    for c in data["citations"]:  # every [n] is in the answer text too, not only in claims
        assert f"[{c['n']}]" in data["answer"]


def test_cli_perspectives_text_output(env: Any) -> None:
    proc = cli(["ask", "--perspectives", RUSSIA_CHINA], env)
    assert proc.returncode == 0, proc.stderr
    assert "Says yes:" in proc.stdout and "Says no:" in proc.stdout
    assert "Claim 1: supported by [1]" in proc.stdout and "Al Jazeera" in proc.stdout


def test_near_duplicates_are_one_statement_citing_every_file(env: Any) -> None:
    record = env.svc.perspectives("What did the Chinese embassy spokesman say about Russia's request?")
    main = record.claims[0]
    assert sources_of(record, main.supporting) == {NYT, F001}  # the same statement in two files
    texts = [c.quote for c in record.citations if c.n in main.supporting]
    assert all("Liu Pengyu" in t for t in texts)
    # written once in the answer, followed by both markers
    assert sum(record.answer.count(t) for t in texts) == 1
    assert "".join(f"[{n}]" for n in main.supporting) in record.answer

    lifeline = env.svc.perspectives("What did Jake Sullivan say the US would not allow?")
    main = lifeline.claims[0]
    assert {NYT, F001, AJ} <= sources_of(lifeline, main.supporting)
    assert lifeline.answer.count("lifeline") == 1 and not main.contradicting
    assert contract_problems(lifeline.to_dict(), env.corpus) == []


def test_perspectives_refuses_what_the_articles_do_not_cover(env: Any) -> None:
    record = env.svc.perspectives("Who is the prime minister of Italy?")
    assert record.refused and record.citations == [] and record.claims == []
    assert contract_problems(record.to_dict(), env.corpus) == []


def test_a_claim_nothing_contradicts_says_so(env: Any) -> None:
    record = env.svc.perspectives("Did China abstain in UN votes censuring Russia?")
    assert not record.refused and not record.claims[0].contradicting
    assert {F001, AJ} <= sources_of(record, record.claims[0].supporting)
    assert "Says no: no retrieved article denies it." in record.answer
    assert record.bottom_line.endswith("; no retrieved article denies it.")


def test_grouping_figures_on_the_dev_questions(env: Any) -> None:
    """The grouping is scored against eval/perspectives.jsonl; floors well under the measured figures."""
    from assistant.perspectives import grouping_scores

    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(questions) >= 8
    assert all({"expected_supporting", "expected_contradicting"} <= set(q) for q in questions)
    dev = [q for q in questions if q.get("split", "dev") == "dev"]
    records = [env.svc.perspectives(q["question"], q.get("history"), qid=q["id"]).to_dict() for q in dev]
    for r in records:
        assert contract_problems(r, env.corpus) == [], r["id"]
    scores = grouping_scores(records, dev)
    # supporting recall 0.69 since p7's denials moved to its contradicting side (issue 14), every other row unchanged
    assert scores["supporting_precision"] >= 0.9 and scores["supporting_recall"] >= 0.65, scores
    assert scores["contradicting_precision"] >= 0.9 and scores["contradicting_recall"] >= 0.7, scores
    assert scores["refusal_correct"] == 1.0


# -- source filter --------------------------------------------------------------------------------
def test_source_filter_restricts_citations(env: Any) -> None:
    question = "What did Jake Sullivan say the US would not allow?"
    assert len({r.source for r in env.svc.ask(question).retrieved}) > 1  # unfiltered, every file may answer
    only = env.svc.ask(question, sources=[NYT])
    assert not only.refused and {c.source for c in only.citations} == {NYT} and "lifeline" in only.answer
    assert {r.source for r in only.retrieved} == {NYT}
    assert {c.source for c in env.svc.ask(question, sources=["000"]).citations} == {NYT}  # a name prefix
    assert {c.source for c in env.svc.ask(question, sources=["New York Times"]).citations} == {NYT}  # its outlet
    by_outlet = env.svc.perspectives(RUSSIA_CHINA, sources=["Al Jazeera"])  # the outlet the article names
    assert {c.source for c in by_outlet.citations} == {AJ}
    assert by_outlet.claims[0].supporting and by_outlet.claims[0].contradicting  # 003 reports both sides
    elsewhere = env.svc.ask("Who is Einar Tangen?", sources=[NYT])  # only 003 knows him: not found in 000
    assert {r.source for r in elsewhere.retrieved} == {NYT}
    assert elsewhere.refused or {c.source for c in elsewhere.citations} == {NYT}
    assert not any("Taihe" in c.quote for c in elsewhere.citations)


def test_cli_source_filter_and_unknown_source(env: Any) -> None:
    proc = cli(["ask", "--json", "--source", F004, "How long did the meeting in Rome last?"], env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["citations"] and {c["source"] for c in data["citations"]} == {F004}
    assert contract_problems(data, env.corpus) == []
    bad = cli(["ask", "--source", "no-such-file.txt", RUSSIA_CHINA], env)
    assert bad.returncode == 2 and "no-such-file.txt" in bad.stderr and "Traceback" not in bad.stderr


# -- web ------------------------------------------------------------------------------------------
def test_rendering_of_a_perspectives_record(env: Any) -> None:
    from ui import messages, render

    record = env.svc.perspectives(RUSSIA_CHINA).to_dict()
    message = messages.answer_message(record)
    assert '<span class="na-support">Says yes</span>' in message
    assert '<span class="na-contra">Says no</span>' in message
    # the bottom line first, then one group a side (says yes, says no, unclear)
    assert message.index('<span class="na-bottom-label">Bottom line:</span>') < message.index("<details")
    assert 2 <= message.count('<details class="na-claim"') <= 3
    assert message.count('<details class="na-claim" open>') == 2  # both sides open; "unclear" collapsed
    panel = render.sources_html(record, env.svc.article)
    assert "supports claim 1" in panel and "contradicts claim 1" in panel
    assert "Al Jazeera" in panel and "People: " in panel and "Places: " in panel


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_web_perspectives_toggle_and_source_filter(env: Any) -> None:
    """A real browser: tick Perspectives, ask, see both sides; pick one source, ask, see only it."""
    sullivan = "What did Jake Sullivan say the US would not allow?"
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian Chromium not found at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    from ui.app import build_app, launch_app

    demo = build_app(env.svc)
    url = launch_app(demo, host="127.0.0.1", port=free_port())
    done = "#na-chat .na-sources, #na-chat .na-refused"
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1360, "height": 1000})
            page.set_default_timeout(90_000)
            outside: list[str] = []
            local = (url, "data:", "blob:")
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(local) else None)
            page.goto(url)
            page.wait_for_selector("#na-input textarea")

            page.locator("#na-perspectives input[type=checkbox]").check()
            page.locator("#na-input textarea").fill(RUSSIA_CHINA)
            page.locator("#na-input textarea").press("Enter")
            page.wait_for_selector(done)
            answer = page.locator("#na-chat [data-testid='bot']").last
            assert answer.locator(".na-support").count() >= 1 and answer.locator(".na-contra").count() >= 1
            assert "Peskov" in answer.inner_text()
            bottom = answer.locator(".na-bottom")  # the bottom line first, its [n] live
            assert bottom.is_visible() and bottom.locator("a.na-cite").count() >= 1
            groups = answer.locator("details.na-claim")
            assert groups.count() >= 2 and groups.nth(1).get_attribute("open") is not None
            assert groups.nth(1).locator("summary .na-contra").first.is_visible()  # "Says no"
            cite = groups.nth(1).locator("a.na-cite").first
            assert cite.is_visible()
            groups.nth(1).locator("summary").click()  # a group collapses
            page.wait_for_function("() => !document.querySelectorAll('#na-chat details.na-claim')[1].open")
            assert not cite.is_visible()
            assert page.locator("#na-sources .na-role.na-contra").count() >= 3

            page.locator("#na-perspectives input[type=checkbox]").uncheck()
            box = page.locator("#na-source-filter input")
            box.click()
            box.fill("New York Times")
            page.locator("ul[role=listbox] li", has_text=NYT).first.click()
            page.keyboard.press("Escape")
            before = page.locator(done).count()
            page.locator("#na-input textarea").fill(sullivan)
            page.locator("#na-input textarea").press("Enter")
            page.wait_for_function(
                "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[done, before], timeout=90_000
            )
            files = page.locator("#na-sources .na-file").all_inner_texts()
            assert files and set(files) == {NYT}
            browser.close()
        assert outside == []
    finally:
        demo.close(verbose=False)

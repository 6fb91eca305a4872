"""Evaluation mode: metric definitions on hand-made records, question-file validation, and an
end-to-end ``news-assistant eval`` run with the real engine (real store, real embedding model)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation.metrics import (
    aggregate,
    keywords_ok,
    missing_keywords,
    percentile,
    retrieval_scores,
    score_question,
)
from assistant.evaluation.questions import Question, corpus_checker, load_questions
from assistant.evaluation.report import render
from assistant.evaluation.runner import (
    CompareSpecError,
    ConfigResult,
    Configuration,
    configurations,
    parse_spec,
    results_path,
)
from assistant.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CHECKER = Path("/work/shared/tools/check_answers.py")
KNOWN = list(Settings.model_fields)

# -- hand-made corpus and records ------------------------------------------------------------------
TEXT_A = "Reuters photographer Jason Lee took the picture. The meeting lasted seven hours."
TEXT_B = "Zhao Lijian is a foreign ministry spokesman."
TEXTS = {"a.txt": TEXT_A, "b.txt": TEXT_B}


def cite(n: int, source: str, start: int, end: int, quote: str | None = None) -> dict[str, Any]:
    text = TEXTS.get(source, "")
    return {"n": n, "source": source, "start": start, "end": end, "quote": text[start:end] if quote is None else quote}


def q(
    qid: str, answerable: bool = True, sources: list[str] | None = None, keywords: list[str] | None = None
) -> Question:
    return Question(
        id=qid,
        question=f"question {qid}?",
        expected_sources=sources if sources is not None else (["a.txt"] if answerable else []),
        answer_keywords=keywords or [],
        answerable=answerable,
    )


def rec(qid: str, answer: str, refused: bool = False, citations: list | None = None, retrieved: list | None = None):
    return {
        "id": qid,
        "question": f"question {qid}?",
        "answer": answer,
        "refused": refused,
        "citations": citations or [],
        "reader": "extractive",
        "latency_s": 0.1,
        "retrieved": retrieved or [],
    }


def hand_made() -> list[tuple[Question, dict[str, Any]]]:
    """Six answerable and two unanswerable questions with known outcomes (see test_aggregate_known_scores)."""
    ok_cite = cite(1, "a.txt", 0, 7)  # "Reuters"
    return [
        # 1: correct, cites the expected file
        (q("good", keywords=["Reuters"]), rec("good", "Reuters [1].", citations=[ok_cite])),
        # 2: keywords right but no citation at all
        (q("nocite", keywords=["seven"]), rec("nocite", "It lasted seven hours.")),
        # 3: refused although answerable
        (q("refused", keywords=["Reuters"]), rec("refused", "The articles don't say.", refused=True)),
        # 4: a|b keyword satisfied by the second alternative; cites the expected and a wrong file
        (
            q("alt", keywords=["MRE|seven hours"]),
            rec("alt", "Seven Hours [1] [2].", citations=[cite(1, "a.txt", 49, 60), cite(2, "b.txt", 0, 4)]),
        ),
        # 5: missing keyword, cites only the wrong file, with a wrong quote
        (
            q("wrong", keywords=["Jason|Lee", "Reuters"]),
            rec("wrong", "Zhao [1].", citations=[cite(1, "b.txt", 0, 4, quote="Chao")]),
        ),
        # 6: cites a file that is not in the corpus
        (
            q("unknown", keywords=["Reuters"]),
            rec(
                "unknown",
                "Reuters [1].",
                citations=[{"n": 1, "source": "zzz.txt", "start": 0, "end": 3, "quote": "abc"}],
            ),
        ),
        # 7: unanswerable, correctly refused
        (q("una-ok", answerable=False), rec("una-ok", "The articles don't say.", refused=True)),
        # 8: unanswerable, answered anyway
        (q("una-bad", answerable=False), rec("una-bad", "Reuters [1].", citations=[cite(1, "a.txt", 0, 7)])),
    ]


def scored() -> list:
    return [score_question(question, record, TEXTS.get, k=6) for question, record in hand_made()]


# -- metrics ---------------------------------------------------------------------------------------
def test_keywords_are_case_insensitive_and_alternatives_mean_either() -> None:
    assert keywords_ok("The NEW YORK Times said", ["new york times"])
    assert keywords_ok("they had MREs", ["ready-to-eat|MRE"])
    assert not keywords_ok("they had food", ["ready-to-eat|MRE"])
    assert keywords_ok("anything", [])
    assert missing_keywords("Reuters", ["reuters", "Jason|Lee"]) == ["Jason|Lee"]


def test_each_question_fails_for_the_reason_it_should() -> None:
    by_id = {s.question.id: s for s in scored()}
    assert by_id["good"].passed and by_id["good"].accurate and by_id["good"].cites_expected
    assert by_id["nocite"].reasons == ["no citation"] and by_id["nocite"].accurate
    assert by_id["refused"].reasons == ["false refusal"] and not by_id["refused"].accurate
    assert by_id["alt"].passed and "also cited b.txt (not expected)" in by_id["alt"].notes
    assert by_id["wrong"].reasons == [
        "missing keyword 'Jason' or 'Lee'",
        "missing keyword 'Reuters'",
        "quote [1] is not b.txt[0:4]",
        "cited wrong file (b.txt)",
    ]
    assert by_id["unknown"].reasons[0] == "citation [1] names unknown file 'zzz.txt'"
    assert by_id["una-ok"].passed
    assert by_id["una-bad"].reasons == ["should have refused"]


def test_aggregate_known_scores() -> None:
    m = aggregate(scored())
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (8, 6, 2)
    # accurate: good, nocite, alt, unknown (keyword present, not refused) = 4 of 6
    assert m["answer_accuracy"] == pytest.approx(4 / 6)
    # citing an expected file: good, alt = 2 of 6
    assert m["citation_recall"] == pytest.approx(2 / 6)
    # pooled over answerable citations: good(a), alt(a, b), wrong(b), unknown(zzz) → 2 of 5
    assert m["citation_precision"] == pytest.approx(2 / 5)
    # all citations: 6, invalid: wrong's quote and unknown's file
    assert m["quote_validity"] == pytest.approx(4 / 6)
    assert m["refusal_correct"] == pytest.approx(1 / 2)
    assert m["false_refusal"] == pytest.approx(1 / 6)
    assert m["pass_rate"] == pytest.approx(3 / 8)
    assert m["latency_p50"] == pytest.approx(0.1)


def test_metrics_without_citations_or_unanswerable_questions() -> None:
    m = aggregate([score_question(q("x", keywords=["z"]), rec("x", "nothing"), TEXTS.get)])
    assert m["citation_precision"] == 0.0  # as check_answers.py: 0 / max(0, 1)
    assert m["quote_validity"] is None and m["refusal_correct"] is None
    none_answered = aggregate([score_question(q("y"), None, TEXTS.get, error="the question is empty")])
    assert none_answered["errors"] == 1 and none_answered["answer_accuracy"] == 0.0


def test_retrieval_hit_and_mrr_rank_files_not_chunks() -> None:
    retrieved = [{"source": "b.txt"}, {"source": "b.txt"}, {"source": "a.txt"}, {"source": "c.txt"}]
    assert retrieval_scores(["a.txt"], retrieved, k=6) == (1.0, 0.5)  # files: b, a, c
    assert retrieval_scores(["a.txt"], retrieved, k=2) == (0.0, 0.0)
    assert retrieval_scores(["a.txt"], [], k=6) == (0.0, 0.0)


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == pytest.approx(9.55)
    assert percentile([], 50) is None


def _checker_metrics(results: Path, questions: Path, corpus: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(CHECKER), str(results), str(corpus), str(questions)], capture_output=True, text=True
    )
    line = done.stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def _compare_with_checker(metrics: dict[str, Any], checker: dict[str, float]) -> None:
    pairs = {
        "answer_accuracy": "answer_accuracy",
        "citation_recall": "source_recall",
        "citation_precision": "citation_precision",
        "refusal_correct": "refusal_correct",
        "false_refusal": "false_refusal",
    }
    for ours, theirs in pairs.items():
        assert round(metrics[ours], 2) == pytest.approx(checker[theirs]), ours


@pytest.mark.skipif(not CHECKER.exists(), reason="the shared checker is not on this machine")
def test_definitions_match_the_outside_checker(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TEXTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    pairs = hand_made()
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "".join(
            json.dumps({**question.__dict__, "reference_answer": ""}, default=list) + "\n" for question, _ in pairs
        ),
        encoding="utf-8",
    )
    results = tmp_path / "r.jsonl"
    results.write_text("".join(json.dumps(record) + "\n" for _, record in pairs), encoding="utf-8")
    _compare_with_checker(aggregate(scored()), _checker_metrics(results, questions, corpus))


# -- question files --------------------------------------------------------------------------------
def test_bad_lines_are_named_and_the_rest_still_load(tmp_path: Path) -> None:
    good = {"id": "a", "question": "Who?", "expected_sources": ["000_943f23eee93e7890.txt"], "answer_keywords": ["x"]}
    lines = [
        json.dumps({**good, "answerable": True}),  # 1 ok
        '{"id": "b", "question": "Who?",',  # 2 malformed
        "",  # 3 blank: ignored
        json.dumps({"id": "c", "question": "Who?", "expected_sources": [], "answer_keywords": []}),  # 4 missing
        json.dumps({**good, "id": "d", "answerable": "yes"}),  # 5 wrong type
        json.dumps({**good, "id": "e", "answerable": True, "expected_sources": ["nope.txt"]}),  # 6 unknown file
        json.dumps({**good, "answerable": True}),  # 7 duplicate id
        json.dumps({**good, "id": "f", "answerable": True, "history": [{"role": "bot", "content": "x"}]}),  # 8
        json.dumps(["not", "an", "object"]),  # 9
        json.dumps({**good, "id": "g", "answerable": False, "expected_sources": [], "answer_keywords": []}),  # 10 ok
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    questions, problems = load_questions(path, corpus_checker(SEEDS))
    assert [x.id for x in questions] == ["a", "g"]
    assert [x.line for x in questions] == [1, 10]
    messages = {p.line: p.message for p in problems}
    assert sorted(messages) == [2, 4, 5, 6, 7, 8, 9]
    assert "not valid JSON" in messages[2]
    assert "missing field 'answerable'" in messages[4]
    assert "'answerable' must be true or false, not str" in messages[5]
    assert "unknown source file" in messages[6] and "nope.txt" in messages[6]
    assert "duplicate id 'a' (first used on line 1)" in messages[7]
    assert "history turn 1" in messages[8]
    assert "expected a JSON object" in messages[9]
    assert str(problems[0]).startswith("line 2: ")


def test_compare_specs() -> None:
    assert parse_spec("k=3, max-sentences=1", KNOWN).overrides == {"top_k": "3", "max_sentences": "1"}
    configs = configurations(["k=3"], KNOWN)
    assert [c.label for c in configs] == ["default", "k=3"]
    assert [c.label for c in configurations(["k=3", "reader=extractive"], KNOWN)] == ["k=3", "reader=extractive"]
    with pytest.raises(CompareSpecError, match="unknown setting 'bogus'"):
        parse_spec("bogus=1", KNOWN)
    with pytest.raises(CompareSpecError, match="NAME=VALUE"):
        parse_spec("k", KNOWN)
    out = Path("r.jsonl")
    assert results_path(out, configs[0], 0, 2) == out
    assert results_path(out, configs[1], 1, 2) == Path("r.top_k-3.jsonl")


def test_report_escapes_everything_and_has_the_question_table() -> None:
    question = Question(
        id="<id>",
        question="<script>alert(1)</script>?",
        expected_sources=["a.txt"],
        answer_keywords=["x"],
        answerable=True,
    )
    s = score_question(question, rec("<id>", "<b>bold</b> & more"), TEXTS.get)
    result = ConfigResult(
        config=Configuration(label="<cfg>"),
        settings={"reader": "extractive"},
        results_file=Path("r.jsonl"),
        scores=[s],
        metrics=aggregate([s]),
        seconds=1.0,
    )
    html = render([result], Path("q<.jsonl"))
    assert "<script" not in html and "<b>bold" not in html and "<cfg>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html and "&lt;script&gt;" in html
    assert '<table class="qt">' in html and "missing keyword &#x27;x&#x27;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html


# -- end to end, real engine -----------------------------------------------------------------------
E2E_QUESTIONS = [
    {
        "id": "t-mre",
        "question": "What pre-packaged food kits did Russia ask China for?",
        "expected_sources": ["002_8fc46f05b26ff342.txt"],
        "reference_answer": "Non-perishable military food kits, ready-to-eat meals (MREs).",
        "answer_keywords": ["ready-to-eat|MRE"],
        "answerable": True,
    },
    {
        "id": "t-zhao",
        "question": "What did Zhao Lijian accuse the US of spreading?",
        "expected_sources": ["003_2c27475b07d2a74f.txt"],
        "reference_answer": "Disinformation.",
        "answer_keywords": ["disinformation"],
        "answerable": True,
    },
    {
        "id": "t-follow",
        "history": [
            {"role": "user", "content": "Who is Jake Sullivan?"},
            {"role": "assistant", "content": "The White House national security adviser."},
        ],
        "question": "Who did he meet in Rome?",
        "expected_sources": ["000_943f23eee93e7890.txt", "004_34b2354248c643af.txt"],
        "reference_answer": "Yang Jiechi.",
        "answer_keywords": ["Yang Jiechi"],
        "answerable": True,
    },
    {
        "id": "t-drones",
        "question": "What military supplies do US officials fear China is contemplating sending?",
        "expected_sources": ["004_34b2354248c643af.txt"],
        "reference_answer": "Armed drones.",
        "answer_keywords": ["drones"],
        "answerable": True,
    },
    {
        "id": "t-una",
        "question": "What is Jake Sullivan's date of birth?",
        "expected_sources": [],
        "reference_answer": "",
        "answer_keywords": [],
        "answerable": False,
    },
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ingested store of the seed articles for every end-to-end test in this module."""
    from assistant.service import Service

    path = tmp_path_factory.mktemp("evalstore")
    report = Service(load_settings(store_dir=path, corpus_dir=SEEDS)).ingest()
    assert report.ok
    return path


@pytest.fixture(scope="module")
def question_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five questions, with a malformed third line that must be reported and skipped."""
    lines = [json.dumps(x) for x in E2E_QUESTIONS]
    lines.insert(2, '{"id": "broken", "question": ')
    path = tmp_path_factory.mktemp("questions") / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_eval(*args: str) -> Any:
    result = CliRunner().invoke(app, ["eval", *args])
    result.messages = " ".join(result.stderr.split())  # rich wraps long lines at the console width
    return result


def test_eval_end_to_end(store: Path, question_file: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "results.jsonl", tmp_path / "report.html"
    result = run_eval(
        str(question_file), "--out", str(out), "--report", str(report), "--store", str(store), "--corpus", str(SEEDS)
    )
    assert result.exit_code == 0, result.output
    assert "line 3: not valid JSON" in result.messages
    assert "answer accuracy" in result.stdout and "retrieval MRR@k" in result.stdout

    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [x["id"] for x in E2E_QUESTIONS]
    if CHECKER.exists():
        spec = importlib.util.spec_from_file_location("check_answers", CHECKER)
        assert spec is not None and spec.loader is not None
        checker = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(checker)
        texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.iterdir()}
        for r in records:
            assert checker.check(r, texts) == [], r["id"]
        # same numbers as the outside checker on the same results file
        good = tmp_path / "good.jsonl"
        good.write_text("".join(json.dumps(x) + "\n" for x in E2E_QUESTIONS), encoding="utf-8")
        questions, _ = load_questions(good, corpus_checker(SEEDS))
        by_id = {r["id"]: r for r in records}
        ours = aggregate([score_question(x, by_id[x.id], texts.get, 6) for x in questions])
        _compare_with_checker(ours, _checker_metrics(out, good, SEEDS))
    else:
        for r in records:
            assert isinstance(r["answer"], str) and isinstance(r["refused"], bool) and isinstance(r["latency_s"], float)
            text = {c["source"]: (SEEDS / c["source"]).read_text(encoding="utf-8") for c in r["citations"]}
            assert all(text[c["source"]][c["start"] : c["end"]] == c["quote"] for c in r["citations"])

    html = report.read_text(encoding="utf-8")
    assert '<table class="qt">' in html and "<svg" in html
    for x in E2E_QUESTIONS:
        assert f'id="q-{x["id"]}"' in html
    assert "line 3: not valid JSON" in html


def test_threshold_and_compare_exit_1_but_still_write_everything(
    store: Path, question_file: Path, tmp_path: Path
) -> None:
    out, report = tmp_path / "r.jsonl", tmp_path / "report.html"
    result = run_eval(
        str(question_file),
        *("--out", str(out), "--report", str(report), "--store", str(store), "--corpus", str(SEEDS)),
        *("--compare", "k=3", "--min-accuracy", "1.01", "--judge"),
    )
    assert result.exit_code == 1, result.output
    assert "below threshold" in result.messages and "--min-accuracy" in result.messages
    assert "graded mode (LLM judge) unavailable" in result.messages
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5
    assert len((tmp_path / "r.top_k-3.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    html = report.read_text(encoding="utf-8")
    assert "<th>default</th>" in html and "<th>k=3</th>" in html


def test_usage_errors_exit_2_and_no_usable_question_exits_1(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    result = run_eval(str(bad), "--store", str(store), "--corpus", str(SEEDS), "--out", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1
    assert "line 1: field 'id' must be a string" in result.messages and "line 2: not valid JSON" in result.messages
    assert "no usable question" in result.messages
    assert run_eval(str(bad), "--compare", "bogus=1").exit_code == 2
    assert run_eval(str(tmp_path / "missing.jsonl")).exit_code == 2
    assert run_eval(str(bad), "-k", "0").exit_code == 2
    # no corpus folder is needed, but an empty store with nothing to ingest says what to run
    empty = run_eval(str(bad), "--store", str(tmp_path / "empty"), "--corpus", str(tmp_path / "nope"))
    assert empty.exit_code == 1 and "news-assistant ingest FOLDER" in empty.messages


def test_eval_perspectives_scores_the_claims_for_and_against_per_split(store: Path, tmp_path: Path) -> None:
    """`eval --perspectives` answers in perspectives mode (records carry `claims`) and prints the main
    claim's supporting / contradicting precision and recall for each split of a perspectives set."""
    rows = [json.loads(x) for x in (SEEDS.parent / "eval" / "perspectives.jsonl").read_text().splitlines() if x]
    picked = [r for r in rows if r["id"] in ("p1", "h1")]
    assert {r["split"] for r in picked} == {"dev", "heldout"}
    qfile = tmp_path / "persp.jsonl"
    qfile.write_text("".join(json.dumps(r) + "\n" for r in picked), encoding="utf-8")
    out, report = tmp_path / "persp_results.jsonl", tmp_path / "persp.html"
    result = run_eval(str(qfile), "--perspectives", "--out", str(out), "--report", str(report), "--store", str(store))
    assert result.exit_code == 0, result.output
    table = result.stdout[result.stdout.index("perspectives: the main claim's files") :]
    assert "dev" in table and "heldout" in table and "all" in table
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["p1"]["claims"] and records["p1"]["claims"][0]["contradicting"]  # Russia asked; Beijing denies

"""The local model in its own process: crash and hang isolation, restart, AMX-safe loading, chat
templates, real streaming with per-sentence grounding, and ``eval --judge``.

Everything runs the packaged SmolLM2-135M-Instruct through llama-cpp-python's server, started and
supervised by the product (``assistant.readers.supervisor``); crashes are real (SIGKILL), hangs are
real (SIGSTOP).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="the local model needs the local-llm extra (llama-cpp-python)")

from assistant.readers import ReaderError
from assistant.settings import load_settings
from tests.conftest import contract_problems, copy_seeds
from tests.topics import write_topics

QUESTION = "Who was the Chinese official who held talks with Jake Sullivan in Rome?"
# questions whose first generated sentence the small model tends to get wrong (grounding withdraws it)
TRICKY = [
    "How many times has Xi Jinping met Vladimir Putin as national leaders?",
    "How long did the November virtual summit between Biden and Xi last?",
    "Which US president pulled out of the Obama-era nuclear limits agreement with Iran?",
    "What did Xi warn Biden would happen if the world were split into competing blocs?",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_seeds(tmp_path_factory.mktemp("local-model") / "articles")
    write_topics(folder / "other")
    return folder


def service(corpus: Path, **overrides: object):
    from assistant.service import Service

    settings = load_settings(store_dir=corpus.parent / "store", corpus_dir=corpus, reader="llamacpp", **overrides)
    svc = Service(settings)
    svc.ingest()
    return svc


@pytest.fixture(scope="module")
def svc(corpus: Path):
    s = service(corpus)
    yield s
    s._engine().reader.server.stop()


def check(record, corpus: Path) -> None:
    assert contract_problems(record.to_dict(), corpus) == []
    if not record.refused:
        assert record.citations and re.search(r"\[\d+\]", record.answer)


# -- crash isolation ----------------------------------------------------------------------------------


def test_the_model_runs_in_its_own_process(svc):
    server = svc._engine().reader.server
    assert server.alive() and server.pid != os.getpid()
    record = svc.ask(QUESTION)
    assert record.reader_error is None
    assert record.reader in ("llamacpp", "extractive")


def test_a_model_server_killed_mid_answer_gives_the_extractive_answer_then_restarts(svc, corpus):
    server = svc._engine().reader.server
    server.ensure()
    first_pid, starts = server.pid, server.starts
    killed: list[int] = []

    def kill_on_first_token(kind: str, *_rest: str) -> None:
        if kind == "token" and not killed:
            killed.append(server.pid)
            os.kill(server.pid, signal.SIGKILL)

    record = svc.ask(QUESTION, on_event=kill_on_first_token)
    assert killed == [first_pid], "no token streamed: the kill never happened mid-answer"
    assert record.reader == "extractive"
    assert record.reader_error and "stopped mid-answer" in record.reader_error
    assert "Yang Jiechi" in record.answer  # the extractive answer, cited as always
    check(record, corpus)
    assert not server.alive()

    again = svc.ask(QUESTION)  # the next question starts a new server
    assert again.reader_error is None
    assert server.alive() and server.pid != first_pid and server.starts == starts + 1
    check(again, corpus)


def test_a_hung_model_times_out_into_the_extractive_answer(corpus):
    svc = service(corpus, llm_timeout_s=20)
    server = svc._engine().reader.server
    stopped: list[int] = []
    assert svc.ask(QUESTION).reader_error is None  # a first answer within the timeout (prompt processing)

    def freeze_on_first_token(kind: str, *_rest: str) -> None:
        if kind == "token" and not stopped:
            stopped.append(server.pid)
            os.kill(server.pid, signal.SIGSTOP)

    try:
        t0 = time.monotonic()
        record = svc.ask(QUESTION, on_event=freeze_on_first_token)
        assert stopped, "no token streamed: the hang never happened mid-answer"
        assert time.monotonic() - t0 < 60
        assert record.reader == "extractive"
        assert record.reader_error and "no answer within 20 s" in record.reader_error
        check(record, corpus)
        assert not server.alive()  # the hung process was killed, not left behind
    finally:
        server.stop()


def test_the_command_line_survives_a_dead_model_with_a_one_line_notice(svc, corpus):
    """The web app and the CLI share the service: a crashed model is a notice, never a dead process."""
    from rich.console import Console

    from assistant.cli_answer import print_record

    server = svc._engine().reader.server
    server.ensure()
    os.kill(server.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    record = svc.ask(QUESTION)  # restarted before the question
    assert record.reader_error is None
    console = Console(record=True, width=200)
    print_record(record, console)
    assert "Yang Jiechi" in console.export_text()


def test_a_new_ingest_keeps_the_one_model_server(svc, corpus):
    """The engine is rebuilt after an ingest; the model's server process is not duplicated."""
    before = svc._engine().reader
    before.server.ensure()
    pid = before.server.pid
    (corpus / "other" / "late.txt").write_text(
        "Harbor council approves bridge\n\nThe council approved a $12 million bridge on Tuesday.\n", encoding="utf-8"
    )
    svc.ingest()
    after = svc._engine().reader
    assert after is not before and after.server is before.server and after.server.pid == pid


# -- loading -------------------------------------------------------------------------------------------


def test_models_load_without_llama_cpp_extra_buffer_types(svc):
    """AMX-safe on every CPU: the worker loads models with use_extra_bufts=False (the AMX repack path
    segfaults native builds). Checked in a fresh process, and in the running server's own log."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from assistant.readers.llm_worker import model_params; print(model_params().use_extra_bufts)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "False"
    server = svc._engine().reader.server
    assert "use_extra_bufts=False" in server.log_path.read_text(encoding="utf-8", errors="replace")
    record = svc.ask(QUESTION)
    assert record.reader_error is None  # generation ran (on a CPU with AMX, this is the regression check)
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    print("CPU has AMX:", "amx_tile" in flags)


def _gguf(path: Path, kv: dict[str, str]) -> Path:
    """A GGUF header with string metadata only (no tensors): enough to test the template check."""
    body = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv))
    for k, v in kv.items():
        kb, vb = k.encode(), v.encode()
        body += struct.pack("<Q", len(kb)) + kb + struct.pack("<I", 8) + struct.pack("<Q", len(vb)) + vb
    path.write_bytes(body)
    return path


def test_a_base_model_without_chat_template_is_refused_with_a_message(corpus, tmp_path):
    from assistant.readers.gguf import chat_template
    from assistant.readers.llamacpp import default_model_path

    assert chat_template(default_model_path())  # the default model carries its own template
    base = _gguf(tmp_path / "base.gguf", {"general.architecture": "gemma3", "general.name": "a base model"})
    with pytest.raises(ReaderError, match="no chat template"):
        service(corpus, model_path=base)._engine()
    junk = tmp_path / "junk.gguf"
    junk.write_text("not a model")
    with pytest.raises(ReaderError, match="not a GGUF"):
        service(corpus, model_path=junk)._engine()


def test_a_model_that_cannot_load_is_a_clear_error_naming_it(corpus, tmp_path):
    broken = _gguf(tmp_path / "broken.gguf", {"tokenizer.chat_template": "{{ messages }}"})
    with pytest.raises(ReaderError, match=r"exited while loading broken\.gguf"):
        service(corpus, model_path=broken)._engine()


# -- streaming --------------------------------------------------------------------------------------------


def test_tokens_stream_as_the_model_writes_them(svc, corpus):
    t0 = time.monotonic()
    stamps: list[tuple[float, str]] = []
    record = None
    for text, rec in svc.stream(QUESTION):
        stamps.append((time.monotonic() - t0, text))
        record = rec or record
    assert record is not None and record.reader_error is None
    partial = [(t, text) for t, text in stamps[:-1]]
    assert len(partial) >= 3
    first, done = partial[0][0], stamps[-1][0]
    # real streaming: the partial states arrive one generated token apart (a few ms even on a fast
    # machine, which writes this answer in ~0.15 s), not all at once as a finished answer split into words
    gaps = sorted(b[0] - a[0] for a, b in itertools.pairwise(partial))
    assert done - first > 0.05 and gaps[len(gaps) // 2] > 0.002, stamps
    check(record, corpus)


def test_a_sentence_grounding_rejects_is_withdrawn_visibly_and_never_kept(svc, corpus):
    seen = []
    for question in TRICKY:
        partials, record = [], None
        for text, rec in svc.stream(question):
            if rec is None:
                partials.append(text)
            record = rec or record
        check(record, corpus)
        for w in record.withdrawn:
            assert w["text"] not in record.answer  # never kept
            assert w["reason"]
            assert any(f"~~{w['text']}~~ (withdrawn: {w['reason']})" in p for p in partials)  # shown struck out
            seen.append(w)
    assert seen, "the model wrote nothing grounding withdrew: the test proves nothing"


def test_ask_streams_on_the_command_line(svc, corpus):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "ask",
            "--store",
            str(svc.settings.store_dir),
            "--corpus",
            str(corpus),
            "--reader",
            "llamacpp",
            "--stream",
            TRICKY[0],
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "38" in proc.stdout and "[1]" in proc.stdout  # the grounded answer with its sources
    assert proc.stderr.strip(), "nothing streamed to stderr"
    assert "Traceback" not in proc.stderr


# -- eval --judge -----------------------------------------------------------------------------------------


def test_eval_judge_grades_with_the_generative_readers_model(svc, corpus, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {
                    "id": "j1",
                    "question": QUESTION,
                    "expected_sources": ["004_34b2354248c643af.txt"],
                    "reference_answer": "Yang Jiechi",
                    "answer_keywords": ["Yang"],
                    "answerable": True,
                },
                {
                    "id": "j2",
                    "question": TRICKY[0],
                    "expected_sources": ["000_943f23eee93e7890.txt"],
                    "reference_answer": "38 times",
                    "answer_keywords": ["38"],
                    "answerable": True,
                },
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "eval",
            str(questions),
            "--store",
            str(svc.settings.store_dir),
            "--corpus",
            str(corpus),
            "--reader",
            "llamacpp",
            "--judge",
            "--out",
            str(out),
            "--report",
            str(tmp_path / "r.html"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "judge faithfulness" in proc.stdout
    row = next(line for line in proc.stdout.splitlines() if "graded / unparsed" in line)
    graded, unparsed = (int(x) for x in re.findall(r"(\d+) / (\d+)", row)[0])
    assert graded + unparsed == 2  # both answers went to the judge; its replies were read, not guessed
    assert "unavailable" not in proc.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_the_web_chat_shows_withdrawn_sentences_struck_out_and_the_models_failure():
    """What ``ui.render`` makes of the stream and of the finished record (the page's own HTML)."""
    from assistant.streaming import StreamView
    from ui import messages, render

    view = StreamView()
    view.add("kept", "Yang Jiechi met Sullivan.")
    view.add("withdrawn", "They met for 12 hours.", "not in the passages: 12")
    view.add("token", "The talks")
    html = messages.partial_message(view.text())
    struck = f'<del class="na-withdrawn">{render.md_text("They met for 12 hours.")}</del>'
    assert render.md_text("Yang Jiechi met Sullivan.") in html and "The talks" in html
    assert struck in html
    assert "withdrawn: not in the passages: 12" in html
    record = {
        "answer": "Yang Jiechi [1]",
        "refused": False,
        "citations": [{"n": 1, "source": "a.txt", "start": 0, "end": 5, "quote": "Yang"}],
        "reader_error": "the local model server stopped mid-answer (exit -9)",
        "withdrawn": [{"text": "They met for 12 hours.", "reason": "not in the passages: 12"}],
    }
    final = messages.answer_message(record)
    assert render.md_text("stopped mid-answer (exit -9)") + "; this is the extractive answer" in final
    assert struck in final


# -- follow-ups -----------------------------------------------------------------------------------------


def test_follow_ups_are_rewritten_with_the_model_and_self_contained_questions_never(svc, corpus):
    """The packaged model is asked to condense a follow-up (its rewrite kept only if it is one, else the
    rules'); a question that stands alone is answered as asked, the model never asked to rewrite it."""
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "Yang Jiechi, a member of China's Politburo [1]."},
    ]
    follow = svc.ask("How long did they meet?", history=history)
    check(follow, corpus)
    assert follow.condensed_by in ("llm", "rules")
    assert follow.standalone_question and "(context" not in follow.standalone_question
    assert follow.standalone_question.endswith("?") and "\n" not in follow.standalone_question
    alone = svc.ask("Who is Einar Tangen?", history=history)
    assert (alone.standalone_question, alone.condensed_by) == (None, None)

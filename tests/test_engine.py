"""The service answers through LlamaIndex's own components: a ``RetrieverQueryEngine`` over the hybrid
retriever, the reader's node postprocessors and the reader as response synthesizer (real models, no mocks)."""

from __future__ import annotations

from llama_index.core.base.response.schema import Response
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.retrievers import BaseRetriever

from assistant.answer import Answer
from assistant.question import QuestionBundle
from assistant.readers.extractive import ExtractiveReader
from assistant.readers.postprocessors import RefusalGate, RefusalNode, SentenceCandidates, SentenceNode, verdict_of
from assistant.retrieval import HybridRetriever
from tests.conftest import SEEDS

QUESTION = "How many times has Xi Jinping met Putin as national leaders?"


def test_the_engine_is_a_retriever_query_engine_with_the_reader_steps(seeded_service) -> None:
    engine = seeded_service._engine()
    assert isinstance(engine.query, RetrieverQueryEngine)
    assert isinstance(engine.retriever, HybridRetriever) and isinstance(engine.retriever, BaseRetriever)
    assert engine.query.retriever is engine.retriever
    assert isinstance(engine.reader, ExtractiveReader) and isinstance(engine.reader, BaseSynthesizer)
    steps = engine.query._node_postprocessors
    assert [type(s) for s in steps] == [SentenceCandidates, RefusalGate]
    assert all(isinstance(s, BaseNodePostprocessor) for s in steps)
    seeded_service.ask(QUESTION)
    assert seeded_service._engine() is engine  # built once per store version, not per question


def test_a_question_bundle_carries_the_options(seeded_service) -> None:
    retriever = seeded_service._engine().retriever
    bundle = QuestionBundle(QUESTION, top_k=2, sources=["000_943f23eee93e7890.txt"])
    nodes = retriever.retrieve(bundle)
    assert len(nodes) == 2
    assert {n.node.metadata["source"] for n in nodes} == {"000_943f23eee93e7890.txt"}
    same = retriever.retrieve(QUESTION, top_k=2, sources=["000_943f23eee93e7890.txt"])
    assert [n.node.node_id for n in same] == [n.node.node_id for n in nodes]


def test_postprocessors_turn_chunks_into_scored_sentences_and_refuse_weak_evidence(seeded_service) -> None:
    query = seeded_service._engine().query
    bundle = QuestionBundle(QUESTION)
    sentences = query.retrieve(bundle)  # retriever, then the postprocessors
    assert sentences and all(isinstance(n.node, SentenceNode) for n in sentences)
    scores = [n.score for n in sentences]
    assert scores == sorted(scores, reverse=True)
    assert verdict_of(sentences) is None
    for n in sentences[:5]:
        text = (SEEDS / n.node.metadata["source"]).read_text(encoding="utf-8")
        assert text[n.node.start_char_idx : n.node.end_char_idx] == n.node.get_content()

    weak = QuestionBundle("What is the capital of Australia?")
    refused = query.retrieve(weak)  # the gate's typed verdict, in place of the sentences
    assert len(refused) == 1 and isinstance(refused[0].node, RefusalNode)
    verdict = verdict_of(refused)
    assert verdict is not None and verdict.reason.startswith("best evidence scores")
    record = seeded_service.ask(weak.query_str)
    assert record.refused and record.grounding == verdict.reason


def test_the_engine_never_writes_to_the_question(seeded_service) -> None:
    """The bundle carries the question's inputs one way: what the steps decide is in the answer."""
    from dataclasses import asdict

    query = seeded_service._engine().query
    for text in (QUESTION, "What is the capital of Australia?"):
        bundle = QuestionBundle(text, sources=["000_943f23eee93e7890.txt"], as_of="2023-03-30", focus=text)
        before = asdict(bundle)
        answer = query.query(bundle)
        assert asdict(bundle) == before
        assert answer.source_nodes == [] or not any(isinstance(n.node, RefusalNode) for n in answer.source_nodes)


def test_the_engine_returns_a_finished_typed_answer(seeded_service) -> None:
    query = seeded_service._engine().query
    answer = query.query(QuestionBundle(QUESTION))
    assert isinstance(answer, Answer) and isinstance(answer, Response)
    assert not answer.refused and answer.reason == "ok" and answer.reader == "extractive"
    assert answer.text.startswith(answer.direct_answer or "") and "[1]" in answer.text
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert answer.retrieved and not any(isinstance(n.node, SentenceNode) for n in answer.retrieved)
    record = seeded_service.ask(QUESTION)
    assert (record.answer, record.citations) == (answer.text, answer.citations)
    assert record.direct_answer == answer.direct_answer

    weak = query.query(QuestionBundle("What is the capital of Australia?"))
    assert weak.refused and weak.citations == [] and weak.direct_answer is None
    assert weak.text.endswith("“What is the capital of Australia?”") and weak.reason.startswith("best evidence")


def test_perspectives_is_a_mode_of_the_same_engine(seeded_service) -> None:
    """One engine, one retriever: perspectives mode only swaps the synthesizer and the retrieval depth."""
    from assistant.engine import Reading
    from assistant.perspectives import TOP_K, PerspectivesReader

    engine = seeded_service._engine()
    reading = engine.query.modes["perspectives"]
    assert isinstance(reading, Reading) and isinstance(reading.synthesizer, PerspectivesReader)
    assert isinstance(reading.synthesizer, BaseSynthesizer) and reading.postprocessors == []
    assert reading.top_k == max(TOP_K, seeded_service.settings.top_k)
    assert engine.query.modes["answer"].synthesizer is engine.reader

    bundle = QuestionBundle("Did Russia ask China for military aid?", mode="perspectives")
    answer = engine.query.query(bundle)
    assert isinstance(answer, Answer) and answer.claims and answer.bottom_line
    assert seeded_service.settings.top_k < len(answer.retrieved) <= reading.top_k
    assert bundle.top_k is None  # the depth went to a copy: the caller's question stays as asked
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    record = seeded_service.perspectives(bundle.query_str)
    assert (record.answer, record.citations, record.bottom_line) == (answer.text, answer.citations, answer.bottom_line)
    assert record.claims == answer.claims and record.grounding == answer.reason
    assert seeded_service._engine() is engine

    weak = engine.query.query(QuestionBundle("Who is the prime minister of Italy?", mode="perspectives"))
    assert weak.refused and weak.claims == [] and weak.citations == [] and weak.bottom_line is None

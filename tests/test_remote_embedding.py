"""Embedding by settings (issue 17): an OpenAI-compatible ``/v1/embeddings`` server and Ollama's
``/api/embed``, each a real HTTP server on loopback running the product's own MiniLM
(``tests/embedding_server.py``), so its vectors can be compared with the local ones. Articles on several
topics (``tests/topics.py``), not the seed story.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import AssistantError, UsageError
from assistant.quantized import LABEL
from assistant.service import Service
from store.ingest import IngestError
from tests.conftest import copy_seeds, make_settings
from tests.embedding_server import MODEL, serve
from tests.topics import ARTICLES, write_articles


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """The topic articles plus the seed story's (longer: several chunks each)."""
    files = {name: text for folder in ARTICLES.values() for name, text in folder.items()}
    return copy_seeds(write_articles(tmp_path / "corpus", files))


def _vectors(svc: Service) -> dict[str, np.ndarray]:
    got = svc.components.store.collection.get(include=["documents", "embeddings"])
    return dict(zip(got["documents"], np.asarray(got["embeddings"]), strict=True))


def test_an_openai_compatible_server_embeds_the_store_concurrently_and_answers(tmp_path: Path, corpus: Path) -> None:
    """Ingest sends batches to the server several at once; the vectors are the model's (equal to the local
    ones here: the server runs the same MiniLM); questions are embedded there too, and answered."""
    local = Service(make_settings(tmp_path / "local", corpus, embedding="local"))  # the server's model
    local.ingest()
    with serve() as server:
        settings = make_settings(
            tmp_path / "remote",
            corpus,
            embedding="openai",
            embedding_url=f"{server.url}/v1",
            embedding_model=MODEL,
            embed_batch_size=2,
            embedding_concurrency=4,
        )
        svc = Service(settings)
        report = svc.ingest()
        assert report.ok and report.new_chunks == report.total_chunks > 20
        assert server.models == {MODEL} and server.texts >= report.new_chunks
        assert server.max_in_flight >= 2, "batches went to the server one at a time"
        remote, here = _vectors(svc), _vectors(local)
        assert remote.keys() == here.keys()
        for text, vector in remote.items():
            assert float(np.dot(vector, here[text])) > 0.999, text
        before = server.requests
        record = svc.ask("How much did Arsenal pay for Declan Rice?")
        assert server.requests > before  # the question's vector came from the server
        assert not record.refused and record.citations[0].source == "transfer.txt"
        assert "105" in record.answer
        assert svc.library.status()["embedding"] == f"openai:{MODEL}"


def test_a_store_refuses_vectors_of_another_model(tmp_path: Path, corpus: Path) -> None:
    """A store built by the server refuses local embedding, for ingest and for questions, and says how
    to get back; nothing is changed."""
    with serve() as server:
        remote = dict(embedding="openai", embedding_url=f"{server.url}/v1", embedding_model=MODEL)
        svc = Service(make_settings(tmp_path, corpus, **remote))
        chunks = svc.ingest().total_chunks
    auto = Service(make_settings(tmp_path, corpus))  # embedding = auto: the store's model, whose server is unset
    assert auto.sources()
    with pytest.raises(UsageError, match="embedding_url"):
        auto.ask("Who won the Lakeside Marathon?")
    local = Service(make_settings(tmp_path, corpus, embedding="local"))
    with pytest.raises(IngestError, match=f"embedding: store openai:{MODEL}"):
        local.ingest()
    with pytest.raises(AssistantError, match="ingest --rebuild"):
        local.ask("Who won the Lakeside Marathon?")
    assert local.components.store.chunk_count() == chunks
    assert local.sources()  # listing the store needs no model
    report = local.ingest(rebuild=True)
    assert report.ok and local.library.status()["embedding"] == "all-MiniLM-L6-v2 (int8 ONNX)"
    # auto re-embeds a rebuilt store with the int8 model, as any new store
    report = auto.ingest(rebuild=True)
    assert report.ok and auto.library.status()["embedding"] == LABEL
    assert not auto.ask("Who won the Lakeside Marathon?").refused


def test_ollama_embeds_the_store(tmp_path: Path, corpus: Path) -> None:
    with serve() as server:
        svc = Service(
            make_settings(tmp_path, corpus, embedding="ollama", embedding_url=server.url, embedding_model=MODEL)
        )
        assert svc.ingest().ok
        assert server.requests and server.models == {MODEL}
        record = svc.ask("Who won the Lakeside Marathon?")
        assert not record.refused and "Wanjiru Kamau" in record.answer


def test_clear_errors_for_a_server_missing_or_misconfigured(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(UsageError, match="embedding_url"):
        Service(make_settings(tmp_path / "a", corpus, embedding="openai")).ingest()
    with serve() as server:
        svc = Service(
            make_settings(
                tmp_path / "b", corpus, embedding="openai", embedding_url=f"{server.url}/v1", embedding_model=MODEL
            )
        )
        with pytest.raises(UsageError, match="--workers"):
            svc.ingest(workers=2)

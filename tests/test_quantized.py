"""The reader's int8 MiniLM: built from the packaged model on first use, cached, close to it, switchable."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embedding import MiniLMEmbedding
from tests.conftest import make_settings

SENTENCES = [
    "Arsenal paid an £85 million fee for Declan Rice, a club record.",
    "The central bank raised interest rates by a quarter point on Wednesday.",
    "Voters in the runoff chose the opposition candidate by a narrow margin.",
    "Heavy rain flooded the city's subway stations during the morning rush.",
    "How long did the two officials meet in Rome?",
    "The company reported quarterly earnings above analysts' expectations.",
]


@pytest.fixture(scope="module")
def int8_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch):
    from assistant.quantized import int8_model_path

    monkeypatch_module.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    return int8_model_path()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_the_int8_model_is_built_once_and_cached(int8_file, tmp_path_factory) -> None:
    import onnx

    from assistant.quantized import int8_model_path

    assert int8_file.is_file()
    assert int8_model_path() == int8_file  # the second call reuses the cached file
    ops = {n.op_type for n in onnx.load(str(int8_file)).graph.node}
    assert "DynamicQuantizeLinear" in ops or "MatMulInteger" in ops  # it computes in int8, not fp32
    assert not [p for p in int8_file.parent.iterdir() if p.name.startswith(".")]  # no half-written files left


def test_int8_vectors_stay_close_to_the_packaged_model(int8_file) -> None:
    packaged = MiniLMEmbedding()
    int8 = MiniLMEmbedding(model_file=str(int8_file))
    a, b = packaged.embed(SENTENCES), int8.embed(SENTENCES)
    cosines = np.sum(a * b, axis=1)
    assert cosines.min() >= 0.98, cosines
    # the same nearest neighbour for the question either way
    q = 4
    assert int(np.argsort(-(a @ a[q]))[1]) == int(np.argsort(-(b @ b[q]))[1])
    assert "int8" in int8.model_name or int8_file.name in int8.model_name


def test_the_reader_uses_int8_by_default_and_store_on_request(tmp_path, int8_file) -> None:
    from assistant.service import Service

    default = Service(make_settings(tmp_path / "a"))  # a new store, embedding = auto: int8 for both, one session
    assert default.reader_embed_model.model_file == str(int8_file)
    assert default.embed_model is default.reader_embed_model
    packaged = Service(make_settings(tmp_path / "b", embedding="local"))
    assert packaged.embed_model.model_file is None and packaged.reader_embed_model.model_file == str(int8_file)
    same = Service(make_settings(tmp_path / "c", embedding="local", reader_embedding="store"))
    assert same.reader_embed_model is same.embed_model


def test_auto_keeps_an_existing_store_on_the_model_that_built_it(tmp_path, int8_file) -> None:
    """``embedding = "auto"`` (the default) never refuses a store built before int8 was the default: a store
    of the packaged model's vectors is searched with that model; a rebuilt one gets int8."""
    from assistant.service import Service
    from tests.topics import ARTICLES, write_articles

    corpus = write_articles(tmp_path / "corpus", ARTICLES["sport"])
    old = Service(make_settings(tmp_path, corpus, embedding="local"))
    assert old.ingest().ok
    svc = Service(make_settings(tmp_path, corpus))
    record = svc.ask("Who won the Lakeside Marathon?")
    assert not record.refused and "Wanjiru Kamau" in record.answer
    assert svc.embed_model.model_file is None and svc.library.status()["embedding"] == "all-MiniLM-L6-v2 (int8 ONNX)"
    assert svc.ingest().ok  # nothing refused, nothing re-embedded
    assert svc.ingest(rebuild=True).ok and svc.embed_model.model_file == str(int8_file)
    assert (
        "int8" in svc.library.status()["embedding"]
        and "Wanjiru Kamau" in svc.ask("Who won the Lakeside Marathon?").answer
    )


def test_an_int8_store_embeds_with_the_readers_model_and_keeps_to_it(tmp_path, int8_file) -> None:
    """``embedding = "int8"``: chunks and questions use the per-channel int8 MiniLM (one session shared with
    the reader), the store records it, answers on articles of several topics hold, and the packaged model
    is refused on that store."""
    from assistant.service import Service
    from store.ingest import IngestError
    from tests.topics import ARTICLES, write_articles

    corpus = write_articles(tmp_path / "corpus", {n: t for f in ARTICLES.values() for n, t in f.items()})
    svc = Service(make_settings(tmp_path, corpus, embedding="int8"))
    assert svc.ingest().ok
    assert svc.embed_model.model_file == str(int8_file) and svc.reader_embed_model is svc.embed_model
    assert "int8" in svc.library.status()["embedding"]
    record = svc.ask("How much revenue did Harbor Foods report?")
    assert not record.refused and record.citations[0].source == "earnings.txt" and "3.2 billion" in record.answer
    with pytest.raises(IngestError, match="embedding"):
        Service(make_settings(tmp_path, corpus, embedding="local")).ingest()
    assert Service(make_settings(tmp_path, corpus)).ingest().ok  # auto: the store's own model


def test_an_ingest_hands_back_the_embedding_arena_and_vectors_stay_the_same(tmp_path, int8_file, monkeypatch) -> None:
    """After an ingest that embedded something, onnxruntime's arena is shrunk before the retrieval index
    is built (memory at 10,000 articles); the model then embeds exactly as before."""
    from assistant.service import Service
    from tests.topics import ARTICLES, write_articles

    calls: list[int] = []
    release = MiniLMEmbedding.release_memory
    monkeypatch.setattr(MiniLMEmbedding, "release_memory", lambda self: calls.append(1) or release(self))
    corpus = write_articles(tmp_path / "corpus", ARTICLES["business"])
    svc = Service(make_settings(tmp_path, corpus))
    text = ["Harbor Foods reported quarterly revenue of 3.2 billion dollars."]
    before = svc.embed_model.embed(text)
    assert svc.ingest().ok and calls == [1]
    assert np.allclose(svc.embed_model.embed(text), before, atol=1e-6)
    assert svc.ingest().ok and calls == [1]  # nothing embedded: nothing to hand back
    assert "3.2 billion" in svc.ask("What was Harbor Foods' quarterly revenue?").answer

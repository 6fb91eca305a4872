"""Incremental ingestion into a real Chroma store, with the real embedding model."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from assistant.service import Service
from store.chroma import StoreError
from store.ingest import IngestError, read_paths
from tests.conftest import copy_seeds, make_settings


def stored(svc: Service) -> dict[str, dict]:
    """Every chunk in the store: id -> metadata (with the text)."""
    _ = svc.vector_store
    got = svc.collection.get(include=["metadatas", "documents"])
    return {i: {**m, "text": t} for i, m, t in zip(got["ids"], got["metadatas"], got["documents"], strict=True)}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path / "corpus")


def test_first_ingest_stores_chunks_whose_offsets_match_the_files(tmp_path: Path, corpus: Path) -> None:
    svc = Service(make_settings(tmp_path, corpus))
    report = svc.ingest()
    assert sorted(report.added) == sorted(p.name for p in corpus.iterdir())
    assert report.ok and report.new_chunks == report.total_chunks > 5
    for meta in stored(svc).values():
        content = json.loads(meta["_node_content"])
        text = (corpus / meta["source"]).read_text(encoding="utf-8")
        assert text[content["start_char_idx"] : content["end_char_idx"]] == meta["text"]


def test_reingest_unchanged_is_a_no_op(tmp_path: Path, corpus: Path) -> None:
    svc = Service(make_settings(tmp_path, corpus))
    svc.ingest()
    before = stored(svc)
    again = Service(make_settings(tmp_path, corpus)).ingest()
    assert again.added == again.changed == again.removed == []
    assert len(again.unchanged) == 5 and again.new_chunks == 0
    assert set(stored(svc)) == set(before)


def test_changed_file_replaces_its_chunks_and_deleted_file_goes_only_with_prune(tmp_path: Path, corpus: Path) -> None:
    svc = Service(make_settings(tmp_path, corpus))
    svc.ingest()
    before = stored(svc)
    changed = corpus / "004_34b2354248c643af.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA new closing paragraph about the Paris talks.\n")
    (corpus / "001_0bf01c31decb14ad.txt").unlink()
    kept = svc.ingest()  # a file gone from the folder stays in the store unless the user prunes
    assert kept.changed == ["004_34b2354248c643af.txt"] and kept.removed == []
    assert any(m["source"] == "001_0bf01c31decb14ad.txt" for m in stored(svc).values())
    report = svc.ingest(prune=True)
    assert report.changed == []
    assert report.removed == ["001_0bf01c31decb14ad.txt"]
    after = stored(svc)
    assert not [m for m in after.values() if m["source"] == "001_0bf01c31decb14ad.txt"]
    old_ids = {i for i, m in before.items() if m["source"] == changed.name}
    new_ids = {i for i, m in after.items() if m["source"] == changed.name}
    assert new_ids and not (old_ids & new_ids)
    assert any("Paris talks" in m["text"] for m in after.values())
    # running again changes nothing and never grows the store
    assert svc.ingest().new_chunks == 0
    assert len(stored(svc)) == len(after)


def test_a_changed_article_re_embeds_only_its_changed_chunks(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Appending a paragraph changes the last chunk only: the others keep their stored vectors (the model
    never sees them again), and every chunk still resolves to the file's text."""
    from assistant.embedding import MiniLMEmbedding

    svc = Service(make_settings(tmp_path, corpus))
    svc.ingest()
    name = "004_34b2354248c643af.txt"
    got = svc.collection.get(where={"source": name}, include=["documents", "embeddings"])
    before = dict(zip(got["documents"], got["embeddings"], strict=True))
    assert len(before) >= 3
    changed = corpus / name
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA new closing paragraph about the Paris talks.\n")
    seen: list[str] = []
    embed = MiniLMEmbedding._get_text_embeddings
    monkeypatch.setattr(
        MiniLMEmbedding, "_get_text_embeddings", lambda self, texts: seen.extend(texts) or embed(self, texts)
    )
    report = Service(make_settings(tmp_path, corpus)).ingest()
    assert report.changed == [name]
    after = svc.collection.get(where={"source": name}, include=["documents", "embeddings"])
    kept = [t for t in after["documents"] if t in before]
    assert report.reused_chunks == len(kept) and 1 <= len(kept) < report.new_chunks
    assert not set(kept) & set(seen) and any("Paris talks" in t for t in seen)
    for text, vector in zip(after["documents"], after["embeddings"], strict=True):
        if text in before:  # as stored (Chroma may round the last bit when it normalises)
            assert np.allclose(vector, before[text], rtol=0, atol=1e-7)
    text = changed.read_text(encoding="utf-8")
    for meta in stored(svc).values():
        if meta["source"] == name:
            content = json.loads(meta["_node_content"])
            assert text[content["start_char_idx"] : content["end_char_idx"]] == meta["text"]


def test_metadata_is_read_for_new_and_changed_texts_only_and_a_new_extractor_refreshes_once(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged folder is re-ingested without parsing a text; a new METADATA_VERSION re-reads every
    article once, keeping the stored vectors (nothing embedded again)."""
    import store.ingest
    import store.metadata.extractor

    read: list[str] = []
    extract = store.metadata.extractor.extract_metadata_many

    def counting(texts, batch_size=32):  # type: ignore[no-untyped-def]
        texts = list(texts)
        read.extend(texts)
        return extract(texts, batch_size)

    monkeypatch.setattr(store.metadata.extractor, "extract_metadata_many", counting)
    svc = Service(make_settings(tmp_path, corpus))
    assert len(svc.ingest().added) == 5 and len(read) == 5
    read.clear()
    again = Service(make_settings(tmp_path, corpus)).ingest()
    assert len(again.unchanged) == 5 and read == []
    monkeypatch.setattr(store.ingest, "METADATA_VERSION", "a-newer-extractor")
    refreshed = Service(make_settings(tmp_path, corpus)).ingest()
    assert len(refreshed.changed) == 5 and len(read) == 5
    assert refreshed.reused_chunks == refreshed.new_chunks > 0
    read.clear()
    assert len(Service(make_settings(tmp_path, corpus)).ingest().unchanged) == 5 and read == []
    titles = {e.name: e.title for e in svc.catalogue.entries()}
    assert all(titles.values())


def test_interrupted_ingest_leaves_no_duplicates(tmp_path: Path, corpus: Path) -> None:
    settings = make_settings(tmp_path, corpus)
    svc = Service(settings)
    svc.ingest()
    clean = stored(svc)
    # a run killed before its checkpoint: chunks are in Chroma, the ingest record is not
    settings.docstore_path.unlink()
    report = Service(settings).ingest()
    assert len(report.changed) == 5 and report.added == []  # the catalogue knew them: embedded again, once
    assert set(stored(svc)) == set(clean)


def test_a_completed_store_is_not_scanned_again_but_stray_chunks_still_are_found(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged re-ingest trusts a store whose chunk count is its catalogue's (10 s saved at 10,000
    articles); chunks of an article nobody recorded change the count, and the scan removes them."""
    import store.inventory

    settings = make_settings(tmp_path, corpus)
    svc = Service(settings)
    svc.ingest()
    scans: list[int] = []
    scan = store.inventory.stored_doc_ids
    monkeypatch.setattr(store.inventory, "stored_doc_ids", lambda vs: scans.append(1) or scan(vs))
    report = Service(settings).ingest()
    assert len(report.unchanged) == 5 and scans == []
    # an ingest killed after writing an article's chunks and before recording it
    col = svc.collection
    one = col.get(limit=1, include=["embeddings", "metadatas", "documents"])
    meta = {**one["metadatas"][0], "document_id": "ghost.txt", "doc_id": "ghost.txt", "ref_doc_id": "ghost.txt"}
    col.add(ids=["ghost-chunk"], embeddings=one["embeddings"], metadatas=[meta], documents=one["documents"])
    report = Service(settings).ingest()
    assert scans == [1] and len(report.unchanged) == 5
    assert not col.get(where={"document_id": "ghost.txt"})["ids"], "the stray chunk was kept"


BAD_FILES = {
    "empty.txt": b"",
    "blank.md": b"  \n\t\n",
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.txt": "Caf\xe9 na\xefve r\xe9sum\xe9".encode("latin-1"),
    "utf16.txt": "Some text".encode("utf-16"),
}


def test_bad_files_are_reported_one_line_each_and_the_rest_is_ingested(tmp_path: Path, corpus: Path) -> None:
    for name, data in BAD_FILES.items():
        (corpus / name).write_bytes(data)
    os.symlink(corpus / "missing-target.txt", corpus / "dangling.txt")
    (corpus / "image.png").write_bytes(b"\x89PNG")  # not an article type: ignored silently
    report = Service(make_settings(tmp_path, corpus)).ingest()
    reasons = {p.source: p.reason for p in report.problems}
    assert set(reasons) == {*BAD_FILES, "dangling.txt"}
    assert "empty" in reasons["empty.txt"] and "empty" in reasons["blank.md"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "cannot read" in reasons["dangling.txt"]
    assert all("\n" not in r for r in reasons.values())
    assert len(report.added) == 5 and report.ok


def test_missing_and_empty_folders_are_clear_errors(tmp_path: Path) -> None:
    svc = Service(make_settings(tmp_path, tmp_path / "nope"))
    with pytest.raises(IngestError, match=r"not found.*nothing was changed"):
        svc.ingest()
    (tmp_path / "empty").mkdir()
    report = Service(make_settings(tmp_path, tmp_path / "empty")).ingest()
    assert not report.ok and report.total_chunks == 0


def test_unwritable_store_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    svc = Service(make_settings(tmp_path, tmp_path).model_copy(update={"store_dir": blocker / "store"}))
    with pytest.raises(StoreError, match="not writable"):
        svc.ingest()


def test_lost_chunks_are_rebuilt_even_when_the_ingest_record_survives(tmp_path: Path, corpus: Path) -> None:
    import shutil
    import subprocess
    import sys

    settings = make_settings(tmp_path, corpus)
    first = Service(settings).ingest()
    shutil.rmtree(settings.chroma_path)  # the vectors are gone, docstore.json is not
    # a new process, as a user would run it (Chroma caches open stores per process)
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(corpus), "--store", str(settings.store_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"0 added, {len(first.added)} changed" in proc.stderr
    assert f"{first.total_chunks} chunks in store" in proc.stderr


def test_chunk_progress_counts_chunks_embedded_up_to_the_total(tmp_path: Path, corpus: Path) -> None:
    """The web page's upload bar: (chunks embedded, total) rises step by step and ends at the chunks written."""
    svc = Service(make_settings(tmp_path, corpus))
    files: list[tuple[int, int]] = []
    chunks: list[tuple[int, int]] = []
    report = svc.ingest(progress=lambda d, t: files.append((d, t)), chunk_progress=lambda d, t: chunks.append((d, t)))
    assert files[-1] == (5, 5)  # the article count is still heard
    assert chunks and chunks[-1] == (report.new_chunks, report.new_chunks)
    done = [d for d, _ in chunks]
    assert done == sorted(done) and len(set(done)) > 2  # moves in several steps, never back
    assert all(0 <= d <= t <= report.new_chunks for d, t in chunks)
    again = svc.ingest(chunk_progress=lambda d, t: chunks.append((-1, -1)))
    assert again.new_chunks == 0 and chunks[-1] != (-1, -1)  # nothing to embed: nothing heard


def test_whole_collection_reads_are_paged(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading every chunk (the BM25 index, the ingest's stored ids) goes a page at a time: one ``get`` of a
    10,000-article store (~105,000 chunks) failed in Chroma with "too many SQL variables"."""
    import store.paging
    from assistant.retrieval import load_nodes

    svc = Service(make_settings(tmp_path, corpus))
    svc.ingest()
    whole = [n.id_ for n in load_nodes(svc.collection)]
    monkeypatch.setattr(store.paging, "GET_PAGE", 7)
    calls = []
    real_get = type(svc.collection).get

    def counted(self, *args, **kwargs):
        calls.append(kwargs.get("limit"))
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(type(svc.collection), "get", counted)
    paged = [n.id_ for n in load_nodes(svc.collection)]
    assert paged == whole and len(whole) > 14
    assert len(calls) == len(whole) // 7 + 1 and set(calls) == {7}
    assert svc.ingest().unchanged  # the ingest's own read of the stored ids, paged too


def test_texts_are_read_when_their_batch_comes_so_a_file_changed_or_gone_by_then_is_handled(tmp_path: Path) -> None:
    """An ingest keeps names and hashes, not texts, until a batch is claimed (174 MB of texts at 10,000
    articles), then reads its files again: a file edited meanwhile goes in as it is now, with offsets
    into its new text; one deleted meanwhile is reported, not recorded."""
    from store.documents import DeferredTexts
    from tests.topics import ARTICLES, write_articles

    corpus = write_articles(tmp_path / "news", {**ARTICLES["sport"], **ARTICLES["business"]})
    edited, deleted = corpus / "earnings.txt", corpus / "marathon.txt"
    late = "\nHarbor Foods also said its chief financial officer, Omar Reyes, will retire in June.\n"

    def progress(done: int, total: int) -> None:
        if done == 0:  # every file has been read and hashed; no batch has been claimed yet
            edited.write_text(edited.read_text(encoding="utf-8") + late, encoding="utf-8")
            deleted.unlink()

    svc = Service(make_settings(tmp_path, corpus))
    report = svc.ingest(progress=progress)
    assert sorted(report.added) == ["earnings.txt", "election.txt", "transfer.txt"]
    assert [p.source for p in report.problems] == ["marathon.txt"] and "cannot read" in report.problems[0].reason
    assert svc.library.article_text("earnings.txt").endswith(late)
    chunks = [m for m in stored(svc).values() if m["source"] == "earnings.txt"]
    assert any("Omar Reyes" in m["text"] for m in chunks)
    for meta in chunks:
        content = json.loads(meta["_node_content"])
        assert edited.read_text(encoding="utf-8")[content["start_char_idx"] : content["end_char_idx"]] == meta["text"]
    again = Service(make_settings(tmp_path, corpus)).ingest()  # the hash recorded is the new text's
    assert again.added == again.changed == [] and len(again.unchanged) == 3

    # what a batch holds before and after it is read
    docs = read_paths([corpus], 10**6)[0]
    held = DeferredTexts(docs, 10**6)
    assert all(d.text == "" for d, _ in docs)
    assert [d.text for d, _ in held.again(docs[:1])] == [docs[0][1].read_text(encoding="utf-8")]


def test_freed_heap_is_handed_back_where_glibc_runs() -> None:
    """``store.heap.trim`` finds ``malloc_trim`` on glibc (else an ingest's peak memory silently grows by ~0.3 GB
    at 10,000 articles) and is a harmless no-op elsewhere."""
    import platform

    from store import heap

    if platform.libc_ver()[0] == "glibc":
        assert heap._libc() is not None
    assert heap.trim() in (True, False)

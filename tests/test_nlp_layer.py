"""The language layer (``nlp/``): one spaCy instance serves answering's parses and ingest's entities.

Fast: loads en_core_web_sm once; no store, process or server.
"""

from __future__ import annotations

from nlp import entity_docs, full_pipeline, parse, parse_many
from nlp.pipeline import load

TEXTS = [
    "Jake Sullivan met Wang Yi in Rome on Monday, Reuters reported.",
    "The Federal Reserve raised interest rates by a quarter point in Washington on Wednesday.",
    "Lionel Messi scored twice as Argentina beat France in Qatar.",
]


def test_one_instance_for_parses_and_entities() -> None:
    doc = parse(TEXTS[0])
    ents = entity_docs(TEXTS, batch_size=2)  # two batches: order kept across them
    assert load.cache_info().misses == 1  # the model is loaded once per process, whoever asks first
    assert full_pipeline() is full_pipeline()
    assert [d.text for d in ents] == TEXTS
    assert [(e.text, e.label_) for e in ents[0].ents] == [(e.text, e.label_) for e in doc.ents]
    assert ("Jake Sullivan", "PERSON") in [(e.text, e.label_) for e in ents[0].ents]


def test_entity_docs_skip_the_parser_but_answering_still_gets_full_parses() -> None:
    ent_doc = entity_docs([TEXTS[1]])[0]
    assert not ent_doc.has_annotation("DEP") and not ent_doc.has_annotation("LEMMA")
    full = parse_many([TEXTS[1] + " It was the tenth rise."])[0]  # a text the doc cache has not seen
    assert full.has_annotation("DEP") and full.has_annotation("LEMMA")
    assert len(list(full.sents)) == 2
    # the recogniser reads only the token vectors: switching the rest off changes no entity
    assert [(e.text, e.label_) for e in ent_doc.ents] == [(e.text, e.label_) for e in parse(TEXTS[1]).ents]


def test_the_language_layer_is_the_base() -> None:
    """``nlp/`` imports nothing of the layers above it (function-local imports included)."""
    import ast
    from pathlib import Path

    above = ("assistant", "store", "ui")
    for path in (Path(__file__).resolve().parents[1] / "nlp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in above], (path.name, names)

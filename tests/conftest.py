"""Shared test helpers: a real store ingested from the seed articles, in a temp folder."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from assistant.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CHECKER = ROOT.parent / "shared" / "tools" / "check_answers.py"


def make_settings(tmp: Path, corpus: Path = SEEDS, **overrides: object) -> Settings:
    return load_settings(store_dir=tmp / "store", corpus_dir=corpus, **overrides)


def copy_seeds(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in SEEDS.iterdir():
        shutil.copy(f, dest / f.name)
    return dest


def contract_problems(record: dict, corpus: Path = SEEDS) -> list[str]:
    """FORMATS.md contract problems of one answer record, using the shared checker when present."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in corpus.iterdir() if p.is_file()}
    if CHECKER.is_file():
        spec = importlib.util.spec_from_file_location("check_answers", CHECKER)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.check(record, texts)
    problems = []
    for c in record["citations"]:
        if texts[c["source"]][c["start"] : c["end"]] != c["quote"]:
            problems.append(f"bad quote {c}")
    return problems


@pytest.fixture(scope="session")
def seeded_service(tmp_path_factory: pytest.TempPathFactory):
    """One Service over the seed articles, ingested once for the whole session."""
    from assistant.service import Service

    tmp = tmp_path_factory.mktemp("seeded")
    svc = Service(make_settings(tmp))
    svc.ingest()
    return svc


#: test modules that start no process, server, browser or store: spaCy, SQLite and pure functions only
#: (`pytest -m "not slow"`, the inner loop); everything else is marked ``slow`` and runs in `.ci/run`
FAST_MODULES = frozenset(
    {
        "test_clauses.py",
        "test_condense.py",
        "test_condense_llm.py",
        "test_conversations.py",
        "test_describe.py",
        "test_layers.py",
        "test_metadata.py",
        "test_nlp_layer.py",
        "test_perspectives_stance.py",
        "test_span_typing.py",
        "test_yes_no.py",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name not in FAST_MODULES:
            item.add_marker(pytest.mark.slow)

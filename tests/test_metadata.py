"""Ingest metadata (issue 31): people, places, outlets and dates of small articles on several topics.

Fast tier: spaCy's recogniser and dateparser only (no store, no process). The articles are written
for these tests (sport, business, weather, politics, science), none from the seed story.
"""

from __future__ import annotations

import ast
from pathlib import Path

from llama_index.core import Document

from store.metadata import ArticleMetadata, extract_metadata, extract_metadata_many, split_list
from store.metadata.extractor import ArticleMetadataExtractor

ROOT = Path(__file__).resolve().parents[1]

SNAP = (
    "Snap shares slide after weak forecast\n\n"
    "Evan Spiegel told analysts on Tuesday that advertising would recover in the second half. "
    "Snap's chief executive said the company would keep hiring engineers in Los Angeles and London. "
    "Spiegel added that the app now had 400 million daily users.\n"
)
FOOTBALL = (
    "Club completes record signing\n"
    "By Maria Lopez, BBC News\n"
    "Published: 14 March 2022\n\n"
    "Manchester United have signed the Brazilian winger Rafael Costa for a fee of £48 million. "
    "Costa, who scored 19 goals in Portugal last season, said he had dreamed of playing in England. "
    "Manager Erik ten Hag called the deal a statement of intent.\n"
)
STORM = (
    "Storm floods coastal towns\n"
    "January 9, 2023\n\n"
    "A winter storm brought flooding to Santa Cruz and Monterey on Monday, officials said. "
    "Governor Gavin Newsom declared an emergency across California. "
    "The storm is expected to reach Nevada by Wednesday, forecasters told the Los Angeles Times.\n"
)
WIRE = (
    "Parliament delays budget vote\n\n"
    "OTTAWA (Reuters) - Canada's parliament delayed a vote on the budget on Tuesday after "
    "Finance Minister Chrystia Freeland asked for more time, officials said.\n"
)
QUOTING = (
    "Talks on the drug price cap stall\n\n"
    "The health minister told CNN on Sunday that talks with the drug makers had stalled. "
    "CNN reported that no deal was near. Michael Bloomberg, the former mayor, said the cap was overdue.\n"
)
CREDITED = (
    "Telescope spots distant galaxy\n\n"
    "Astronomers using the James Webb Space Telescope found a galaxy formed 350 million years after "
    "the Big Bang, said Jane Rigby of NASA.\n\n"
    "This article was originally published by Space Weekly.\n"
)


def test_a_surname_is_never_an_outlet() -> None:
    meta = extract_metadata(SNAP)
    assert meta.outlet == "" and meta.outlets_named == []  # "Evan Spiegel told analysts" is no magazine
    assert meta.people == ["Evan Spiegel"]
    assert {"Los Angeles", "London"} <= set(meta.places)
    byline = extract_metadata("Snap shares slide\nBy Evan Spiegel\n\nEvan Spiegel told analysts.\n")
    assert (byline.outlet, byline.outlets_named) == ("", [])
    named = extract_metadata(QUOTING)
    assert "Bloomberg" not in named.outlets_named and named.outlets_named == ["CNN"]
    assert "Michael Bloomberg" in named.people


def test_people_and_places_come_from_the_recogniser() -> None:
    meta = extract_metadata(FOOTBALL)
    assert meta.people[0] == "Rafael Costa"  # mentioned twice (once by surname alone): first
    assert "Maria Lopez" in meta.people and "BBC News" not in meta.people
    assert {"Portugal", "England"} <= set(meta.places)
    storm = extract_metadata(STORM)
    assert "Gavin Newsom" in storm.people
    assert {"Santa Cruz", "California", "Nevada"} <= set(storm.places)
    assert "Los Angeles" not in storm.places  # "the Los Angeles Times" is an outlet, not a place


def test_outlets_from_bylines_datelines_and_credit_lines_only() -> None:
    football = extract_metadata(FOOTBALL)
    assert (football.outlet, football.outlet_basis) == ("BBC", "byline")
    wire = extract_metadata(WIRE)
    assert (wire.outlet, wire.outlet_basis) == ("Reuters", "dateline")
    assert "Chrystia Freeland" in wire.people and "Canada" in wire.places
    assert extract_metadata(QUOTING).outlet == ""  # an interview given to CNN is not CNN's article
    assert extract_metadata(STORM).outlet == ""  # forecasters told the LA Times: not anonymous officials
    credited = extract_metadata(CREDITED)
    assert (credited.outlet, credited.outlet_basis) == ("Space Weekly", "source line")
    assert "Jane Rigby" in credited.people
    told = "Ministers split on tariffs\n\nTwo senior officials familiar with the talks told Reuters on Friday.\n"
    assert extract_metadata(told).outlet == "Reuters"


def test_dates_are_the_articles_own_and_in_full() -> None:
    assert extract_metadata(FOOTBALL).date == "2022-03-14"
    assert extract_metadata(STORM).date == "2023-01-09"
    assert extract_metadata("Markets rally\nPublished: 2023-01-05\nSource: USA Today\n\nStocks rose.").date == (
        "2023-01-05"
    )
    assert extract_metadata("Vote counted\nUpdated Jan. 5, 2023, 2:30 p.m. ET\n\nThe count ended.").date == (
        "2023-01-05"
    )
    caption = "Dam opens\n\nThe dam opened on March 3, 2021. [File: Ann Lee/AP]\n"
    assert extract_metadata(caption).date == ""  # a date in the body is an event's
    photo = "Dam opens\nWorkers at the dam, June 8, 2018 [File: Ann Lee/AP]\n\nThe dam opened.\n"
    assert extract_metadata(photo).date == ""  # a caption's date is the photo's
    assert extract_metadata("Talks resume\nMonday\n\nTalks resumed.").date == ""  # no full date


def test_many_at_once_equals_one_by_one_and_the_extractor_keeps_the_stored_format() -> None:
    texts = [SNAP, FOOTBALL, STORM, WIRE, QUOTING, CREDITED]
    assert extract_metadata_many(texts) == [extract_metadata(t) for t in texts]
    docs = [Document(id_=f"a{i}.txt", text=t) for i, t in enumerate(texts)]
    ArticleMetadataExtractor().process_nodes(docs)
    fields = {"title", "outlet", "outlet_basis", "outlets_named", "people", "places", "date"}
    assert all(fields <= set(d.metadata) and all(isinstance(d.metadata[f], str) for f in fields) for d in docs)
    football = docs[1].metadata
    assert (football["title"], football["outlet"], football["date"]) == (
        "Club completes record signing",
        "BBC",
        "2022-03-14",
    )
    assert "Rafael Costa" in split_list(football["people"])
    assert ArticleMetadata(people=["A B", "C D"]).flat()["people"] == "A B; C D"


def test_no_story_vocabulary_in_the_code_and_the_language_layer_stands_alone() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "store" / "metadata").glob("*.py"))
    for word in ("Sullivan", "Jiechi", "Peskov", "Olympics", "Ukranian", "Rome"):
        assert word not in code
    for path in (ROOT / "nlp").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.split(".")[0] in {"store", "assistant", "ui"} for n in names), path


def test_ingest_reads_the_metadata_of_a_claimed_batch_only() -> None:
    """Ingest reads metadata batch by batch as articles are claimed (``store.pipeline.claim``): the
    articles another worker took are not read here, and an article already read is not read again."""
    from store.pipeline import claim

    docs = [Document(id_=f"{i}.txt", text=t) for i, t in enumerate((SNAP, FOOTBALL, STORM))]
    batch = [(d, None) for d in docs]
    taken = claim(batch, take=lambda b: b[1:])  # another worker claimed the first article
    assert [d.id_ for d, _ in taken] == ["1.txt", "2.txt"]
    assert "title" not in docs[0].metadata
    assert docs[1].metadata["title"] == "Club completes record signing"
    assert "Gavin Newsom" in docs[2].metadata["people"]
    docs[2].metadata["title"] = "kept as read"
    claim(batch[2:], take=None)
    assert docs[2].metadata["title"] == "kept as read"

"""Short articles on several topics (written for these tests), so behaviour is checked beyond the seed story."""

from __future__ import annotations

from pathlib import Path

#: folder -> file name -> text. Two folders, as a user with two batches of articles would have.
ARTICLES: dict[str, dict[str, str]] = {
    "sport": {
        "transfer.txt": (
            "Arsenal complete record signing of Declan Rice\n"
            "Published: 2023-07-15\n"
            "Source: Northgate Sports Desk\n\n"
            "Arsenal have signed midfielder Declan Rice from West Ham United for a club-record £105 million fee. "
            "The 24-year-old agreed a five-year contract at the Emirates Stadium.\n\n"
            "Manager Mikel Arteta said Rice would bring energy and leadership to the squad.\n"
        ),
        "marathon.txt": (
            "Kenyan runner wins the Lakeside Marathon\n"
            "Published: 2023-10-08\n\n"
            "Wanjiru Kamau won the Lakeside Marathon in 2 hours 18 minutes on Sunday, breaking the course record "
            "by forty seconds.\n\n"
            "About 12,000 runners finished the race, the organisers said.\n"
        ),
    },
    "business": {
        "earnings.txt": (
            "Harbor Foods profit rises on frozen meals\n"
            "Published: 2024-02-01\n\n"
            "Harbor Foods reported quarterly revenue of $3.2 billion, up 8 percent from a year earlier, as sales "
            "of frozen meals grew.\n\n"
            "Chief executive Dana Whitfield said the company would open a new plant in Ohio next year.\n"
        ),
        "election.txt": (
            "Coastal province elects its first woman governor\n"
            "Published: 2024-05-20\n\n"
            "Maria Okonkwo won the governorship of the coastal province with 54 percent of the vote, the "
            "electoral commission announced on Monday.\n\n"
            "Turnout was 61 percent, the highest in two decades.\n"
        ),
    },
}


def write_articles(folder: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (name -> text) into ``folder``, made if needed; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_topics(root: Path) -> dict[str, Path]:
    """Write every folder under ``root``; returns folder name -> path."""
    return {folder: write_articles(root / folder, files) for folder, files in ARTICLES.items()}

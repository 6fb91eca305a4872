"""Outlets: the news outlets articles name, and the article's own outlet where its text states one.

An article that *quotes* an outlet ("Sullivan told CNN on Sunday", "CNN reported that") is not taken
to be that outlet's; the outlet comes from an explicit line (``Source: Al Jazeera``, a byline, a wire
dateline, a copyright line) or, failing those, from the way an outlet's own reporting is worded ("US
officials familiar with the intelligence told CNN").
"""

from __future__ import annotations

import re
from collections import Counter

#: Canonical outlet name -> pattern of the ways articles name it.
OUTLETS: dict[str, str] = {
    "Al Jazeera": r"Al[ -]Jazeera",
    "CNN": r"CNN",
    "Reuters": r"Reuters",
    "Associated Press": r"Associated Press|\bAP\b",
    "AFP": r"AFP|Agence France[- ]Presse",
    "BBC": r"BBC(?: News)?",
    "The New York Times": r"(?:The )?New York Times|\bNYT\b",
    "The Washington Post": r"(?:The )?Washington Post",
    "Financial Times": r"(?:The )?Financial Times",
    "The Guardian": r"The Guardian|Guardian (?:US|News)",
    "The Wall Street Journal": r"(?:The )?Wall Street Journal|\bWSJ\b",
    "Bloomberg": r"Bloomberg(?: News)?",
    "NPR": r"\bNPR\b",
    "Fox News": r"Fox News",
    "NBC News": r"NBC(?: News)?",
    "CBS News": r"CBS(?: News)?",
    "ABC News": r"ABC News",
    "Politico": r"Politico",
    "Axios": r"Axios",
    "Deutsche Welle": r"Deutsche Welle|\bDW\b",
    "France 24": r"France ?24",
    "Xinhua": r"Xinhua",
    "TASS": r"\bTASS\b",
    "RIA Novosti": r"RIA(?: Novosti)?",
    "Interfax": r"Interfax",
    "Global Times": r"Global Times",
    "CGTN": r"CGTN",
    "RT": r"\bRT\b",
    "South China Morning Post": r"South China Morning Post|\bSCMP\b",
    "Nikkei Asia": r"Nikkei(?: Asia)?",
    "Sky News": r"Sky News",
    "The Independent": r"The Independent",
    "The Telegraph": r"The (?:Daily )?Telegraph",
    "The Times": r"The Times(?! of)",
    "The Economist": r"The Economist",
    "Euronews": r"Euronews",
    "Le Monde": r"Le Monde",
    "Der Spiegel": r"(?:Der )?Spiegel",
    "USA Today": r"USA Today",
    "Los Angeles Times": r"Los Angeles Times|LA Times",
    "The Hill": r"The Hill",
    "Newsweek": r"Newsweek",
    "Time": r"TIME magazine|Time magazine",
    "The Kyiv Independent": r"Kyiv Independent",
    "Voice of America": r"Voice of America|\bVOA\b",
    "Radio Free Europe": r"Radio Free Europe|RFE/RL",
}
_OUTLET_RES = {name: re.compile(rf"(?<![A-Za-z])(?:{pat})(?![A-Za-z])") for name, pat in OUTLETS.items()}
_ANY_OUTLET = "|".join(f"(?:{p})" for p in OUTLETS.values())
ALL_OUTLETS_RE = re.compile(rf"(?<![A-Za-z])(?:{_ANY_OUTLET})(?![A-Za-z])")

_SOURCE_LINE = re.compile(
    r"^\s*(?:source|sources|via|originally published (?:by|in|on|at)|"
    r"this (?:article|story) (?:was )?(?:first |originally )?(?:appeared|published) (?:in|on|by))\s*:?\s+(.+?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_COPYRIGHT_LINE = re.compile(r"^\s*(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_BYLINE = re.compile(r"^\s*by\s+[A-Z][^\n]{0,100}$", re.IGNORECASE | re.MULTILINE)
_DATELINE = re.compile(rf"^[A-Z][A-Za-z .,'’-]{{0,60}}\(({_ANY_OUTLET})\)\s*[-–—]", re.MULTILINE)
_ANON_TOLD = re.compile(
    r"\b(?:officials?|sources?|people|person|diplomats?|aides?|insiders?|spokes(?:man|woman|person)|"
    rf"(?:an?|one|two|three|several) [a-z]+ (?:official|source)s?)\b[^.!?\n]{{0,90}}?\btold\s+({_ANY_OUTLET})"
)
_THIRD_PARTY = [
    r"(?:first |originally )?reported by (?:the )?(?:{o})",
    r"according to (?:the |a )?(?:{o})",
    r"(?:{o}) (?:first )?(?:reported|said|says|reports|revealed|published)",
    r"(?:{o})[’']s? (?:report|reporting|story|interview)",
    r"(?:told|in an interview with) (?:{o}) (?:on|in an interview|earlier)",
]


def canonical_outlet(name: str) -> str | None:
    """The canonical name of a known outlet mentioned in ``name``, or None."""
    for canon, rx in _OUTLET_RES.items():
        if rx.search(name):
            return canon
    return None


def _named_outlet(fragment: str) -> str:
    """An outlet named in a credit line: a known one, else the line up to 'and' / a comma."""
    known = canonical_outlet(fragment)
    if known:
        return known
    head = re.split(r"\s+(?:and|with|&)\s+|[,;|/]", fragment, maxsplit=1)[0].strip(" .:-–—")
    return head if 0 < len(head.split()) <= 6 else ""


def extract_outlet(text: str) -> tuple[str, str]:
    """The article's own outlet and how it was found, or ``("", "")``.

    Explicit lines win (source line, copyright line, byline, wire dateline). Failing those, an
    outlet that anonymous officials or sources "told" is the article's own reporting, unless the
    text also reports it as someone else's ("CNN reported that", "first reported by the FT").
    """
    for m in reversed(list(_SOURCE_LINE.finditer(text))):
        name = _named_outlet(m.group(1))
        if name:
            return name, "source line"
    for m in reversed(list(_COPYRIGHT_LINE.finditer(text))):
        name = _named_outlet(m.group(1))
        if name:
            return name, "copyright line"
    for m in _BYLINE.finditer(text[:2000]):
        name = canonical_outlet(m.group(0))
        if name:
            return name, "byline"
    m = _DATELINE.search(text[:3000])
    if m:
        name = canonical_outlet(m.group(1))
        if name:
            return name, "dateline"
    told = Counter(c for c in (canonical_outlet(m.group(1)) for m in _ANON_TOLD.finditer(text)) if c)
    own = []
    for name in told:
        pat = OUTLETS[name]
        if not any(re.search(p.format(o=pat), text) for p in _THIRD_PARTY[:4]):
            own.append(name)
    if len(own) == 1:
        return own[0], f"self-reference (sources told {own[0]})"
    return "", ""


def outlets_named(text: str) -> list[str]:
    """Every known outlet the text mentions (quoted, credited or its own), most mentioned first."""
    counts = Counter(canonical_outlet(m.group(0)) for m in ALL_OUTLETS_RE.finditer(text))
    return [name for name, _n in counts.most_common() if name]

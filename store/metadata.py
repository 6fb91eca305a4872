"""Light-weight, offline article metadata: title, the article's own outlet, people, places, date.

No model and no network: rules over the text, plus a small gazetteer. Each field is left empty
when the text does not state it, because a wrong outlet in a citation is worse than none. In
particular an article that *quotes* an outlet ("Sullivan told CNN on Sunday", "CNN reported that")
is not taken to be that outlet's; the outlet comes from an explicit line (``Source: Al Jazeera``,
a byline, a wire dateline, a copyright line) or, failing those, from the way an outlet's own
reporting is worded ("US officials familiar with the intelligence told CNN").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

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
_ALL_OUTLETS_RE = re.compile(rf"(?<![A-Za-z])(?:{_ANY_OUTLET})(?![A-Za-z])")

# -- places: countries (with common aliases) and capitals / major cities ------------------------
_COUNTRIES = """
Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|Bahrain|
Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|Bosnia|Botswana|Brazil|
Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Chad|Chile|China|Colombia|Comoros|Congo|
Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominican Republic|Ecuador|Egypt|
El Salvador|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|
Guatemala|Guinea|Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|
Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|
Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Mauritania|Mauritius|
Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands|New Zealand|
Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|Pakistan|Palestine|Panama|Papua New Guinea|
Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|Saudi Arabia|Senegal|Serbia|Sierra Leone|
Singapore|Slovakia|Slovenia|Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|
Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Togo|Tunisia|Turkey|Turkmenistan|Uganda|Ukraine|
United Arab Emirates|United Kingdom|United States|Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe|
Gaza|West Bank|Crimea|Donbas|Hong Kong|Tibet|Xinjiang|Europe|Asia|Africa|Middle East|Latin America|Indo-Pacific
"""
_CITIES = """
Kabul|Tirana|Algiers|Buenos Aires|Yerevan|Canberra|Sydney|Melbourne|Vienna|Baku|Dhaka|Minsk|Brussels|Sofia|
Ottawa|Toronto|Santiago|Beijing|Shanghai|Bogota|Havana|Nicosia|Prague|Copenhagen|Cairo|Tallinn|Addis Ababa|
Helsinki|Paris|Berlin|Munich|Tbilisi|Accra|Athens|Budapest|Reykjavik|New Delhi|Delhi|Mumbai|Jakarta|Tehran|
Baghdad|Dublin|Jerusalem|Tel Aviv|Rome|Milan|Tokyo|Amman|Astana|Nairobi|Pristina|Riga|Beirut|Tripoli|Vilnius|
Luxembourg|Kuala Lumpur|Valletta|Mexico City|Chisinau|Ulaanbaatar|Rabat|Kathmandu|Amsterdam|The Hague|Wellington|
Abuja|Lagos|Pyongyang|Oslo|Muscat|Islamabad|Karachi|Manila|Warsaw|Lisbon|Doha|Bucharest|Moscow|St Petersburg|
Kigali|Riyadh|Dakar|Belgrade|Bratislava|Ljubljana|Mogadishu|Pretoria|Johannesburg|Cape Town|Seoul|Madrid|
Barcelona|Colombo|Khartoum|Stockholm|Geneva|Bern|Zurich|Damascus|Taipei|Bangkok|Tunis|Ankara|Istanbul|Kampala|
Kyiv|Kiev|Kharkiv|Odesa|Odessa|Mariupol|Lviv|Donetsk|Luhansk|Abu Dhabi|Dubai|London|Washington|New York|
Los Angeles|Chicago|San Francisco|Caracas|Hanoi|Sanaa|Lusaka|Harare|Davos|Brussels|Strasbourg|Hiroshima
"""
PLACE_ALIASES = {
    "US": "United States",
    "U.S.": "United States",
    "U.S": "United States",
    "USA": "United States",
    "America": "United States",
    "UK": "United Kingdom",
    "U.K.": "United Kingdom",
    "Britain": "United Kingdom",
    "Great Britain": "United Kingdom",
    "Kiev": "Kyiv",
    "Odessa": "Odesa",
    "UAE": "United Arab Emirates",
    "Czechia": "Czech Republic",
    "Bosnia": "Bosnia and Herzegovina",
    "Washington, DC": "Washington",
    "Washington DC": "Washington",
    "Ukranian": "Ukraine",
}
PLACES = frozenset(p.strip() for p in (_COUNTRIES + "|" + _CITIES).replace("\n", "").split("|") if p.strip())
_PLACE_RE = re.compile(
    r"(?<![A-Za-z.])("
    + "|".join(re.escape(p) for p in sorted(PLACES | set(PLACE_ALIASES), key=len, reverse=True))
    + r")(?![A-Za-z])"
)


# -- people: capitalised names, with a signal that they are people -----------------------------
def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


TITLE_WORDS = _wordset(
    """president vice prime minister secretary spokesman spokeswoman spokesperson adviser advisor director chief
    senator governor mayor ambassador envoy general admiral colonel commander official diplomat counterpart aide
    leader chancellor king queen prince princess pope analyst fellow professor dr mr mrs ms sir lord chairman chair
    speaker premier foreign nsa ceo founder editor correspondent reporter photographer minister's lawmaker judge
    representative rep sen gov lt col gen"""
)
ORG_WORDS = _wordset(
    """house party department ministry institute commission committee council times post journal news union
    nations states state office hall olympics games forces army navy agency embassy bureau court senate congress
    parliament assembly bank fund university college school center centre company corporation group organization
    organisation association federation republic kingdom summit ceremony conference war street square palace
    city province region airport station church museum inline feedbacks comments notify view national
    intelligence security defense defence affairs central federal communist foreign international"""
)
_LEAD_STOP = _wordset(
    """the a an but and or in on at of for to from with by as this that these those it he she they we you i if
    when while after before during since so yet his her their its our my your mr mrs ms dr"""
)
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DAYS = _wordset("monday tuesday wednesday thursday friday saturday sunday")
_NATIONALITY = re.compile(
    r"(?:n|ns|ese|ish|ian|ean|an|i|ic)$"  # adjectives of place: Russian, Chinese, British, Iraqi ...
)
_NAME_TOKEN = re.compile(r"[A-Z][a-z]+(?:[-’'][A-Z]?[a-z]+)*|[A-Z]\.")
_SPEECH_AFTER = re.compile(
    r"^\s*(?:’s\s+|'s\s+)?(?:has\s+|had\s+|also\s+|later\s+|then\s+)?"
    r"(?:said|says|told|added|warned|noted|denied|wrote|stated|argued|insisted|explained|claimed|asked|replied|"
    r"declined|accused|urged|announced|confirmed)\b"
)
_APPOSITIVE = re.compile(r"^,\s+(?:a|an|the|who|senior|former|deputy|chief|[a-z]+(?:man|woman|er|or|ist|ent)\b)")


@dataclass
class ArticleMetadata:
    """What the text says about itself. Empty strings / lists mean "not stated"."""

    title: str = ""
    outlet: str = ""
    outlet_basis: str = ""
    outlets_named: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    date: str = ""

    def flat(self) -> dict[str, str]:
        """Scalar fields for a Chroma metadata record (lists joined with ``"; "``)."""
        return {
            "outlet": self.outlet,
            "outlet_basis": self.outlet_basis,
            "outlets_named": "; ".join(self.outlets_named),
            "people": "; ".join(self.people),
            "places": "; ".join(self.places),
            "date": self.date,
        }


def split_list(value: object) -> list[str]:
    """The inverse of ``flat`` for one list field."""
    return [p.strip() for p in str(value or "").split(";") if p.strip()]


# -- title ---------------------------------------------------------------------------------------
def extract_title(text: str, max_chars: int = 160) -> str:
    """The headline when the article opens with one, else its first sentence (shortened)."""
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        line = raw.strip().lstrip("#").strip()
        if not line:
            continue
        followed_by_blank = i + 1 < len(lines) and not lines[i + 1].strip()
        n_words = len(line.split())
        if n_words <= 20 and (followed_by_blank or not line.endswith((".", "”", '"'))):
            return line[:max_chars]
        first = re.split(r"(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"])", line, maxsplit=1)[0]
        return _shorten(first, max_chars)
    return ""


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars - 1)
    return text[: cut if cut > 0 else max_chars - 1].rstrip(" ,;:") + "…"


# -- outlet --------------------------------------------------------------------------------------
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
    counts = Counter(canonical_outlet(m.group(0)) for m in _ALL_OUTLETS_RE.finditer(text))
    return [name for name, _n in counts.most_common() if name]


# -- places and people ---------------------------------------------------------------------------
def extract_places(text: str, limit: int = 15) -> list[str]:
    """Countries, regions and cities of the gazetteer the text names, most mentioned first."""
    counts: Counter = Counter()
    order: dict[str, int] = {}
    # "The New York Times" does not name New York
    text = _ALL_OUTLETS_RE.sub(lambda m: " " * len(m.group(0)), text)
    for m in _PLACE_RE.finditer(text):
        name = PLACE_ALIASES.get(m.group(1), m.group(1))
        counts[name] += 1
        order.setdefault(name, m.start())
    return [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))][:limit]


def _is_title_case_line(line: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z’'-]*", line) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.7


def _name_runs(line: str) -> list[tuple[list[str], int, int]]:
    """Runs of consecutive capitalised tokens (and initials) in a line: (tokens, start, end)."""
    runs: list[tuple[list[str], int, int]] = []
    tokens = list(re.finditer(r"[A-Za-z][A-Za-z’'.-]*", line))
    cur: list[re.Match] = []
    for tok in tokens:
        word = tok.group(0).rstrip(".") if not re.fullmatch(r"[A-Z]\.", tok.group(0)) else tok.group(0)
        joined = cur and line[cur[-1].end() : tok.start()] == " "
        if _NAME_TOKEN.fullmatch(word) and (not cur or joined):
            cur.append(tok)
            continue
        if cur:
            runs.append(([t.group(0) for t in cur], cur[0].start(), cur[-1].end()))
        cur = [tok] if _NAME_TOKEN.fullmatch(word) else []
    if cur:
        runs.append(([t.group(0) for t in cur], cur[0].start(), cur[-1].end()))
    return runs


def _clean_token(tok: str) -> str:
    return re.sub(r"[’']s$", "", tok).rstrip(".") if not re.fullmatch(r"[A-Z]\.", tok) else tok


def _is_namey(tok: str) -> bool:
    low = _clean_token(tok).lower()
    if low in TITLE_WORDS or low in ORG_WORDS or low in _LEAD_STOP or low in _DAYS or low in _MONTHS:
        return False
    if _clean_token(tok) in PLACES or _clean_token(tok) in PLACE_ALIASES:
        return False
    return not (len(low) > 4 and _NATIONALITY.search(low) and low[:-1].title() in PLACES)


def extract_people(text: str, limit: int = 20) -> list[str]:
    """People named in the text: two or more capitalised words that read as a person's name.

    A run of capitalised words is cut at titles, organisation words and places ("White House NSA
    Jake Sullivan" -> "Jake Sullivan"), and kept only with a sign it is a person: a title before it,
    a speech verb or an appositive after it, a photo credit, or its surname used alone elsewhere.
    """
    candidates: Counter = Counter()
    signals: Counter = Counter()
    order: dict[str, int] = {}
    pos = 0
    for line in text.splitlines(keepends=True):
        if _is_title_case_line(line):
            pos += len(line)
            continue
        for tokens, _start, _end in _name_runs(line):
            # split the run at tokens that cannot be part of a person's name
            segment: list[tuple[str, int]] = []
            segments: list[list[tuple[str, int]]] = []
            offset = _start
            for tok in tokens:
                at = line.index(tok, offset)
                offset = at + len(tok)
                if _is_namey(tok):
                    segment.append((tok, at))
                else:
                    if segment:
                        segments.append(segment)
                    segment = []
            if segment:
                segments.append(segment)
            for seg in segments:
                words = [_clean_token(t) for t, _ in seg]
                if len(words) < 2 or len(words) > 4 or all(re.fullmatch(r"[A-Z]\.", w) for w in words[:1]):
                    continue
                name = " ".join(words)
                seg_start, seg_end = seg[0][1], seg[-1][1] + len(seg[-1][0])
                before = line[max(0, seg_start - 40) : seg_start].lower().split()
                after = line[seg_end : seg_end + 40]
                candidates[name] += 1
                order.setdefault(name, pos + seg_start)
                titled = bool(before) and before[-1].strip(",") in TITLE_WORDS
                credited = after.startswith("/") or "[file:" in line[:seg_start].lower()  # photo credit
                if titled or credited or _SPEECH_AFTER.match(after) or _APPOSITIVE.match(after):
                    signals[name] += 1
        pos += len(line)
    word_counts = Counter(re.findall(r"[A-Za-z][A-Za-z’'.-]*[A-Za-z]|[A-Za-z]", text))
    people = []
    for name in candidates:
        # the family name used alone elsewhere (first token too: Chinese names put it first)
        ends = {name.split()[-1], name.split()[0]}
        alone = any(word_counts[w] > candidates[name] for w in ends if len(w) > 1)
        if signals[name] or alone:
            people.append(name)
    # most mentioned first: the full name or either end of it alone
    people.sort(key=lambda n: (-max(word_counts[n.split()[0]], word_counts[n.split()[-1]]), order[n]))
    return people[:limit]


# -- date ----------------------------------------------------------------------------------------
_MONTH_RE = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE_PATTERNS = [
    re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"),
    re.compile(rf"\b{_MONTH_RE}\.? (\d{{1,2}}),? ((?:19|20)\d\d)\b"),
    re.compile(rf"\b(\d{{1,2}}) {_MONTH_RE}\.?,? ((?:19|20)\d\d)\b"),
]
_DATE_LINE = re.compile(r"^\s*(?:published|updated|posted|date|dated|last updated|first published)\b", re.IGNORECASE)


def _month(name: str) -> int:
    return next(i + 1 for i, m in enumerate(_MONTHS) if m.startswith(name.lower()[:3]))


def _parse_date(m: re.Match, kind: int) -> str:
    try:
        if kind == 0:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        elif kind == 1:
            mo, d, y = _month(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            d, mo, y = int(m.group(1)), _month(m.group(2)), int(m.group(3))
        return date(y, mo, d).isoformat()
    except (ValueError, StopIteration):
        return ""


def extract_date(text: str) -> str:
    """The article's date (ISO) when it states one: a Published/Updated line, or a date on the first lines.

    Dates inside photo captions (a line with a ``[File: …]`` or ``Photo:`` credit) are the photo's,
    and dates in the body are events, so neither counts.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    ordered = [ln for ln in lines if _DATE_LINE.match(ln)] + [ln for ln in lines[:4] if len(ln) < 200]
    for line in ordered:
        if re.search(r"\[(?:file|photo)\b|\bphoto:|\bcredit:", line, re.IGNORECASE):
            continue
        for kind, rx in enumerate(_DATE_PATTERNS):
            m = rx.search(line)
            if m:
                found = _parse_date(m, kind)
                if found:
                    return found
    return ""


#: People and places are looked for in this much of a long file (the cost grows with the text).
SCAN_CHARS = 200_000


def extract_metadata(text: str) -> ArticleMetadata:
    """Every field at once (a few milliseconds per article)."""
    outlet, basis = extract_outlet(text)
    head = text[:SCAN_CHARS]
    return ArticleMetadata(
        title=extract_title(text),
        outlet=outlet,
        outlet_basis=basis,
        outlets_named=outlets_named(head),
        people=extract_people(head),
        places=extract_places(head),
        date=extract_date(text),
    )

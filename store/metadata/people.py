"""People: capitalised names that read as a person's (a title before, a speech verb after …)."""

from __future__ import annotations

import re
from collections import Counter

from store.metadata.dates import MONTHS
from store.metadata.places import PLACE_ALIASES, PLACES


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
    if low in TITLE_WORDS or low in ORG_WORDS or low in _LEAD_STOP or low in _DAYS or low in MONTHS:
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

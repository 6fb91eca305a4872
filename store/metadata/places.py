"""Places: the countries, regions and cities of a small gazetteer that a text names."""

from __future__ import annotations

import re
from collections import Counter

from store.metadata.outlets import ALL_OUTLETS_RE

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


def extract_places(text: str, limit: int = 15) -> list[str]:
    """Countries, regions and cities of the gazetteer the text names, most mentioned first."""
    counts: Counter = Counter()
    order: dict[str, int] = {}
    # "The New York Times" does not name New York
    text = ALL_OUTLETS_RE.sub(lambda m: " " * len(m.group(0)), text)
    for m in _PLACE_RE.finditer(text):
        name = PLACE_ALIASES.get(m.group(1), m.group(1))
        counts[name] += 1
        order.setdefault(name, m.start())
    return [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))][:limit]

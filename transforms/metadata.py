"""Article metadata from the text itself: outlet, dateline, title, standalone date line.

Works on the lines of one normalised article and says which lines (or line
prefixes) carry the metadata, so `transforms.boilerplate` can move them out of
the body and audit them. Nothing is invented: a field is None unless the text
states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Title-case function words that stay lower case in Indonesian (PUEBI) and English headlines.
TITLE_SMALL_WORDS = frozenset(
    "di ke dari dan atau yang untuk pada dengan dalam oleh serta bagi tentang terhadap sejak hingga "
    "sampai karena agar supaya meski meskipun bahwa kepada daripada antara atas per via ala vs vs. "
    "usai jelang soal versus the of and in on for at to a an is with by from as".split()
)

MONTHS = (
    "Januari|Februari|Pebruari|Maret|April|Mei|Juni|Juli|Agustus|Agt|September|Oktober|November|Nopember|Desember|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Agu|Agus|Ags|Aug|Sep|Sept|Okt|Oct|Nov|Des|Dec|January|February|March|May|June|July|"
    "August|October|December"
)
DAYS = "Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
DATE_LINE_RE = re.compile(
    rf"(?:(?:{DAYS})\s*,?\s*)?(?:\d{{1,2}}\s+(?:{MONTHS})\.?\s+\d{{4}}|(?:{MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:\s*[,|-]?\s*(?:(?:pukul|jam)\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:WIB|WITA|WIT|GMT[+-]?\d*|UTC)?)?",
    re.IGNORECASE,
)

_DASH = r"\s*(?:--?|–|—|-)\s+"
_CITY = r"[A-Z][A-Za-z'’.]*(?:[ -][A-Z][A-Za-z'’.]*){0,3}"
_DOMAIN = r"[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?i:co\.id|web\.id|or\.id|go\.id|com|co|id|net|org|news|info|tv)"
_AGENCY = r"ANTARA(?: News)?|Antara(?: News)?|Reuters|REUTERS|AFP|AP|Xinhua|XINHUA|Bernama|Yonhap"
_MULTIWORD_CITIES = (
    "Banda Aceh|Tanjung Pinang|Tanjungpinang|Pangkal Pinang|Bandar Lampung|Tanjung Selor|Kota Kinabalu|Kuala Lumpur|"
    "New York|New Delhi|Hong Kong|Tel Aviv|Den Haag|Buenos Aires|Rio de Janeiro|Los Angeles|San Francisco|Abu Dhabi|"
    "Jakarta Pusat|Jakarta Selatan|Jakarta Utara|Jakarta Barat|Jakarta Timur|Tangerang Selatan|Kota Bekasi|Kabupaten Bogor"
)
HEADER_SCAN_LINES = 6
FOOTER_SCAN_LINES = 4


@dataclass(frozen=True)
class Outlet:
    """A known outlet: canonical name, scope key and how its name appears in a byline."""

    name: str
    key: str
    pattern: str


@dataclass
class ArticleHeader:
    """Metadata found in one article and the line parts that carried it."""

    outlet: str | None = None
    dateline: str | None = None
    title: str | None = None
    date_line: str | None = None
    agency: str | None = None
    removed_lines: dict[int, str] = field(default_factory=dict)  # line index -> rule
    prefix_cuts: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # line index -> (start, end, rule)


class OutletMatcher:
    """Compiled byline prefixes for a list of known outlets."""

    def __init__(self, outlets: list[Outlet]):
        self.outlets = outlets
        known = "|".join(f"(?:{o.pattern})" for o in outlets)
        outlet = rf"(?:{known})(?![\w.])|{_DOMAIN}(?![\w.])"
        self.prefixes = [
            # TEMPO.CO, Jakarta -   |  Liputan6.com, Jakarta -  |  REPUBLIKA.CO.ID, JAKARTA --
            re.compile(rf"(?P<outlet>{outlet})\s*,\s*(?P<city>{_CITY})(?:\s*\((?P<agency>{_AGENCY})\))?{_DASH}"),
            # JAKARTA, KOMPAS.com -  |  Jakarta, CNN Indonesia --
            re.compile(rf"(?P<city>{_CITY})\s*,\s*(?P<outlet>{outlet}){_DASH}"),
            # Jakarta (ANTARA) -
            re.compile(rf"(?P<city>{_CITY})\s*\((?P<agency>{_AGENCY})\){_DASH}"),
            # DEPOK (Pos Kota) –
            re.compile(rf"(?P<city>{_CITY})\s*\((?P<outlet>{known})\){_DASH}"),
            # Suara.com -  |  Garissatu –
            re.compile(rf"(?P<outlet>{outlet}){_DASH}"),
            # thelighthousepeople.com, <text>
            re.compile(rf"(?P<outlet>{_DOMAIN})\s*,\s+(?=\S)"),
            # JAKARTA –  |  SEOUL –  |  BANDA ACEH -  |  Jakarta -  (title case: one word, or a known two-word city)
            re.compile(
                rf"(?P<city>[A-Z][A-Z'’.]+(?:[ -][A-Z][A-Z'’.]+){{0,2}}|[A-Z][a-z'’]+|{_MULTIWORD_CITIES}){_DASH}(?=[A-Z0-9\"“‘'(])"
            ),
        ]
        self._known = [(o, re.compile(rf"(?:{o.pattern})")) for o in outlets]
        self._canonical_cache: dict[str, Outlet | None] = {}  # memo only: answers never change
        self._hint_cache: dict[str, Outlet | None] = {}

    def canonical(self, written: str) -> Outlet | None:
        """The known outlet whose name pattern matches `written` exactly, if any."""
        if written not in self._canonical_cache:
            self._canonical_cache[written] = next((o for o, p in self._known if p.fullmatch(written)), None)
        return self._canonical_cache[written]

    def from_hint(self, hint: str | None) -> Outlet | None:
        """The known outlet named by an outlet hint (key, name or domain), if any."""
        if not hint:
            return None
        if hint not in self._hint_cache:
            lowered = hint.strip().lower()
            self._hint_cache[hint] = next(
                (o for o, p in self._known if lowered in (o.key, o.name.lower(), o.name.lower().split(".")[0]) or p.search(hint)),
                None,
            )
        return self._hint_cache[hint]


def normalise_city(city: str) -> str:
    """Title-case a dateline city: 'JAKARTA' -> 'Jakarta', 'BANDA ACEH' -> 'Banda Aceh'."""
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() or w.islower() else w for w in city.split())


def is_title_case_headline(line: str, max_words: int = 20, min_ratio: float = 0.75) -> bool:
    """True when `line` reads as a Title Case headline (not a sentence, not a paragraph)."""
    words = line.split()
    if not 2 <= len(words) <= max_words or len(line) > 170:
        return False
    if line.endswith((".", ",", ";", ":")) and not line.endswith("..."):
        return False
    if re.search(r"[a-z0-9][.!?][\"”]?\s+[A-Z]", line):
        return False
    content_words = 0
    capitalised = 0
    for word in words:
        core = word.strip("\"'“”‘’()[]:;,-–—")
        if not core or not core[0].isalpha():
            continue
        if core.lower() in TITLE_SMALL_WORDS:
            continue
        content_words += 1
        capitalised += core[0].isupper()
    return content_words >= 2 and capitalised / content_words >= min_ratio


def is_date_line(line: str) -> bool:
    """True when the whole line is a date (optionally with weekday and time)."""
    return len(line) <= 60 and DATE_LINE_RE.fullmatch(line) is not None


def _glued_title(rest: str) -> str | None:
    """The headline sentence glued after an outlet prefix ('Analisis Strategis: ... Rusia. Korea ...'), if any."""
    match = re.match(r"(.{8,160}?[.!?])(?:\s+(?=[A-Z\"“])|$)", rest)  # `$`: the lead cut off as a segment
    if match is None:
        return None
    sentence = match.group(1)
    candidate = sentence[:-1] if sentence.endswith(".") else sentence
    if len(candidate.split()) < 4 or re.search(r"\b[A-Z]$", candidate):
        return None  # too short for a headline, or cut at an initial ("Darmin A.")
    # Glued to the lead, a headline is told from a sentence full of names only by having no lower-case word at all.
    return candidate if is_title_case_headline(candidate, max_words=16, min_ratio=1.0) else None


def parse_header(lines: list[str], matcher: OutletMatcher, outlet_hint: str | None = None) -> ArticleHeader:
    """Find outlet, dateline, title and the standalone date line at the top (and date line at the foot) of an article."""
    header = ArticleHeader()
    nonblank = _first_nonblank(lines, HEADER_SCAN_LINES + 1)
    seen_first = False
    for position, i in enumerate(nonblank[:HEADER_SCAN_LINES]):
        line = lines[i].strip()
        if header.date_line is None and is_date_line(line):
            header.date_line = line
            header.removed_lines[i] = "metadata.date_line"
            continue
        first = not seen_first
        seen_first = True
        offset = len(lines[i]) - len(lines[i].lstrip())
        prefix = _match_prefix(line, matcher)
        if prefix is not None:
            _take_prefix(header, i, offset, line, prefix, matcher)
            break
        if first and header.title is None and position + 1 < len(nonblank) and is_title_case_headline(line):
            header.title = line
            header.removed_lines[i] = "metadata.title"
            continue
        if len(line) > 200:
            break  # the article text has begun
    if header.date_line is None:
        footer = _first_nonblank(range(len(lines) - 1, -1, -1), FOOTER_SCAN_LINES, lines)
        for i in reversed(footer):
            if i not in header.removed_lines and is_date_line(lines[i].strip()):
                header.date_line = lines[i].strip()
                header.removed_lines[i] = "metadata.date_line"
                break
    if header.outlet is None:
        hinted = matcher.from_hint(outlet_hint)
        header.outlet = hinted.name if hinted else (outlet_hint or None)
    return header


def _first_nonblank(order, count: int, lines: list[str] | None = None) -> list[int]:
    """Indices of the first `count` non-blank lines, in the given order (a list of lines, or indices into `lines`)."""
    found = []
    if lines is None:
        lines, order = order, range(len(order))
    for i in order:
        if lines[i].strip():
            found.append(i)
            if len(found) == count:
                break
    return found


_PREFIX_SHAPE = re.compile(r".{0,70}?(?:\s[-–—]|[-–—]\s|\.[A-Za-z]{2,6},)")


def _match_prefix(line: str, matcher: OutletMatcher) -> re.Match | None:
    if _PREFIX_SHAPE.match(line) is None:
        return None  # every byline prefix has a dash or a `domain.tld,` near the start
    for pattern in matcher.prefixes:
        match = pattern.match(line)
        if match is not None and match.end() < len(line):
            return match
    return None


def _take_prefix(header: ArticleHeader, i: int, offset: int, line: str, prefix: re.Match, matcher: OutletMatcher) -> None:
    groups = prefix.groupdict()
    written_outlet, city, agency = groups.get("outlet"), groups.get("city"), groups.get("agency")
    if written_outlet:
        known = matcher.canonical(written_outlet)
        # An unknown domain written in capitals (`TRIBUNKALTENG.COM`) is named in lower case, as it is elsewhere.
        header.outlet = known.name if known else (written_outlet.lower() if written_outlet.isupper() else written_outlet)
    if city:
        known_city_as_outlet = matcher.canonical(city)
        if known_city_as_outlet is not None and not written_outlet:
            header.outlet = known_city_as_outlet.name
        else:
            header.dateline = normalise_city(city)
    if agency:
        header.agency = agency
    rule = (
        "metadata.outlet_dateline"
        if header.outlet and header.dateline
        else ("metadata.dateline" if header.dateline else "metadata.outlet")
    )
    cuts = [(offset, offset + prefix.end(), rule)]
    if written_outlet and not city:
        title = _glued_title(line[prefix.end() :])
        if title is not None:
            header.title = title
            start = offset + prefix.end()
            sentence = re.match(r".{8,160}?[.!?](?:\s+|$)", line[prefix.end() :])
            cuts.append((start, start + sentence.end(), "metadata.title"))
    header.prefix_cuts[i] = cuts

"""Normalise Indonesian date expressions to ISO dates with a precision.

Pure: relative expressions (`hari Sabtu`, `tahun lalu`, `tanggal 18 Agustus`,
`Jumat (28/7)`) are resolved against a reference date passed in by the caller
(the article's publication date or its dateline date); without one they stay
unresolved (value None) rather than guessed.

Resolution rules, chosen for news text and documented in one place:
- a weekday name (`hari Sabtu`, `pada Senin`) is the most recent such day at or
  before the reference (news reports the past); `Senin depan` / `Senin
  mendatang` is the next one after it;
- a day and month without a year (`tanggal 18 Agustus`, `Jumat (28/7)`) and a
  month without a year (`bulan Maret`) take the year that puts them closest to
  the reference (ties go to the past);
- `minggu ini` / `pekan lalu` resolve to the Monday of that week with precision
  'week'; ranges and decades carry their last year in `end`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "mrt": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "agus": 8,
    "ags": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nov": 11,
    "nop": 11,
    "nopember": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}
# Full month names only: a bare `Mar` or `Jan` after `pada` is too often a name.
FULL_MONTHS = {
    "januari",
    "februari",
    "pebruari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "nopember",
    "desember",
}
WEEKDAYS: dict[str, int] = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
NUMBER_WORDS: dict[str, int] = {
    "satu": 1,
    "se": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
}
PRECISIONS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class DateValue:
    """An ISO date at a precision; month precision is the 1st, year precision Jan 1."""

    date: dt.date
    precision: str
    end: dt.date | None = None  # last period of a range or decade, same precision


@dataclass(frozen=True)
class DateMention:
    """One date expression found in a text, with its value when resolvable."""

    start: int
    end: int
    surface: str
    value: DateValue | None


_MONTH_RE = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_FULL_MONTH_RE = "(?:" + "|".join(sorted(FULL_MONTHS, key=len, reverse=True)) + ")"
_WEEKDAY_RE = r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)"
_YEAR_RE = r"(?:1[89]\d\d|20\d\d)"
_NUM_RE = r"(?:\d{1,2}|satu|se|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)"
# A bare year must not be a count: `2000 tentara`, `1945 orang`.
_COUNTED_NOUNS = (
    "orang|tentara|personel|prajurit|warga|jiwa|unit|buah|kali|km|kilometer|meter|ton|kg|dolar|rupiah|barel|"
    "anggota|pekerja|pengungsi|korban|rumah|kasus|suara|kursi|hektare|ha|persen|mil|ekor|lembar|butir"
)
_B = r"(?<![\w/])"  # left word boundary that also refuses `12/` before
_E = r"(?![\w/])"

# (family, pattern); every pattern is compiled case-insensitively.
_FAMILIES: list[tuple[str, str]] = [
    (
        "full",
        rf"{_B}(?:(?P<wd>{_WEEKDAY_RE}),?\s+)?(?:tanggal\s+|tgl\.?\s+)?(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_RE})\s*,?\s+(?P<y>{_YEAR_RE}){_E}",
    ),
    ("iso", rf"{_B}(?P<y>{_YEAR_RE})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_E}"),
    (
        "numeric",
        rf"{_B}(?:(?P<wd>{_WEEKDAY_RE}),?\s*)?(?P<open>\(\s*)?(?P<d>\d{{1,2}})\s*(?P<sep>[/.-])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*(?P<y>\d{{4}}|\d{{2}})(?(open)\s*\)){_E}",
    ),
    (
        "day_range",
        rf"{_B}(?:tanggal\s+)?(?P<d1>\d{{1,2}})\s*(?:-|–|hingga|sampai|s/d)\s*(?P<d2>\d{{1,2}})\s+(?P<m>{_MONTH_RE})(?:\s*,?\s+(?P<y>{_YEAR_RE}))?(?![\w/])",
    ),
    ("weekday_dm", rf"{_B}(?:hari\s+)?(?P<wd>{_WEEKDAY_RE})\s*,?\s*\(\s*(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})\s*\)"),
    ("paren_dm", r"\(\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*\)"),
    (
        "day_month",
        rf"{_B}(?:(?P<wd>{_WEEKDAY_RE}),?\s+)?(?:tanggal\s+|tgl\.?\s+)?(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_RE})(?!\s*,?\s+{_YEAR_RE})(?P<rel>\s+(?:tahun\s+(?:lalu|ini|depan)|lalu|silam|mendatang|nanti))?(?![\w])",
    ),
    ("month_year", rf"{_B}(?:bulan\s+)?(?P<m>{_MONTH_RE})\s*,?\s+(?:tahun\s+)?(?P<y>{_YEAR_RE}){_E}"),
    (
        "month",
        rf"{_B}(?:(?:bulan)\s+(?P<m>{_MONTH_RE})|(?:(?:pada|sejak|hingga|sampai|awal|akhir|pertengahan|medio|selama|per)\s+)?(?P<m2>{_FULL_MONTH_RE}))(?P<rel>\s+(?:tahun\s+(?:lalu|ini|depan)|lalu|depan|mendatang|nanti|ini))?(?![\w-])",
    ),
    (
        "year_range",
        rf"{_B}(?:antara\s+)?(?:tahun\s+)?(?P<y1>{_YEAR_RE})\s*(?:-|–|—|\s(?:dan|hingga|sampai|s/d)\s)\s*(?:tahun\s+)?(?P<y2>{_YEAR_RE}){_E}",
    ),
    ("decade", rf"{_B}(?:tahun\s+|era\s+|dekade\s+)?(?:(?P<c>1[89]|20)(?P<dd>\d)0|(?<=tahun\s)(?P<short>[1-9])0)\s*-?\s*an{_E}"),
    (
        "year",
        rf"{_B}(?:(?:tahun|pada|sejak|hingga|sampai|awal|akhir|pertengahan|medio|selama|per|jelang|menjelang|usai|era|di|dalam|untuk|sebelum|setelah|sesudah)\s+)?(?P<y>{_YEAR_RE})(?!\w|[/.,-]\d|\s*-\s*an|\s+(?:{_COUNTED_NOUNS})\b)",
    ),
    (
        "relative_ago",
        rf"{_B}(?P<n>{_NUM_RE})\s+(?P<unit>hari|minggu|pekan|bulan|tahun)\s+(?P<dir>lalu|silam|yang\s+lalu|kemudian|mendatang|lagi)(?!\w)",
    ),
    ("relative_unit", rf"{_B}(?P<unit>tahun|bulan|minggu|pekan)\s+(?P<rel>lalu|kemarin|ini|depan|mendatang)(?!\w)"),
    ("relative_day", rf"{_B}(?P<word>hari\s+ini|kemarin\s+lusa|kemarin|besok|esok\s+hari|lusa){_E}"),
    (
        "weekday_week",
        rf"{_B}(?:hari\s+)?(?P<wd>{_WEEKDAY_RE})\s+(?:pekan|minggu)\s+(?P<rel>lalu|kemarin|ini|depan|mendatang)(?!\w)",
    ),
    ("weekday", rf"{_B}(?:(?P<hari>hari)\s+)?(?P<wd>{_WEEKDAY_RE})(?P<rel>\s+(?:lalu|kemarin|depan|mendatang|ini))?(?!\w)"),
]
_COMPILED = [(family, re.compile(pattern, re.IGNORECASE)) for family, pattern in _FAMILIES]
_FAMILY_RANK = {family: rank for rank, (family, _) in enumerate(_FAMILIES)}
# Which words a family needs before its regex is worth running (most sentences need few families).
_WORD_RE = re.compile(r"[a-z']+|\d", re.IGNORECASE)
_MONTH_WORDS = frozenset(MONTHS)
_WEEKDAY_WORDS = frozenset(WEEKDAYS) | {"jumat"}
_UNIT_WORDS = frozenset({"hari", "minggu", "pekan", "bulan", "tahun"})
_RELATIVE_WORDS = frozenset({"lalu", "kemarin", "ini", "depan", "mendatang", "silam", "kemudian", "lagi"})
_DAY_WORDS = frozenset({"hari", "kemarin", "besok", "esok", "lusa"})
_NEEDS_DIGIT = frozenset(
    {"full", "iso", "numeric", "day_range", "weekday_dm", "paren_dm", "day_month", "month_year", "year_range", "decade", "year"}
)
_NEEDS_MONTH = frozenset({"full", "day_range", "day_month", "month_year", "month"})
_NEEDS_WEEKDAY = frozenset({"weekday_dm", "weekday_week", "weekday"})


def _families_for(text: str) -> list[tuple[str, re.Pattern]]:
    """The families whose anchor words occur in text."""
    words = {w.lower() for w in _WORD_RE.findall(text)}
    digit = any(w.isdigit() for w in words)
    month = not _MONTH_WORDS.isdisjoint(words)
    weekday = not _WEEKDAY_WORDS.isdisjoint(words)
    unit = not _UNIT_WORDS.isdisjoint(words)
    relative = not _RELATIVE_WORDS.isdisjoint(words)
    chosen = []
    for family, pattern in _COMPILED:
        if (family in _NEEDS_DIGIT and not digit) or (family in _NEEDS_MONTH and not month):
            continue
        if family in _NEEDS_WEEKDAY and not weekday:
            continue
        if family == "relative_ago" and not (unit and relative):
            continue
        if family == "relative_unit" and not (unit and relative):
            continue
        if family == "relative_day" and _DAY_WORDS.isdisjoint(words):
            continue
        chosen.append((family, pattern))
    return chosen


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _closest_year(month: int, day: int, reference: dt.date) -> dt.date | None:
    """The date with this month and day nearest to the reference (ties to the past)."""
    candidates = [d for d in (_safe_date(reference.year + k, month, day) for k in (-1, 0, 1)) if d]
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - reference).days), d > reference))


def _shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _weekday_value(weekday: int, rel: str, reference: dt.date) -> DateValue:
    if rel in ("depan", "mendatang"):
        ahead = (weekday - reference.weekday()) % 7 or 7
        return DateValue(reference + dt.timedelta(days=ahead), "day")
    if rel == "ini":  # `Senin ini`: that day of the current week
        monday = reference - dt.timedelta(days=reference.weekday())
        return DateValue(monday + dt.timedelta(days=weekday), "day")
    back = (reference.weekday() - weekday) % 7
    if rel in ("lalu", "kemarin") and back == 0:
        back = 7
    return DateValue(reference - dt.timedelta(days=back), "day")


def _two_digit_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _value(family: str, groups: dict[str, str | None], reference: dt.date | None) -> DateValue | None:
    """The value of one matched expression, or None when unresolvable."""
    low = {k: (v.lower().strip() if isinstance(v, str) else v) for k, v in groups.items()}
    if family in ("full", "iso"):
        month = int(low["m"]) if low["m"].isdigit() else MONTHS[low["m"].rstrip(".")]
        day = _safe_date(int(low["y"]), month, int(low["d"]))
        return DateValue(day, "day") if day else None
    if family == "numeric":
        day = _safe_date(_two_digit_year(low["y"]), int(low["m"]), int(low["d"]))
        return DateValue(day, "day") if day else None
    if family == "day_range":
        month = MONTHS[low["m"].rstrip(".")]
        first_day, last_day = int(low["d1"]), int(low["d2"])
        if low["y"]:
            year = int(low["y"])
        elif reference is not None:
            closest = _closest_year(month, first_day, reference)
            year = closest.year if closest else reference.year
        else:
            return None
        first, last = _safe_date(year, month, first_day), _safe_date(year, month, last_day)
        return DateValue(first, "day", last) if first and last and last >= first else None
    if family in ("weekday_dm", "paren_dm", "day_month"):
        month = int(low["m"]) if low["m"].isdigit() else MONTHS[low["m"].rstrip(".")]
        if not (1 <= month <= 12 and 1 <= int(low["d"]) <= 31) or reference is None:
            return None
        rel = re.sub(r"\s+", " ", (low.get("rel") or "").strip())
        if rel.startswith("tahun "):
            year = reference.year + {"tahun lalu": -1, "tahun ini": 0, "tahun depan": 1}[rel]
            day = _safe_date(year, month, int(low["d"]))
        elif rel in ("lalu", "silam"):
            day = _safe_date(reference.year, month, int(low["d"]))
            if day and day > reference:
                day = _safe_date(reference.year - 1, month, int(low["d"]))
        elif rel in ("mendatang", "nanti"):
            day = _safe_date(reference.year, month, int(low["d"]))
            if day and day < reference:
                day = _safe_date(reference.year + 1, month, int(low["d"]))
        else:
            day = _closest_year(month, int(low["d"]), reference)
        return DateValue(day, "day") if day else None
    if family == "month_year":
        return DateValue(dt.date(int(low["y"]), MONTHS[low["m"].rstrip(".")], 1), "month")
    if family == "month":
        if reference is None:
            return None
        month = MONTHS[(low["m"] or low["m2"]).rstrip(".")]
        rel = re.sub(r"\s+", " ", (low["rel"] or "").strip())
        this_year = dt.date(reference.year, month, 1)
        if rel.startswith("tahun "):
            start = dt.date(reference.year + {"tahun lalu": -1, "tahun ini": 0, "tahun depan": 1}[rel], month, 1)
        elif rel in ("depan", "mendatang", "nanti"):
            start = this_year if month > reference.month else dt.date(reference.year + 1, month, 1)
        elif rel == "lalu":
            start = this_year if month <= reference.month else dt.date(reference.year - 1, month, 1)
        elif rel == "ini":
            start = this_year
        else:
            first = reference.replace(day=1)
            start = min(
                (dt.date(reference.year + k, month, 1) for k in (-1, 0, 1)),
                key=lambda d: (abs((d.year - first.year) * 12 + d.month - first.month), d > first),
            )
        return DateValue(start, "month")
    if family == "year_range":
        first, last = int(low["y1"]), int(low["y2"])
        if last < first:
            return None
        return DateValue(dt.date(first, 1, 1), "year", dt.date(last, 1, 1))
    if family == "decade":
        if low["short"]:
            start = 1900 + int(low["short"]) * 10
        else:
            start = int(low["c"]) * 100 + int(low["dd"]) * 10
        return DateValue(dt.date(start, 1, 1), "year", dt.date(start + 9, 1, 1))
    if family == "year":
        return DateValue(dt.date(int(low["y"]), 1, 1), "year")
    if reference is None:
        return None
    if family == "relative_ago":
        n = int(low["n"]) if low["n"].isdigit() else NUMBER_WORDS[low["n"]]
        sign = 1 if low["dir"] in ("kemudian", "mendatang", "lagi") else -1
        unit = low["unit"]
        if unit == "hari":
            return DateValue(reference + dt.timedelta(days=sign * n), "day")
        if unit in ("minggu", "pekan"):
            monday = reference - dt.timedelta(days=reference.weekday())
            return DateValue(monday + dt.timedelta(weeks=sign * n), "week")
        if unit == "bulan":
            return DateValue(_shift_month(reference, sign * n), "month")
        return DateValue(dt.date(reference.year + sign * n, 1, 1), "year")
    if family == "relative_unit":
        offset = {"lalu": -1, "kemarin": -1, "ini": 0, "depan": 1, "mendatang": 1}[low["rel"]]
        unit = low["unit"]
        if unit == "tahun":
            return DateValue(dt.date(reference.year + offset, 1, 1), "year")
        if unit == "bulan":
            return DateValue(_shift_month(reference, offset), "month")
        monday = reference - dt.timedelta(days=reference.weekday())
        return DateValue(monday + dt.timedelta(weeks=offset), "week")
    if family == "relative_day":
        word = re.sub(r"\s+", " ", low["word"])
        offset = {"hari ini": 0, "kemarin": -1, "kemarin lusa": -2, "besok": 1, "esok hari": 1, "lusa": 2}[word]
        return DateValue(reference + dt.timedelta(days=offset), "day")
    if family == "weekday":
        return _weekday_value(WEEKDAYS[low["wd"]], (low["rel"] or "").strip(), reference)
    if family == "weekday_week":
        offset = {"lalu": -1, "kemarin": -1, "ini": 0, "depan": 1, "mendatang": 1}[low["rel"]]
        monday = reference - dt.timedelta(days=reference.weekday()) + dt.timedelta(weeks=offset)
        return DateValue(monday + dt.timedelta(days=WEEKDAYS[low["wd"]]), "day")
    return None


def _accept(family: str, match: re.Match) -> bool:
    """Reject look-alikes: a lower-case bare weekday or `minggu` meaning week."""
    if family == "month" and match.group("m2"):
        # a bare month name needs a capital (`Mei`, not `mei` in a compound) and a preposition or `lalu`/`nanti`
        return match.group("m2")[0].isupper() and (match.group(0) != match.group("m2") or bool(match.group("rel")))
    if family == "weekday":
        word = match.group("wd")
        if match.group("hari"):
            return True
        # `minggu` in lower case is the noun 'week'; weekdays in news are capitalised.
        return word[0].isupper()
    if family == "paren_dm":
        return 1 <= int(match.group("m")) <= 12 and 1 <= int(match.group("d")) <= 31
    if family == "numeric" and match.group("sep") != "/" and len(match.group("y")) == 2:
        return False  # `1.2.24` is more often a version or a score than a date
    return True


def find_date_expressions(text: str, reference: dt.date | None = None) -> list[DateMention]:
    """Date expressions in text, longest first on overlap, in text order."""
    candidates: list[tuple[int, int, int, str, re.Match]] = []
    for family, pattern in _families_for(text):
        for match in pattern.finditer(text):
            if match.end() > match.start() and _accept(family, match):
                # `pada Juni` is matched with its preposition but reported without it
                start = match.start("m2") if family == "month" and match.group("m2") else match.start()
                candidates.append((start, match.end(), _FAMILY_RANK[family], family, match))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    taken: list[tuple[int, int]] = []
    chosen: list[DateMention] = []
    for start, end, _rank, family, match in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        value = _value(family, match.groupdict(), reference)
        chosen.append(DateMention(start, end, text[start:end], value))
    return sorted(chosen, key=lambda m: m.start)


def parse_date(text: str, reference: dt.date | None = None) -> DateValue | None:
    """The value of the single (longest) date expression in text, or None."""
    mentions = find_date_expressions(text, reference)
    if not mentions:
        return None
    return max(mentions, key=lambda m: m.end - m.start).value


_PUBLICATION_LINE = re.compile(
    rf"^\s*(?:(?:{_WEEKDAY_RE})\s*,?\s*)?"
    rf"(?P<date>\d{{1,2}}\s+{_MONTH_RE}\s*,?\s+{_YEAR_RE}|\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{4}}|{_YEAR_RE}-\d{{1,2}}-\d{{1,2}})"
    r"(?:\s*[,|\-–]?\s*(?:pukul\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:WIB|WITA|WIT|GMT|UTC)?(?:\s*[+-]\d{2}:?\d{2})?)?\s*$",
    re.IGNORECASE,
)


def parse_publication_date(line: str) -> dt.date | None:
    """The date of a standalone date line such as 'Senin, 31 Juli 2023 14:05 WIB'."""
    match = _PUBLICATION_LINE.match(line)
    if not match:
        return None
    value = parse_date(match.group("date"))
    return value.date if value and value.precision == "day" else None

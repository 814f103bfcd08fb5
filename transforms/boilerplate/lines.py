"""Line-level helpers: line keys and hashes, related-headline shapes, rule candidates and cuts within a line."""

from __future__ import annotations

import bisect
import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass

from transforms.boilerplate.params import RELATED_HEADLINE_MAX_CHARS
from transforms.boilerplate.rules import BoilerplateRules, Rule
from transforms.metadata import TITLE_SMALL_WORDS

_NORMALISE_DROP = re.compile(r"[\W_]+")
_COMMON_MARKS = ("“", "”", "‘", "’", "–", "—", "…", "«", "»", "•", "·", "\u00a0", "°")


_COMBINING = re.compile(r"[\u0300-\u036f]")
_ASCII_KEY = bytes.maketrans(string.punctuation.encode("ascii"), b" " * len(string.punctuation))


def normalise_line(line: str) -> str:
    """CCNet-style line key: lower case, accents and punctuation dropped, single spaces.

    Digits are kept: lines that differ only in a number (`Pertandingan ke-3 …`, a score, a one-line price
    report) are distinct lines, and counting them as one once removed distinct one-line articles.
    """
    return _line_key(line).decode("utf-8")


def _line_key(line: str) -> bytes:
    text = line.lower()
    if not text.isascii():
        for mark in _COMMON_MARKS:  # str.replace is far cheaper than a Unicode-aware regex on typical lines
            text = text.replace(mark, " ")
        if not text.isascii():
            text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
        if not text.isascii():
            return " ".join(_NORMALISE_DROP.sub(" ", text).split()).encode("utf-8")
    return b" ".join(text.encode("ascii").translate(_ASCII_KEY).split())


def line_hash(line: str) -> int:
    """Stable signed 64-bit hash of a line's normalised form (same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(_line_key(line), digest_size=8).digest(), "big", signed=True)


def looks_like_related_headline(line: str) -> bool:
    """True for a related-article headline line: short, no final full stop, no sentence break inside."""
    words = line.split()
    if not 1 <= len(words) <= 22 or len(line) > RELATED_HEADLINE_MAX_CHARS:
        return False
    end = line.rstrip("\"”’' ")
    if end.endswith((".", ",", ";", ":")) and not end.endswith("..."):
        return False
    if line[0] in '"“”' and line.count('"') + line.count("“") + line.count("”") == 1:
        return False  # an opened quotation: article text
    return re.search(r"[a-z0-9)][.!?][\"”]?\s+[A-Z\"“]", line) is None


# Words that open Indonesian sentences but rarely appear inside a headline.
SENTENCE_STARTERS = frozenset(
    "sementara namun tetapi menurut kemudian adapun selain sebelumnya sedangkan padahal apalagi diketahui dikatakan "
    "disebutkan dijelaskan tercatat ia dia mereka beliau yakni yaitu sehingga akibatnya selanjutnya sisanya selebihnya "
    "sayangnya untungnya rupanya".split()
)
_TOKEN = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?][\"”’]?\s+(?=[A-Z\"“])")


# A marker that points to a list or a site rather than to one headline.
_POINTER_MARKER = re.compile(r"(?i)\blain(?:nya)?\s+(?:di|dari)\s")

# Lower-case words that stay lower case inside a Title Case headline (`Pelatih dkk Puas`).
_HEADLINE_LOWER = frozenset({"dkk", "cs", "dll"})


def _is_lower_word(token: str) -> bool:
    core = token.lstrip("\"'“‘([")
    word = core.lower().rstrip(',.:;!?"”’)')
    return (
        bool(core) and core[0].isalpha() and core[0].islower() and word not in TITLE_SMALL_WORDS and word not in _HEADLINE_LOWER
    )


def _is_capital_word(token: str) -> bool:
    core = token.lstrip("\"'“‘([")
    return bool(core) and (core[0].isupper() or core[0].isdigit())


def headline_end(rest: str) -> int:
    """Offset in `rest` where a related-article headline glued into a line ends (0: not found)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(rest)]
    if not tokens:
        return 0
    for j in range(1, len(tokens)):
        previous = tokens[j - 1][2]
        word = tokens[j][2]
        if (
            j >= 2
            and _is_capital_word(word)
            and (word.rstrip(",").lower() in SENTENCE_STARTERS or (word.endswith("nya,") and word[0].isupper()))
        ):
            return tokens[j][0]
        if (
            previous[-1] in ".!?"
            and _is_capital_word(word)
            and not re.fullmatch(r"[A-Z][a-z]?\.|\d+\.|[A-Z](?:\.[A-Z])+\.?", previous)
        ):
            return tokens[j][0]
        if _is_lower_word(word):
            k = j - 1
            while k > 0 and not any(c.isalpha() for c in tokens[k][2]):
                k -= 1  # step back over numbers and dashes: "Menit 60 ' peluang", "Atlet - atlet"
            if tokens[k][2].lower().strip(",.:;") in TITLE_SMALL_WORDS and k > 0 and not _is_capital_word(tokens[k][2]):
                k -= 1
            if k >= 2 and _is_capital_word(tokens[k][2]):
                return tokens[k][0]
            break
    else:
        return len(rest) if len(rest) <= 200 else 0
    # A sentence-case headline: it ends where a capitalised word opens a clause after a lower-case word.
    for j in range(2, len(tokens) - 1):
        previous = tokens[j - 1][2]
        if (
            _is_capital_word(tokens[j][2])
            and (previous.isdigit() or (previous[-1].isalpha() and previous[0].islower()))
            and _is_lower_word(tokens[j + 1][2])
        ):
            return tokens[j][0]
    sentence = _SENTENCE_END.search(rest, 0, 200)
    if sentence is not None:
        return sentence.end()
    return len(rest) if len(rest) <= 170 else 0


@dataclass
class _Cut:
    start: int
    end: int
    rule: str


def _line_candidates(rules: BoilerplateRules, line: str, literal_hits) -> list[int]:
    """Indices of the rules whose triggers fire on this (stripped, non-empty) line, in priority order."""
    found = set(literal_hits)
    found.update(rules.start_triggers.get(line[0].lower(), ()), rules.end_triggers.get(line[-1].lower(), ()))
    if len(line) <= rules.params.untriggered_max_chars:
        found.update(rules.untriggered)
        if not line.isascii():
            found.update(rules.nonascii_rules)
    if "  " in line:
        return sorted(found)
    width, length = rules.width, len(line)
    return sorted(i for i in found if width[i] >= length)


def _literal_candidates(rules: BoilerplateRules, text: str, lines: list[str]) -> dict[int, set[int]]:
    """Line index -> rules whose literal triggers occur in it as whole words (one Aho–Corasick pass over the article)."""
    lowered = text.lower()
    starts, position = [], 0
    for line in lines:
        starts.append(position)
        position += len(line) + 1
    candidates: dict[int, set[int]] = {}
    last = len(lowered) - 1
    for end, (length, whole_start, whole_end, indices, widest) in rules.automaton.iter(lowered):
        start = end - length + 1
        if (whole_start and start > 0 and lowered[start - 1].isalnum()) or (
            whole_end and end < last and lowered[end + 1].isalnum()
        ):
            continue
        line_index = bisect.bisect_right(starts, end) - 1
        line = lines[line_index]
        if len(line) > widest and "  " not in line and len(line.strip()) > widest:
            continue  # a line too long for every rule this literal triggers
        candidates.setdefault(line_index, set()).update(indices)
    return candidates


def _match_line_rule(rules: BoilerplateRules, line: str, candidates: list[int], outlet_key: str | None, meta: dict) -> str | None:
    """Name of the first whole-line rule matching `line` (filling its metadata field), or None."""
    for index in candidates:
        rule = rules.rules[index]
        if rule.action != "line" or (rule.scope is not None and outlet_key not in rule.scope):
            continue
        match = rules.compiled[index].fullmatch(line)
        if match is not None:
            _take_field(meta, rule, match, index)
            return rule.name
    return None


def _take_field(meta: dict, rule: Rule, match: re.Match, index: int) -> None:
    if rule.field and meta.get(rule.field) is None:
        value = match.groupdict().get(f"v{index}")
        if value:
            meta[rule.field] = value.strip()


def _linkout_cut(line: str, match: re.Match, rule_name: str) -> _Cut | None:
    marker = match.group()
    start, marker_end = match.start(), match.end()
    if start > 0:
        # Mid-line, a marker must carry a colon or a bracket and follow a sentence end.
        if not (":" in marker or marker.lstrip()[:1] in "[(") or not re.search(r"[.!?\"”)\]]\s*$", line[:start]):
            return None
    opener = marker.lstrip()[:1]
    if opener in "[(":
        closer = "]" if opener == "[" else ")"
        close = line.find(closer, marker_end)
        return _Cut(start, close + 1 if close >= 0 else len(line), rule_name)
    rest = line[marker_end:]
    if not rest.strip():
        return _Cut(start, len(line), rule_name)
    if _POINTER_MARKER.search(marker):
        return _Cut(start, marker_end, rule_name)  # `Baca juga berita lainnya di Outlet.com`: no headline follows
    if start == 0 and len(rest) <= RELATED_HEADLINE_MAX_CHARS and looks_like_related_headline(rest.strip()):
        return _Cut(start, len(line), rule_name)  # the rest of the line is one headline, sentence case or not
    end = headline_end(rest)
    if end == 0:
        return _Cut(start, marker_end, rule_name) if ":" in marker else None
    return _Cut(start, marker_end + end, rule_name)


def _merge_cuts(cuts: list[_Cut]) -> list[_Cut]:
    cuts.sort(key=lambda c: (c.start, -c.end))
    merged = [cuts[0]]
    for cut in cuts[1:]:
        if cut.start < merged[-1].end:
            if cut.end > merged[-1].end:
                merged[-1] = _Cut(merged[-1].start, cut.end, merged[-1].rule)
            continue
        merged.append(cut)
    return merged


def _apply_cuts(line: str, cuts: list[_Cut]) -> str:
    parts, position = [], 0
    for cut in cuts:
        parts.append(line[position : cut.start])
        position = cut.end
    parts.append(line[position:])
    return " ".join(" ".join(parts).split())

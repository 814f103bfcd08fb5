"""Strip Indonesian news furniture from article text and move byline metadata out of the body.

Rules are data (`data/boilerplate/rules.tsv`, see its README); learned, per-outlet
furniture comes in as a frame built by `learn_boilerplate`. Every removed line or
span is returned in `removed_lines` with the rule that removed it.

Learned table (LEARNED_SCHEMA; one row per outlet and normalised line). The flow
keeps it across runs, so only lines that can still become furniture are remembered:
- lines of at most LEARNED_MAX_LINE_CHARS (300) characters: furniture is short;
- a line longer than LEARNED_SINGLETON_MAX_CHARS (120) only when at least two distinct
  articles of the batch hold it (most article paragraphs are unique and long);
- `merge_learned` keeps at most LEARNED_MAX_ROWS_PER_OUTLET rows per outlet, most
  distinct articles first and, among equals, the newer batch's rows: lines seen once and
  never again are the first to expire;
- link-out markers (`Jangan Lewatkan:` before a related headline of four words or more)
  are counted under the outlet key ALL_OUTLETS ("*"), pooled over every outlet, in their
  own hash namespace (`marker_hash`); once seen in LEARNED_MIN_ARTICLES distinct articles a
  marker removes such lines (rule `learned_linkout`) for every outlet.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import string
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import polars as pl
import pyarrow as pa

from transforms.metadata import (
    TITLE_SMALL_WORDS,
    Outlet,
    OutletMatcher,
    parse_header,
)

DEFAULT_RULES_DIR = Path(__file__).parents[1] / "data" / "boilerplate"
ACTIONS = ("line", "span", "tail", "linkout")
DUPLICATE_MIN_CHARS = 50  # shorter repeats (result rows, list items) can be legitimate
UNTRIGGERED_MAX_CHARS = 125  # rules without triggers, and `!ascii` rules, only see lines this short
RELATED_HEADLINE_MAX_CHARS = 170
LEARNED_MIN_ARTICLES = 5
LEARNED_MAX_FINGERPRINTS = 32
LEARNED_MAX_LINE_CHARS = 300
UNKNOWN_OUTLET = ""  # learned furniture of articles whose outlet is unknown is kept under this key
ALL_OUTLETS = "*"  # learned link-out markers (`Jangan Lewatkan:`) are pooled over every outlet under this key
LEARNED_SINGLETON_MAX_CHARS = 120  # a longer line is remembered only once two distinct articles of a batch hold it
LEARNED_MAX_ROWS_PER_OUTLET = 5000  # `merge_learned` keeps this many rows per outlet, most-seen (then newest) first
MARKER_MAX_CHARS = 30
MARKED_HEADLINE_MIN_WORDS = 4
FINGERPRINT_MIN_WORDS = 8
RELATED_HEADLINES_MAX = 3

CLEAN_SCHEMA = {
    "article_id": pl.String, "body": pl.String, "outlet": pl.String, "dateline": pl.String,
    "title": pl.String, "author": pl.String, "agency": pl.String, "date_line": pl.String,
}
REMOVED_SCHEMA = {"article_id": pl.String, "line_no": pl.Int64, "text": pl.String, "rule": pl.String, "kind": pl.String}
LEARNED_SCHEMA = {
    "outlet": pl.String, "line_hash": pl.Int64, "example_line": pl.String, "n_articles": pl.Int64,
    "n_lines_seen": pl.Int64, "article_fingerprints": pl.List(pl.Int64),
}


@dataclass(frozen=True)
class Rule:
    """One named furniture pattern with its scope and action."""

    name: str
    family: str
    scope: frozenset[str] | None  # None: every outlet
    action: str
    field: str | None
    triggers: tuple[str, ...]
    pattern: str
    max_chars: int | None = None  # `line` rules: the longest stripped line the pattern can match (None: any)


class BoilerplateRules:
    """The compiled rule library and known outlets; picklable (recompiled on unpickle)."""

    def __init__(self, rules: list[Rule], outlets: list[Outlet]):
        self.rules = rules
        self.outlets = outlets
        self.matcher = OutletMatcher(outlets)
        self.compiled = [re.compile(_rename_value_group(r.pattern, i)) for i, r in enumerate(rules)]
        self.tail_compiled = [
            re.compile(f"(?:{_rename_value_group(r.pattern, i)})\\s*$") if r.action == "tail" else None
            for i, r in enumerate(rules)
        ]
        # Every rule is gated by cheap triggers, so most article lines never meet a regex: literals through one
        # Aho–Corasick pass over the article, `^x`/`$x` on a line's first/last char, `!ascii` on short
        # non-ASCII lines. A `line` rule is also gated by the longest line it can match (`max_chars`).
        self.width = tuple(r.max_chars if r.action == "line" and r.max_chars is not None else _UNBOUNDED for r in rules)
        self.untriggered = tuple(i for i, r in enumerate(rules) if not r.triggers)
        self.start_triggers: dict[str, tuple[int, ...]] = {}
        self.end_triggers: dict[str, tuple[int, ...]] = {}
        self.nonascii_rules: tuple[int, ...] = ()
        by_literal: dict[str, list[int]] = {}
        for i, r in enumerate(rules):
            for trigger in r.triggers:
                if trigger == "!ascii":
                    self.nonascii_rules += (i,)
                elif trigger[0] in "^$" and len(trigger) == 2:
                    table = self.start_triggers if trigger[0] == "^" else self.end_triggers
                    table[trigger[1]] = table.get(trigger[1], ()) + (i,)
                else:
                    by_literal.setdefault(trigger, []).append(i)
        # The longest line any rule of a first/last-char trigger can match: longer lines skip the trigger.
        self.start_width = {c: max(self.width[i] for i in ix) for c, ix in self.start_triggers.items()}
        self.end_width = {c: max(self.width[i] for i in ix) for c, ix in self.end_triggers.items()}
        self.automaton = ahocorasick.Automaton()
        for literal, indices in by_literal.items():
            # A literal matches as a whole word (`tag` not in `tagihan`); a trailing `*` makes it a prefix (`advert*`).
            word = literal.rstrip("*")
            widest = max(self.width[i] for i in indices)
            self.automaton.add_word(word, (len(word), word[0].isalnum(), word[-1].isalnum() and not literal.endswith("*"), tuple(indices), widest))
        self.automaton.make_automaton()

    def __reduce__(self):
        return (BoilerplateRules, (self.rules, self.outlets))


_UNBOUNDED = 1 << 30
# Whitespace repeats (`\s*`, `[\s,]+`) count as at most 3 characters when a line rule's width is computed;
# lines holding a longer whitespace run are never gated by width.
_SPACE_REPEAT = re.compile(r"(\\s|\[[^\]]*\\s[^\]]*\])([*+])")
_LONG_SPACE = re.compile(r"\s{4}")


def pattern_max_chars(pattern: str) -> int | None:
    """The longest text `pattern` can match (whitespace runs counted as <= 3 characters), or None if unbounded."""
    bounded = _SPACE_REPEAT.sub(lambda m: m.group(1) + ("{0,3}" if m.group(2) == "*" else "{1,3}"), pattern)
    width = re._parser.parse(bounded).getwidth()[1]
    return None if width >= re._constants.MAXREPEAT else width


def _rename_value_group(pattern: str, index: int) -> str:
    return pattern.replace("(?P<value>", f"(?P<v{index}>")


def _read_tsv(path: Path) -> list[dict[str, str]]:
    rows = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if row and not row.startswith("#")]
    header = rows[0].split("\t")
    records = []
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{path.name}: expected {len(header)} columns, got {len(cells)}: {row[:80]}")
        records.append(dict(zip(header, cells)))
    return records


def load_rules(path: Path | None = None) -> BoilerplateRules:
    """Read the rule library (`rules.tsv`, `outlets.tsv`) from a directory, by default the packaged one."""
    directory = Path(path) if path is not None else DEFAULT_RULES_DIR
    rules = []
    for row in _read_tsv(directory / "rules.tsv"):
        if row["action"] not in ACTIONS:
            raise ValueError(f"rule {row['name']}: unknown action {row['action']!r}")
        scope = None if row["scope"] in ("", "*") else frozenset(s.strip() for s in row["scope"].split(","))
        triggers = tuple(t.strip().lower() for t in row["triggers"].split(",") if t.strip() and t.strip() != "-")
        try:
            re.compile(row["pattern"])
        except re.error as error:
            raise ValueError(f"rule {row['name']}: bad pattern: {error}") from error
        max_chars = row.get("max_chars") or None
        max_chars = int(max_chars) if max_chars not in (None, "-") else pattern_max_chars(row["pattern"])
        rules.append(Rule(row["name"], row["family"], scope, row["action"], row["field"] or None, triggers, row["pattern"], max_chars))
    outlets = [Outlet(row["outlet"], row["key"], row["pattern"]) for row in _read_tsv(directory / "outlets.tsv")]
    return BoilerplateRules(rules, outlets)


# ---------------------------------------------------------------- line helpers

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
    if line[0] in "\"“”" and line.count("\"") + line.count("“") + line.count("”") == 1:
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


def _is_lower_word(token: str) -> bool:
    core = token.lstrip("\"'“‘([")
    return bool(core) and core[0].isalpha() and core[0].islower() and core.lower().rstrip(",.:;!?\"”’)") not in TITLE_SMALL_WORDS


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
        if j >= 2 and _is_capital_word(word) and (
            word.rstrip(",").lower() in SENTENCE_STARTERS or (word.endswith("nya,") and word[0].isupper())
        ):
            return tokens[j][0]
        if previous[-1] in ".!?" and _is_capital_word(word) and not re.fullmatch(r"[A-Z][a-z]?\.|\d+\.|[A-Z](?:\.[A-Z])+\.?", previous):
            return tokens[j][0]
        if _is_lower_word(word):
            k = j - 1
            while k > 0 and not any(c.isalpha() for c in tokens[k][2]):
                k -= 1  # step back over numbers and dashes: "Menit 60 ' peluang", "Atlet - atlet"
            if tokens[k][2].lower().strip(",.:;") in TITLE_SMALL_WORDS and k > 0:
                k -= 1
            if k >= 2 and _is_capital_word(tokens[k][2]):
                return tokens[k][0]
            break
    else:
        return len(rest) if len(rest) <= 200 else 0
    # A sentence-case headline: it ends where a capitalised word opens a clause after a lower-case word.
    for j in range(2, len(tokens) - 1):
        previous = tokens[j - 1][2]
        if (_is_capital_word(tokens[j][2]) and (previous.isdigit() or (previous[-1].isalpha() and previous[0].islower()))
                and _is_lower_word(tokens[j + 1][2])):
            return tokens[j][0]
    sentence = _SENTENCE_END.search(rest, 0, 200)
    if sentence is not None:
        return sentence.end()
    return len(rest) if len(rest) <= 170 else 0


# ---------------------------------------------------------------- cleaning one article


@dataclass
class _Cut:
    start: int
    end: int
    rule: str


def _clean_one(text: str, outlet_hint: str | None, rules: BoilerplateRules, learned: dict[str, "_LearnedFurniture"]):
    """Clean one article: (body, metadata dict, removed records [(line_no, text, rule, kind)])."""
    lines = text.split("\n")
    header = parse_header(lines, rules.matcher, outlet_hint)
    hinted = rules.matcher.from_hint(header.outlet) or rules.matcher.from_hint(outlet_hint)
    outlet_key = hinted.key if hinted else None
    meta = {"outlet": header.outlet, "dateline": header.dateline, "title": header.title,
            "author": None, "agency": header.agency, "date_line": header.date_line}
    rule_list = rules.rules
    compiled = rules.compiled

    candidates = _literal_candidates(rules, text, lines)

    learned_furniture = learned.get(header.outlet or UNKNOWN_OUTLET) if learned else None
    learned_markers = learned.get(ALL_OUTLETS) if learned else None
    removed: list[tuple[int, str, str, str]] = []
    kept: list[str] = []
    seen_lines: set[str] = set()
    pending_linkout: str | None = None
    pending_count = 0

    header_lines = header.removed_lines.keys() | header.prefix_cuts.keys()
    start_triggers, end_triggers, nonascii_rules = rules.start_triggers, rules.end_triggers, rules.nonascii_rules
    if "  " not in text:
        start_width, end_width = rules.start_width, rules.end_width
    else:  # whitespace runs: no gating by width (see `pattern_max_chars`)
        start_width = dict.fromkeys(start_triggers, _UNBOUNDED)
        end_width = dict.fromkeys(end_triggers, _UNBOUNDED)
    untriggered = rules.untriggered
    for i, raw in enumerate(lines):
        if not raw:
            if kept and kept[-1]:
                kept.append("")  # one blank line between paragraphs, however many were removed
            continue
        line_no = i + 1
        if i in header_lines:
            if i in header.removed_lines:
                rule_name = header.removed_lines[i]
                if rule_name == "metadata.title":
                    # A first line that is furniture (a photo caption, a promo) is no title.
                    furniture = _match_line_rule(rules, raw.strip(), _line_candidates(rules, raw.strip(), candidates.get(i, ())), outlet_key, meta)
                    if furniture is not None:
                        rule_name, meta["title"] = furniture, None
                removed.append((line_no, raw.strip(), rule_name, "line"))
                continue
            prefix_cuts = header.prefix_cuts[i]
            for start, end, rule in prefix_cuts:
                removed.append((line_no, raw[start:end].strip(), rule, "inline"))
            stripped = raw[prefix_cuts[-1][1]:].strip()
            if not stripped:
                continue
        else:
            stripped = raw.strip()
            if not stripped:
                if kept and kept[-1]:
                    kept.append("")
                continue
            length = len(stripped)
            short_nonascii = length <= UNTRIGGERED_MAX_CHARS and not stripped.isascii()
            first, last = stripped[0].lower(), stripped[-1].lower()
            if (i not in candidates and (first not in start_triggers or length > start_width[first])
                    and (last not in end_triggers or length > end_width[last])
                    and not (short_nonascii and nonascii_rules) and not (untriggered and length <= UNTRIGGERED_MAX_CHARS)
                    and (pending_linkout is None or length > RELATED_HEADLINE_MAX_CHARS)):
                # Fast path: a line no rule can touch (most article paragraphs).
                pending_linkout = None
                linkout = _learned_linkout(stripped, learned_markers) if learned_markers and ":" in stripped[:MARKER_MAX_CHARS + 1] else None
                if linkout is not None:
                    removed.append((line_no, stripped, "learned_linkout", "line"))
                    if linkout == "bare":
                        pending_linkout, pending_count = "learned_linkout", 0
                elif learned_furniture is not None and stripped in learned_furniture:
                    removed.append((line_no, stripped, "learned", "line"))
                elif length >= DUPLICATE_MIN_CHARS and stripped in seen_lines:
                    removed.append((line_no, stripped, "duplicate_line", "line"))
                else:
                    seen_lines.add(stripped)
                    kept.append(stripped)
                continue
        cuts: list[_Cut] = []

        line_candidates = _line_candidates(rules, stripped, candidates.get(i, ()))
        rule_name = _match_line_rule(rules, stripped, line_candidates, outlet_key, meta)
        if rule_name is not None:
            removed.append((line_no, stripped, rule_name, "line"))
            if rule_name.startswith("linkout") or rule_name == "editors_pick":
                pending_linkout, pending_count = rule_name, 0
            continue

        # Inline spans, tails and link-outs.
        line_had_marker_end = None
        for index in line_candidates:
            rule = rule_list[index]
            if rule.action == "line" or (rule.scope is not None and outlet_key not in rule.scope):
                continue
            if rule.action == "span":
                cuts.extend(_Cut(m.start(), m.end(), rule.name) for m in compiled[index].finditer(stripped))
            elif rule.action == "tail":
                window = max(0, len(stripped) - 400)
                match = rules.tail_compiled[index].search(stripped, window)
                if match is not None:
                    cuts.append(_Cut(match.start(), len(stripped), rule.name))
                    _take_field(meta, rule, match, index)
            else:
                for match in compiled[index].finditer(stripped):
                    cut = _linkout_cut(stripped, match, rule.name)
                    if cut is not None:
                        cuts.append(cut)
                        if cut.end >= len(stripped.rstrip()):
                            line_had_marker_end = rule.name if cut.end - match.end() <= 1 else line_had_marker_end

        if cuts:
            cuts = _merge_cuts(cuts)
            remainder = _apply_cuts(stripped, cuts)
            if not re.search(r"\w", remainder):
                removed.append((line_no, stripped, cuts[0].rule, "line"))
                if line_had_marker_end:
                    pending_linkout, pending_count = line_had_marker_end, 0
                continue
            for cut in cuts:
                removed.append((line_no, stripped[cut.start:cut.end].strip(), cut.rule, "inline"))
            stripped = remainder
            if line_had_marker_end:
                pending_linkout, pending_count = line_had_marker_end, 0
                kept.append(stripped)
                continue

        if pending_linkout is not None:
            if pending_count < RELATED_HEADLINES_MAX and looks_like_related_headline(stripped):
                removed.append((line_no, stripped, pending_linkout, "line"))
                pending_count += 1
                continue
            pending_linkout = None

        if learned_markers and ":" in stripped[:MARKER_MAX_CHARS + 1]:
            linkout = _learned_linkout(stripped, learned_markers)
            if linkout is not None:
                removed.append((line_no, stripped, "learned_linkout", "line"))
                if linkout == "bare":
                    pending_linkout, pending_count = "learned_linkout", 0
                continue
        if learned_furniture is not None and stripped in learned_furniture:
            removed.append((line_no, stripped, "learned", "line"))
            continue
        if len(stripped) >= DUPLICATE_MIN_CHARS:
            if stripped in seen_lines:  # the normaliser already unified spaces
                removed.append((line_no, stripped, "duplicate_line", "line"))
                continue
            seen_lines.add(stripped)
        kept.append(stripped)

    while kept and not kept[-1]:
        kept.pop()
    if not kept and learned_furniture is not None:
        # Learned furniture never takes an article's only text: a one-line article is not its outlet's furniture.
        restored = [record for record in removed if record[2] == "learned"]
        if restored:
            removed = [record for record in removed if record[2] != "learned"]
            kept = [record[1] for record in restored]
    body = "\n".join(kept)
    return body, meta, removed


def _line_candidates(rules: BoilerplateRules, line: str, literal_hits) -> list[int]:
    """Indices of the rules whose triggers fire on this (stripped, non-empty) line, in priority order."""
    found = set(literal_hits)
    found.update(rules.start_triggers.get(line[0].lower(), ()), rules.end_triggers.get(line[-1].lower(), ()))
    if len(line) <= UNTRIGGERED_MAX_CHARS:
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
        if (whole_start and start > 0 and lowered[start - 1].isalnum()) or (whole_end and end < last and lowered[end + 1].isalnum()):
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
        parts.append(line[position:cut.start])
        position = cut.end
    parts.append(line[position:])
    return " ".join(" ".join(parts).split())


def _first_token(line: str) -> bytes:
    head = _line_key(line[:48]).split(None, 1)
    return head[0] if head else b""


class _LearnedFurniture:
    """One outlet's learned furniture: line hashes, with their first words as a cheap prefilter."""

    def __init__(self, examples: list[str], hashes: list[int]):
        self.first_tokens = {_first_token(line) for line in examples}
        self.hashes = set(hashes)

    def __contains__(self, line: str) -> bool:
        return (len(line) <= LEARNED_MAX_LINE_CHARS and _first_token(line) in self.first_tokens
                and line_hash(line) in self.hashes)


# A link-out marker: one to three words, the first capitalised, then a colon (`Jangan Lewatkan:`, `Berita Lainnya:`).
_MARKER_SHAPE = re.compile(r"[A-Z][A-Za-z']*(?: [A-Za-z][A-Za-z']*){0,2}")
_MARKER_KEY = "\x00marker "  # a namespace no article line normalises into


def split_marker(line: str) -> tuple[str, str] | None:
    """(marker, rest) when `line` opens with a link-out-shaped marker and a colon, else None."""
    colon = line.find(":", 0, MARKER_MAX_CHARS + 1)
    if colon < 3:
        return None
    marker = line[:colon].rstrip()
    if _MARKER_SHAPE.fullmatch(marker) is None:
        return None
    return marker, line[colon + 1:].strip()


def _is_marked_headline(rest: str) -> bool:
    """What may follow a learned marker: a related-article headline, not a question.

    At least four words: recurring labels before a name (`Pelatih: Rahmad Darmawan`, `Wasit: …`) are article text.
    """
    return rest.count(" ") >= MARKED_HEADLINE_MIN_WORDS - 1 and not rest.endswith("?") and looks_like_related_headline(rest)


def marker_hash(marker: str) -> int:
    """`line_hash` of a link-out marker, in a namespace of its own."""
    return line_hash(_MARKER_KEY + marker)


def _learned_index(learned: pl.DataFrame | None, min_articles: int) -> dict[str, _LearnedFurniture]:
    if learned is None or learned.height == 0:
        return {}
    furniture = learned.filter(pl.col("n_articles") >= min_articles)
    grouped = furniture.group_by("outlet").agg(pl.col("example_line"), pl.col("line_hash"))
    index = {outlet: _LearnedFurniture(examples, hashes) for outlet, examples, hashes in grouped.iter_rows()}
    markers = index.pop(ALL_OUTLETS, None)
    if markers is not None:
        index[ALL_OUTLETS] = markers.hashes  # type: ignore[assignment]  # marker hashes only
    return index


def _learned_linkout(line: str, markers: set[int]) -> str | None:
    """'line' when `line` is a learned marker with a headline, 'bare' when it is the marker alone, else None."""
    split = split_marker(line)
    if split is None or marker_hash(split[0]) not in markers:
        return None
    if not split[1]:
        return "bare"
    return "line" if _is_marked_headline(split[1]) else None


def clean_articles(
    articles: pl.DataFrame,
    rules: BoilerplateRules,
    learned: pl.DataFrame | None = None,
    learned_min_articles: int = LEARNED_MIN_ARTICLES,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Strip furniture and byline metadata from `article_id, text, outlet_hint`; return (clean, removed_lines)."""
    learned_index = _learned_index(learned, learned_min_articles)
    hints = articles["outlet_hint"].to_list() if "outlet_hint" in articles.columns else [None] * articles.height
    clean_rows = {name: [] for name in CLEAN_SCHEMA}
    removed_rows = {name: [] for name in REMOVED_SCHEMA}
    for article_id, text, hint in zip(articles["article_id"].to_list(), articles["text"].to_list(), hints):
        body, meta, removed = _clean_one(text or "", hint, rules, learned_index)
        clean_rows["article_id"].append(article_id)
        clean_rows["body"].append(body)
        for name in ("outlet", "dateline", "title", "author", "agency", "date_line"):
            clean_rows[name].append(meta[name])
        for line_no, removed_text, rule, kind in removed:
            removed_rows["article_id"].append(article_id)
            removed_rows["line_no"].append(line_no)
            removed_rows["text"].append(removed_text)
            removed_rows["rule"].append(rule)
            removed_rows["kind"].append(kind)
    return pl.DataFrame(clean_rows, schema=CLEAN_SCHEMA), pl.DataFrame(removed_rows, schema=REMOVED_SCHEMA)


# ---------------------------------------------------------------- learned boilerplate


def _raw_hash(line: str) -> int:
    """Stable hash of a line's exact text, for article fingerprints (CRC-32: cheap, and only ever compared for equality)."""
    return zlib.crc32(line.encode("utf-8"))


def learn_boilerplate(
    clean: pl.DataFrame,
    learned: pl.DataFrame | None = None,
    max_fingerprints: int = LEARNED_MAX_FINGERPRINTS,
    max_line_chars: int = LEARNED_MAX_LINE_CHARS,
    min_articles_to_keep: int = 1,
) -> pl.DataFrame:
    """Grow the per-outlet recurring-line table from clean bodies (`outlet, body`); copies of one article count once.

    `n_articles` counts distinct article fingerprints (up to `max_fingerprints`). Only lines worth remembering
    become rows (see the module docstring): at most `max_line_chars` long, and a line longer than
    LEARNED_SINGLETON_MAX_CHARS only when two distinct articles of the batch hold it. Link-out markers
    (`Jangan Lewatkan:` before a headline) are counted under ALL_OUTLETS. `min_articles_to_keep` > 1 also
    drops lines seen in fewer distinct articles.
    """
    # (outlet, exact line) -> [fingerprints, times seen]; hashing waits until the batch's repeats are known.
    state: dict[tuple[str, str], list] = {}
    for outlet, body in clean.select("outlet", "body").iter_rows():
        if not body:
            continue
        outlet = outlet or UNKNOWN_OUTLET
        lines = {line.strip() for line in body.split("\n")}
        lines.discard("")
        # The two smallest hashes of the article's other long lines fingerprint "the rest of the article": copies
        # share it; a pair, because one long furniture line (a slogan) may be every article's smallest.
        long_hashes = sorted((_raw_hash(line), line) for line in lines if line.count(" ") >= FINGERPRINT_MIN_WORDS - 1)[:3]
        for line in lines:
            if len(line) > max_line_chars:
                continue  # furniture is short; long paragraphs would only bloat the table
            others = [h for h, other in long_hashes if other != line][:2]
            fingerprint = (others[0] << 31) ^ others[-1] if others else _raw_hash(line)
            keys = [(outlet, line)]
            if ":" in line[:MARKER_MAX_CHARS + 1]:
                split = split_marker(line)
                if split is not None and split[1] and _is_marked_headline(split[1]):
                    keys.append((ALL_OUTLETS, split[0] + ":"))
            for key in keys:
                entry = state.get(key)
                if entry is None:
                    state[key] = [[fingerprint], 1]
                    continue
                entry[1] += 1
                if fingerprint not in entry[0] and len(entry[0]) < max_fingerprints:
                    entry[0].append(fingerprint)
    rows: dict[tuple[str, int], tuple] = {}
    for (outlet, line), (fingerprints, seen) in state.items():
        if len(fingerprints) < 2 and len(line) > LEARNED_SINGLETON_MAX_CHARS:
            continue
        h = marker_hash(line[:-1]) if outlet == ALL_OUTLETS else line_hash(line)
        known = rows.get((outlet, h))
        if known is not None:  # lines that differ only in case, punctuation or digits
            fingerprints = list(dict.fromkeys(known[5] + fingerprints))[:max_fingerprints]
            seen += known[4]
            line = known[2]
        rows[(outlet, h)] = (outlet, h, line, len(fingerprints), seen, fingerprints)
    batch = _learned_frame(list(rows.values()))
    if learned is None and min_articles_to_keep <= 1:
        return batch.sort("outlet", "line_hash")
    return merge_learned(learned, batch, max_fingerprints, min_articles_to_keep)


def _learned_frame(rows: list[tuple]) -> pl.DataFrame:
    columns = list(zip(*rows)) or [()] * len(LEARNED_SCHEMA)
    *scalars, fingerprints = columns
    # The list column goes through Arrow offsets: building it row by row in polars is ~10x slower.
    offsets = [0]
    for item in fingerprints:
        offsets.append(offsets[-1] + len(item))
    flat = [x for item in fingerprints for x in item]
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(flat, pa.int64()))
    frame = {name: pl.Series(name, list(values), dtype=dtype) for (name, dtype), values in zip(LEARNED_SCHEMA.items(), scalars)}
    frame["article_fingerprints"] = pl.Series("article_fingerprints", lists, dtype=LEARNED_SCHEMA["article_fingerprints"])
    return pl.DataFrame(frame)


def merge_learned(
    learned: pl.DataFrame | None,
    batch: pl.DataFrame,
    max_fingerprints: int = LEARNED_MAX_FINGERPRINTS,
    min_articles_to_keep: int = 1,
    max_rows_per_outlet: int = LEARNED_MAX_ROWS_PER_OUTLET,
) -> pl.DataFrame:
    """Fold one batch's learned lines into the table; per outlet keep the most-seen rows, the batch's first on ties."""
    frames = [f.select(list(LEARNED_SCHEMA)).with_columns(part=pl.lit(part, pl.Int8))
              for part, f in enumerate((learned, batch)) if f is not None]
    merged = (
        pl.concat(frames)
        .group_by("outlet", "line_hash", maintain_order=True)
        .agg(
            pl.col("example_line").first(),
            pl.col("n_lines_seen").sum(),
            pl.col("article_fingerprints").list.explode(keep_nulls=False, empty_as_null=False)
            .unique(maintain_order=True).head(max_fingerprints),
            pl.col("part").max(),
        )
        .with_columns(pl.col("article_fingerprints").list.len().cast(pl.Int64).alias("n_articles"))
        .filter(pl.col("n_articles") >= min_articles_to_keep)
        # Bounded: lines seen once (and never again) are the first to go when an outlet's share is full.
        .sort(["outlet", "n_articles", "part", "line_hash"], descending=[False, True, True, False])
        .filter(pl.int_range(pl.len()).over("outlet") < max_rows_per_outlet)
    )
    return merged.select(list(LEARNED_SCHEMA)).sort("outlet", "line_hash")


def clean_and_learn(
    articles: pl.DataFrame,
    rules: BoilerplateRules,
    learned: pl.DataFrame | None = None,
    learned_min_articles: int = LEARNED_MIN_ARTICLES,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Clean a batch, grow the learned table with it, and re-clean the articles holding furniture it just learned."""
    clean, removed, _, grown = _clean_count_and_grow(articles, rules, learned, learned_min_articles)
    return clean, removed, grown


def clean_and_count(
    articles: pl.DataFrame,
    rules: BoilerplateRules,
    learned: pl.DataFrame | None = None,
    learned_min_articles: int = LEARNED_MIN_ARTICLES,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """As `clean_and_learn`, but return this batch's own line counts instead of the grown table.

    The flow's workers use it: the writer folds each batch's counts into the warehouse's table at publish.
    """
    clean, removed, batch, _ = _clean_count_and_grow(articles, rules, learned, learned_min_articles)
    return clean, removed, batch


def _clean_count_and_grow(
    articles: pl.DataFrame, rules: BoilerplateRules, learned: pl.DataFrame | None, learned_min_articles: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(clean, removed, the batch's line counts, the learned table grown by them)."""
    clean, removed = clean_articles(articles, rules, learned, learned_min_articles)
    batch = learn_boilerplate(clean)
    grown = batch if learned is None else merge_learned(learned, batch)
    known = set() if learned is None else set(learned.filter(pl.col("n_articles") >= learned_min_articles).select("outlet", "line_hash").iter_rows())
    newly = grown.filter(pl.col("n_articles") >= learned_min_articles)
    newly = newly.filter([row not in known for row in newly.select("outlet", "line_hash").iter_rows()])
    if newly.height == 0:
        return clean, removed, batch, grown
    fresh = _learned_index(newly, learned_min_articles)
    touched = []
    for article_id, outlet, body in clean.select("article_id", "outlet", "body").iter_rows():
        furniture = fresh.get(outlet or UNKNOWN_OUTLET)
        if furniture is not None and any(line in furniture for line in body.split("\n") if line):
            touched.append(article_id)
    again = articles.filter(pl.col("article_id").is_in(touched))
    clean_again, removed_again = clean_articles(again, rules, grown, learned_min_articles)
    clean = pl.concat([clean.filter(~pl.col("article_id").is_in(touched)), clean_again])
    removed = pl.concat([removed.filter(~pl.col("article_id").is_in(touched)), removed_again])
    order = articles.select("article_id").with_row_index("_order")
    clean = clean.join(order, on="article_id").sort("_order").drop("_order")
    removed = removed.join(order, on="article_id").sort("_order", "line_no", maintain_order=True).drop("_order")
    return clean, removed, batch, grown


# ---------------------------------------------------------------- the two-pass API a run uses


def count_lines(documents: pl.DataFrame, rules: BoilerplateRules) -> pl.DataFrame:
    """Pass 1 (pure, per batch): this batch's recurring-line counts in LEARNED_SCHEMA.

    `documents`: article_id, text (normalised), outlet_hint. Lines are counted in the rule-cleaned bodies;
    syndicated copies count once. Fold the batches' counts with `merge_learned`.
    """
    rule_clean, _ = clean_articles(documents, rules)
    return learn_boilerplate(rule_clean)


def furniture_of(learned: pl.DataFrame | None, min_articles: int = LEARNED_MIN_ARTICLES) -> pl.DataFrame:
    """The furniture snapshot of a learned table: rows seen in at least `min_articles` distinct articles."""
    if learned is None:
        return _learned_frame([])
    return learned.select(list(LEARNED_SCHEMA)).filter(pl.col("n_articles") >= min_articles).sort("outlet", "line_hash")


def clean(
    documents: pl.DataFrame, rules: BoilerplateRules, furniture: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pass 2 (pure, per batch): strip rule and learned furniture; return (clean, removed_lines). Never learns.

    `furniture` is one snapshot (`furniture_of`) given to every batch of a run, so the bodies do not depend on
    workers, batch size or commit units.
    """
    return clean_articles(documents, rules, furniture, learned_min_articles=0)

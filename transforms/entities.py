"""Entities: PERSON / ORGANIZATION / LOCATION mentions in clean bodies, linked to canonical rows."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from transforms.ner_features import (
    FUNCTION_WORDS,
    ORG_HEADS,
    PERSON_CUES,
    QUOTES,
    SENTENCE_END,
    TOKEN_RE,
    FeatureCache,
)
from transforms.ner_model import TABLE_LIMIT, CrfModel, TokenScores
from transforms.ner_gazetteer import (
    LONG_TYPE,
    SHORT_TYPE,
    Gazetteer,
    GazetteerEntry,
    entity_id_for,
    parse_gazetteer_lines,
)

DATA_DIR = Path(__file__).parents[1] / "data"
MODEL_FILE = "ner-crf-weights.tsv"
CAPITALISATION_FILE = "capitalisation.tsv"
NERP_LEXICON_FILE = "nerp-lexicon.tsv"

MENTION_SCHEMA = {
    "article_id": pl.String,
    "entity_id": pl.String,
    "surface": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "type": pl.String,
}
ENTITY_SCHEMA = {
    "entity_id": pl.String,
    "name": pl.String,
    "type": pl.String,
    "subtype": pl.String,
    "wikidata_id": pl.String,
    "aliases": pl.List(pl.String),
}

# Titles and roles that the model sometimes glues onto a person; never part of the span.
TITLE_TOKENS = frozenset(
    """
    Presiden Wapres Menlu Menhan Menteri Pemimpin Juru Bicara Jubir Kepala Ketua Wakil Direktur
    Gubernur Bupati Walikota Wali Kota Jenderal Letjen Mayjen Brigjen Kolonel Perdana Raja Ratu
    Pangeran Sekjen Sekretaris Duta Besar Dubes Analis Profesor Prof Dr Pak Bu Bapak Ibu Mantan
    Almarhum Senator Panglima Komandan Kapolri Kapolda Pertahanan Luar Negeri Tertinggi Tuan Nyonya
    presiden menteri pemimpin juru bicara
    """.split()
)
# Words that a span must not end with (`Korea Utara dan` is not a name).
CONNECTORS = frozenset({"dan", "di", "ke", "dari", "yang", "untuk", "&", ",", "-", "–", "of", "the", "and"})
# Lowercase words allowed inside a name (`Forum Pertahanan dan Keamanan Korea`, `Bashar al-Assad`).
NAME_JOINERS = frozenset({"dan", "of", "and", "the", "de", "da", "van", "von", "der", "den", "la", "le",
                          "al", "el", "bin", "binti", "ibn", "bte", "untuk", "y", "du", "di"})
HYPHEN_PREFIXES = ("anti-", "pro-", "pasca-", "pra-", "non-", "antar-", "eks-", "neo-")
NOT_NAMES = frozenset({"COVID", "COVID-19", "Covid", "Covid-19", "SARS", "MERS", "HIV", "AIDS", "PDB", "WIB"})
# Compass words alone are not places (`melawan Barat`, `Korea Utara dan Selatan`).
COMPASS_WORDS = frozenset({"Utara", "Selatan", "Barat", "Timur", "Tengah", "Tenggara", "Barat Daya", "Timur Laut"})


@dataclass
class EntityResources:
    """Gazetteer, lexicons and CRF weights; the token table is per process."""

    gazetteer: Gazetteer
    model: CrfModel
    cap_ratio: dict[str, float]
    lexicon_tags: dict[str, str]
    # How a gazetteer name the model labelled O is reported (see GAZETTEER_POLICIES); `all`
    # follows the seed annotation guideline (every country is a LOCATION, whatever its role).
    gazetteer_policy: str = "all"
    _tokens: TokenTable | None = field(default=None, repr=False)

    def __getstate__(self) -> dict:
        # The token table is per process: a worker rebuilds it, so pickles stay small.
        state = dict(self.__dict__)
        state["_tokens"] = None
        return state

    def clear_caches(self) -> None:
        """Forget the token table (benchmarks use it to time a cold start)."""
        self._tokens = None

    @property
    def tokens(self) -> TokenTable:
        """Token rows with CRF scores and rule flags (grows with the vocabulary seen by this process)."""
        if self._tokens is None:
            features = FeatureCache(self.gazetteer.token_types, self.cap_ratio, self.lexicon_tags)
            self._tokens = TokenTable(TokenScores(self.model), features, self.gazetteer, self.cap_ratio)
        return self._tokens


def read_gazetteer(data_dir: Path = DATA_DIR, extra_gazetteer: str | Path | None = None) -> Gazetteer:
    """All `data/gazetteer/*.tsv` files (sorted), then the user's extra file, as one Gazetteer."""
    entries: list[GazetteerEntry] = []
    for path in sorted((data_dir / "gazetteer").glob("*.tsv")):
        entries += parse_gazetteer_lines(path.read_text(encoding="utf-8").splitlines())
    if extra_gazetteer is not None:
        entries += parse_gazetteer_lines(Path(extra_gazetteer).read_text(encoding="utf-8").splitlines())
    return Gazetteer.from_entries(entries)


def read_lexicons(data_dir: Path = DATA_DIR) -> tuple[dict[str, float], dict[str, str]]:
    """Capitalisation ratios and lower-cased-NER tags shipped next to the model."""
    cap_ratio: dict[str, float] = {}
    cap_path = data_dir / "models" / CAPITALISATION_FILE
    if cap_path.exists():
        for line in cap_path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, ratio = line.split("\t")
                cap_ratio[word] = float(ratio)
    lexicon: dict[str, str] = {}
    lex_path = data_dir / "models" / NERP_LEXICON_FILE
    if lex_path.exists():
        for line in lex_path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, tag = line.split("\t")
                lexicon[word] = tag
    return cap_ratio, lexicon


@functools.lru_cache(maxsize=4)
def _cached_resources(extra_gazetteer: str | None) -> EntityResources:
    gazetteer = read_gazetteer(DATA_DIR, extra_gazetteer)
    cap_ratio, lexicon = read_lexicons(DATA_DIR)
    model = CrfModel.from_lines((DATA_DIR / "models" / MODEL_FILE).read_text(encoding="utf-8").splitlines())
    return EntityResources(gazetteer, model, cap_ratio, lexicon)


def load_entity_resources(extra_gazetteer: str | Path | None = None) -> EntityResources:
    """Gazetteer + lexicons + CRF model from the package's `data/` (cached per process)."""
    return _cached_resources(None if extra_gazetteer is None else str(extra_gazetteer))


def _spans_from_labels(labels: list[str]) -> list[tuple[int, int, str]]:
    spans = []
    start = None
    typ = None
    for i, lab in enumerate(labels + ["O"]):
        if lab == "O" or lab[0] == "B" or (lab[0] == "I" and lab[2:] != typ):
            if start is not None:
                spans.append((start, i, typ))
                start = None
                typ = None
            if lab != "O":
                start, typ = i, lab[2:]
    return spans


def _clean_span(tokens: list[str], s: int, e: int, gaz: Gazetteer) -> list[tuple[int, int]]:
    """Sub-spans of a model span once titles, stray lowercase words and glued tokens are removed."""
    if gaz.lookup(tokens[s:e]) is not None:
        return [(s, e)]
    pieces: list[tuple[int, int]] = []
    cur = s
    for i in range(s, e + 1):
        if i == e or _breaks_name(tokens[i]):
            if cur < i:
                pieces.append((cur, i))
            cur = i + 1
    out = []
    for a, b in pieces:
        while a < b and (tokens[a] in TITLE_TOKENS or _is_function_word(tokens[a]) or not _is_capitalised(tokens[a])):
            if gaz.lookup(tokens[a:b]) is not None:
                break
            a += 1
        while b > a and (tokens[b - 1] in CONNECTORS or not tokens[b - 1][:1].isalnum()):
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _is_function_word(token: str) -> bool:
    """A function word that cannot open a name (`Ikatan` opens `Ikatan Ahli …`, so it can)."""
    return token in FUNCTION_WORDS and token.lower() not in ORG_HEADS


def _breaks_name(token: str) -> bool:
    """A token that cannot sit inside a name (memoised)."""
    hit = _BREAKS_NAME.get(token)
    if hit is None:
        if len(_BREAKS_NAME) >= 300_000:
            _BREAKS_NAME.clear()
        hit = _BREAKS_NAME[token] = _compute_breaks_name(token)
    return hit


_BREAKS_NAME: dict[str, bool] = {}


def _compute_breaks_name(token: str) -> bool:
    """A token that cannot sit inside a name: lowercase words (bar joiners), `anti-X`, `SamaStatus`."""
    first = token[0]
    if first.islower():
        return token not in NAME_JOINERS and not token.startswith(("al-", "el-", "ad-", "as-", "ar-"))
    if token in NOT_NAMES or token.lower().startswith(HYPHEN_PREFIXES):
        return True
    # Table cells flattened together: `SamaStatus`, `MiliterPengiriman`.
    run = 0
    for ch in token[1:]:
        if ch.islower():
            run += 1
        elif ch.isupper() and run >= 3:
            return True
        else:
            run = 0
    return False


def _mentions_from_labels(
    tokens: list[str], labels: list[str], gaz_spans: list[tuple[int, int, str]], right: tuple[str, ...],
    resources: EntityResources,
) -> tuple[list[tuple[int, int, str, str | None]], list[tuple[int, int, str, str]]]:
    """Mentions `(start, end, short_type, gazetteer id|None)` of one run from its CRF labels,
    and the gazetteer names in it that no model span touches (for the gazetteer policy)."""
    gaz = resources.gazetteer
    cap_ratio = resources.cap_ratio
    spans: list[tuple[int, int, str]] = []
    for s0, e0, typ in _spans_from_labels(labels):
        for s, e in _clean_span(tokens, s0, e0, gaz):
            # A model span that only adds common words to a known name shrinks to the name
            # (`di Balik Kedekatan Moskow` -> `Moskow`, `Garissatu Catat` -> `Garissatu`).
            if gaz.lookup(tokens[s:e]) is None:
                for gs, ge, geid in gaz_spans:
                    # Only around a name of the model's own type (`Badrodin Haiti` stays a
                    # person, `Afrika Bersatu` an organisation).
                    if SHORT_TYPE[gaz.entries[geid].type] != typ:
                        continue
                    if s <= gs and ge <= e and all(
                        cap_ratio.get(tokens[k].lower(), 0.0) < 0.2 for k in range(s, e) if not gs <= k < ge
                    ):
                        s, e = gs, ge
                        break
            spans.append((s, e, typ))
    chosen: list[tuple[int, int, str, str | None]] = []
    gaz_only: list[tuple[int, int, str, str]] = []
    taken = bytearray(len(tokens))
    # A gazetteer name that covers model spans wins (`Republik` + `Rakyat…` -> the full alias).
    for s, e, eid in gaz_spans:
        inside = [m for m in spans if s <= m[0] and m[1] <= e]
        if any(m[0] < e and s < m[1] and m not in inside for m in spans):
            continue
        if len(inside) == 1 and inside[0][:2] == (s, e):
            continue  # same span: handled with the model spans below
        if e - s == 1 and (tokens[s] in FUNCTION_WORDS or tokens[s] in COMPASS_WORDS):
            continue
        if not inside:
            gaz_only.append((s, e, SHORT_TYPE[gaz.entries[eid].type], eid))
            continue
        chosen.append((s, e, SHORT_TYPE[gaz.entries[eid].type], eid))
        taken[s:e] = b"\x01" * (e - s)
    for s, e, typ in spans:
        if any(taken[s:e]):
            continue
        toks = tokens[s:e]
        if e - s == 1 and (toks[0] in FUNCTION_WORDS or toks[0] in COMPASS_WORDS):
            continue
        entry = gaz.lookup(toks)
        if entry is not None:
            typ = SHORT_TYPE[entry.type]
        chosen.append((s, e, typ, entry.entity_id if entry else None))
        taken[s:e] = b"\x01" * (e - s)
    # `Hong Min, direktur …`, `Ri Il-gyu, mantan …`: a name in apposition to a role is a person.
    if not chosen and _apposition(tokens, right):
        a, b = 0, len(tokens)
        while a < b and (tokens[a] in FUNCTION_WORDS or tokens[a] in TITLE_TOKENS):
            a += 1
        if 2 <= b - a <= 3 and gaz.lookup(tokens[a:b]) is None and not any(map(_breaks_name, tokens[a:b])):
            chosen.append((a, b, "PER", None))
    chosen.sort()
    return chosen, gaz_only


def _apposition(tokens: list[str], right: tuple[str, ...]) -> bool:
    """`Hong Min, direktur …`: a 2-4 token run followed by a comma and a role word."""
    return 2 <= len(tokens) <= 4 and len(right) == 2 and right[0] == "," and right[1].lower() in PERSON_CUES


# Gazetteer names the model labelled O: `all` reports every one, `none` none, `article` those
# whose entity the model recognised elsewhere in the same article or that the article names
# three or more times (one sense per discourse). idner-news-2k leaves a country used as a
# modifier or actor untagged (`serangan udara Israel`), the seed guideline tags every country:
# `all` costs 6 points of dev F1, `none` 28 points of seed F1.
GAZETTEER_POLICIES = ("all", "none", "article")

# Each match is one token with the whitespace before it, so match lengths add up to offsets.
_PIECE_PATTERN = r"\s*(?:" + TOKEN_RE.pattern + ")"
_JOINERS = frozenset("dan of and the de da van von der den la le al el bin binti ibn du y".split())
_ARABIC_PREFIXES = ("al-", "el-", "ad-", "ar-", "as-")


def _is_capitalised(token: str) -> bool:
    c = token[0]
    return c.isupper() or (c.isdigit() and any(ch.isupper() for ch in token))


def _opens_name(token: str) -> bool:
    """Capitalised (`Kim`, `DPRK`, `Ó`) or an Arabic article before one (`al-Assad`)."""
    return token[0].isupper() or (token[:3] in _ARABIC_PREFIXES and token[3:4].isupper())


class TokenTable:
    """Token rows (shared with the CRF scores) and the rule flags of each token, as numpy arrays."""

    def __init__(self, scores: TokenScores, features: FeatureCache, gazetteer: Gazetteer, cap_ratio: dict) -> None:
        self.scores = scores
        self.features = features
        self.gazetteer = gazetteer
        self.cap_ratio = cap_ratio
        self._reset_flags()

    def _reset_flags(self) -> None:
        self.n_flagged = 0
        size = len(self.scores.scored)
        self.opens_name = np.zeros(size, dtype=bool)  # can be (part of) a name
        self.joiner = np.zeros(size, dtype=bool)  # `dan`, `bin`, `of` between two name tokens
        self.sentence_end = np.zeros(size, dtype=bool)
        self.quote = np.zeros(size, dtype=bool)
        self.plain = np.zeros(size, dtype=bool)  # a one-token model span needing no clean-up
        self.inner = np.zeros(size, dtype=bool)  # can sit inside a longer name as it is
        self.edge = np.zeros(size, dtype=bool)  # can open or close a longer name as it is
        self.alias_start = np.zeros(size, dtype=bool)  # first token of a gazetteer alias
        self.alias_one = np.zeros(size, dtype=bool)  # only one-token aliases start here
        self.person_cue = np.zeros(size, dtype=bool)
        self.comma = np.zeros(size, dtype=bool)
        self.lowercase_word = np.zeros(size, dtype=bool)  # written lowercase mid-sentence 90%+
        self.parts: dict[int, list[tuple[int, int]]] = {}  # hyphen splits: row -> (part row, offset)

    def start_batch(self) -> None:
        """Drop every row once the table is full (only between batches: rows must stay valid within one)."""
        if len(self.scores.strings) > TABLE_LIMIT:
            self.scores.reset()
            self._reset_flags()

    def rows_for(self, tokens: list[str]) -> np.ndarray:
        """Rows of `tokens`, flagging unseen ones."""
        rows = self.scores.rows_for(tokens)
        if len(self.scores.strings) > self.n_flagged:
            self._flag_new_rows()
        return rows

    def _flag_new_rows(self) -> None:
        strings = self.scores.strings
        size = len(self.scores.scored)
        for name in ("opens_name", "joiner", "sentence_end", "quote", "plain", "inner", "edge", "alias_start", "alias_one",
                     "person_cue", "comma", "lowercase_word"):
            old = getattr(self, name)
            if len(old) < size:
                setattr(self, name, np.concatenate([old, np.zeros(size - len(old), dtype=bool)]))
        gaz = self.gazetteer
        lengths = gaz.lengths_by_first
        cap_ratio = self.cap_ratio
        first_new = max(self.n_flagged, 2)
        split_rows: list[tuple[int, list[str]]] = []
        for r in range(first_new, len(strings)):
            tok = strings[r]
            self.inner[r] = not _breaks_name(tok)
            if _opens_name(tok):
                self.opens_name[r] = True
                self.edge[r] = (
                    self.inner[r] and _is_capitalised(tok) and tok not in FUNCTION_WORDS and tok not in TITLE_TOKENS
                    and tok not in CONNECTORS and tok[:1].isalnum()
                )
                self.plain[r] = self.edge[r] and tok not in COMPASS_WORDS
            elif tok in _JOINERS:
                self.joiner[r] = True
            elif tok in SENTENCE_END:
                self.sentence_end[r] = True
            elif tok == ",":
                self.comma[r] = True
            if tok in QUOTES:
                self.quote[r] = True
            # A hyphenated token splits when a later part is a known name (`Tiongkok-DPRK`,
            # `anti-Korea`), unless the whole is one (`Díaz-Canel`).
            if "-" in tok and (tok,) not in gaz.alias_index:
                parts = tok.split("-")
                head = parts[0]
                if any(p[:1].isupper() and p in lengths for p in parts[1:]) and (
                    head in gaz.token_types or (head.islower() and len(head) >= 3)
                ):
                    split_rows.append((r, parts))
            lens = lengths.get(tok)
            if lens is not None:
                self.alias_start[r] = True
                self.alias_one[r] = lens == (1,)
            low = tok.lower()
            self.person_cue[r] = low in PERSON_CUES
            self.lowercase_word[r] = cap_ratio.get(low, 1.0) < 0.1
        self.n_flagged = len(strings)
        for r, parts in split_rows:
            pieces: list[str] = []
            offsets: list[int] = []
            pos = 0
            for k, part in enumerate(parts):
                if k:
                    pieces.append("-")
                    offsets.append(pos)
                    pos += 1
                if part:
                    pieces.append(part)
                    offsets.append(pos)
                pos += len(part)
            part_rows = self.rows_for(pieces).tolist()
            # Every piece of a split name token stays inside the run (`Tiongkok - DPRK`).
            self.opens_name[part_rows] = True
            self.parts[r] = list(zip(part_rows, offsets))


@dataclass
class TokenBatch:
    """Every token of a batch of bodies, flattened, with offsets into its own body."""

    rows: np.ndarray
    article: np.ndarray
    start: np.ndarray
    end: np.ndarray
    sentence_start: np.ndarray  # opens a sentence or a line: context stops here


def tokenise_bodies(bodies: pl.Series, table: TokenTable) -> TokenBatch:
    """Tokenise all bodies in one vectorised pass (TOKEN_RE), splitting hyphenated names."""
    table.start_batch()
    pieces = bodies.fill_null("").str.extract_all(_PIECE_PATTERN)
    counts = pieces.list.len().fill_null(0).to_numpy().astype(np.int64)
    flat = pieces.explode().drop_nulls()
    tokens = flat.str.strip_chars_start()
    piece_len = flat.str.len_chars().to_numpy().astype(np.int64)
    token_len = tokens.str.len_chars().to_numpy().astype(np.int64)
    newline = flat.str.contains("\n", literal=True).to_numpy()
    # A private category mapping numbers the batch's distinct tokens; each one is looked up once.
    categories = pl.Categories.random()
    coded = tokens.cast(pl.Categorical(categories))  # keeps the mapping alive until read
    distinct = categories.to_series().to_list()
    rows = table.rows_for(distinct)[coded.to_physical().to_numpy()]
    article = np.repeat(np.arange(len(counts)), counts)
    end = np.cumsum(piece_len)
    first = np.cumsum(counts) - counts
    body_base = np.zeros(len(counts), dtype=np.int64)
    nonempty = counts > 0
    body_base[nonempty] = (end - piece_len)[first[nonempty]]
    end -= body_base[article]
    start = end - token_len
    opens = newline
    opens[first[nonempty]] = True
    if table.parts:
        rows, article, start, end, opens = _split_hyphenated(table, rows, article, start, end, opens)
    sentence_start = opens.copy()
    sentence_start[1:] |= table.sentence_end[rows[:-1]]
    return TokenBatch(rows, article, start, end, sentence_start)


def _split_hyphenated(table: TokenTable, rows, article, start, end, opens):
    """Replace `Tiongkok-DPRK` by `Tiongkok`, `-`, `DPRK` (their rows and offsets)."""
    parts = table.parts
    n_parts = np.ones(len(rows), dtype=np.int64)
    where = np.flatnonzero(np.isin(rows, np.fromiter(parts, dtype=np.int64)))
    if not len(where):
        return rows, article, start, end, opens
    for i in where.tolist():
        n_parts[i] = len(parts[int(rows[i])])
    idx = np.repeat(np.arange(len(rows)), n_parts)
    new_rows = rows[idx]
    new_start = start[idx]
    new_end = end[idx]
    new_opens = opens[idx]
    out_pos = np.cumsum(n_parts) - n_parts
    for i in where.tolist():
        p = int(out_pos[i])
        base = int(start[i])
        for k, (part_row, offset) in enumerate(parts[int(rows[i])]):
            new_rows[p + k] = part_row
            new_start[p + k] = base + offset
            new_end[p + k] = base + offset + len(table.scores.strings[part_row])
            if k:
                new_opens[p + k] = False
    return new_rows, article[idx], new_start, new_end, new_opens


Mention = tuple[int, int, str, str | None, tuple[str, ...]]


def recognise_batch(bodies: pl.Series, resources: EntityResources) -> list[list[Mention]]:
    """Mentions `(start_char, end_char, short_type, gazetteer id|None, tokens)` per body, in order.

    Only runs of name tokens (capitalised, `al-X`, joiners such as `dan`/`bin` between them)
    are decoded, with the words around them as context and fixed to O: lowercase Indonesian
    words are not names, so the rest of the text needs no decoding.
    """
    gaz = resources.gazetteer
    batch = tokenise_bodies(bodies, resources.tokens)
    results: list[list[Mention]] = [[] for _ in range(len(bodies))]
    if len(batch.rows):
        _recognise_tokens(batch, resources, results)
    if gaz.digit_alias_re is not None:
        # Aliases a name run cannot start (`38 North`); a literal pre-filter keeps this cheap.
        maybe = bodies.fill_null("").str.contains_any(gaz.digit_aliases).to_numpy()
        for k in np.flatnonzero(maybe).tolist():
            body = bodies[k]
            for m in gaz.digit_alias_re.finditer(body):
                eid = gaz.alias_index[tuple(TOKEN_RE.findall(m.group()))]
                results[k].append((m.start(), m.end(), SHORT_TYPE[gaz.entries[eid].type], eid, (m.group(),)))
    for out in results:
        out.sort()
    return results


def _recognise_tokens(batch: TokenBatch, resources: EntityResources, results: list[list[Mention]]) -> None:
    table = resources.tokens
    gaz = resources.gazetteer
    model = resources.model
    scores = table.scores
    strings = scores.strings
    rows = batch.rows
    n = len(rows)
    sstart = batch.sentence_start
    # A token opens a sentence when only opening quotes stand between it and the sentence start.
    bos = sstart.copy()
    quote = table.quote[rows]
    for _ in range(3):
        bos[1:] |= bos[:-1] & quote[:-1]
    cand = table.opens_name[rows]
    joiner = np.zeros(n, dtype=bool)
    if n > 2:
        joiner[1:-1] = table.joiner[rows[1:-1]] & cand[:-2] & cand[2:] & ~sstart[1:-1] & ~sstart[2:]
    cand |= joiner
    positions = np.flatnonzero(cand)
    if not len(positions):
        return
    prev_cand = np.concatenate([[False], cand[:-1]])
    next_cand = np.concatenate([cand[1:], [False]])
    next_start = np.concatenate([sstart[1:], [True]])
    firsts = np.flatnonzero(cand & (~prev_cand | sstart))
    lasts = np.flatnonzero(cand & (~next_cand | next_start))
    lengths = lasts - firsts + 1
    cand_index = np.cumsum(cand) - 1  # token position -> emission row
    run_first = cand_index[firsts]

    # Context rows, padded at sentence edges exactly as in training.
    p = positions
    prev1 = np.maximum(p - 1, 0)
    prev2 = np.maximum(p - 2, 0)
    next1 = np.minimum(p + 1, n - 1)
    next2 = np.minimum(p + 2, n - 1)
    has_prev1 = ~sstart[p]
    has_prev2 = has_prev1 & ~sstart[prev1]
    has_next1 = (p + 1 < n) & ~sstart[next1]
    has_next2 = has_next1 & (p + 2 < n) & ~sstart[next2]
    l1 = np.where(has_prev1, rows[prev1], TokenScores.PAD_BEFORE)
    l2 = np.where(has_prev2, rows[prev2], TokenScores.PAD_BEFORE)
    r1 = np.where(has_next1, rows[next1], TokenScores.PAD_AFTER)
    r2 = np.where(has_next2, rows[next2], TokenScores.PAD_AFTER)
    centre = rows[p]
    scores.ensure_scored(np.unique(np.concatenate([centre, l1, l2, r1, r2])), table.features)
    t = scores.table
    em = t[centre, 2] + t[l1, 1] + t[l2, 0] + t[r1, 3] + t[r2, 4]
    bos_p = np.flatnonzero(bos[p])
    em[bos_p] += t[centre[bos_p], 5]

    # Gazetteer aliases inside runs: longest first, left to right.
    run_end = np.zeros(n, dtype=np.int64)
    run_end[p] = np.repeat(lasts + 1, lengths)
    gaz_spans: list[tuple[int, int, str]] = []
    index = gaz.alias_index
    by_first = gaz.lengths_by_first
    next_free = 0
    for i in np.flatnonzero(cand & table.alias_start[rows]).tolist():
        if i < next_free:
            continue
        limit = int(run_end[i])
        for length in by_first[strings[rows[i]]]:
            if i + length <= limit:
                eid = index.get(tuple(strings[r] for r in rows[i : i + length].tolist()))
                if eid is not None:
                    gaz_spans.append((i, i + length, eid))
                    next_free = i + length
                    break
    if gaz_spans:
        gs_pos: list[int] = []
        gs_tag: list[int] = []
        gs_index = model.gs_index
        for s, e, eid in gaz_spans:
            typ = SHORT_TYPE[gaz.entries[eid].type]
            gs_pos.extend(range(s, e))
            gs_tag.append(gs_index["B-" + typ])
            gs_tag.extend([gs_index["I-" + typ]] * (e - s - 1))
        np.add.at(em, cand_index[gs_pos], model.gs_table[gs_tag])

    labels = model.viterbi_runs(em, run_first, lengths, ~sstart[firsts], has_next1[cand_index[lasts]])
    _mentions_from_runs(batch, resources, positions, labels, firsts, lasts, gaz_spans, cand, bos, results)


_TYPES = ("PER", "LOC", "ORG")


def _mentions_from_runs(
    batch: TokenBatch, resources: EntityResources, positions: np.ndarray, labels: np.ndarray,
    firsts: np.ndarray, lasts: np.ndarray, gaz_spans: list[tuple[int, int, str]], cand: np.ndarray,
    bos: np.ndarray, results: list[list[Mention]],
) -> None:
    """Turn decoded runs into mentions: clean model spans, link them, apply the gazetteer policy."""
    table = resources.tokens
    gaz = resources.gazetteer
    model = resources.model
    strings = table.scores.strings
    rows = batch.rows
    n = len(rows)
    sstart = batch.sentence_start
    names = model.labels
    label_type = np.array([0 if x == "O" else 1 + _TYPES.index(x[2:]) for x in names])
    label_b = np.array([x.startswith("B-") for x in names])
    typ = label_type[labels]
    ent = typ > 0
    run_open = np.zeros(len(positions), dtype=bool)
    run_open[np.searchsorted(positions, firsts)] = True
    prev_ent = np.concatenate([[False], ent[:-1]])
    prev_typ = np.concatenate([[0], typ[:-1]])
    opens = ent & (label_b[labels] | ~prev_ent | (prev_typ != typ) | run_open)
    goes_on = np.concatenate([ent[1:] & ~opens[1:], [False]])
    span_first = np.flatnonzero(opens)
    span_last = np.flatnonzero(ent & ~goes_on)
    span_s = positions[span_first].tolist()
    span_e = (positions[span_last] + 1).tolist()
    span_t = typ[span_first].tolist()
    span_run = (np.searchsorted(firsts, positions[span_first], side="right") - 1).tolist()

    work: dict[int, tuple[list, list]] = {}
    for s, e, t, r in zip(span_s, span_e, span_t, span_run):
        work.setdefault(r, ([], []))[0].append((s, e, _TYPES[t - 1]))
    if gaz_spans:
        for (s, e, eid), r in zip(gaz_spans, (np.searchsorted(firsts, [g[0] for g in gaz_spans], side="right") - 1).tolist()):
            work.setdefault(r, ([], []))[1].append((s, e, eid))
    # `Hong Min, direktur …`: a short run before a comma and a role word is a person.
    length = lasts - firsts + 1
    after1 = np.minimum(lasts + 1, n - 1)
    after2 = np.minimum(lasts + 2, n - 1)
    has1 = (lasts + 1 < n) & ~sstart[after1]
    has2 = has1 & (lasts + 2 < n) & ~sstart[after2]
    apposition = (length >= 2) & (length <= 4) & has1 & table.comma[rows[after1]] & has2 & table.person_cue[rows[after2]]
    for r in np.flatnonzero(apposition).tolist():
        work.setdefault(r, ([], []))

    plain = table.plain
    edge = table.edge
    inner = table.inner
    lowercase_word = table.lowercase_word
    article = batch.article
    n_articles = len(results)
    chosen: list[list[tuple[int, int, str, str | None]]] = [[] for _ in range(n_articles)]
    pending: list[list[tuple[int, int, str, str]]] = [[] for _ in range(n_articles)]
    for r, (spans, gspans) in work.items():
        f = int(firsts[r])
        art = int(article[f])
        out = chosen[art]
        simple = True
        picked = []
        for s, e, t in spans:
            eid = None
            for gs, ge, geid in gspans:
                if gs < e and s < ge:
                    if (gs, ge) == (s, e):
                        eid = geid
                    else:
                        simple = False
            if not simple:
                break
            if e - s == 1:
                row = int(rows[s])
                if not plain[row]:
                    simple = False
                    break
                if eid is None and bos[s] and lowercase_word[row]:
                    continue  # `Kebijakan …`: a word written lowercase elsewhere opens the sentence
            elif eid is None:
                # A longer span is kept as it is when nothing in it needs cleaning up.
                span_rows = rows[s:e]
                if not (edge[span_rows[0]] and edge[span_rows[-1]] and inner[span_rows].all()):
                    simple = False
                    break
            picked.append((s, e, SHORT_TYPE[gaz.entries[eid].type] if eid else t, eid))
        if simple:
            out += picked
            for gs, ge, geid in gspans:
                if not any(gs < e and s < ge for s, e, _ in spans):
                    pending[art].append((gs, ge, SHORT_TYPE[gaz.entries[geid].type], geid))
            continue
        # Anything else goes through the full span clean-up on the run's own tokens.
        last = int(lasts[r]) + 1
        tokens = [strings[x] for x in rows[f:last].tolist()]
        local_labels = ["O"] * len(tokens)
        for s, e, t in spans:
            local_labels[s - f] = "B-" + t
            for k in range(s + 1, e):
                local_labels[k - f] = "I-" + t
        right = []
        for k in range(last, min(last + 2, n)):
            if sstart[k]:
                break
            right.append(strings[rows[k]])
            if table.sentence_end[rows[k]]:
                break
        local_gaz = [(gs - f, ge - f, geid) for gs, ge, geid in gspans]
        found, gaz_only = _mentions_from_labels(tokens, local_labels, local_gaz, tuple(right), resources)
        for s, e, t, eid in found:
            if e - s == 1 and eid is None and bos[f + s] and lowercase_word[rows[f + s]]:
                continue
            out.append((f + s, f + e, t, eid))
        pending[art] += [(f + s, f + e, t, eid) for s, e, t, eid in gaz_only]

    policy = resources.gazetteer_policy
    covered = np.zeros(n, dtype=bool)
    article_first = np.searchsorted(article, np.arange(n_articles + 1))
    start = batch.start
    end = batch.end
    for art in range(n_articles):
        found = chosen[art]
        if pending[art] and policy != "none":
            confirmed = {m[3] for m in found if m[3] is not None}
            # A known entity named three or more times is a subject of the article.
            named = Counter(m[3] for m in pending[art])
            confirmed.update(eid for eid, k in named.items() if k >= 3)
            found += [m for m in pending[art] if policy == "all" or m[3] in confirmed]
        if not found:
            continue
        mentions = results[art]
        name_parts: set[str] = set()
        for s, e, t, eid in found:
            toks = tuple(strings[x] for x in rows[s:e].tolist())
            mentions.append((int(start[s]), int(end[e - 1]), t, eid, toks))
            covered[s:e] = True
            if t == "PER" and e - s > 1:
                name_parts.add(toks[0])
                name_parts.add(toks[-1])
        # Within an article a person's first or last name alone is the same person (`Li`, `Hong`).
        if name_parts:
            a0, a1 = int(article_first[art]), int(article_first[art + 1])
            for k in (np.flatnonzero(cand[a0:a1] & ~covered[a0:a1]) + a0).tolist():
                tok = strings[rows[k]]
                if tok in name_parts and tok not in FUNCTION_WORDS and tok not in TITLE_TOKENS:
                    mentions.append((int(start[k]), int(end[k]), "PER", None, (tok,)))


def _link_article(
    mentions: list[tuple[int, int, str, str | None, tuple[str, ...]]], gazetteer: Gazetteer
) -> list[tuple[str, str]]:
    """Entity id and canonical name for each mention; a surname alone joins the full name in the article."""
    linked: list[tuple[str, str]] = []
    persons: list[tuple[tuple[str, ...], str, str]] = []  # (name tokens, entity_id, name)
    for _, _, typ, eid, toks in mentions:
        if eid is not None:
            name = gazetteer.entries[eid].name
        else:
            name = " ".join(toks)
            if typ == "PER" and len(toks) == 1:
                # `Shoigu` after `Sergei Shoigu`, `Han` after `Han Su-chol`.
                for full, pid, pname in reversed(persons):
                    if toks[0] == full[0] or toks[0] == full[-1]:
                        eid, name = pid, pname
                        break
            if eid is None:
                eid = entity_id_for(name, LONG_TYPE[typ])
        if typ == "PER" and len(toks) > 1:
            persons.append((toks, eid, name))
        linked.append((eid, name))
    # A surname named before the full name: link forwards too.
    for k, (_, _, typ, geid, toks) in enumerate(mentions):
        if typ == "PER" and len(toks) == 1 and geid is None and linked[k][0].startswith("per:"):
            for full, pid, pname in persons:
                if toks[0] == full[0] or toks[0] == full[-1]:
                    linked[k] = (pid, pname)
                    break
    return linked


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one batch.

    The batch allocates many short-lived containers next to large long-lived caches, so
    collections would repeatedly walk the caches (about a third of the stage's time);
    recognition creates no reference cycles, and the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def extract_entities(
    articles: pl.DataFrame, resources: EntityResources
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entity mentions (with exact body offsets) and the deduplicated entities they link to."""
    with _collector_paused():
        return _extract_entities(articles, resources)


def _extract_entities(
    articles: pl.DataFrame, resources: EntityResources
) -> tuple[pl.DataFrame, pl.DataFrame]:
    gaz = resources.gazetteer
    m_article: list[str] = []
    m_entity: list[str] = []
    m_surface: list[str] = []
    m_start: list[int] = []
    m_end: list[int] = []
    m_type: list[str] = []
    entities: dict[str, tuple[str, str, str | None, str | None, set[str]]] = {}
    article_ids = articles["article_id"].to_list()
    bodies = articles["body"].to_list()
    for article_id, body, mentions in zip(article_ids, bodies, recognise_batch(articles["body"], resources)):
        for (a, b, typ, _, _), (eid, name) in zip(mentions, _link_article(mentions, gaz)):
            surface = body[a:b]
            m_article.append(article_id)
            m_entity.append(eid)
            m_surface.append(surface)
            m_start.append(a)
            m_end.append(b)
            long_type = LONG_TYPE[typ]
            m_type.append(long_type)
            row = entities.get(eid)
            if row is None:
                entry = gaz.entries.get(eid)
                if entry is not None:
                    row = (entry.name, entry.type, entry.subtype, entry.wikidata_id, set(entry.aliases))
                else:
                    row = (name, long_type, None, None, set())
                entities[eid] = row
            row[4].add(surface)
    mentions_df = pl.DataFrame(
        {
            "article_id": m_article,
            "entity_id": m_entity,
            "surface": m_surface,
            "start_char": m_start,
            "end_char": m_end,
            "type": m_type,
        },
        schema=MENTION_SCHEMA,
    )
    ids = sorted(entities)
    entities_df = pl.DataFrame(
        {
            "entity_id": ids,
            "name": [entities[i][0] for i in ids],
            "type": [entities[i][1] for i in ids],
            "subtype": [entities[i][2] for i in ids],
            "wikidata_id": [entities[i][3] for i in ids],
            "aliases": [sorted(entities[i][4]) for i in ids],
        },
        schema=ENTITY_SCHEMA,
    )
    return mentions_df, entities_df

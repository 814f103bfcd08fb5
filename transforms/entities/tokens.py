"""Tokens of a batch of bodies: one vectorised pass, a per-process table of token rows with CRF scores and rule flags."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from transforms.entities.features import FUNCTION_WORDS, PERSON_CUES, QUOTES, SENTENCE_END, TOKEN_RE, FeatureCache
from transforms.entities.gazetteer import Gazetteer
from transforms.entities.model import TABLE_LIMIT, TokenScores
from transforms.entities.words import (
    COMPASS_WORDS,
    CONNECTORS,
    RUN_JOINERS,
    TITLE_TOKENS,
    breaks_name,
    is_capitalised,
    opens_name,
)

# Each match is one token with the whitespace before it, so match lengths add up to offsets.
_PIECE_PATTERN = r"\s*(?:" + TOKEN_RE.pattern + ")"


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
        for name in (
            "opens_name",
            "joiner",
            "sentence_end",
            "quote",
            "plain",
            "inner",
            "edge",
            "alias_start",
            "alias_one",
            "person_cue",
            "comma",
            "lowercase_word",
        ):
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
            self.inner[r] = not breaks_name(tok)
            if opens_name(tok):
                self.opens_name[r] = True
                self.edge[r] = (
                    self.inner[r]
                    and is_capitalised(tok)
                    and tok not in FUNCTION_WORDS
                    and tok not in TITLE_TOKENS
                    and tok not in CONNECTORS
                    and tok[:1].isalnum()
                )
                self.plain[r] = self.edge[r] and tok not in COMPASS_WORDS
            elif tok in RUN_JOINERS:
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

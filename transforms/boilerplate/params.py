"""Knobs and frame schemas of the boilerplate cleaner (one dataclass; module constants are its defaults)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

DUPLICATE_MIN_CHARS = 50  # shorter repeats (result rows, list items) can be legitimate
UNTRIGGERED_MAX_CHARS = 125  # rules without triggers, and `!ascii` rules, only see lines this short
RELATED_HEADLINE_MAX_CHARS = 170
LEARNED_MIN_ARTICLES = 5
LEARNED_MAX_FINGERPRINTS = 32
LEARNED_MAX_LINE_CHARS = 300
UNKNOWN_OUTLET = ""  # learned furniture of articles whose outlet is unknown is kept under this key
ALL_OUTLETS = "*"  # learned link-out markers (`Jangan Lewatkan:`) are pooled over every outlet under this key
LEARNED_SINGLETON_MAX_CHARS = 120  # no longer applied (it made counts depend on batching); kept for importers
LEARNED_MAX_ROWS_PER_OUTLET = 5000  # `merge_learned` keeps this many rows per outlet, most-seen (then newest) first
MARKER_MAX_CHARS = 30
MARKED_HEADLINE_MIN_WORDS = 4
FINGERPRINT_MIN_WORDS = 8
RELATED_HEADLINES_MAX = 3


@dataclass(frozen=True)
class BoilerplateParams:
    """Plain, picklable knobs of the cleaner and the learner; `load_rules(params=...)` carries them to `clean`."""

    duplicate_min_chars: int = DUPLICATE_MIN_CHARS
    untriggered_max_chars: int = UNTRIGGERED_MAX_CHARS
    related_headline_max_chars: int = RELATED_HEADLINE_MAX_CHARS
    related_headlines_max: int = RELATED_HEADLINES_MAX
    learned_min_articles: int = LEARNED_MIN_ARTICLES
    learned_max_fingerprints: int = LEARNED_MAX_FINGERPRINTS
    learned_max_line_chars: int = LEARNED_MAX_LINE_CHARS
    learned_singleton_max_chars: int = LEARNED_SINGLETON_MAX_CHARS
    learned_max_rows_per_outlet: int = LEARNED_MAX_ROWS_PER_OUTLET
    marker_max_chars: int = MARKER_MAX_CHARS
    marked_headline_min_words: int = MARKED_HEADLINE_MIN_WORDS
    fingerprint_min_words: int = FINGERPRINT_MIN_WORDS


DEFAULT_PARAMS = BoilerplateParams()

CLEAN_SCHEMA = {
    "article_id": pl.String,
    "body": pl.String,
    "outlet": pl.String,
    "dateline": pl.String,
    "title": pl.String,
    "author": pl.String,
    "agency": pl.String,
    "date_line": pl.String,
}
# start_char / end_char: where the removed text sits in its line (Python string offsets, end exclusive) of the
# text given to the cleaner (`article_texts.raw_text`); null when the text is not found there verbatim.
REMOVED_SCHEMA = {
    "article_id": pl.String,
    "line_no": pl.Int64,
    "text": pl.String,
    "rule": pl.String,
    "kind": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
}
LEARNED_SCHEMA: dict[str, Any] = {
    "outlet": pl.String,
    "line_hash": pl.Int64,
    "example_line": pl.String,
    "n_articles": pl.Int64,
    "n_lines_seen": pl.Int64,
    "article_fingerprints": pl.List(pl.Int64),
}

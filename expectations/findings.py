"""Findings computed from article bodies for the suites' audit frames: boilerplate markers, lengths, span offsets.

In polars rather than DuckDB: its SIMD literal search and code-point slicing are ~20–40x faster on UTF-8
bodies. A finding is NULL when the row is fine, else a short description of what is wrong and where.
"""

from __future__ import annotations

import polars as pl

# Markers that only ever appear in page furniture; a clean body must contain none of them.
BOILERPLATE_MARKERS = (
    "Baca juga",
    "Baca Juga",
    "Pilihan Editor",
    "Previous Post Next Post",
    "ADVERTISEMENT",
    "SCROLL TO CONTINUE WITH CONTENT",
    "[Gambas:",
)

# Body length bounds (characters).  Below 200 a body is usually a stub or an over-eager strip (a
# warning: real two-sentence flashes exist); below 40 it is no article at all and above 200,000 it is
# several pages glued together: those articles are quarantined.
BODY_MIN_CHARS = 200
BODY_QUARANTINE_MIN_CHARS = 40
BODY_MAX_CHARS = 200_000


def _marker_regex() -> str:
    """RE2 alternation of the boilerplate markers, literal-escaped."""
    specials = set("\\.^$|?*+()[]{}")
    escaped = ("".join("\\" + ch if ch in specials else ch for ch in marker) for marker in BOILERPLATE_MARKERS)
    return "|".join(escaped)


BOILERPLATE_REGEX = _marker_regex()


def body_findings(articles: pl.DataFrame, bodies: pl.DataFrame) -> pl.DataFrame:
    """The articles audit frame plus body_length and the body findings (n_chars_mismatch, body_boilerplate_marker, body_too_short/long)."""
    # In polars rather than DuckDB: its SIMD literal search and char count are ~30x faster on 100k bodies.
    checked = bodies.select(
        "article_id",
        pl.col("body").str.len_chars().cast(pl.Int64).alias("body_length"),
        pl.col("body").str.contains(BOILERPLATE_REGEX).alias("has_marker"),
        "body",
    )
    flagged = checked.filter(pl.col("has_marker")).select(
        "article_id",
        pl.format(
            "{}: …{}…", pl.col("article_id"), pl.col("body").str.extract(f"(.{{0,40}}(?:{BOILERPLATE_REGEX}).{{0,40}})", 1)
        ).alias("body_boilerplate_marker"),
    )
    joined = articles.join(checked.select("article_id", "body_length"), on="article_id", how="left", maintain_order="left").join(
        flagged, on="article_id", how="left", maintain_order="left"
    )
    mismatch = (
        pl.when(pl.col("n_chars").cast(pl.Int64).ne_missing(pl.col("body_length")))
        .then(
            pl.format("{}: n_chars {} but body has {} characters", pl.col("article_id"), pl.col("n_chars"), pl.col("body_length"))
        )
        .otherwise(None)
        .cast(pl.String)
    )
    length = pl.col("body_length")
    too_short = (
        pl.when(length < BODY_QUARANTINE_MIN_CHARS)
        .then(pl.format("{}: body of {} characters (< {})", pl.col("article_id"), length, pl.lit(BODY_QUARANTINE_MIN_CHARS)))
        .otherwise(None)
        .cast(pl.String)
    )
    too_long = (
        pl.when(length > BODY_MAX_CHARS)
        .then(pl.format("{}: body of {} characters (> {})", pl.col("article_id"), length, pl.lit(BODY_MAX_CHARS)))
        .otherwise(None)
        .cast(pl.String)
    )
    return joined.with_columns(
        mismatch.alias("n_chars_mismatch"), too_short.alias("body_too_short"), too_long.alias("body_too_long")
    )


def span_findings(spans: pl.DataFrame, bodies: pl.DataFrame, text_column: str) -> pl.Series:
    """Per span: null when body[start_char:end_char] == text, else what is wrong (null too when the article is unknown)."""
    # Polars slices by code point, as Python does; DuckDB's substring is too, but ~20x slower on UTF-8 bodies.
    joined = spans.select("article_id", "start_char", "end_char", pl.col(text_column).alias("span_text")).join(
        bodies.select("article_id", "body", pl.col("body").str.len_chars().alias("body_length")),
        on="article_id",
        how="left",
        maintain_order="left",
    )
    start, end, length = pl.col("start_char"), pl.col("end_char"), pl.col("body_length")
    where = pl.format("{}[{}:{}]", pl.col("article_id"), start, end)
    in_body = pl.col("body").str.slice(start.clip(lower_bound=0), (end - start).clip(lower_bound=0))
    finding = (
        pl.when(pl.col("body").is_null())
        .then(None)
        .when(start.is_null() | end.is_null() | (start < 0) | (end <= start) | (end > length))
        .then(pl.format("{} outside a body of {} characters", where, length))
        .when(pl.col("span_text").is_null() | (in_body != pl.col("span_text")))
        .then(pl.format("{} {} '{}' but body has '{}'", where, pl.lit(text_column), pl.col("span_text"), in_body))
        .otherwise(None)
    )
    return joined.select(finding.cast(pl.String).alias(text_column))[text_column]

"""Article section (news, international, economy, sports, entertainment, technology, lifestyle).

A multinomial naive Bayes model over the article's first words: one weight per word
and section (data/models/section/weights.tsv, trained by `python -m benchmarks.train_section`
on IndoSum, CC BY-SA 4.0; see that folder's README). Scoring is a join of the words
with the weight table and a sum per article, so a batch is scored in a few polars calls.

Events are coded only from the hard-news sections (HARD_SECTIONS): sports, entertainment,
technology and lifestyle text is full of `menyerang`, `mengalahkan`, `berkunjung` that are
not political events. The section is stored on every article, so analysts can filter too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

SECTIONS = ("news", "international", "economy", "sports", "entertainment", "technology", "lifestyle")
HARD_SECTIONS = frozenset({"news", "international", "economy"})
DEFAULT_SECTION = "news"  # an article without one known word: nothing says it is soft
DEFAULT_WEIGHTS = Path(__file__).parents[1] / "data" / "models" / "section" / "weights.tsv"
MAX_WORDS = 300  # the opening of an article says what it is about; the rest costs time
MAX_CHARS = 2_400  # enough characters for MAX_WORDS words, so the rest of a long body is never scanned
WORD = r"[a-z]{2,}"

SECTIONS_SCHEMA = {"article_id": pl.String, "section": pl.String, "section_margin": pl.Float64}


@dataclass(frozen=True)
class SectionModel:
    """Per-word log weights (one column per section) and the per-section bias."""

    weights: pl.DataFrame  # word, then one Float32 column per section
    bias: dict[str, float]


def words_of(bodies: pl.Expr) -> pl.Expr:
    """The lower-cased words the model reads: the first MAX_WORDS alphabetic tokens of the body."""
    return bodies.str.slice(0, MAX_CHARS).str.to_lowercase().str.extract_all(WORD).list.head(MAX_WORDS)


def load_section_model(path: str | Path | None = None) -> SectionModel:
    """Read the weight table: a `#bias` row, then one row per word."""
    table = pl.read_csv(
        Path(path or DEFAULT_WEIGHTS), separator="\t", comment_prefix="#", schema_overrides={s: pl.Float32 for s in SECTIONS}
    )
    if tuple(table.columns) != ("word", *SECTIONS):
        raise ValueError(f"section weights: expected columns word, {', '.join(SECTIONS)}; got {table.columns}")
    bias_row = table.filter(pl.col("word") == "<bias>")
    bias = {s: float(bias_row[s][0]) if bias_row.height else 0.0 for s in SECTIONS}
    return SectionModel(table.filter(pl.col("word") != "<bias>"), bias)


def classify_sections(articles: pl.DataFrame, model: SectionModel) -> pl.DataFrame:
    """(article_id, section, section_margin) for every article; margin = best minus second log score."""
    if articles.height == 0:
        return pl.DataFrame(schema=SECTIONS_SCHEMA)
    words = (
        articles.select("article_id", words_of(pl.col("body").fill_null("")).alias("word"))
        .explode("word")
        .join(model.weights, on="word", how="inner")
    )
    sums = (
        words.group_by("article_id")
        .agg(pl.col(s).sum() for s in SECTIONS)
        .with_columns((pl.col(s) + model.bias[s]).alias(s) for s in SECTIONS)
    )
    scored = sums.select(
        "article_id",
        pl.concat_list(SECTIONS)
        .list.arg_max()
        .replace_strict(dict(enumerate(SECTIONS)), return_dtype=pl.String)
        .alias("section"),
        pl.concat_list(SECTIONS).list.sort(descending=True).alias("ranked"),
    ).select(
        "article_id",
        "section",
        (pl.col("ranked").list.get(0) - pl.col("ranked").list.get(1)).cast(pl.Float64).alias("section_margin"),
    )
    # An article without one known word (empty, or not Indonesian) keeps the default section.
    return (
        articles.select("article_id")
        .join(scored, on="article_id", how="left", maintain_order="left")
        .with_columns(pl.col("section").fill_null(DEFAULT_SECTION), pl.col("section_margin").fill_null(0.0))
    )

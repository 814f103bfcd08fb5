"""Compose the per-batch transforms: raw documents in, warehouse-shaped frames out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from time import perf_counter

import polars as pl

from transforms import boilerplate, dates, decode, dedup, entities, events, language, normalise, section


@dataclass(frozen=True)
class TransformParams:
    """Plain, picklable knobs for one batch; resources are loaded once per worker from these paths."""

    run_id: str
    ingested_at: datetime
    max_file_bytes: int = 5_000_000
    rules_path: str | None = None
    gazetteer_path: str | None = None
    triggers_path: str | None = None
    events: events.EventParams = events.DEFAULT_PARAMS


@dataclass(frozen=True)
class Resources:
    """Everything the transforms load from disk: rules, gazetteer and model, event triggers."""

    boilerplate_rules: object
    entity_resources: object
    triggers: object
    section_model: object


@lru_cache(maxsize=4)
def load_resources(rules_path: str | None, gazetteer_path: str | None, triggers_path: str | None) -> Resources:
    """Load (once per process) the rule library, entity resources and trigger table."""
    return Resources(
        boilerplate_rules=boilerplate.load_rules(rules_path),
        entity_resources=entities.load_entity_resources(gazetteer_path),
        triggers=events.load_triggers(triggers_path),
        section_model=section.load_section_model(),
    )


@dataclass
class BatchResult:
    """Every frame one batch stages, plus the seconds each step took."""

    articles: pl.DataFrame
    article_texts: pl.DataFrame
    removed_lines: pl.DataFrame
    entities: pl.DataFrame
    entity_mentions: pl.DataFrame
    events: pl.DataFrame
    event_mentions: pl.DataFrame
    quarantine: pl.DataFrame
    signatures: pl.DataFrame
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def frames(self) -> dict[str, pl.DataFrame]:
        """The staged tables by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("stage_seconds", "signatures")}


class _Stopwatch:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = perf_counter()

    def lap(self, stage: str) -> None:
        now = perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def count_batch(documents: pl.DataFrame, params: TransformParams) -> pl.DataFrame:
    """Pass 1 of learned boilerplate: decode, normalise and count one batch's recurring lines (boilerplate.LEARNED_SCHEMA).

    `documents` as for `transform_batch`. The writer folds every batch's counts into one furniture snapshot
    for the run (interface 1 of docs/architecture.md), so bodies do not depend on batching.
    """
    resources = load_resources(params.rules_path, params.gazetteer_path, params.triggers_path)
    decoded, _ = decode.decode_documents(documents, params.max_file_bytes)
    decoded = normalise.normalise_documents(decoded)
    return boilerplate.count_lines(decoded.select("article_id", "text", "outlet_hint"), resources.boilerplate_rules)


def transform_batch(documents: pl.DataFrame, params: TransformParams, furniture: pl.DataFrame | None = None) -> BatchResult:
    """Decode, normalise, strip boilerplate, extract metadata, language, entities and events for one batch.

    `documents`: article_id, source_path, source_sha256, raw_bytes, outlet_hint. `furniture`: the run's
    learned-boilerplate snapshot (`boilerplate.furniture_of`), the same for every batch of the run.
    """
    watch = _Stopwatch()
    resources = load_resources(params.rules_path, params.gazetteer_path, params.triggers_path)
    watch.lap("load_resources")

    decoded, quarantine = decode.decode_documents(documents, params.max_file_bytes)
    watch.lap("decode")
    decoded = normalise.normalise_documents(decoded)
    watch.lap("normalise")

    # Pass 2: the run's one furniture snapshot (learned from every new file in pass 1) strips lines; never learns.
    clean, removed_lines = boilerplate.clean(
        decoded.select("article_id", "text", "outlet_hint"), resources.boilerplate_rules, furniture
    )
    watch.lap("boilerplate")

    empty = clean.filter(pl.col("body").str.strip_chars().str.len_chars() == 0)["article_id"]
    quarantine = pl.concat(
        [
            quarantine,
            decoded.filter(pl.col("article_id").is_in(empty.implode())).select(
                "source_path",
                "source_sha256",
                pl.lit("not_article_text").alias("reason"),
                pl.lit("no article text left after boilerplate removal").alias("detail"),
            ),
        ]
    )
    clean = clean.filter(~pl.col("article_id").is_in(empty.implode()))
    removed_lines = removed_lines.filter(~pl.col("article_id").is_in(empty.implode()))

    articles = clean.join(
        decoded.select("article_id", "source_path", "source_sha256", "encoding"), on="article_id", how="left"
    ).with_columns(
        pl.col("date_line").map_elements(dates.parse_publication_date, return_dtype=pl.Date).alias("published_date"),
        pl.col("body").str.len_chars().cast(pl.Int32).alias("n_chars"),
        pl.col("body")
        .map_elements(lambda body: hashlib.sha256(body.encode()).hexdigest(), return_dtype=pl.String)
        .alias("body_sha256"),
        pl.lit(params.run_id).alias("run_id"),
        pl.lit(params.ingested_at).alias("ingested_at"),
    )
    watch.lap("metadata")
    articles = language.detect_languages(articles)
    watch.lap("language")
    # MinHash signatures are per-document work, so they are computed here in the worker;
    # matching them against earlier articles needs the warehouse and happens in the writer.
    signatures = dedup.minhash_signatures(articles.select("article_id", "body"), dedup.DedupParams())
    watch.lap("dedup_signatures")

    entity_mentions, entity_rows = entities.extract_entities(articles.select("article_id", "body"), resources.entity_resources)
    watch.lap("entities")
    # The section says what kind of news an article is; events are coded from hard news only (EventParams).
    sections = section.classify_sections(articles.select("article_id", "body"), resources.section_model)
    articles = articles.join(sections.select("article_id", "section"), on="article_id", how="left", maintain_order="left")
    watch.lap("section")
    # Events read the entity subtype to keep news agencies out of actors and treat seas and regions as places.
    mentions_with_subtype = entity_mentions.join(entity_rows.select("entity_id", "subtype"), on="entity_id", how="left")
    event_rows, event_mentions = events.extract_events(
        articles.select("article_id", "body", "published_date", "dateline", "section"),
        mentions_with_subtype,
        resources.triggers,
        params.events,
    )
    watch.lap("events")

    return BatchResult(
        articles=articles.drop("date_line"),
        article_texts=decoded.filter(pl.col("article_id").is_in(articles["article_id"].implode())).select(
            "article_id", pl.col("text").alias("raw_text")
        ),
        removed_lines=removed_lines,
        entities=entity_rows,
        entity_mentions=entity_mentions,
        events=event_rows,  # num_articles / num_mentions are recounted over the warehouse at publish
        event_mentions=event_mentions,
        quarantine=quarantine,
        signatures=signatures,
        stage_seconds=watch.seconds,
    )

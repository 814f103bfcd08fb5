"""Linking: each mention to one canonical entity row; the stage's entry point `extract_entities`."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

import polars as pl

from transforms.entities.gazetteer import LONG_TYPE, Gazetteer, entity_id_for
from transforms.entities.recognise import recognise_batch
from transforms.entities.resources import ENTITY_SCHEMA, MENTION_SCHEMA, EntityResources


def link_article(
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


def name_order(name: str) -> tuple[bool, str]:
    """Sort key of an entity's names: its canonical name is the first (written in capitals last, then by code point).

    The same order picks the name in a batch, across the batches of a unit (`warehouse.store.consolidate_staging`)
    and across units and runs (`warehouse.store.publish`), so the name never depends on how the input was cut.
    """
    return name.isupper(), name


def extract_entities(articles: pl.DataFrame, resources: EntityResources) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entity mentions (with exact body offsets) and the deduplicated entities they link to."""
    with _collector_paused():
        return _extract_entities(articles, resources)


def _extract_entities(articles: pl.DataFrame, resources: EntityResources) -> tuple[pl.DataFrame, pl.DataFrame]:
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
        for (a, b, typ, _, _), (eid, name) in zip(mentions, link_article(mentions, gaz)):
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
            elif eid not in gaz.entries and name_order(name) < name_order(row[0]):
                row = (name, row[1], row[2], row[3], row[4])
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
    # Aliases go in flat and are listed per entity by polars: building a list column from Python lists
    # costs more than the rest of linking.
    aliases = (
        pl.DataFrame(
            {"entity_id": [i for i in ids for _ in entities[i][4]], "alias": [a for i in ids for a in entities[i][4]]},
            schema={"entity_id": pl.String, "alias": pl.String},
        )
        .group_by("entity_id", maintain_order=True)
        .agg(pl.col("alias").sort().alias("aliases"))
    )
    entities_df = (
        pl.DataFrame(
            {
                "entity_id": ids,
                "name": [entities[i][0] for i in ids],
                "type": [entities[i][1] for i in ids],
                "subtype": [entities[i][2] for i in ids],
                "wikidata_id": [entities[i][3] for i in ids],
            },
            schema={name: dtype for name, dtype in ENTITY_SCHEMA.items() if name != "aliases"},
        )
        .join(aliases, on="entity_id", how="left", maintain_order="left")
        .with_columns(pl.col("aliases").fill_null(pl.lit([], dtype=ENTITY_SCHEMA["aliases"])))
    )
    return mentions_df, entities_df.select(list(ENTITY_SCHEMA))

"""Coding: per trigger, the hedges that stop it, its actors, negation and date -> event rows.

Choices: negation is a flag, not a code (`tidak menyerang`, or a trigger governed by a
denial, `membantah mengirim pasukan`, is an event with is_negated and a distinct event_id;
the denial itself is its own event, 016); possibilities, habits, questions, purposes,
speech inside a quotation and the content of an allegation are not coded; every matched but
uncoded trigger keeps a reason (extract_events_with_audit); coordinated actors give one
event per actor, symmetric triggers pair a coordinated subject in a canonical order;
meetings, visits, agreements, aid, criticism, rejection, threats, sanctions and arrests
need an actor 2 (EventParams.dyadic_roots).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from functools import lru_cache

import polars as pl

from transforms.dates import find_date_expressions
from transforms.events.actors import (
    Mention,
    actor_groups,
    actor_mentions,
    antecedent,
    inside_quote,
    place_for,
    pronoun_subject,
    sentence_bounds,
    sides,
    unique,
)
from transforms.events.dating import date_of_event, inherited_date, point_value, reference_date
from transforms.events.params import ACTOR_TYPES, DEFAULT_PARAMS, VERBAL_ROOTS, EventParams
from transforms.events.patterns import (
    ALLEGED_BEFORE,
    ASIDE,
    CONJUNCTION,
    FRONTED_CLAUSE,
    FRONTED_SUBJECT_GAP,
    HABITUAL_BEFORE,
    HYPOTHETICAL_BEFORE,
    NEGATION_BEFORE,
    PURPOSE_BEFORE,
)
from transforms.events.roles import RoleModel, decode, load_role_model, score_candidates, tokens_of
from transforms.events.triggers import Trigger, TriggerTable, find_triggers, goldstein_of, load_goldstein, quad_class
from transforms.section import HARD_SECTIONS

EVENTS_SCHEMA = {
    "event_id": pl.String,
    "event_code": pl.String,
    "root_code": pl.String,
    "label": pl.String,
    "event_date": pl.Date,
    "date_precision": pl.String,
    "actor1_entity_id": pl.String,
    "actor2_entity_id": pl.String,
    "location_entity_id": pl.String,
    "quad_class": pl.Int64,
    "is_negated": pl.Boolean,
    "confidence": pl.Float64,
    "goldstein": pl.Float64,
    "num_articles": pl.Int64,
    "num_mentions": pl.Int64,
}
# Triggers matched but not coded, with why (nothing is dropped silently).
SKIP_REASONS = (
    "blocking_phrase",
    "hypothetical",
    "habitual",
    "purpose",
    "quoted",
    "question",
    "alleged",
    "repeats_verb",
    "no_actor1",
    "no_actor2",
    "low_confidence",
)
# Confidence of actors read by the rules alone (nominal triggers: both sides together) and of a pronoun's antecedent.
RULE_CONFIDENCE = 0.7
PRONOUN_CONFIDENCE = 0.8
FRONTED_CONFIDENCE = 0.8  # the subject after a fronted clause's comma
SKIPPED_TRIGGERS_SCHEMA = {
    "article_id": pl.String,
    "trigger": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "event_code": pl.String,
    "reason": pl.String,
}
EVENT_MENTIONS_SCHEMA = {
    "event_id": pl.String,
    "article_id": pl.String,
    "sentence": pl.String,
    "trigger": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
}


GOLDSTEIN = load_goldstein()
MAX_ROLE_DISTANCE = 30  # tokens: the ranker was trained on candidates this close to the verb


@lru_cache(maxsize=2)
def default_role_model() -> RoleModel:
    """The shipped role ranker (data/models/roles/weights.tsv), loaded once per process."""
    return load_role_model()


def learned_sides(
    tokens: list[tuple[int, int, str]],
    s_start: int,
    t_start: int,
    t_end: int,
    groups: list[list[Mention]],
    model: RoleModel,
    margin: float,
) -> tuple[list[Mention], list[Mention], float, float]:
    """(actor 1 group, actor 2 group, their probabilities) of a verbal trigger from the ranker over the sentence's actors."""
    starts = [s_start + t[0] for t in tokens]
    trigger = (
        bisect.bisect_left(starts, t_start),
        max(bisect.bisect_left(starts, t_end), bisect.bisect_left(starts, t_start) + 1),
    )
    candidates: list[tuple[int, int]] = []
    owners: list[tuple[Mention, list[Mention]]] = []
    for group in groups:
        for mention in group:
            span = (bisect.bisect_left(starts, mention.start), bisect.bisect_left(starts, mention.end))
            if span[1] <= span[0] or trigger[0] < span[1] and span[0] < trigger[1]:
                continue
            if min(abs(span[0] - trigger[0]), abs(span[1] - trigger[1])) > MAX_ROLE_DISTANCE:
                continue
            candidates.append(span)
            owners.append((mention, group))
    if not candidates:
        return [], [], 1.0, 1.0
    words = [t[2] for t in tokens]
    a1, a2, p1, p2 = decode(score_candidates(words, trigger, candidates, model), margin)
    side1 = owners[a1][1] if a1 is not None else []
    side2 = owners[a2][1] if a2 is not None else []
    if side1 and side1 is side2:  # two names of one coordinated group (`X dan Y bertemu`): one side
        side2, p2 = [], 1.0
    return side1, side2, p1, p2


def combine_sides(
    learned: list[Mention], probability: float, rules: list[Mention], params: EventParams
) -> tuple[list[Mention], float]:
    """One side from the ranker's and the rules' choices (EventParams.role_policy), with its confidence."""
    if params.role_policy == "ranker":
        return learned, probability
    if learned and rules:
        if learned[0].entity_id in {m.entity_id for m in rules}:
            return rules, max(probability, params.agree_confidence)
        return (learned, probability) if params.role_policy == "ranker+rules" else (rules, params.rules_alone_confidence)
    if learned:
        return learned, probability
    if rules:
        return rules, params.rules_alone_confidence
    return [], probability


def event_id_for(
    event_code: str,
    actor1: str | None,
    actor2: str | None,
    event_date: dt.date | None,
    date_precision: str | None,
    is_negated: bool = False,
) -> str:
    """Deterministic id: same code, actors, date and precision -> same event in every article."""
    key = "|".join([event_code, actor1 or "", actor2 or "", event_date.isoformat() if event_date else "", date_precision or ""])
    if is_negated:
        key += "|negated"
    return "ev_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def code_article(
    body: str,
    mentions: list[Mention],
    triggers: TriggerTable,
    reference: dt.date | None,
    matches: list[tuple[int, int, Trigger]] | None = None,
    params: EventParams = DEFAULT_PARAMS,
    roles: RoleModel | None = None,
) -> tuple[list[dict], list[dict]]:
    """(event rows, one per coded event mention; skipped triggers with a reason) for one article body."""
    if matches is None:
        matches = find_triggers(body, triggers)
    if not matches:
        return [], []
    mention_starts = [m.start for m in mentions]
    sentences: list[tuple[int, int, list[tuple[int, int, Trigger]]]] = []
    for match in matches:
        if sentences and match[0] < sentences[-1][1]:
            sentences[-1][2].append(match)
        else:
            sentences.append((*sentence_bounds(body, match[0]), [match]))

    rows: list[dict] = []
    skipped: list[dict] = []
    article_dates: list[tuple[int, dt.date, str]] | None = None  # found lazily: most events are dated in their sentence
    for s_start, s_end, found in sentences:
        sentence = body[s_start:s_end]
        tokens = None  # tokenised once per sentence, for the role ranker
        lo, hi = bisect.bisect_left(mention_starts, s_start), bisect.bisect_left(mention_starts, s_end)
        asides = [(s_start + m.start(), s_start + m.end()) for m in ASIDE.finditer(sentence)]
        actors, places = actor_mentions(body, mentions[lo:hi], asides, params.acting_places, params.cities_act_only_with_qid)
        groups = actor_groups(body, actors)
        verbal_roots = {t.root_code for _, _, t in found if t.voice != "nominal"}
        trigger_starts = []
        previous = -1
        for t_start, t_end, trigger in found:
            repeats = trigger.voice == "nominal" and (
                (previous >= 0 and len(body[previous:t_start].split()) <= 3) or trigger.root_code in verbal_roots
            )
            if trigger.event_code != "-" and not repeats:
                trigger_starts.append(t_start)
            previous = t_end
        previous_end, previous_code = -1, ""
        negating_end = -1
        for t_start, t_end, trigger in found:

            def skip(reason: str, t_start: int = t_start, t_end: int = t_end, trigger: Trigger = trigger) -> None:
                skipped.append(
                    {
                        "trigger": body[t_start:t_end],
                        "start_char": t_start,
                        "end_char": t_end,
                        "event_code": trigger.event_code,
                        "reason": reason,
                    }
                )

            if trigger.event_code == "-":
                skip("blocking_phrase")
                continue
            follows_trigger = previous_end >= 0 and len(body[previous_end:t_start].split()) <= 3
            is_negated = bool(NEGATION_BEFORE.search(body[max(s_start, t_start - 30) : t_start])) or (
                negating_end >= 0 and len(body[negating_end:t_start].split()) <= 4
            )
            prefix = body[max(s_start, t_start - 60) : t_start]
            accused = previous_code.startswith("112") and len(body[previous_end:t_start].split()) <= 4
            previous_end, previous_code = t_end, trigger.event_code
            if trigger.negates:
                negating_end = t_end
            if HYPOTHETICAL_BEFORE.search(prefix):
                skip("hypothetical")
                continue
            if HABITUAL_BEFORE.search(prefix):
                skip("habitual")
                continue
            if PURPOSE_BEFORE.search(prefix):
                skip("purpose")
                continue
            if sentence.rstrip(' "”’)').endswith("?"):
                skip("question")
                continue
            if params.quoted_filter and inside_quote(body, s_start, t_start):
                skip("quoted")
                continue
            if ALLEGED_BEFORE.search(prefix) or accused:
                skip("alleged")
                continue
            # `menjadi tuan rumah pertemuan puncak`: the noun repeats the verb's event
            if trigger.voice == "nominal" and (follows_trigger or trigger.root_code in verbal_roots):
                skip("repeats_verb")
                continue
            side1, side2 = sides(body, trigger.voice, t_start, t_end, groups, trigger.root_code in VERBAL_ROOTS)
            c1 = c2 = RULE_CONFIDENCE**0.5  # a nominal trigger's actors, read by the rules
            if roles is not None and trigger.voice != "nominal" and params.role_policy != "rules":
                if tokens is None:
                    tokens = tokens_of(sentence)
                learned1, learned2, p1, p2 = learned_sides(tokens, s_start, t_start, t_end, groups, roles, params.role_margin)
                side1, c1 = combine_sides(learned1, p1, side1, params)
                side2, c2 = combine_sides(learned2, p2, side2, params)
            if not side1 and trigger.voice == "active" and FRONTED_CLAUSE.match(body[s_start:t_start]):
                # `Mengecam resolusi IAEA, Iran mengumumkan ...`: a fronted clause's subject follows its comma
                comma = body.find(",", t_end, s_end)
                after = [g for g in groups if comma >= 0 and g[0].start > comma]
                if after and FRONTED_SUBJECT_GAP.match(body[comma + 1 : after[0][0].start]):
                    side1 = after[0]
                    side2 = [m for m in side2 if m.end <= comma]
                    c1 = FRONTED_CONFIDENCE
            if not side1 and trigger.voice != "passive" and s_start > 0:
                pronoun = pronoun_subject(body[s_start:t_start], trigger.voice)
                if pronoun is not None:
                    side1 = antecedent(
                        body, mentions, mention_starts, s_start, pronoun, params.pronoun_lookback, params.acting_places
                    )
                    c1 = PRONOUN_CONFIDENCE
            if trigger.negates:
                side2 = []  # a denial's object is the denied claim, not a party
            side1, side2 = unique(side1, params.max_actors_per_side), unique(side2, params.max_actors_per_side)
            place = place_for(places, t_start)
            host = (
                place is not None
                and place.subtype in params.acting_places
                and (place.subtype != "CITY" or not params.cities_act_only_with_qid or place.entity_id.startswith("Q"))
            )
            if trigger.event_code.startswith("04") and not side2 and host and trigger.event_code != "040":
                side2 = [place]  # `tiba di Moskow`: the visited country or capital is the host, not any town
            dyadic = trigger.root_code in params.dyadic_roots or trigger.event_code in params.dyadic_roots
            if dyadic and not side2 and len(side1) < 2:
                skip("no_actor1" if not side1 else "no_actor2")
                continue
            pairs: list[tuple[str, str | None]] = []
            if trigger.symmetric and len(side1) >= 2 and (not side2 or CONJUNCTION.search(body[side1[0].end : side1[-1].start])):
                pairs = [(a.entity_id, b.entity_id) for i, a in enumerate(side1) for b in side1[i + 1 :]]
            else:
                pairs = [
                    (a.entity_id, b.entity_id if b else None)
                    for a in side1
                    for b in (side2 or [None])
                    if b is None or b.entity_id != a.entity_id
                ]
            if dyadic:
                pairs = [pair for pair in pairs if pair[1] is not None]
            if not pairs:
                skip("no_actor1" if not side1 else "no_actor2")
                continue
            confidence = c1 * (c2 if side2 else 1.0)
            if confidence < params.min_confidence:
                skip("low_confidence")
                continue
            event_date, precision = date_of_event(sentence, s_start, t_start, reference, trigger_starts, params)
            if event_date is None and params.inherit_scope != "none":
                if article_dates is None:
                    article_dates = [
                        (m.start, *value)
                        for m in find_date_expressions(body, reference)
                        if (value := point_value(body, m)) is not None
                    ]
                event_date, precision = inherited_date(article_dates, body, s_start, params.inherit_scope)
            for actor1, actor2 in pairs:
                if trigger.symmetric and actor2 is not None and actor2 < actor1:
                    actor1, actor2 = actor2, actor1
                rows.append(
                    {
                        "event_id": event_id_for(trigger.event_code, actor1, actor2, event_date, precision, is_negated),
                        "event_code": trigger.event_code,
                        "root_code": trigger.root_code,
                        "label": trigger.label,
                        "event_date": event_date,
                        "date_precision": precision,
                        "actor1_entity_id": actor1,
                        "actor2_entity_id": actor2,
                        "location_entity_id": place.entity_id if place else None,
                        "quad_class": quad_class(trigger.root_code),
                        "is_negated": is_negated,
                        "confidence": round(confidence, 4),
                        "goldstein": goldstein_of(trigger.event_code, GOLDSTEIN),
                        "sentence": sentence,
                        "trigger": body[t_start:t_end],
                        "start_char": t_start,
                        "end_char": t_end,
                    }
                )
    return rows, skipped


def date_rementions(rows: list[dict]) -> list[dict]:
    """An undated mention of an event the same article dates once elsewhere is that dated event."""
    dated: dict[tuple, set[tuple]] = {}
    for row in rows:
        if row["event_date"] is not None:
            key = (row["article_id"], row["event_code"], row["actor1_entity_id"], row["actor2_entity_id"], row["is_negated"])
            dated.setdefault(key, set()).add((row["event_date"], row["date_precision"]))
    for row in rows:
        key = (row["article_id"], row["event_code"], row["actor1_entity_id"], row["actor2_entity_id"], row["is_negated"])
        if row["event_date"] is None and len(dated.get(key, ())) == 1:
            ((row["event_date"], row["date_precision"]),) = dated[key]
            row["event_id"] = event_id_for(
                row["event_code"],
                row["actor1_entity_id"],
                row["actor2_entity_id"],
                row["event_date"],
                row["date_precision"],
                row["is_negated"],
            )
    return rows


def extract_events(
    articles: pl.DataFrame,
    mentions: pl.DataFrame,
    triggers: TriggerTable,
    params: EventParams = DEFAULT_PARAMS,
    roles: RoleModel | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(events, event_mentions) for a batch of articles; events deduplicated by event_id."""
    events, event_mentions, _skipped = extract_events_with_audit(articles, mentions, triggers, params, roles)
    return events, event_mentions


def extract_events_with_audit(
    articles: pl.DataFrame,
    mentions: pl.DataFrame,
    triggers: TriggerTable,
    params: EventParams = DEFAULT_PARAMS,
    roles: RoleModel | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(events, event_mentions, skipped_triggers): every matched trigger is coded or has a reason.

    Articles whose `section` (when the frame has one) is not a hard-news section are not coded
    (EventParams.hard_sections_only); their triggers are not scanned, the section on the article says why.
    """
    if params.hard_sections_only and "section" in articles.columns:
        articles = articles.filter(pl.col("section").is_in(sorted(HARD_SECTIONS)) | pl.col("section").is_null())
    if roles is None and params.role_policy != "rules":
        roles = default_role_model()
    usable = mentions.filter(pl.col("type").is_in(ACTOR_TYPES)).sort("article_id", "start_char", "end_char")
    if "subtype" not in usable.columns:
        usable = usable.with_columns(subtype=pl.lit(None, dtype=pl.String))
    mention_columns = [usable[c].to_list() for c in ("start_char", "end_char", "entity_id", "type", "subtype")]
    # Row range of each article's mentions; Mention objects are built only for articles with a trigger.
    ranges = (
        usable.with_row_index("row")
        .group_by("article_id")
        .agg(pl.col("row").min().alias("lo"), (pl.col("row").max() + 1).alias("hi"))
    )
    article_rows = dict(zip(ranges["article_id"].to_list(), zip(ranges["lo"].to_list(), ranges["hi"].to_list())))

    def article_mentions(article_id: str) -> list[Mention]:
        lo, hi = article_rows.get(article_id, (0, 0))
        return [Mention(*fields) for fields in zip(*(column[lo:hi] for column in mention_columns))]

    n = articles.height
    published = articles["published_date"].to_list() if "published_date" in articles.columns else [None] * n
    datelines = articles["dateline"].to_list() if "dateline" in articles.columns else [None] * n
    rows: list[dict] = []
    skipped: list[dict] = []
    for article_id, body, published_date, dateline in zip(
        articles["article_id"].to_list(), articles["body"].to_list(), published, datelines
    ):
        body = body or ""
        matches = find_triggers(body, triggers)
        if not matches:
            continue
        reference = reference_date(published_date, dateline)
        coded_rows, skipped_rows = code_article(body, article_mentions(article_id), triggers, reference, matches, params, roles)
        for row in coded_rows:
            row["article_id"] = article_id
            rows.append(row)
        for row in skipped_rows:
            row["article_id"] = article_id
            skipped.append(row)
    skipped_triggers = pl.DataFrame(skipped, schema=SKIPPED_TRIGGERS_SCHEMA).select(list(SKIPPED_TRIGGERS_SCHEMA))

    rows = date_rementions(rows)
    if not rows:
        return pl.DataFrame(schema=EVENTS_SCHEMA), pl.DataFrame(schema=EVENT_MENTIONS_SCHEMA), skipped_triggers
    coded = pl.DataFrame(
        rows,
        schema_overrides={
            k: v for k, v in {**EVENTS_SCHEMA, **EVENT_MENTIONS_SCHEMA}.items() if k not in ("num_articles", "num_mentions")
        },
    )
    event_mentions = coded.select(list(EVENT_MENTIONS_SCHEMA)).unique(
        subset=["event_id", "article_id", "start_char"], keep="first", maintain_order=True
    )
    counts = event_mentions.group_by("event_id").agg(
        num_articles=pl.col("article_id").n_unique().cast(pl.Int64), num_mentions=pl.len().cast(pl.Int64)
    )
    # The same event in two articles may name a place in one only: keep the first place seen.
    events = (
        coded.group_by("event_id", maintain_order=True)
        .agg(
            pl.col(
                "event_code",
                "root_code",
                "label",
                "event_date",
                "date_precision",
                "actor1_entity_id",
                "actor2_entity_id",
                "quad_class",
                "is_negated",
                "goldstein",
            ).first(),
            pl.col("confidence").max(),
            pl.col("location_entity_id").drop_nulls().first(),
        )
        .join(counts, on="event_id", how="left")
        .select(list(EVENTS_SCHEMA))
        .sort("event_id")
    )
    return events, event_mentions, skipped_triggers

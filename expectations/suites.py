"""Data-quality suites, one per warehouse table: an audit query over staging plus the checks run on its rows.

Each suite has two halves:

* an audit query (DuckDB SQL over ``staging.<table>`` joined to what is already
  published in ``main.<table>``) that returns one row per staged row, with the
  columns to check and one *finding* column per relational check (offsets,
  references, dates, boilerplate).  A finding column is NULL when the row is
  fine and otherwise holds a short, human-readable description of the problem,
  so the samples in dq_results and the HTML report say what is wrong and where.
  Heavy joins stay in DuckDB; no per-row Python.
* a list of ``Check`` specs, each one Great Expectations expectation on a column
  of the audit frame, marked ``blocking`` (a failure stops publishing) or warn.

Nothing here imports Great Expectations (it costs seconds): ``expectations.checkpoint``
turns the specs into real ExpectationSuites when a run validates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import polars as pl

from expectations.findings import BODY_MAX_CHARS, BODY_MIN_CHARS, BODY_QUARANTINE_MIN_CHARS
from transforms.schema import (  # re-exported: the suites' closed sets
    CAMEO_ROOT_CODES,
    DATE_PRECISIONS,
    DUPLICATE_KINDS,
    ENTITY_TYPES,
    QUARANTINE_REASONS,
    REMOVED_LINE_KINDS,
)
from transforms.section import SECTIONS

ARTICLE_SECTIONS = SECTIONS  # transforms/section.py: the section classifier's closed set

# Every code langdetect (and langdetect-rs, which ships the same profiles) can return; articles may
# also carry 'ms' from our Malay/Indonesian tie-break and our 'unknown' fallback.
LANGDETECT_LANGUAGES = (
    "af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "gu",
    "he", "hi", "hr", "hu", "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne", "nl", "no",
    "pa", "pl", "pt", "ro", "ru", "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk",
    "ur", "vi", "zh-cn", "zh-tw",
)  # fmt: skip
ARTICLE_LANGUAGES = (*LANGDETECT_LANGUAGES, "ms", "unknown")

# Row-level checks quarantine or drop the rows that fail them; above this share of a commit unit's rows
# (Great Expectations' `mostly`) the failures say something is wrong as a whole, and the unit blocks.
MAX_ROW_FAILURE_RATE = 0.02
# What a row-level check does with a failing row.
ROW_ACTIONS = {
    "quarantine": "the article goes to quarantine",
    "drop": "the row is dropped and recorded in dropped_rows",
    "null_event_date": "the event keeps no date (event_date NULL, date_flag set)",
}
# Earliest plausible dates: before these a parsed date is a parsing error (e.g. year 0023), not news.
EARLIEST_PUBLISHED_DATE = "1990-01-01"
EARLIEST_EVENT_DATE = "1800-01-01"
# Events may be announced for later dates (a summit next spring), so a future event_date only warns;
# one more than this many years after the run is a parsing error and blocks.
EVENT_MAX_YEARS_AHEAD = 10


@dataclass(frozen=True)
class Check:
    """One expectation on a column (or columns) of a suite's audit frame."""

    expectation: str  # Great Expectations type, e.g. "expect_column_values_to_be_null"
    column: str | None  # audit-frame column; None for multi-column expectations
    blocking: bool
    why: str  # one line shown in the report, dq_results.details and Data Docs
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    # Row-level checks: a key of ROW_ACTIONS. Failing rows are acted on, not published as they are; the
    # check blocks only when more than the run's max failure rate of the rows fail (GX `mostly`).
    action: str | None = None
    rate: bool = False  # a failure-rate check over several row-level checks: blocks above the rate

    @property
    def kind(self) -> str:
        """blocking | row-level | rate | warn: how a failure of this check is handled."""
        if self.action is not None:
            return "row-level"
        if self.rate:
            return "rate"
        return "blocking" if self.blocking else "warn"

    def label(self, max_failure_rate: float = MAX_ROW_FAILURE_RATE) -> str:
        """The kind as the report and the expectation's description show it."""
        if self.action is not None and self.blocking:
            return f"row-level: {ROW_ACTIONS[self.action]}; blocks above {max_failure_rate:.1%} of rows"
        if self.action is not None:
            return f"row-level: {ROW_ACTIONS[self.action]}; counted per article in articles.derived_row_failure"
        if self.rate:
            return f"rate: blocks above {max_failure_rate:.1%} of rows"
        return "BLOCKING" if self.blocking else "warn"

    def __post_init__(self) -> None:
        object.__setattr__(self, "kwargs", MappingProxyType(dict(self.kwargs)))

    @property
    def column_name(self) -> str | None:
        """The dq_results column_name: the column, or the comma-joined column list."""
        if self.column is not None:
            return self.column
        columns = self.kwargs.get("column_list")
        return ",".join(columns) if columns else None

    def gx_kwargs(self, max_failure_rate: float = MAX_ROW_FAILURE_RATE) -> dict[str, Any]:
        """Keyword arguments for the Great Expectations expectation class."""
        out: dict[str, Any] = {key: (list(value) if isinstance(value, tuple) else value) for key, value in self.kwargs.items()}
        if self.column is not None:
            out["column"] = self.column
        if (self.action is not None and self.blocking) or self.rate:
            out["mostly"] = round(1.0 - max_failure_rate, 6)
        return out


@dataclass(frozen=True)
class SpanCheck:
    """Offsets of a text span (a mention's surface, an event's trigger) checked against its article's body."""

    text_column: str  # audit-frame column holding the span's text; dropped once checked
    finding: str  # finding column added to the audit frame


@dataclass(frozen=True)
class Suite:
    """A table's audit query and its checks."""

    name: str  # the warehouse table, also the ExpectationSuite name
    audit_sql: str  # parameters: $run_id (VARCHAR), $run_date (DATE)
    checks: tuple[Check, ...]
    spans: SpanCheck | None = None  # rows carry article_id, start_char, end_char and the span text
    body_checks: bool = False  # rows carry article_id and n_chars: add body_findings() columns
    key: tuple[str, ...] = ()  # the audit columns that name a row, for row-level actions
    # A column set to the first failing row-level finding of the row (null when none): the rate check's column.
    failure_column: str | None = None
    # A column naming, per article, the derived rows (mentions, events) failing their own row-level checks.
    derived_failure_column: str | None = None

    def row_level_checks(self) -> tuple[Check, ...]:
        """The checks whose failing rows are quarantined, dropped or nulled."""
        return tuple(check for check in self.checks if check.action is not None)


# Bodies the span checks need: every staged article and the published ones staged mentions point at.
BODIES_SQL = """
SELECT article_id, body FROM staging.articles
UNION ALL
SELECT article_id, body FROM main.articles
WHERE article_id IN (SELECT article_id FROM staging.entity_mentions UNION SELECT article_id FROM staging.event_mentions)
  AND article_id NOT IN (SELECT article_id FROM staging.articles WHERE article_id IS NOT NULL)
"""


def _not_null(column: str, why: str, blocking: bool = True) -> Check:
    return Check("expect_column_values_to_not_be_null", column, blocking, why)


def _unique(column: str, why: str) -> Check:
    return Check("expect_column_values_to_be_unique", column, True, why)


def _in_set(column: str, values: tuple[str, ...], why: str, blocking: bool = True) -> Check:
    return Check("expect_column_values_to_be_in_set", column, blocking, why, {"value_set": values})


def _no_finding(column: str, why: str, blocking: bool = True) -> Check:
    return Check("expect_column_values_to_be_null", column, blocking, why)


def _row_level(column: str, why: str, action: str = "quarantine") -> Check:
    # A derived row (mention, event) is judged by its article's rate: a unit has few events, so a rate over
    # events alone would block on one bad date.
    return Check("expect_column_values_to_be_null", column, action == "quarantine", why, action=action)


def _compound_unique(columns: tuple[str, ...], why: str) -> Check:
    return Check("expect_compound_columns_to_be_unique", None, True, why, {"column_list": columns})


# Articles this run may refer to: staged or already published.
_KNOWN_ARTICLES = "(SELECT article_id FROM staging.articles UNION SELECT article_id FROM main.articles)"
# Entities this run may refer to; publishing keeps a published entity's row, so its type wins.
_KNOWN_ENTITIES = (
    "(SELECT entity_id, type FROM main.entities UNION ALL SELECT entity_id, type FROM staging.entities"
    " WHERE entity_id NOT IN (SELECT entity_id FROM main.entities WHERE entity_id IS NOT NULL))"
)
_KNOWN_EVENTS = "(SELECT event_id FROM staging.events UNION SELECT event_id FROM main.events)"

ARTICLES = Suite(
    name="articles",
    body_checks=True,
    audit_sql=f"""
SELECT a.article_id, a.source_path, a.source_sha256, a.language, a.language_prob, a.n_chars, a.duplicate_kind, a.section,
       CASE WHEN a.language IS DISTINCT FROM 'id' THEN format('{{}}: {{}}', a.article_id, a.language) END AS non_indonesian_language,
       CASE WHEN a.published_date > $run_date
            THEN format('{{}}: published {{}} after run date {{}}', a.article_id, a.published_date, $run_date) END
           AS future_published_date,
       CASE WHEN a.published_date < DATE '{EARLIEST_PUBLISHED_DATE}'
            THEN format('{{}}: published {{}}', a.article_id, a.published_date) END
           AS implausible_published_date,
       CASE WHEN published.article_id IS NOT NULL THEN a.article_id END AS already_published_article_id,
       CASE WHEN a.duplicate_of IS NOT NULL AND (original.article_id IS NULL OR a.duplicate_of = a.article_id)
            THEN format('{{}} -> {{}}', a.article_id, a.duplicate_of) END
           AS orphan_duplicate_of,
       CASE WHEN a.run_id IS DISTINCT FROM $run_id
            THEN format('{{}}: run_id {{}}', a.article_id, a.run_id) END
           AS foreign_run_id,
       CASE WHEN staged_text.article_id IS NULL AND published_text.article_id IS NULL THEN a.article_id END
           AS missing_article_text
FROM staging.articles a
LEFT JOIN main.articles published ON published.article_id = a.article_id
LEFT JOIN {_KNOWN_ARTICLES} original ON original.article_id = a.duplicate_of
LEFT JOIN staging.article_texts staged_text ON staged_text.article_id = a.article_id
LEFT JOIN main.article_texts published_text ON published_text.article_id = a.article_id
""",
    key=("article_id", "source_path", "source_sha256"),
    failure_column="content_failure",
    derived_failure_column="derived_row_failure",
    checks=(
        _not_null("article_id", "every article has a key"),
        _unique("article_id", "one row per article"),
        _no_finding(
            "already_published_article_id",
            "a staged article is new (publishing skips a published one, but the skip-same-bytes step should have)",
            blocking=False,
        ),
        _not_null("source_path", "lineage: every article names its file"),
        _not_null("source_sha256", "lineage: every article names its file version"),
        _not_null("body_length", "every article has a body"),
        _row_level("n_chars_mismatch", "n_chars equals the body's length in characters"),
        _row_level("body_too_short", f"a body of fewer than {BODY_QUARANTINE_MIN_CHARS} characters is not an article"),
        _row_level("body_too_long", f"a body of more than {BODY_MAX_CHARS:,} characters is several pages glued together"),
        Check(
            "expect_column_values_to_be_between",
            "n_chars",
            False,
            f"bodies shorter than {BODY_MIN_CHARS} characters are worth a look (a stub or an over-eager strip)",
            {"min_value": BODY_MIN_CHARS},
        ),
        _row_level("body_boilerplate_marker", "no body still carries a known boilerplate marker"),
        _in_set("section", ARTICLE_SECTIONS, "section is one of the section classifier's sections", blocking=False),
        _in_set("language", ARTICLE_LANGUAGES, "language is a code langdetect returns, or 'unknown'"),
        _not_null("language", "language detection ran on every article", blocking=False),
        Check(
            "expect_column_values_to_be_null",
            "non_indonesian_language",
            False,
            "the corpus is Indonesian news: at least half the articles should be 'id'",
            {"mostly": 0.5},
        ),
        Check(
            "expect_column_values_to_be_between",
            "language_prob",
            True,
            "a probability lies in [0, 1]",
            {"min_value": 0, "max_value": 1},
        ),
        _row_level("future_published_date", "a publication date after the run date is a parsing error"),
        _row_level("implausible_published_date", f"a publication date before {EARLIEST_PUBLISHED_DATE} is a parsing error"),
        Check(
            "expect_column_values_to_be_null",
            "content_failure",
            True,
            "the share of the unit's articles failing a row-level content check (each quarantined) stays small",
            rate=True,
        ),
        Check(
            "expect_column_values_to_be_null",
            "derived_row_failure",
            True,
            "the share of the unit's articles with a mention or event failing its own row-level check (dropped or nulled) stays small",
            rate=True,
        ),
        _no_finding("orphan_duplicate_of", "duplicate_of names another existing article"),
        _in_set("duplicate_kind", DUPLICATE_KINDS, "duplicate_kind is exact or near"),
        _no_finding("foreign_run_id", "staged rows carry this run's id", blocking=False),
        _no_finding("missing_article_text", "every article keeps its decoded input text", blocking=False),
    ),
)

ARTICLE_TEXTS = Suite(
    name="article_texts",
    audit_sql=f"""
SELECT t.article_id, CASE WHEN t.raw_text IS NULL THEN t.article_id END AS missing_raw_text,
       CASE WHEN known.article_id IS NULL THEN t.article_id END AS orphan_article_id
FROM staging.article_texts t
LEFT JOIN {_KNOWN_ARTICLES} known ON known.article_id = t.article_id
""",
    checks=(
        _not_null("article_id", "every text has a key"),
        _unique("article_id", "one text per article"),
        _no_finding("missing_raw_text", "every text has content"),
        _no_finding("orphan_article_id", "every text belongs to an article"),
    ),
)

REMOVED_LINES = Suite(
    name="removed_lines",
    audit_sql=f"""
SELECT r.article_id, r.line_no, r.start_char, r.rule, r.kind,
       CASE WHEN r.text IS NULL THEN format('{{}} line {{}}', r.article_id, r.line_no) END AS missing_text,
       CASE WHEN known.article_id IS NULL THEN r.article_id END AS orphan_article_id
FROM staging.removed_lines r
LEFT JOIN {_KNOWN_ARTICLES} known ON known.article_id = r.article_id
""",
    checks=(
        _not_null("article_id", "every removed line names its article"),
        _not_null("rule", "every removed line names the rule that removed it"),
        Check(
            "expect_compound_columns_to_be_unique",
            None,
            True,
            "one row per removal: its line, its offset in the line and its rule",
            {"column_list": ("article_id", "line_no", "start_char", "rule"), "ignore_row_if": "any_value_is_missing"},
        ),
        _no_finding("missing_text", "every removed line keeps its text"),
        _not_null("line_no", "every removed line has a line number"),
        Check("expect_column_values_to_be_between", "line_no", True, "line numbers are 1-based", {"min_value": 1}),
        _in_set("kind", REMOVED_LINE_KINDS, "kind is line or inline"),
        _no_finding("orphan_article_id", "every removed line belongs to an article"),
    ),
)

ENTITIES = Suite(
    name="entities",
    audit_sql="""
SELECT e.entity_id, e.name, e.type, e.wikidata_id,
       CASE WHEN published.type IS DISTINCT FROM e.type AND published.entity_id IS NOT NULL
            THEN format('{}: staged as {} but published as {}', e.entity_id, e.type, published.type) END
           AS type_conflict_with_published
FROM staging.entities e
LEFT JOIN main.entities published ON published.entity_id = e.entity_id
""",
    checks=(
        _not_null("entity_id", "every entity has a key"),
        _unique("entity_id", "one row per entity"),
        _not_null("name", "every entity has a name"),
        _in_set("type", ENTITY_TYPES, "type is PERSON, ORGANIZATION or LOCATION"),
        Check(
            "expect_column_values_to_match_regex",
            "wikidata_id",
            False,
            "wikidata_id looks like a QID",
            {"regex": r"^Q[1-9][0-9]*$"},
        ),
        _no_finding(
            "type_conflict_with_published",
            "a known entity re-staged (new aliases) keeps its type; publishing keeps the published row",
            blocking=False,
        ),
    ),
)

ENTITY_MENTIONS = Suite(
    name="entity_mentions",
    audit_sql=f"""
SELECT m.article_id, m.entity_id, m.start_char, m.end_char, m.type, m.surface,
       CASE WHEN known.article_id IS NULL THEN m.article_id END AS orphan_article_id,
       CASE WHEN e.entity_id IS NULL THEN m.entity_id END AS orphan_entity_id,
       CASE WHEN e.type IS DISTINCT FROM m.type AND e.entity_id IS NOT NULL
            THEN format('{{}} mentioned as {{}} but is {{}}', m.entity_id, m.type, e.type) END AS mention_type_conflict
FROM staging.entity_mentions m
LEFT JOIN {_KNOWN_ARTICLES} known ON known.article_id = m.article_id
LEFT JOIN {_KNOWN_ENTITIES} e ON e.entity_id = m.entity_id
""",
    spans=SpanCheck(text_column="surface", finding="offset_mismatch"),
    key=("article_id", "start_char", "end_char"),
    checks=(
        _not_null("article_id", "every mention names its article"),
        _not_null("entity_id", "every mention names its entity"),
        _not_null("start_char", "every mention has offsets"),
        _not_null("end_char", "every mention has offsets"),
        _compound_unique(("article_id", "start_char", "end_char"), "one mention per span"),
        _in_set("type", ENTITY_TYPES, "type is PERSON, ORGANIZATION or LOCATION"),
        _no_finding("orphan_article_id", "every mention's article exists (staged or published)"),
        _no_finding("orphan_entity_id", "every mention's entity exists (staged or published)"),
        _row_level("offset_mismatch", "offsets lie inside the body and body[start_char:end_char] == surface", action="drop"),
        _no_finding("mention_type_conflict", "a mention's type agrees with its entity's type", blocking=False),
    ),
)

EVENTS = Suite(
    name="events",
    key=("event_id",),
    audit_sql=f"""
WITH known_entities AS {_KNOWN_ENTITIES}
SELECT ev.event_id, ev.event_code, ev.root_code, ev.label, ev.date_precision, ev.quad_class, ev.confidence, ev.goldstein,
       CASE WHEN NOT starts_with(ev.event_code, ev.root_code)
            THEN format('{{}}: event_code {{}} under root {{}}', ev.event_id, ev.event_code, ev.root_code) END
           AS event_code_root_mismatch,
       CASE WHEN (ev.event_date IS NULL) <> (ev.date_precision IS NULL)
            THEN format('{{}}: event_date {{}} with precision {{}}', ev.event_id, ev.event_date, ev.date_precision) END
           AS date_precision_mismatch,
       CASE WHEN ev.event_date > $run_date
            THEN format('{{}}: event on {{}} after run date {{}}', ev.event_id, ev.event_date, $run_date) END
           AS future_event_date,
       CASE WHEN ev.event_date < DATE '{EARLIEST_EVENT_DATE}'
              OR ev.event_date > $run_date + INTERVAL {EVENT_MAX_YEARS_AHEAD} YEAR
            THEN format('{{}}: event on {{}}', ev.event_id, ev.event_date) END
           AS implausible_event_date,
       CASE WHEN ev.actor1_entity_id IS NOT NULL AND actor1.entity_id IS NULL THEN ev.actor1_entity_id END
           AS orphan_actor1_entity_id,
       CASE WHEN ev.actor2_entity_id IS NOT NULL AND actor2.entity_id IS NULL THEN ev.actor2_entity_id END
           AS orphan_actor2_entity_id,
       CASE WHEN ev.location_entity_id IS NOT NULL AND place.entity_id IS NULL THEN ev.location_entity_id END
           AS orphan_location_entity_id,
       CASE WHEN place.type <> 'LOCATION'
            THEN format('{{}}: location {{}} is a {{}}', ev.event_id, ev.location_entity_id, place.type) END
           AS location_not_a_location
FROM staging.events ev
LEFT JOIN known_entities actor1 ON actor1.entity_id = ev.actor1_entity_id
LEFT JOIN known_entities actor2 ON actor2.entity_id = ev.actor2_entity_id
LEFT JOIN known_entities place ON place.entity_id = ev.location_entity_id
""",
    checks=(
        _not_null("event_id", "every event has a key"),
        _unique("event_id", "one row per event"),
        _not_null("event_code", "every event has a CAMEO code"),
        Check(
            "expect_column_values_to_match_regex", "event_code", True, "a CAMEO code is 2 to 4 digits", {"regex": r"^[0-9]{2,4}$"}
        ),
        _in_set("root_code", CAMEO_ROOT_CODES, "root_code is a CAMEO root '01'..'20'"),
        _no_finding("event_code_root_mismatch", "event_code starts with its root_code"),
        _not_null("label", "every event has a label"),
        _in_set("date_precision", DATE_PRECISIONS, "date_precision is day, month or year (or null without a date)"),
        _no_finding("date_precision_mismatch", "a dated event has a precision and an undated one has none", blocking=False),
        Check(
            "expect_column_values_to_be_between",
            "quad_class",
            True,
            "quad_class is a CAMEO quad class 1..4",
            {"min_value": 1, "max_value": 4},
        ),
        _no_finding(
            "future_event_date", "an event after the run date is either announced (a planned summit) or misparsed", blocking=False
        ),
        _row_level(
            "implausible_event_date",
            f"an event before {EARLIEST_EVENT_DATE} or over {EVENT_MAX_YEARS_AHEAD} years after the run is a parsing error",
            action="null_event_date",
        ),
        _no_finding("orphan_actor1_entity_id", "actor1 is an existing entity"),
        _no_finding("orphan_actor2_entity_id", "actor2 is an existing entity"),
        _no_finding("orphan_location_entity_id", "the location is an existing entity"),
        _no_finding("location_not_a_location", "an event's location is a LOCATION entity", blocking=False),
        Check(
            "expect_column_values_to_be_between",
            "confidence",
            False,
            "confidence is a probability 0..1",
            {"min_value": 0.0, "max_value": 1.0},
        ),
        Check(
            "expect_column_values_to_be_between",
            "goldstein",
            False,
            "the Goldstein scale runs from -10 to +10",
            {"min_value": -10.0, "max_value": 10.0},
        ),
    ),
)

EVENT_MENTIONS = Suite(
    name="event_mentions",
    audit_sql=f"""
SELECT m.event_id, m.article_id, m.start_char, m.end_char, m.trigger,
       CASE WHEN known_event.event_id IS NULL THEN m.event_id END AS orphan_event_id,
       CASE WHEN known.article_id IS NULL THEN m.article_id END AS orphan_article_id,
       CASE WHEN strpos(m.sentence, m.trigger) = 0
            THEN format('{{}}: trigger ''{{}}'' not in its sentence', m.article_id, m.trigger) END
           AS trigger_outside_sentence
FROM staging.event_mentions m
LEFT JOIN {_KNOWN_ARTICLES} known ON known.article_id = m.article_id
LEFT JOIN {_KNOWN_EVENTS} known_event ON known_event.event_id = m.event_id
""",
    spans=SpanCheck(text_column="trigger", finding="trigger_offset_mismatch"),
    key=("event_id", "article_id", "start_char"),
    checks=(
        _not_null("event_id", "every event mention names its event"),
        _not_null("article_id", "every event mention names its article"),
        _not_null("start_char", "every event mention has trigger offsets"),
        _compound_unique(("event_id", "article_id", "start_char"), "one mention of an event per trigger"),
        _no_finding("orphan_event_id", "every event mention's event exists (staged or published)"),
        _no_finding("orphan_article_id", "every event mention's article exists (staged or published)"),
        _row_level(
            "trigger_offset_mismatch",
            "trigger offsets lie inside the body and body[start_char:end_char] == trigger",
            action="drop",
        ),
        _no_finding("trigger_outside_sentence", "the trigger occurs in the stored sentence", blocking=False),
    ),
)

QUARANTINE = Suite(
    name="quarantine",
    audit_sql="SELECT q.source_path, q.source_sha256, q.reason FROM staging.quarantine q",
    checks=(
        _not_null("source_path", "every quarantined file names its path"),
        _not_null("source_sha256", "every quarantined file names its version"),
        _compound_unique(("source_path", "source_sha256"), "one quarantine row per file version"),
        _not_null("reason", "every quarantined file has a reason"),
        _in_set("reason", QUARANTINE_REASONS, "reason is one of the accepted quarantine reasons"),
    ),
)

SUITES: tuple[Suite, ...] = (
    ARTICLES,
    ARTICLE_TEXTS,
    REMOVED_LINES,
    ENTITIES,
    ENTITY_MENTIONS,
    EVENTS,
    EVENT_MENTIONS,
    QUARANTINE,
)


def blocking_expectations(max_failure_rate: float = MAX_ROW_FAILURE_RATE) -> pl.DataFrame:
    """Every check of every suite: suite, expectation, column_name, blocking, kind, label, why."""
    rows = [
        {
            "suite": suite.name,
            "expectation": check.expectation,
            "column_name": check.column_name,
            "blocking": check.blocking,
            "kind": check.kind,
            "label": check.label(max_failure_rate),
            "why": check.why,
        }
        for suite in SUITES
        for check in suite.checks
    ]
    schema = {
        "suite": pl.String, "expectation": pl.String, "column_name": pl.String, "blocking": pl.Boolean,
        "kind": pl.String, "label": pl.String, "why": pl.String,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def checks_markdown() -> str:
    """The checks of every suite as a Markdown table (kept in expectations/README.md)."""
    lines = ["| suite | column | expectation | kind | why |", "|---|---|---|---|---|"]
    for row in blocking_expectations().iter_rows(named=True):
        kind = "**blocking**" if row["kind"] == "blocking" else row["label"]
        lines.append(f"| {row['suite']} | `{row['column_name']}` | `{row['expectation']}` | {kind} | {row['why']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(checks_markdown(), end="")

"""Strip Indonesian news furniture from article text and move byline metadata out of the body.

Rules are data (`data/boilerplate/rules.tsv`, see its README); learned, per-outlet furniture
comes in as a frame (`count_lines` → `merge_learned` → `furniture_of`). Every removed line or
span is returned in `removed_lines` with the rule that removed it.

Modules: `params` (knobs, schemas), `rules` (loading and compiling the library), `lines`
(line keys, headline shapes, matching within a line), `learned` (the per-outlet table),
`clean` (one article and the batch API).
"""

from transforms.boilerplate.clean import (
    clean,
    clean_and_count,
    clean_and_learn,
    clean_articles,
    count_lines,
    furniture_of,
)
from transforms.boilerplate.learned import learn_boilerplate, marker_hash, merge_learned, split_marker
from transforms.boilerplate.lines import headline_end, line_hash, looks_like_related_headline, normalise_line
from transforms.boilerplate.params import (
    ALL_OUTLETS,
    CLEAN_SCHEMA,
    DEFAULT_PARAMS,
    DUPLICATE_MIN_CHARS,
    FINGERPRINT_MIN_WORDS,
    LEARNED_MAX_FINGERPRINTS,
    LEARNED_MAX_LINE_CHARS,
    LEARNED_MAX_ROWS_PER_OUTLET,
    LEARNED_MIN_ARTICLES,
    LEARNED_SCHEMA,
    LEARNED_SINGLETON_MAX_CHARS,
    MARKED_HEADLINE_MIN_WORDS,
    MARKER_MAX_CHARS,
    RELATED_HEADLINE_MAX_CHARS,
    RELATED_HEADLINES_MAX,
    REMOVED_SCHEMA,
    UNKNOWN_OUTLET,
    UNTRIGGERED_MAX_CHARS,
    BoilerplateParams,
)
from transforms.boilerplate.rules import ACTIONS, DEFAULT_RULES_DIR, BoilerplateRules, Rule, load_rules, pattern_max_chars

__all__ = [
    "ACTIONS",
    "ALL_OUTLETS",
    "CLEAN_SCHEMA",
    "DEFAULT_PARAMS",
    "DEFAULT_RULES_DIR",
    "DUPLICATE_MIN_CHARS",
    "FINGERPRINT_MIN_WORDS",
    "LEARNED_MAX_FINGERPRINTS",
    "LEARNED_MAX_LINE_CHARS",
    "LEARNED_MAX_ROWS_PER_OUTLET",
    "LEARNED_MIN_ARTICLES",
    "LEARNED_SCHEMA",
    "LEARNED_SINGLETON_MAX_CHARS",
    "MARKED_HEADLINE_MIN_WORDS",
    "MARKER_MAX_CHARS",
    "RELATED_HEADLINES_MAX",
    "RELATED_HEADLINE_MAX_CHARS",
    "REMOVED_SCHEMA",
    "UNKNOWN_OUTLET",
    "UNTRIGGERED_MAX_CHARS",
    "BoilerplateParams",
    "BoilerplateRules",
    "Rule",
    "clean",
    "clean_and_count",
    "clean_and_learn",
    "clean_articles",
    "count_lines",
    "furniture_of",
    "headline_end",
    "learn_boilerplate",
    "line_hash",
    "load_rules",
    "looks_like_related_headline",
    "marker_hash",
    "merge_learned",
    "normalise_line",
    "pattern_max_chars",
    "split_marker",
]

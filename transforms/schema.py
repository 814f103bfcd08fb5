"""Enumerations shared by the transforms, the warehouse and the checks, defined once."""

from __future__ import annotations

# Why a file version is not a published article. Decode reasons come from transforms/decode.py;
# content reasons are the row-level checks of expectations/suites.py that failed for the article.
DECODE_QUARANTINE_REASONS = ("empty", "whitespace_only", "binary", "undecodable", "oversized", "not_article_text")
CONTENT_QUARANTINE_REASONS = (
    "body_boilerplate_marker",
    "n_chars_mismatch",
    "body_too_short",
    "body_too_long",
    "future_published_date",
    "implausible_published_date",
)
QUARANTINE_REASONS = (*DECODE_QUARANTINE_REASONS, *CONTENT_QUARANTINE_REASONS)

# Manifest (`files.status`) values: what became of a file version.
FILE_STATUSES = ("article", "same_bytes", "quarantined")
# `runs.status` values. `crashed`: left `running` by a process that no longer exists.
RUN_STATUSES = ("running", "success", "failed", "interrupted", "crashed")

ENTITY_TYPES = ("PERSON", "ORGANIZATION", "LOCATION")
CAMEO_ROOT_CODES = tuple(f"{code:02d}" for code in range(1, 21))
DATE_PRECISIONS = ("day", "month", "year")
REMOVED_LINE_KINDS = ("line", "inline")
DUPLICATE_KINDS = ("exact", "near")

# Steps of a run, as `run_steps.step` records them: the flow's own and the batch transform's.
FLOW_STEPS = ("discover", "learn", "read", "route", "dedup", "stage", "validate", "quarantine", "publish", "report")
TRANSFORM_STEPS = (
    "load_resources", "decode", "normalise", "boilerplate", "metadata", "language", "dedup_signatures", "entities", "events",
)  # fmt: skip

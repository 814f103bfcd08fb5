"""Code events in Indonesian news: who did what to whom, when and where, in CAMEO.

Per sentence, a trigger from the trigger table (triggers.py, data/events/triggers.tsv) gives
the CAMEO code; actors and the place come from the entity mentions of the entities stage
(actors.py, and the learned role ranker in roles.py); the date comes from the sentence's
date expression (dating.py); coding.py puts them together with the hedges that stop a
trigger (patterns.py) and adds confidence and the Goldstein score. Knobs: params.py.
"""

from transforms.events.actors import Mention, sentence_bounds
from transforms.events.coding import (
    EVENT_MENTIONS_SCHEMA,
    EVENTS_SCHEMA,
    SKIP_REASONS,
    SKIPPED_TRIGGERS_SCHEMA,
    code_article,
    event_id_for,
    extract_events,
    extract_events_with_audit,
)
from transforms.events.dating import reference_date
from transforms.events.params import DEFAULT_PARAMS, EventParams
from transforms.events.triggers import (
    DEFAULT_TRIGGERS,
    Trigger,
    TriggerTable,
    build_trigger_table,
    find_triggers,
    load_triggers,
    parse_trigger_lines,
    quad_class,
)

__all__ = [
    "DEFAULT_PARAMS",
    "DEFAULT_TRIGGERS",
    "EVENT_MENTIONS_SCHEMA",
    "EVENTS_SCHEMA",
    "SKIP_REASONS",
    "SKIPPED_TRIGGERS_SCHEMA",
    "EventParams",
    "Mention",
    "Trigger",
    "TriggerTable",
    "build_trigger_table",
    "code_article",
    "event_id_for",
    "extract_events",
    "extract_events_with_audit",
    "find_triggers",
    "load_triggers",
    "parse_trigger_lines",
    "quad_class",
    "reference_date",
    "sentence_bounds",
]

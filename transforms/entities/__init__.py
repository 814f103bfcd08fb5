"""Entities: PERSON / ORGANIZATION / LOCATION mentions in clean bodies, linked to canonical rows.

The package, by seam:
- `resources`: what is loaded from `data/` (gazetteer, lexicons, CRF weights), schemas, gazetteer policies;
- `features`, `model`, `gazetteer`: the CRF's token features and weights (numpy Viterbi), the gazetteer;
- `words`, `tokens`: word lists and token tests; batch tokenising and the per-process token table;
- `recognise`: decoding runs of name tokens and cleaning the spans;
- `link`: one canonical entity per mention, and `extract_entities`, the stage's entry point;
- `evaluation`: scoring against gold (tests and benchmarks share it).
"""

from transforms.entities.link import extract_entities, link_article
from transforms.entities.recognise import Mention, recognise_batch
from transforms.entities.resources import (
    CAPITALISATION_FILE,
    DATA_DIR,
    ENTITY_SCHEMA,
    GAZETTEER_POLICIES,
    MENTION_SCHEMA,
    MODEL_FILE,
    NERP_LEXICON_FILE,
    EntityResources,
    load_entity_resources,
    read_gazetteer,
    read_lexicons,
)
from transforms.entities.tokens import TokenBatch, TokenTable, tokenise_bodies

__all__ = [
    "CAPITALISATION_FILE",
    "DATA_DIR",
    "ENTITY_SCHEMA",
    "GAZETTEER_POLICIES",
    "MENTION_SCHEMA",
    "MODEL_FILE",
    "NERP_LEXICON_FILE",
    "EntityResources",
    "Mention",
    "TokenBatch",
    "TokenTable",
    "extract_entities",
    "link_article",
    "load_entity_resources",
    "read_gazetteer",
    "read_lexicons",
    "recognise_batch",
    "tokenise_bodies",
]

-- entities: one row per real-world entity. Key: entity_id (a Wikidata QID where known, else a typed slug).
CREATE TABLE IF NOT EXISTS entities (
    entity_id    VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    type         VARCHAR NOT NULL,           -- PERSON | ORGANIZATION | LOCATION
    subtype      VARCHAR,                    -- COUNTRY | CITY | REGION | ...
    wikidata_id  VARCHAR,
    aliases      VARCHAR[]
);

-- entity_mentions: one row per mention. Key: (article_id, start_char, end_char). Offsets index articles.body.
CREATE TABLE IF NOT EXISTS entity_mentions (
    article_id  VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    surface     VARCHAR NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    type        VARCHAR NOT NULL
);

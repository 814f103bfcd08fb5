-- events: one row per distinct event (CAMEO code, actors, date), however many articles report it. Key: event_id.
CREATE TABLE IF NOT EXISTS events (
    event_id            VARCHAR PRIMARY KEY,
    event_code          VARCHAR NOT NULL,
    root_code           VARCHAR NOT NULL,    -- CAMEO root '01'..'20'
    label               VARCHAR NOT NULL,
    event_date          DATE,
    date_precision      VARCHAR,             -- day | month | year
    actor1_entity_id    VARCHAR,
    actor2_entity_id    VARCHAR,
    location_entity_id  VARCHAR,
    quad_class          INTEGER,
    is_negated          BOOLEAN,
    num_articles        BIGINT NOT NULL DEFAULT 1,   -- distinct articles reporting it (GDELT NumArticles)
    num_mentions        BIGINT NOT NULL DEFAULT 1    -- event_mentions rows (GDELT NumMentions)
);

-- event_mentions: one row per report of an event in an article. Key: (event_id, article_id, start_char).
CREATE TABLE IF NOT EXISTS event_mentions (
    event_id    VARCHAR NOT NULL,
    article_id  VARCHAR NOT NULL,
    sentence    VARCHAR NOT NULL,
    trigger     VARCHAR NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL
);

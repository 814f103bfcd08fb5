-- Row-level data quality (issue 10): a row failing a content check is quarantined, dropped or nulled,
-- never the whole commit unit.

-- quarantine.article_id: the article a content check quarantined (null for files that never decoded),
-- so `kabar show <article_id>` finds it; its bytes stay at source_path.
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS article_id VARCHAR;

-- events.date_flag: the row-level check that nulled event_date (e.g. implausible_event_date); null otherwise.
ALTER TABLE events ADD COLUMN IF NOT EXISTS date_flag VARCHAR;

-- dq_results.kind: blocking | row-level | rate | warn (expectations.suites.Check.kind).
ALTER TABLE dq_results ADD COLUMN IF NOT EXISTS kind VARCHAR;

-- dropped_rows: one row per derived row (an entity or event mention) a row-level check kept out of its table.
-- Key: (table_name, row_key). row_key names the row by its own key, e.g. 'a1:15:32' for a mention.
CREATE TABLE IF NOT EXISTS dropped_rows (
    table_name  VARCHAR NOT NULL,
    row_key     VARCHAR NOT NULL,
    article_id  VARCHAR,
    check_name  VARCHAR NOT NULL,        -- the failing check's finding column, e.g. offset_mismatch
    finding     VARCHAR,
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (table_name, row_key)
);

-- learned_boilerplate: lines that recur across articles of one outlet, learned run by run
-- (transforms/boilerplate.py, LEARNED_SCHEMA). Key: (outlet, line_hash); outlet '' = outlet unknown.
-- A line counts as the outlet's furniture once `n_articles` (distinct article fingerprints, so
-- syndicated copies of one article count once) reaches boilerplate.LEARNED_MIN_ARTICLES.
-- A run stages the counts of its own batches; publish folds them in (warehouse/store.py), so the
-- table holds one row per key. No PRIMARY KEY: publish rewrites it, and an ART index over every
-- short line ever seen would cost more memory than it saves.
CREATE TABLE IF NOT EXISTS learned_boilerplate (
    outlet                VARCHAR NOT NULL,
    line_hash             BIGINT NOT NULL,    -- boilerplate.line_hash of the normalised line
    example_line          VARCHAR NOT NULL,   -- the line as first seen
    n_articles            BIGINT NOT NULL,    -- distinct articles (fingerprints) it was seen in, capped
    n_lines_seen          BIGINT NOT NULL,    -- every time it was seen, copies included
    article_fingerprints  BIGINT[] NOT NULL   -- up to boilerplate.LEARNED_MAX_FINGERPRINTS of them
);

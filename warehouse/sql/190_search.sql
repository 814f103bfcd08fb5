-- search_index_state: one row describing the full-text index over articles (schema fts_main_articles).
-- Written by warehouse/search.py refresh_index; search compares it with the articles table to tell a stale index.
CREATE TABLE IF NOT EXISTS search_index_state (
    n_articles            BIGINT,        -- articles the index covers
    articles_fingerprint  VARCHAR,       -- bit_xor(hash(article_id, body_sha256)) over those articles
    built_at              TIMESTAMP,
    build_seconds         DOUBLE
);

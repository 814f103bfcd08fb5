-- runs: one row per ingest flow run. Key: run_id.
CREATE TABLE IF NOT EXISTS runs (
    run_id           VARCHAR PRIMARY KEY,
    flow_run_id      VARCHAR,
    input_dir        VARCHAR,
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    status           VARCHAR NOT NULL,      -- running | success | failed
    files_seen       BIGINT,
    files_new        BIGINT,
    articles_loaded  BIGINT,
    duplicates       BIGINT,
    quarantined      BIGINT,
    entities_loaded  BIGINT,
    events_loaded    BIGINT,
    dq_success       BOOLEAN,
    report_path      VARCHAR,
    error            VARCHAR
);

-- files: the manifest, one row per (source_path, source_sha256) ever seen. Key: (source_path, source_sha256).
-- size_bytes and mtime_ns let an unchanged folder be skipped without reading a byte.
CREATE TABLE IF NOT EXISTS files (
    source_path    VARCHAR NOT NULL,
    source_sha256  VARCHAR NOT NULL,
    size_bytes     BIGINT NOT NULL,
    mtime_ns       BIGINT NOT NULL,
    article_id     VARCHAR,                 -- null when quarantined
    status         VARCHAR NOT NULL,        -- article | same_bytes | quarantined
    run_id         VARCHAR NOT NULL,
    PRIMARY KEY (source_path, source_sha256)
);

-- quarantine: one row per rejected file version. Key: (source_path, source_sha256).
CREATE TABLE IF NOT EXISTS quarantine (
    source_path    VARCHAR NOT NULL,
    source_sha256  VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,        -- empty | whitespace_only | binary | undecodable | oversized | not_article_text
    detail         VARCHAR,
    run_id         VARCHAR NOT NULL,
    PRIMARY KEY (source_path, source_sha256)
);

-- articles: one row per distinct file content (raw bytes). Key: article_id = first 16 hex of sha256(raw bytes).
CREATE TABLE IF NOT EXISTS articles (
    article_id            VARCHAR PRIMARY KEY,
    source_path           VARCHAR NOT NULL,
    source_sha256         VARCHAR NOT NULL,
    encoding              VARCHAR,
    outlet                VARCHAR,
    dateline              VARCHAR,
    title                 VARCHAR,
    author                VARCHAR,
    agency                VARCHAR,
    published_date        DATE,
    language              VARCHAR,
    language_prob         DOUBLE,
    body                  VARCHAR NOT NULL,
    n_chars               INTEGER NOT NULL,
    body_sha256           VARCHAR NOT NULL,
    duplicate_of          VARCHAR,
    duplicate_similarity  DOUBLE,
    duplicate_kind        VARCHAR,          -- exact | near
    run_id                VARCHAR NOT NULL,
    ingested_at           TIMESTAMP NOT NULL
);

-- article_texts: the decoded, normalised input text of each article (for `kabar show`). Key: article_id.
CREATE TABLE IF NOT EXISTS article_texts (
    article_id  VARCHAR PRIMARY KEY,
    raw_text    VARCHAR NOT NULL
);

-- removed_lines: one row per line or inline span removed from an article. Key: (article_id, line_no, rule, text).
CREATE TABLE IF NOT EXISTS removed_lines (
    article_id  VARCHAR NOT NULL,
    line_no     INTEGER NOT NULL,            -- 1-based line of article_texts.raw_text
    text        VARCHAR NOT NULL,
    rule        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL             -- line | inline
);

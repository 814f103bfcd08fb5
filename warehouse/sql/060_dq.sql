-- dq_results: one row per expectation evaluated in a run. Key: (run_id, suite, expectation, column_name).
CREATE TABLE IF NOT EXISTS dq_results (
    run_id            VARCHAR NOT NULL,
    suite             VARCHAR NOT NULL,
    expectation       VARCHAR NOT NULL,
    column_name       VARCHAR,
    success           BOOLEAN NOT NULL,
    unexpected_count  BIGINT,
    blocking          BOOLEAN NOT NULL,
    details           VARCHAR
);

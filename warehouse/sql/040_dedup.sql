-- Duplicate-detection state (transforms/dedup.py), kept so later runs match against earlier ones.
--
-- dedup_signatures: one row per article ever passed through duplicate detection. Key: article_id.
-- Rows are transforms.dedup.find_duplicates(...)[1] (its STATE_SCHEMA) appended as they come;
-- they are never updated. `duplicate_of` is the cluster's first article (null for an original),
-- `matched_article_id` the earlier article that this one actually matched (usually the same).
-- `signature` is the MinHash digest: num_perm little-endian uint32 values (400 bytes by default).
-- `state_version` names the shingling/hash parameters; rows of another version cannot be compared.
CREATE TABLE IF NOT EXISTS dedup_signatures (
    article_id            VARCHAR PRIMARY KEY,
    body_hash             VARCHAR NOT NULL,   -- sha256 of the body, whitespace runs collapsed
    ingest_order          BIGINT NOT NULL,    -- global, increasing: earlier article wins
    duplicate_of          VARCHAR,
    duplicate_similarity  DOUBLE,             -- 1.0 for exact; shingle Jaccard for near
    duplicate_kind        VARCHAR,            -- exact | near | null
    matched_article_id    VARCHAR,
    n_shingles            INTEGER NOT NULL,   -- 0: empty body, not in dedup_bands
    signature             BLOB NOT NULL,
    state_version         VARCHAR NOT NULL
);

-- dedup_bands: the LSH index, one row per (article, band). Key: (band, bucket_hash, article_id).
-- Rows are transforms.dedup.band_rows(new_state, params). No PRIMARY KEY on purpose: an ART index
-- over ~20 rows per article costs more memory than the hash join that reads it (see below).
CREATE TABLE IF NOT EXISTS dedup_bands (
    band         SMALLINT NOT NULL,
    bucket_hash  BIGINT NOT NULL,
    article_id   VARCHAR NOT NULL
);

-- Prior state for one batch (run by the flow, not by this migration): register
--   transforms.dedup.bucket_keys(signatures) as dedup_batch_keys(band, bucket_hash) and
--   signatures.select("body_hash") as dedup_batch_hashes(body_hash), then
--
--   SELECT s.*, a.body
--   FROM dedup_signatures s LEFT JOIN articles a USING (article_id)
--   WHERE s.article_id IN (SELECT b.article_id FROM dedup_bands b
--                          JOIN dedup_batch_keys k USING (band, bucket_hash))
--      OR s.body_hash IN (SELECT body_hash FROM dedup_batch_hashes);
--
-- (inside a run, read main UNION ALL staging for all three tables, so earlier batches count too)
-- and pass the result as `prior` to find_duplicates (the joined body lets it verify by exact Jaccard).

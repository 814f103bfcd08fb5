-- Issue 16: edits supersede; keys on every published table.

-- articles.superseded_by: the article_id of the newer version of the same file (same source_path, new
-- content); null for the current version. The documented views leave superseded versions out.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS superseded_by VARCHAR;

-- The keys the tables' header comments name, now constraints: the audit blocks duplicates before
-- publish, and the warehouse itself refuses them. (removed_lines: see 103_removed_lines_key.sql;
-- dedup_bands has none on purpose, see 040_dedup.sql.)
ALTER TABLE entity_mentions ADD PRIMARY KEY (article_id, start_char, end_char);
ALTER TABLE event_mentions ADD PRIMARY KEY (event_id, article_id, start_char);
ALTER TABLE dq_results ADD PRIMARY KEY (run_id, suite, expectation, column_name);

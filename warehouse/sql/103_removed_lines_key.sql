-- removed_lines gets its key as a constraint: one row per removal, (article_id, line_no, start_char, rule).
-- Since 095 every removal carries its offset in the line, so two cuts of the same text from one line
-- (a marker that appears twice) are two keys. A unique index rather than a primary key: rows written
-- before 095 have no offset (NULL), and NULLs never collide.
CREATE UNIQUE INDEX IF NOT EXISTS removed_lines_key ON removed_lines (article_id, line_no, start_char, rule);

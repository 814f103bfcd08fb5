-- removed_lines gains where each removed text sat in its line of article_texts.raw_text
-- (transforms/boilerplate, REMOVED_SCHEMA): Python string offsets, end exclusive; NULL when the
-- removed text is not found verbatim in the line (rows written before this migration, too).
ALTER TABLE removed_lines ADD COLUMN IF NOT EXISTS start_char INTEGER;
ALTER TABLE removed_lines ADD COLUMN IF NOT EXISTS end_char INTEGER;

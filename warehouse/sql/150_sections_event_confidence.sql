-- Article section and event confidence / Goldstein score (events engineer). Columns only; keys unchanged.
-- articles.section: news | international | economy | sports | entertainment | technology | lifestyle
--   (transforms/section.py; events are coded only from news, international, economy).
ALTER TABLE articles ADD COLUMN IF NOT EXISTS section VARCHAR;
-- events.confidence: 0..1, how sure the coder is of the actors (events below the default threshold are not published).
ALTER TABLE events ADD COLUMN IF NOT EXISTS confidence DOUBLE;
-- events.goldstein: the CAMEO code's Goldstein conflict-cooperation score, -10 .. +10 (data/events/goldstein.tsv).
ALTER TABLE events ADD COLUMN IF NOT EXISTS goldstein DOUBLE;

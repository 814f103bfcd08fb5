-- Views analysts use. Recreated on every migration of this file; they hold no data.
-- Versions of a file superseded by an edit (articles.superseded_by) are left out of every view below.

-- current_articles: the articles whose file has not been edited since (superseded_by IS NULL). Key: article_id.
CREATE OR REPLACE VIEW current_articles AS
SELECT * FROM articles WHERE superseded_by IS NULL;

-- article_dates: one row per article with the date to bucket it by. Key: article_id.
-- news_date is the publication date the text states, else the day it was ingested (date_source says which).
CREATE OR REPLACE VIEW article_dates AS
SELECT article_id,
       coalesce(published_date, CAST(ingested_at AS DATE)) AS news_date,
       CASE WHEN published_date IS NULL THEN 'ingested' ELSE 'published' END AS date_source,
       duplicate_of IS NULL AS is_original
FROM current_articles;

-- entity_mentions_named: one row per mention with its entity's canonical name and the article's date.
CREATE OR REPLACE VIEW entity_mentions_named AS
SELECT m.article_id, m.entity_id, e.name, e.type, e.subtype, m.surface, m.start_char, m.end_char,
       d.news_date, CAST(date_trunc('month', d.news_date) AS DATE) AS news_month, d.is_original
FROM entity_mentions m
JOIN entities e USING (entity_id)
JOIN article_dates d USING (article_id);

-- entity_cooccurrence: one row per (article, entity pair) naming both entities; entity_a < entity_b.
CREATE OR REPLACE VIEW entity_cooccurrence AS
WITH per_article AS (
    SELECT DISTINCT article_id, entity_id FROM entity_mentions WHERE article_id IN (SELECT article_id FROM current_articles)
)
SELECT a.article_id, a.entity_id AS entity_a, b.entity_id AS entity_b
FROM per_article a JOIN per_article b ON a.article_id = b.article_id AND a.entity_id < b.entity_id;

-- event_timeline: one row per event with actor and place names, ready to filter by two actors.
CREATE OR REPLACE VIEW event_timeline AS
SELECT ev.event_id, ev.event_date, ev.date_precision, ev.event_code, ev.root_code, ev.label,
       ev.actor1_entity_id, a1.name AS actor1, ev.actor2_entity_id, a2.name AS actor2,
       ev.location_entity_id, loc.name AS location, ev.is_negated, ev.num_articles, ev.num_mentions,
       (SELECT any_value(m.sentence) FROM event_mentions m WHERE m.event_id = ev.event_id) AS example_sentence
FROM events ev
LEFT JOIN entities a1 ON a1.entity_id = ev.actor1_entity_id
LEFT JOIN entities a2 ON a2.entity_id = ev.actor2_entity_id
LEFT JOIN entities loc ON loc.entity_id = ev.location_entity_id
WHERE ev.event_id IN (SELECT m.event_id FROM event_mentions m JOIN current_articles USING (article_id));

-- events_by_root_month: one row per (CAMEO root code, month of the event): events and their reports.
CREATE OR REPLACE VIEW events_by_root_month AS
SELECT root_code, CAST(date_trunc('month', event_date) AS DATE) AS event_month, count(*) AS events,
       sum(num_articles) AS article_reports
FROM events
WHERE event_date IS NOT NULL
  AND event_id IN (SELECT m.event_id FROM event_mentions m JOIN current_articles USING (article_id))
GROUP BY ALL;

"""The analyst overview (`kabar report`): who is in the news week by week, what happens, who appears with whom.

One self-contained HTML page, charts as inline SVG (no script, no CDN), read from a read-only connection.
Counts are of original articles (syndicated copies count once); an article's week or month is its news
date (stated publication date, else the day it was ingested).
"""

from __future__ import annotations

import datetime
import html
from pathlib import Path

import duckdb
import polars as pl

from expectations import charts

# CAMEO root codes as GDELT labels them.
ROOT_LABELS = {
    "01": "make public statement", "02": "appeal", "03": "express intent to cooperate", "04": "consult",
    "05": "diplomatic cooperation", "06": "material cooperation", "07": "provide aid", "08": "yield",
    "09": "investigate", "10": "demand", "11": "disapprove", "12": "reject", "13": "threaten", "14": "protest",
    "15": "exhibit force posture", "16": "reduce relations", "17": "coerce", "18": "assault", "19": "fight",
    "20": "unconventional mass violence",
}  # fmt: skip
PAGE_CSS = """
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; }
header { border-bottom: 1px solid #d1d9e0; padding-bottom: 12px; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.meta { color: #59636e; }
.summary { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 16px; }
.summary div { background: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.summary b { display: block; font-size: 20px; }
.wide { grid-column: 1 / -1; }
"""


def _top_entities_by_week(con: duckdb.DuckDBPyConnection, weeks: int, top: int) -> str:
    title = "Top entities per week"
    mentions = con.execute(
        """
        WITH recent AS (
            SELECT DISTINCT article_id, entity_id, name, CAST(date_trunc('week', news_date) AS DATE) AS week
            FROM entity_mentions_named WHERE is_original AND news_date IS NOT NULL
        ), weeks AS (SELECT DISTINCT week FROM recent ORDER BY week DESC LIMIT ?)
        SELECT entity_id, any_value(name) AS name, week, count(*)::DOUBLE AS articles
        FROM recent WHERE week IN (SELECT week FROM weeks) GROUP BY entity_id, week
        """,
        [weeks],
    ).pl()
    if mentions.is_empty():
        return charts.empty("overview-entities", title, "no entity mentions in the warehouse yet")
    ranking = (
        mentions.group_by("entity_id")
        .agg(pl.col("name").first(), pl.col("articles").sum())
        .sort(["articles", "name"], descending=[True, False])
        .head(top)
    )
    week_list = sorted(mentions["week"].unique().to_list())
    lookup = {(row["entity_id"], row["week"]): row["articles"] for row in mentions.iter_rows(named=True)}
    values = [[lookup.get((entity_id, week)) for week in week_list] for entity_id in ranking["entity_id"]]
    columns = [f"{week:%d %b %y}" for week in week_list]
    svg = charts.heat_map(ranking["name"].to_list(), columns, values, label=title, row_label_width=190, cell_w=48)
    return charts.figure(
        "overview-entities",
        title,
        svg,
        f"articles naming each of the top {top}, last {len(week_list)} week{'s' if len(week_list) != 1 else ''}",
    )


def _month_range(last: datetime.date, months: int) -> list[datetime.date]:
    """The `months` calendar months ending with the month of `last`, oldest first."""
    index = last.year * 12 + last.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _event_timeline(con: duckdb.DuckDBPyConnection, months: int) -> str:
    title = "Event timeline by CAMEO root code"
    events = con.execute(
        """
        SELECT CAST(date_trunc('month', event_date) AS DATE) AS month, root_code, count(*)::DOUBLE AS events
        FROM events WHERE event_date IS NOT NULL AND NOT coalesce(is_negated, false) GROUP BY ALL
        """
    ).pl()
    if events.is_empty():
        return charts.empty("overview-events", title, "no dated event in the warehouse yet")
    last_month = events["month"].max()
    assert isinstance(last_month, datetime.date)
    month_list = _month_range(last_month, months)
    earlier = int(events.filter(pl.col("month") < month_list[0])["events"].sum())
    events = events.filter(pl.col("month") >= month_list[0])
    totals = events.group_by("root_code").agg(pl.col("events").sum()).sort(["events", "root_code"], descending=[True, False])
    shown = totals["root_code"].head(9).to_list()
    lookup = {(row["root_code"], row["month"]): row["events"] for row in events.iter_rows(named=True)}
    series = {
        f"{code} {ROOT_LABELS.get(code, '')}".strip(): [lookup.get((code, month), 0) for month in month_list] for code in shown
    }
    rest = [code for code in totals["root_code"] if code not in shown]
    if rest:
        series["other roots"] = [sum(lookup.get((code, month), 0) for code in rest) for month in month_list]
    svg = charts.bar_chart([f"{month:%b %Y}" for month in month_list], series, width=1080, height=280, label=title)
    note = f"events per month of the event date, last {months} months, denials left out"
    if earlier:
        note += f"; {earlier:,} earlier events not shown"
    return charts.figure("overview-events", title, svg, note)


def _cooccurrence(con: duckdb.DuckDBPyConnection, top: int) -> str:
    title = "Who appears with whom"
    pairs = con.execute(
        """
        WITH originals AS (SELECT article_id FROM articles WHERE duplicate_of IS NULL),
        top_entities AS (
            SELECT m.entity_id, any_value(e.name) AS name, count(DISTINCT m.article_id) AS articles
            FROM entity_mentions m JOIN entities e USING (entity_id) JOIN originals USING (article_id)
            GROUP BY m.entity_id ORDER BY articles DESC, name LIMIT ?
        )
        SELECT a.name AS name_a, b.name AS name_b, count(*)::DOUBLE AS articles, a.articles AS rank_a, b.articles AS rank_b
        FROM entity_cooccurrence c JOIN originals USING (article_id)
        JOIN top_entities a ON a.entity_id = c.entity_a JOIN top_entities b ON b.entity_id = c.entity_b
        GROUP BY ALL
        """,
        [top],
    ).pl()
    if pairs.is_empty():
        return charts.empty("overview-cooccurrence", title, "no two of the top entities share an article yet")
    ranks = (
        pl.concat(
            [
                pairs.select(pl.col("name_a").alias("name"), pl.col("rank_a").alias("n")),
                pairs.select(pl.col("name_b").alias("name"), pl.col("rank_b").alias("n")),
            ]
        )
        .unique()
        .sort(["n", "name"], descending=[True, False])
    )
    names = ranks["name"].to_list()
    lookup: dict[tuple[str, str], float] = {}
    for row in pairs.iter_rows(named=True):
        lookup[(row["name_a"], row["name_b"])] = lookup[(row["name_b"], row["name_a"])] = row["articles"]
    values = [[lookup.get((a, b)) if a != b else None for b in names] for a in names]
    svg = charts.heat_map(names, names, values, colour="#59a14f", label=title, row_label_width=190, cell_w=40)
    return charts.figure("overview-cooccurrence", title, svg, f"articles naming both, top {len(names)} entities")


def render_overview(con: duckdb.DuckDBPyConnection, weeks: int = 12, months: int = 24, top: int = 15, db_label: str = "") -> str:
    """The overview page's HTML."""
    articles, originals, first_day, last_day = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE duplicate_of IS NULL), min(news_date), max(news_date) "
        "FROM articles JOIN article_dates USING (article_id)"
    ).fetchall()[0]
    entities = con.execute("SELECT count(*) FROM entities").fetchall()[0][0]
    events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    span = f"{first_day} – {last_day}" if first_day else "no dated article"
    cells = [
        (f"{articles:,}", "articles"),
        (f"{originals:,}", "originals"),
        (f"{entities:,}", "entities"),
        (f"{events:,}", "events"),
        (span, "news dates"),
    ]
    summary = "".join(f"<div><b>{html.escape(value)}</b>{label}</div>" for value, label in cells)
    figures = [
        _top_entities_by_week(con, weeks, top),
        _cooccurrence(con, min(top, 12)),
        _event_timeline(con, months).replace('class="chart"', 'class="chart wide"', 1),
    ]
    written = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Kabar overview</title><style>{PAGE_CSS}{charts.CSS}</style></head><body>"
        f'<header><h1>Kabar analyst overview</h1><span class="meta">{html.escape(db_label)} · written {written}</span></header>'
        f'<section class="summary" id="overview-summary">{summary}</section>'
        f'<div class="charts">{"".join(figures)}</div></body></html>'
    )


def write_overview(db_path: Path, out_path: Path, weeks: int = 12, months: int = 24, top: int = 15) -> Path:
    """Render the overview of the warehouse at db_path (read-only) into out_path."""
    from flows.config import IngestSettings
    from warehouse.store import connect

    con = connect(db_path, read_only=True, wait_seconds=IngestSettings().lock_wait_seconds)
    try:
        page = render_overview(con, weeks=weeks, months=months, top=top, db_label=str(db_path))
    finally:
        con.close()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(page, encoding="utf-8")
    return out_path

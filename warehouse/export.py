"""Take tables out of the warehouse as Parquet, CSV or JSON lines, and events in the GDELT 2.0 Events layout.

Big tables go out as Parquet partitioned by month (Hive layout: `articles/month=2023-07/data_0.parquet`),
the month being the article's news date (stated publication date, else ingest day) or, for `events`,
the event date; rows without one land in `month=unknown`. Everything else is one file per table.
The GDELT column mapping is documented in docs/warehouse.md.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.store import has_column

FORMATS = ("parquet", "csv", "jsonl")
GDELT_NAME = "events-gdelt"
_NEWS_MONTH = "coalesce(strftime(coalesce(a.published_date, CAST(a.ingested_at AS DATE)), '%Y-%m'), 'unknown')"
# Big tables and how each finds its month: its own article, or the article it belongs to.
MONTH_PARTITIONED = {
    "articles": f"SELECT t.*, {_NEWS_MONTH} AS month FROM main.articles t JOIN main.articles a ON a.article_id = t.article_id",
    "article_texts": f"SELECT t.*, {_NEWS_MONTH} AS month FROM main.article_texts t LEFT JOIN main.articles a USING (article_id)",
    "removed_lines": f"SELECT t.*, {_NEWS_MONTH} AS month FROM main.removed_lines t LEFT JOIN main.articles a USING (article_id)",
    "entity_mentions": f"SELECT t.*, {_NEWS_MONTH} AS month FROM main.entity_mentions t LEFT JOIN main.articles a USING (article_id)",
    "event_mentions": f"SELECT t.*, {_NEWS_MONTH} AS month FROM main.event_mentions t LEFT JOIN main.articles a USING (article_id)",
    "events": "SELECT t.*, coalesce(strftime(t.event_date, '%Y-%m'), 'unknown') AS month FROM main.events t",
}
# GDELT 2.0 Events (the `.export.CSV` files), all 61 columns in their order.
GDELT_COLUMNS = tuple(
    """
    GLOBALEVENTID SQLDATE MonthYear Year FractionDate Actor1Code Actor1Name Actor1CountryCode
    Actor1KnownGroupCode Actor1EthnicCode Actor1Religion1Code Actor1Religion2Code Actor1Type1Code
    Actor1Type2Code Actor1Type3Code Actor2Code Actor2Name Actor2CountryCode Actor2KnownGroupCode
    Actor2EthnicCode Actor2Religion1Code Actor2Religion2Code Actor2Type1Code Actor2Type2Code
    Actor2Type3Code IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale
    NumMentions NumSources NumArticles AvgTone Actor1Geo_Type Actor1Geo_FullName Actor1Geo_CountryCode
    Actor1Geo_ADM1Code Actor1Geo_ADM2Code Actor1Geo_Lat Actor1Geo_Long Actor1Geo_FeatureID
    Actor2Geo_Type Actor2Geo_FullName Actor2Geo_CountryCode Actor2Geo_ADM1Code Actor2Geo_ADM2Code
    Actor2Geo_Lat Actor2Geo_Long Actor2Geo_FeatureID ActionGeo_Type ActionGeo_FullName
    ActionGeo_CountryCode ActionGeo_ADM1Code ActionGeo_ADM2Code ActionGeo_Lat ActionGeo_Long
    ActionGeo_FeatureID DATEADDED SOURCEURL
    """.split()
)
_GDELT_TYPES = {
    "GLOBALEVENTID": "BIGINT",
    "SQLDATE": "INTEGER",
    "MonthYear": "INTEGER",
    "Year": "INTEGER",
    "FractionDate": "DOUBLE",
    "IsRootEvent": "INTEGER",
    "QuadClass": "INTEGER",
    "GoldsteinScale": "DOUBLE",
    "NumMentions": "BIGINT",
    "NumSources": "BIGINT",
    "NumArticles": "BIGINT",
    "AvgTone": "DOUBLE",
    "Actor1Geo_Type": "INTEGER",
    "Actor2Geo_Type": "INTEGER",
    "ActionGeo_Type": "INTEGER",
    "Actor1Geo_Lat": "DOUBLE",
    "Actor1Geo_Long": "DOUBLE",
    "Actor2Geo_Lat": "DOUBLE",
    "Actor2Geo_Long": "DOUBLE",
    "ActionGeo_Lat": "DOUBLE",
    "ActionGeo_Long": "DOUBLE",
    "DATEADDED": "BIGINT",
}
# GDELT geographic resolution: 1 country, 4 world city, 5 world state/region (2, 3 are US-only).
_GEO_TYPE = (
    "CASE WHEN loc.subtype = 'COUNTRY' THEN 1 WHEN loc.subtype = 'CITY' THEN 4 "
    "WHEN loc.subtype IN ('REGION', 'PROVINCE', 'REGENCY') THEN 5 END"
)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: rows, where, and the partition column if any."""

    name: str
    rows: int
    path: Path  # a file, or the folder of a partitioned Parquet dataset
    partitioned_by: str | None = None


def exportable(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the warehouse's main schema that can be exported (plus `events-gdelt`)."""
    names = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database() "
            "ORDER BY table_name"
        ).fetchall()
    ]
    return names + [GDELT_NAME]


def gdelt_events_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SELECT of every non-negated event in the GDELT 2.0 Events layout; unknown fields are NULL (empty in CSV)."""
    goldstein = "e.goldstein" if has_column(con, "events", "goldstein") else "NULL"
    negated = "coalesce(e.is_negated, false)" if has_column(con, "events", "is_negated") else "false"
    known = {
        "GLOBALEVENTID": "('0x' || substr(md5(e.event_id), 1, 15))",
        "SQLDATE": "strftime(e.event_date, '%Y%m%d')",
        "MonthYear": "strftime(e.event_date, '%Y%m')",
        "Year": "year(e.event_date)",
        "FractionDate": "round(year(e.event_date) + dayofyear(e.event_date) / 365.0, 4)",
        "Actor1Name": "a1.name",
        "Actor2Name": "a2.name",
        "IsRootEvent": "CASE WHEN r.in_lead THEN 1 ELSE 0 END",
        "EventCode": "e.event_code",
        "EventBaseCode": "left(e.event_code, 3)",
        "EventRootCode": "e.root_code",
        "QuadClass": "e.quad_class",
        "GoldsteinScale": goldstein,
        "NumMentions": "e.num_mentions",
        "NumSources": "r.num_sources",
        "NumArticles": "e.num_articles",
        "ActionGeo_Type": _GEO_TYPE,
        "ActionGeo_FullName": "loc.name",
        "DATEADDED": "strftime(r.first_added, '%Y%m%d%H%M%S')",
        "SOURCEURL": "r.source_url",
    }
    columns = ",\n       ".join(
        f"CAST({known.get(name, 'NULL')} AS {_GDELT_TYPES.get(name, 'VARCHAR')}) AS {name}" for name in GDELT_COLUMNS
    )
    return f"""
    WITH reports AS (
        SELECT m.event_id,
               min(a.ingested_at) AS first_added,
               arg_min(a.source_path, a.ingested_at) AS source_url,
               count(DISTINCT coalesce(a.outlet, a.article_id)) AS num_sources,
               -- GDELT's root event: reported in the lead paragraph
               bool_or(m.start_char < coalesce(nullif(strpos(a.body, chr(10)), 0) - 1, length(a.body))) AS in_lead
        FROM main.event_mentions m JOIN main.articles a USING (article_id)
        GROUP BY m.event_id
    )
    SELECT {columns}
    FROM main.events e
    LEFT JOIN reports r USING (event_id)
    LEFT JOIN main.entities a1 ON a1.entity_id = e.actor1_entity_id
    LEFT JOIN main.entities a2 ON a2.entity_id = e.actor2_entity_id
    LEFT JOIN main.entities loc ON loc.entity_id = e.location_entity_id
    WHERE NOT {negated}
    ORDER BY e.event_date NULLS LAST, e.event_id
    """


def _copy_options(fmt: str, gdelt: bool) -> str:
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd"
    if fmt == "csv":
        # GDELT's own files are tab-separated with no header row; GDELT tools read them that way.
        return "FORMAT csv, DELIMITER '\t', HEADER false" if gdelt else "FORMAT csv, HEADER true"
    if fmt == "jsonl":
        return "FORMAT json"
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def export(con: duckdb.DuckDBPyConnection, name: str, fmt: str, out_dir: Path) -> ExportResult:
    """Write table or view `name` (or `events-gdelt`) to out_dir in `fmt`; replaces an earlier export of it."""
    names = exportable(con)
    if name not in names:
        raise ValueError(f"unknown table {name!r}: choose from {', '.join(names)}")
    options = _copy_options(fmt, gdelt=name == GDELT_NAME)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if name == GDELT_NAME:
        select = gdelt_events_sql(con)
        extension = {"parquet": "parquet", "csv": "export.CSV", "jsonl": "jsonl"}[fmt]
        target = out_dir / f"events_gdelt.{extension}"
    elif fmt == "parquet" and name in MONTH_PARTITIONED:
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        rows = con.execute(
            f"COPY ({MONTH_PARTITIONED[name]}) TO '{_quoted(target)}' ({options}, PARTITION_BY (month))"
        ).fetchall()[0][0]
        return ExportResult(name, rows, target, partitioned_by="month")
    else:
        select = f'SELECT * FROM main."{name}"'
        target = out_dir / f"{name}.{fmt}"
    rows = con.execute(f"COPY ({select}) TO '{_quoted(target)}' ({options})").fetchall()[0][0]
    return ExportResult(name, rows, target)


def read_back_count(con: duckdb.DuckDBPyConnection, result: ExportResult, fmt: str) -> int:
    """Rows in an export as DuckDB reads them back (what a round-trip check compares)."""
    if fmt == "parquet":
        pattern = f"{result.path}/**/*.parquet" if result.partitioned_by else str(result.path)
        reader = f"read_parquet('{_quoted(pattern)}', hive_partitioning = true)"
    elif fmt == "csv":
        header = "false" if result.name == GDELT_NAME else "true"
        delimiter = "\t" if result.name == GDELT_NAME else ","
        reader = f"read_csv('{_quoted(result.path)}', header = {header}, delim = '{delimiter}', all_varchar = true)"
    else:
        reader = f"read_json('{_quoted(result.path)}', format = 'newline_delimited')"
    return con.execute(f"SELECT count(*) FROM {reader}").fetchall()[0][0]


def _quoted(path: Path | str) -> str:
    return str(path).replace("'", "''")

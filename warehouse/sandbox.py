"""A connection for SQL a user types: reads the warehouse and nothing else, one query at a time.

A read-only DuckDB connection still writes and reads files (`COPY … TO`, `read_csv`, `glob`), attaches
other databases read-write, loads extensions and changes settings. This one is opened with
`enable_external_access=false` (no file, network or other-database access beyond the warehouse itself,
no INSTALL/LOAD) and `lock_configuration=true` (no SET/RESET/PRAGMA of settings), and each text is checked
first: exactly one statement, and a query (SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN),
never ATTACH, COPY, EXPORT, INSTALL, LOAD, SET, PRAGMA, CALL or DDL/DML. DuckDB enforces the first two
whatever the check lets through; the check gives a clear message for what is refused.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from warehouse.store import connect

ALLOWED_STATEMENT_TYPES = ("SELECT", "EXPLAIN")
_LEADING_PRAGMA = re.compile(r"^(?:\s|--[^\n]*(?:\n|$)|/\*.*?\*/)*PRAGMA\b", re.IGNORECASE | re.DOTALL)


class RefusedSQL(ValueError):
    """SQL the sandbox does not run; the message says why."""


def check_sql(sql: str) -> str:
    """Return `sql` if it is exactly one query; raise RefusedSQL otherwise."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise RefusedSQL(f"cannot parse the SQL: {error}") from None
    if len(statements) != 1:
        raise RefusedSQL(f"one statement at a time, got {len(statements)}")
    kind = statements[0].type.name
    if kind not in ALLOWED_STATEMENT_TYPES or _LEADING_PRAGMA.match(sql):
        shown = "PRAGMA" if _LEADING_PRAGMA.match(sql) else kind
        raise RefusedSQL(
            f"{shown} statements are not allowed: the warehouse is read-only and queries may not touch files, "
            "other databases, extensions or settings (use SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN)"
        )
    return sql


def connect_sandboxed(db_path: str | Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse with external access off and settings locked."""
    config = {
        "memory_limit": os.environ.get("KABAR_DUCKDB_MEMORY_LIMIT", "1GB"),
        "enable_external_access": False,
        "autoload_known_extensions": False,
        "lock_configuration": True,  # last: the settings above are fixed from here on
    }
    return connect(db_path, read_only=True, wait_seconds=wait_seconds, config=config)

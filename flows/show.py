"""`kabar show`: an article's raw text beside its clean text, with every removal and its rule."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.table import Table

from warehouse.store import connect


def render_article(db_path: Path, article_id: str, width: int = 180) -> str:
    """Render raw lines (kept or removed, with the rule) next to the clean body as text."""
    con = connect(db_path, read_only=True, wait_seconds=10)
    try:
        row = con.execute(
            "SELECT a.article_id, a.source_path, a.outlet, a.dateline, a.title, a.author, a.agency, a.published_date, "
            "a.language, a.duplicate_of, a.body, t.raw_text FROM articles a JOIN article_texts t USING (article_id) "
            "WHERE a.article_id = ?",
            [article_id],
        ).fetchone()
        if row is None:
            quarantined = con.execute(
                "SELECT source_path, reason, detail, run_id FROM quarantine WHERE article_id = ? ORDER BY run_id DESC LIMIT 1",
                [article_id],
            ).fetchone()
            return f"no article {article_id!r}" if quarantined is None else _render_quarantined(article_id, *quarantined)
        removed = con.execute(
            "SELECT line_no, rule, kind, text FROM removed_lines WHERE article_id = ? ORDER BY line_no", [article_id]
        ).fetchall()
    finally:
        con.close()
    (article_id, source_path, outlet, dateline, title, author, agency, published_date, language, duplicate_of, body, raw_text) = (
        row
    )
    removed_by_line: dict[int, list[tuple[str, str, str]]] = {}
    for line_no, rule, kind, text in removed:
        removed_by_line.setdefault(line_no, []).append((rule, kind, text))

    buffer = io.StringIO()
    # Scraped text is full of brackets (`[Gambas:Video …]`): print it as text, never as console markup.
    console = Console(file=buffer, width=width, no_color=True, highlight=False, markup=False, emoji=False)
    console.print(f"article {article_id}  {source_path}")
    console.print(
        f"outlet={outlet} dateline={dateline} title={title!r} author={author} agency={agency} "
        f"published={published_date} language={language} duplicate_of={duplicate_of}"
    )
    table = Table(show_lines=False, expand=True)
    table.add_column("#", justify="right", width=4)
    table.add_column("raw text", ratio=3)
    table.add_column("removed (rule)", ratio=2)
    for line_no, line in enumerate(raw_text.split("\n"), start=1):
        removals = removed_by_line.get(line_no, [])
        note = "; ".join(f"{rule} [{kind}]: {text[:60]}" if kind == "inline" else rule for rule, kind, text in removals)
        table.add_row(str(line_no), line, note)
    console.print(table)
    console.print("clean body:")
    console.print(body)
    return buffer.getvalue()


def _render_quarantined(article_id: str, source_path: str, reason: str, detail: str | None, run_id: str) -> str:
    """A quarantined article: why, and its text as the file holds it now (its bytes stay at source_path)."""
    lines = [
        f"article {article_id} is quarantined (run {run_id}): {reason}",
        f"  {detail or ''}",
        f"  file: {source_path}",
        "  re-process it after fixing the rule or check: kabar ingest --retry-quarantined <folder>",
    ]
    try:
        lines += ["", Path(source_path).read_bytes().decode("utf-8", errors="replace")]
    except OSError as error:
        lines.append(f"  (the file cannot be read now: {error.strerror})")
    return "\n".join(lines)

"""`kabar show` prints scraped text as it is: brackets are text, not console markup."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flows.show import render_article
from warehouse.store import connect, migrate


def test_show_keeps_brackets_of_the_raw_text_and_of_the_rule_kind(tmp_path: Path):
    db = tmp_path / "kabar.duckdb"
    raw = "Judul\n\nIsi berita pertama.[Gambas:Video 20detik] Isi berita kedua."
    body = "Isi berita pertama. Isi berita kedua."
    con = connect(db)
    migrate(con)
    con.execute(
        "INSERT INTO articles (article_id, source_path, source_sha256, body, n_chars, body_sha256, run_id, ingested_at) "
        "VALUES ('a1', 'x/a1.txt', 'sha', ?, ?, 'bsha', 'r1', ?)",
        [body, len(body), datetime(2026, 1, 1)],
    )
    con.execute("INSERT INTO article_texts VALUES ('a1', ?)", [raw])
    con.execute(
        "INSERT INTO removed_lines (article_id, line_no, text, rule, kind, start_char, end_char) "
        "VALUES ('a1', 3, '[Gambas:Video 20detik]', 'video_embed', 'inline', 19, 41)"
    )
    con.close()
    shown = render_article(db, "a1")
    assert "[Gambas:Video 20detik] Isi" in shown
    assert "video_embed [inline]: [Gambas:Video 20detik]" in shown

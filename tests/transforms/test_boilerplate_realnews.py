"""The real-news gold: its files hold no article text, and the cleaner holds its floor on the dev split.

The text lives outside the repository (`KABAR_REALNEWS_DIR`, default `/tmp/realnews`); the scoring test
skips when it is absent. The held-out split is never scored here: it is for the benchmark's report.
"""

import json
import os
import re
from pathlib import Path

import pytest

GOLD_DIR = Path(__file__).parents[1] / "data" / "realnews_gold"
CORPUS = Path(os.environ.get("KABAR_REALNEWS_DIR", "/tmp/realnews"))


def gold_rows() -> list[dict]:
    return [json.loads(line) for path in sorted(GOLD_DIR.glob("bp_gold_*.jsonl")) for line in path.open(encoding="utf-8")]


def test_gold_holds_ids_hashes_and_labels_only():
    rows = gold_rows()
    assert len(rows) >= 200 and len({row["path"].split("/")[0] for row in rows}) >= 8
    assert {row["split"] for row in rows} == {"dev", "heldout"}
    for row in rows:
        assert set(row) == {"path", "article_id", "file_sha256", "split", "labeler", "lines"}
        assert re.fullmatch(r"[\w.-]+/[\w.-]+\.txt", row["path"]) and row["file_sha256"].startswith(row["article_id"])
        for line_no, line_sha, label, parts in row["lines"]:
            assert isinstance(line_no, int) and re.fullmatch(r"[0-9a-f]{12}", line_sha) and label in {"C", "B", "M", "T"}
            assert all(isinstance(start, int) and isinstance(end, int) and kind in {"-", "~"} for start, end, kind in parts)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real-news corpus absent ({CORPUS}; set KABAR_REALNEWS_DIR)")
def test_dev_split_floor_with_furniture_learned_from_the_gold_articles():
    from benchmarks.boilerplate_realnews import corpus_documents, kabar_bodies, load_gold, score_split
    from transforms import boilerplate

    gold = load_gold(GOLD_DIR, CORPUS)  # raises when a file or line hash differs
    dev = [article for article in gold if article.split == "dev"]
    rules = boilerplate.load_rules()
    documents = corpus_documents(CORPUS, [article.path for article in gold])
    bodies = kabar_bodies(documents, rules, boilerplate.furniture_of(boilerplate.count_lines(documents, rules)))
    score = score_split(dev, bodies)
    assert score.f1 >= 0.92 and score.kept >= 0.995  # a regression floor; the figures are reported by the benchmark

"""Train and evaluate the section classifier: `python -m benchmarks.train_section [--write]`.

Data: IndoSum (../shared/corpora/indosum-dev/articles.jsonl, CC BY-SA 4.0). Labels come from
its `category`, refined for `tajuk utama` (headlines) by the section in the article's source URL
(`/ekonomi/`, `/internasional/`, `/gaya-hidup/` ...). A fixed fifth of the articles (by a salted
hash of the id) is held out before training and only scored. `--write` stores the weights of the
model trained on the other four fifths in data/models/section/weights.tsv.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import polars as pl

from transforms.section import DEFAULT_WEIGHTS, SECTIONS, classify_sections, load_section_model, words_of

ROOT = Path(__file__).parents[1]
INDOSUM = Path(os.environ.get("KABAR_SHARED_DIR", ROOT.parent / "shared")) / "corpora" / "indosum-dev" / "articles.jsonl"
SPLIT_SALT = "kabar-section-split"
CATEGORY = {
    "olahraga": "sports",
    "showbiz": "entertainment",
    "hiburan": "entertainment",
    "teknologi": "technology",
    "inspirasi": "lifestyle",
}
URL_SECTION = {  # first path segment or host prefix of a `tajuk utama` article's URL
    "ekonomi": "economy",
    "bisnis": "economy",
    "uang": "economy",
    "finance": "economy",
    "@kumparanbisnis": "economy",
    "internasional": "international",
    "dunia": "international",
    "international": "international",
    "gaya-hidup": "lifestyle",
    "teknologi": "technology",
    "tekno": "technology",
    "olahraga": "sports",
    "sport": "sports",
    "bola": "sports",
    "hiburan": "entertainment",
    "entertainment": "entertainment",
    "showbiz": "entertainment",
}
ALPHA = 0.2
MIN_DOCS = 3
MAX_VOCAB = 20_000


def label_of(record: dict) -> str:
    """The section an IndoSum article is trained as."""
    if record["category"] in CATEGORY:
        return CATEGORY[record["category"]]
    url = urlparse(record.get("source_url") or "")
    segments = [url.netloc.split(".")[0], *[p for p in url.path.split("/") if p][:1]]
    for segment in segments:
        if segment in URL_SECTION:
            return URL_SECTION[segment]
    return "news"


def split_of(article_id: str) -> str:
    """A fifth of the articles, fixed by a salted hash, is held out."""
    return "test" if int(hashlib.sha1((SPLIT_SALT + article_id).encode()).hexdigest(), 16) % 5 == 0 else "train"


def read_indosum() -> pl.DataFrame:
    """IndoSum articles with their section label and split; outlet names removed (they name the source, not the topic)."""
    rows = [json.loads(line) for line in open(INDOSUM, encoding="utf-8")]
    frame = pl.DataFrame(
        {
            "article_id": [r["id"] for r in rows],
            "body": [r["text"] for r in rows],
            "label": [label_of(r) for r in rows],
            "split": [split_of(r["id"]) for r in rows],
            "source": [r["source"] for r in rows],
        }
    )
    return frame


def train(frame: pl.DataFrame, outlet_words: set[str]) -> pl.DataFrame:
    """Multinomial naive Bayes weights (log P(word | section), centred per word) and a `<bias>` row."""
    words = frame.select("article_id", "label", words_of(pl.col("body")).alias("word")).explode("word").drop_nulls("word")
    words = words.filter(~pl.col("word").is_in(sorted(outlet_words)))
    docs = words.unique(["article_id", "word"]).group_by("word").len("docs").filter(pl.col("docs") >= MIN_DOCS)
    counts = (
        words.join(docs.select("word"), on="word")
        .group_by("word", "label")
        .len("n")
        .pivot(on="label", index="word", values="n")
        .fill_null(0)
    )
    for section in SECTIONS:
        if section not in counts.columns:
            counts = counts.with_columns(pl.lit(0).alias(section))
    matrix = counts.select(SECTIONS).to_numpy().astype(np.float64)
    log_p = np.log((matrix + ALPHA) / (matrix.sum(axis=0) + ALPHA * matrix.shape[0]))
    centred = log_p - log_p.mean(axis=1, keepdims=True)
    # Keep the words that tell sections apart most, weighted by how often they occur.
    keep = np.argsort(-(np.abs(centred).max(axis=1) * np.log1p(matrix.sum(axis=1))))[:MAX_VOCAB]
    keep.sort()
    priors = frame.group_by("label").len().to_dict(as_series=False)
    prior = dict(zip(priors["label"], priors["len"]))
    bias = np.log(np.array([prior.get(s, 1) for s in SECTIONS], dtype=np.float64) / frame.height)
    table = pl.DataFrame(
        {"word": counts["word"].to_numpy()[keep], **{s: np.round(centred[keep, i], 3) for i, s in enumerate(SECTIONS)}}
    )
    bias_row = pl.DataFrame({"word": ["<bias>"], **{s: [round(float(bias[i] - bias.mean()), 3)] for i, s in enumerate(SECTIONS)}})
    return pl.concat([bias_row, table.sort("word")])


def accuracy(frame: pl.DataFrame, weights_path: Path) -> tuple[float, dict]:
    """(accuracy, confusion counts (gold, predicted)) of the model at weights_path on frame."""
    predicted = classify_sections(frame.select("article_id", "body"), load_section_model(weights_path))
    joined = frame.join(predicted, on="article_id")
    confusion = Counter(zip(joined["label"].to_list(), joined["section"].to_list()))
    return float((joined["label"] == joined["section"]).mean()), confusion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the weights in data/models/section/weights.tsv")
    args = parser.parse_args()
    frame = read_indosum()
    outlet_words = {w for s in frame["source"].unique().to_list() for w in re.findall(r"[a-z]{2,}", s.lower())}
    outlet_words |= {
        "cnn",
        "indonesia",
        "antara",
        "antaranews",
        "kumparan",
        "merdeka",
        "suara",
        "okezone",
        "detik",
        "tempo",
        "liputan",
        "kompas",
    }
    train_part, test_part = frame.filter(pl.col("split") == "train"), frame.filter(pl.col("split") == "test")
    print(f"IndoSum: {frame.height} articles, train {train_part.height}, held-out {test_part.height}")
    print("labels:", dict(Counter(frame["label"].to_list()).most_common()))
    table = train(train_part, outlet_words)
    path = DEFAULT_WEIGHTS if args.write else Path("/tmp") / "kabar-section-weights.tsv"
    header = (
        "# Kabar section classifier: multinomial naive Bayes log weights, centred per word; row <bias> = log prior.\n"
        "# Trained on IndoSum (CC BY-SA 4.0) by benchmarks/train_section.py; see README.md in this folder.\n"
    )
    path.write_text(header + table.write_csv(separator="\t"), encoding="utf-8")
    for name, part in (("train", train_part), ("held-out", test_part)):
        acc, confusion = accuracy(part, path)
        print(f"{name}: accuracy {acc:.3f} on {part.height} articles")
        if name == "held-out":
            hard = {"news", "international", "economy"}
            coarse = sum(n for (g, p), n in confusion.items() if (g in hard) == (p in hard)) / part.height
            print(f"held-out hard/soft accuracy {coarse:.3f}")
            for (gold, predicted), n in sorted(confusion.items(), key=lambda kv: -kv[1]):
                if gold != predicted:
                    print(f"  {gold:>13} -> {predicted:<13} {n}")
    print(f"weights: {path} ({table.height - 1} words)")


if __name__ == "__main__":
    main()

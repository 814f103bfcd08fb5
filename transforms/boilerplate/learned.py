"""Learned, per-outlet furniture: lines counted over articles, folded across batches, looked up when cleaning.

Rules are data (`data/boilerplate/rules.tsv`, see its README); learned, per-outlet
furniture comes in as a frame built by `learn_boilerplate`. Every removed line or
span is returned in `removed_lines` with the rule that removed it.

Learned table (LEARNED_SCHEMA; one row per outlet and normalised line). The flow
keeps it across runs, so only lines that can still become furniture are remembered:
- lines of at most LEARNED_MAX_LINE_CHARS (300) characters: furniture is short;
- per line, the smallest LEARNED_MAX_FINGERPRINTS article fingerprints (bottom-k): the
  smallest k of a union are the smallest k of the parts' smallest k, so folding batches
  gives the same table however the files were cut into batches;
- `merge_learned` keeps at most LEARNED_MAX_ROWS_PER_OUTLET rows per outlet, most
  distinct articles first and, among equals, the newer batch's rows: lines seen once and
  never again are the first to expire;
- link-out markers (`Jangan Lewatkan:` before a related headline of four words or more)
  are counted under the outlet key ALL_OUTLETS ("*"), pooled over every outlet, in their
  own hash namespace (`marker_hash`); once seen in LEARNED_MIN_ARTICLES distinct articles a
  marker removes such lines (rule `learned_linkout`) for every outlet.
"""

from __future__ import annotations

import re
import zlib

import polars as pl
import pyarrow as pa

from transforms.boilerplate.lines import _line_key, line_hash, looks_like_related_headline
from transforms.boilerplate.params import (
    ALL_OUTLETS,
    FINGERPRINT_MIN_WORDS,
    LEARNED_MAX_FINGERPRINTS,
    LEARNED_MAX_LINE_CHARS,
    LEARNED_MAX_ROWS_PER_OUTLET,
    LEARNED_SCHEMA,
    MARKED_HEADLINE_MIN_WORDS,
    MARKER_MAX_CHARS,
    UNKNOWN_OUTLET,
)
from transforms.boilerplate.segments import segments


def _first_token(line: str) -> bytes:
    head = _line_key(line[:48]).split(None, 1)
    return head[0] if head else b""


class _LearnedFurniture:
    """One outlet's learned furniture: line hashes, with their first words as a cheap prefilter."""

    def __init__(self, examples: list[str], hashes: list[int]):
        self.first_tokens = {_first_token(line) for line in examples}
        self.hashes = set(hashes)

    def __contains__(self, line: str) -> bool:
        return len(line) <= LEARNED_MAX_LINE_CHARS and _first_token(line) in self.first_tokens and line_hash(line) in self.hashes


# A link-out marker: one to three words, the first capitalised, then a colon (`Jangan Lewatkan:`, `Berita Lainnya:`).
_MARKER_SHAPE = re.compile(r"[A-Z][A-Za-z']*(?: [A-Za-z][A-Za-z']*){0,2}")
_MARKER_KEY = "\x00marker "  # a namespace no article line normalises into


def split_marker(line: str) -> tuple[str, str] | None:
    """(marker, rest) when `line` opens with a link-out-shaped marker and a colon, else None."""
    colon = line.find(":", 0, MARKER_MAX_CHARS + 1)
    if colon < 3:
        return None
    marker = line[:colon].rstrip()
    if _MARKER_SHAPE.fullmatch(marker) is None:
        return None
    return marker, line[colon + 1 :].strip()


def _is_marked_headline(rest: str) -> bool:
    """What may follow a learned marker: a related-article headline, not a question.

    At least four words: recurring labels before a name (`Pelatih: Rahmad Darmawan`, `Wasit: …`) are article text.
    """
    return rest.count(" ") >= MARKED_HEADLINE_MIN_WORDS - 1 and not rest.endswith("?") and looks_like_related_headline(rest)


def marker_hash(marker: str) -> int:
    """`line_hash` of a link-out marker, in a namespace of its own."""
    return line_hash(_MARKER_KEY + marker)


def _learned_index(learned: pl.DataFrame | None, min_articles: int) -> dict[str, _LearnedFurniture]:
    if learned is None or learned.height == 0:
        return {}
    furniture = learned.filter(pl.col("n_articles") >= min_articles)
    grouped = furniture.group_by("outlet").agg(pl.col("example_line"), pl.col("line_hash"))
    index = {outlet: _LearnedFurniture(examples, hashes) for outlet, examples, hashes in grouped.iter_rows()}
    markers = index.pop(ALL_OUTLETS, None)
    if markers is not None:
        index[ALL_OUTLETS] = markers.hashes  # type: ignore[assignment]  # marker hashes only
    return index


def _learned_linkout(line: str, markers: set[int]) -> str | None:
    """'line' when `line` is a learned marker with a headline, 'bare' when it is the marker alone, else None."""
    split = split_marker(line)
    if split is None or marker_hash(split[0]) not in markers:
        return None
    if not split[1]:
        return "bare"
    return "line" if _is_marked_headline(split[1]) else None


_PROSE_END = '.!?"”’'


def _learnable_segment(segment: str) -> bool:
    """Whether a segment cut from a long line may be learned: furniture-shaped, not a sentence of the story.

    Articles of one outlet about one event share whole sentences, so a segment that reads as a sentence (a final
    stop and more than six words, or a quotation) is never learned; labels, prompts and headlines are.
    """
    if not segment.endswith(tuple(_PROSE_END)):
        return True
    return segment.count(" ") < 6 and segment[0] not in "\"“‘'"


def _raw_hash(line: str) -> int:
    """Stable hash of a line's exact text, for article fingerprints (CRC-32: cheap, and only ever compared for equality)."""
    return zlib.crc32(line.encode("utf-8"))


def learn_boilerplate(
    clean: pl.DataFrame,
    learned: pl.DataFrame | None = None,
    max_fingerprints: int = LEARNED_MAX_FINGERPRINTS,
    max_line_chars: int = LEARNED_MAX_LINE_CHARS,
    min_articles_to_keep: int = 1,
) -> pl.DataFrame:
    """Grow the per-outlet recurring-line table from clean bodies (`outlet, body`); copies of one article count once.

    `n_articles` counts distinct article fingerprints (the smallest `max_fingerprints` are kept, so the count does not
    depend on how articles were cut into batches). Only lines of at most `max_line_chars` become rows. Link-out markers
    (`Jangan Lewatkan:` before a headline) are counted under ALL_OUTLETS. `min_articles_to_keep` > 1 also
    drops lines seen in fewer distinct articles.
    """
    # (outlet, exact line) -> [fingerprints, times seen]; hashing waits until the batch's repeats are known.
    state: dict[tuple[str, str], list] = {}
    for outlet, body in clean.select("outlet", "body").iter_rows():
        if not body:
            continue
        outlet = outlet or UNKNOWN_OUTLET
        # Segments, as the cleaner sees them: furniture glued into a one-line body recurs as a segment.
        lines = set()
        for line in body.split("\n"):
            line = line.strip()
            lines.add(line)  # the whole line, as short lines always were
            pieces = segments(line)
            if len(pieces) > 1:
                lines.update(filter(_learnable_segment, pieces))
        lines.discard("")
        # The two smallest hashes of the article's other long lines fingerprint "the rest of the article": copies
        # share it; a pair, because one long furniture line (a slogan) may be every article's smallest.
        long_hashes = sorted((_raw_hash(line), line) for line in lines if line.count(" ") >= FINGERPRINT_MIN_WORDS - 1)[:3]
        for line in lines:
            if len(line) > max_line_chars:
                continue  # furniture is short; long paragraphs would only bloat the table
            others = [h for h, other in long_hashes if other != line][:2]
            fingerprint = (others[0] << 31) ^ others[-1] if others else _raw_hash(line)
            keys = [(outlet, line)]
            if ":" in line[: MARKER_MAX_CHARS + 1]:
                split = split_marker(line)
                if split is not None and split[1] and _is_marked_headline(split[1]):
                    keys.append((ALL_OUTLETS, split[0] + ":"))
            for key in keys:
                entry = state.get(key)
                if entry is None:
                    state[key] = [{fingerprint}, 1]
                    continue
                entry[1] += 1
                entry[0].add(fingerprint)
    rows: dict[tuple[str, int], tuple] = {}
    for (outlet, line), (fingerprint_set, seen) in state.items():
        h = marker_hash(line[:-1]) if outlet == ALL_OUTLETS else line_hash(line)
        known = rows.get((outlet, h))
        if known is not None:  # lines that differ only in case or punctuation: one row, the smaller example
            fingerprint_set = fingerprint_set | set(known[5])
            seen += known[4]
            line = min(line, known[2])
        fingerprints = sorted(fingerprint_set)[:max_fingerprints]
        rows[(outlet, h)] = (outlet, h, line, len(fingerprints), seen, fingerprints)
    batch = _learned_frame(list(rows.values()))
    if learned is None and min_articles_to_keep <= 1:
        return batch.sort("outlet", "line_hash")
    return merge_learned(learned, batch, max_fingerprints, min_articles_to_keep)


def _learned_frame(rows: list[tuple]) -> pl.DataFrame:
    columns = list(zip(*rows)) or [()] * len(LEARNED_SCHEMA)
    *scalars, fingerprints = columns
    # The list column goes through Arrow offsets: building it row by row in polars is ~10x slower.
    offsets = [0]
    for item in fingerprints:
        offsets.append(offsets[-1] + len(item))
    flat = [x for item in fingerprints for x in item]
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(flat, pa.int64()))
    frame = {name: pl.Series(name, list(values), dtype=dtype) for (name, dtype), values in zip(LEARNED_SCHEMA.items(), scalars)}
    frame["article_fingerprints"] = pl.Series("article_fingerprints", lists, dtype=LEARNED_SCHEMA["article_fingerprints"])
    return pl.DataFrame(frame)


def merge_learned(
    learned: pl.DataFrame | None,
    batch: pl.DataFrame,
    max_fingerprints: int = LEARNED_MAX_FINGERPRINTS,
    min_articles_to_keep: int = 1,
    max_rows_per_outlet: int = LEARNED_MAX_ROWS_PER_OUTLET,
) -> pl.DataFrame:
    """Fold one batch's learned lines into the table; per outlet keep the most-seen rows, the batch's first on ties."""
    frames = [
        f.select(list(LEARNED_SCHEMA)).with_columns(part=pl.lit(part, pl.Int8))
        for part, f in enumerate((learned, batch))
        if f is not None
    ]
    merged = (
        pl.concat(frames)
        .group_by("outlet", "line_hash", maintain_order=True)
        .agg(
            pl.col("example_line").min(),
            pl.col("n_lines_seen").sum(),
            pl.col("article_fingerprints")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .head(max_fingerprints),  # bottom-k: the same whatever the order of folding
            pl.col("part").max(),
        )
        .with_columns(pl.col("article_fingerprints").list.len().cast(pl.Int64).alias("n_articles"))
        .filter(pl.col("n_articles") >= min_articles_to_keep)
        # Bounded: lines seen once (and never again) are the first to go when an outlet's share is full.
        .sort(["outlet", "n_articles", "part", "line_hash"], descending=[False, True, True, False])
        .filter(pl.int_range(pl.len()).over("outlet") < max_rows_per_outlet)
    )
    return merged.select(list(LEARNED_SCHEMA)).sort("outlet", "line_hash")

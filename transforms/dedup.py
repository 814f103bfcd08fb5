"""Exact and near-duplicate article detection (body hash + MinHash LSH), with state kept in the warehouse."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
from rensa import RMinHash

# Words for shingling: lower-cased runs of letters/digits; punctuation and
# whitespace only separate words, so `Korea-Utara,` and `korea utara` shingle alike.
_WORD_PATTERN = r"[^\W_]+"
_WORD_RE = re.compile(_WORD_PATTERN)

# Words are hashed from their UTF-8 bytes in numpy (`_word_hash_stream`); stored signatures name this scheme.
WORD_HASH_VERSION = "bytes16"

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)

DUPLICATE_SCHEMA = {
    "article_id": pl.String,
    "duplicate_of": pl.String,
    "duplicate_similarity": pl.Float64,
    "duplicate_kind": pl.String,
    "matched_article_id": pl.String,
}

SIGNATURE_SCHEMA = {
    "article_id": pl.String,
    "body_hash": pl.String,
    "n_shingles": pl.Int32,
    "signature": pl.Binary,
    "band_hashes": pl.List(pl.Int64),
}

# One row per article: the columns of warehouse table `dedup_signatures`.
STATE_SCHEMA = {
    "article_id": pl.String,
    "body_hash": pl.String,
    "ingest_order": pl.Int64,
    "duplicate_of": pl.String,
    "duplicate_similarity": pl.Float64,
    "duplicate_kind": pl.String,
    "matched_article_id": pl.String,
    "n_shingles": pl.Int32,
    "signature": pl.Binary,
    "state_version": pl.String,
}

BAND_SCHEMA = {"band": pl.Int16, "bucket_hash": pl.Int64, "article_id": pl.String}


@dataclass(frozen=True)
class DedupParams:
    """Knobs of duplicate detection; changing any but `threshold` invalidates stored signatures."""

    # Word 5-grams. Measured on IndoSum dev (3,463 real articles, 300 planted edited
    # copies): share of copies reaching J>=0.8 / max J of two distinct articles =
    # 3-grams 0.867/0.41, 4-grams 0.860/0.39, 5-grams 0.843/0.38, 7-grams 0.777/0.35;
    # seeds 003/004 (same visit) 0.012 at 3-grams, 0.002 at 5. 5-grams keep nearly
    # all of the recall while short templated reports share fewer common phrases.
    shingle_words: int = 5
    # 20 bands x 5 rows = 100 permutations. LSH only proposes candidates; every
    # candidate is verified by exact shingle Jaccard against `threshold`, so the
    # S-curve sits low (~0.55) to miss almost nothing at 0.8:
    # P(candidate) = 1-(1-J^5)^20 = 0.9996 at J=0.8, 0.80 at 0.6, 0.047 at 0.3.
    bands: int = 20
    rows_per_band: int = 5
    seed: int = 20230727
    threshold: float = 0.8

    @property
    def num_perm(self) -> int:
        """Number of MinHash permutations (bands x rows)."""
        return self.bands * self.rows_per_band

    @property
    def state_version(self) -> str:
        """Fingerprint of everything that makes stored signatures comparable."""
        return (
            f"rensa-rminhash-v{RMinHash.ALGORITHM_VERSION}-{WORD_HASH_VERSION}"
            f"-w{self.shingle_words}-b{self.bands}x{self.rows_per_band}-s{self.seed}"
        )


def normalised_body_hash(body: str) -> str:
    """SHA-256 of the body with every whitespace run collapsed to one space."""
    return hashlib.sha256(" ".join(body.split()).encode("utf-8")).hexdigest()


def word_shingles(body: str, shingle_words: int) -> frozenset[str]:
    """Set of lower-cased, punctuation-free word n-grams (the whole text when shorter)."""
    words = _WORD_RE.findall(body.lower())
    if len(words) < shingle_words:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(map(" ".join, zip(*(words[i:] for i in range(shingle_words)))))


def shingle_jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (0.0 when both are empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def hashed_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted arrays of distinct shingle hashes."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def _band_hash_matrix(signatures: np.ndarray, params: DedupParams) -> np.ndarray:
    """Hash each band of each signature to one signed 64-bit bucket (n x bands)."""
    n = signatures.shape[0]
    rows = signatures.reshape(n, params.bands, params.rows_per_band).astype(np.uint64)
    h = np.full((n, params.bands), _FNV_OFFSET, dtype=np.uint64)
    for j in range(params.rows_per_band):
        h ^= rows[:, :, j]
        h *= _FNV_PRIME
    h = _mix(h)
    return h.view(np.int64)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads an FNV-style state over all 64 bits."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _utf8_buffer(bodies: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The lower-cased bodies as one UTF-8 byte array and their n+1 byte offsets (no copy through Python strings)."""
    arrow = bodies.fill_null("").str.to_lowercase().to_arrow().cast(pa.large_string())
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    _, offsets, data = arrow.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[arrow.offset : arrow.offset + len(arrow) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return data, offsets


# Which bytes belong to a word: ASCII letters and digits; a non-ASCII character's bytes
# when the character is alphanumeric (`str.isalnum`, the `[^\W_]` of `word_shingles`).
_ASCII_WORD = np.zeros(256, dtype=bool)
_ASCII_WORD[[ord(c) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"]] = True
_WORD_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio) of the word hash
# _LANE_MASKS[n]: keeps the first n of 16 bytes read as two little-endian 64-bit lanes.
_LANE_MASKS = np.array([np.frombuffer(bytes([255] * n + [0] * (16 - n)), dtype="<u8") for n in range(17)], dtype=np.uint64)


def _word_bytes(data: np.ndarray) -> np.ndarray:
    """Boolean mask of the bytes that belong to words."""
    is_word = _ASCII_WORD[data]
    lead = np.flatnonzero(data >= 0xC0)  # first bytes of multi-byte characters
    if not len(lead):
        return is_word
    width = 2 + (data[lead] >= 0xE0) + (data[lead] >= 0xF0)
    padded = np.concatenate([data, np.zeros(3, dtype=np.uint8)]).astype(np.uint32)
    code = np.where(
        width == 2,
        ((padded[lead] & 0x1F) << 6) | (padded[lead + 1] & 0x3F),
        np.where(
            width == 3,
            ((padded[lead] & 0x0F) << 12) | ((padded[lead + 1] & 0x3F) << 6) | (padded[lead + 2] & 0x3F),
            ((padded[lead] & 0x07) << 18)
            | ((padded[lead + 1] & 0x3F) << 12)
            | ((padded[lead + 2] & 0x3F) << 6)
            | (padded[lead + 3] & 0x3F),
        ),
    )
    distinct, inverse = np.unique(code, return_inverse=True)
    alnum = np.array([chr(c).isalnum() for c in distinct.tolist()], dtype=bool)[inverse]
    for j in range(4):  # mark every byte of each alphanumeric character
        take = alnum & (width > j)
        is_word[lead[take] + j] = True
    return is_word


def _word_hash_stream(bodies: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(doc, word hash) for every word of every body, in order: a stable 64-bit hash of the word's UTF-8 bytes."""
    data, offsets = _utf8_buffer(bodies)
    empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    if not len(data):
        return empty
    is_word = _word_bytes(data)
    # A word starts after a non-word byte or at a body's first byte, and ends likewise: bodies sit back to back.
    before = np.concatenate([[False], is_word[:-1]])
    before[offsets[:-1][offsets[:-1] < len(data)]] = False
    after = np.concatenate([is_word[1:], [False]])
    after[offsets[1:][offsets[1:] > 0] - 1] = False
    starts = np.flatnonzero(is_word & ~before)
    if not len(starts):
        return empty
    lengths = np.flatnonzero(is_word & ~after) + 1 - starts
    # The word's bytes, 16 at a time (zero-padded), read as two 64-bit lanes and folded into the hash.
    windows = np.lib.stride_tricks.sliding_window_view(np.concatenate([data, np.zeros(16, dtype=np.uint8)]), 16)
    word_hash = _mix(lengths.astype(np.uint64) * _WORD_HASH_BASE)
    with np.errstate(over="ignore"):
        for chunk in range(0, int(lengths.max()), 16):
            active = np.flatnonzero(lengths > chunk) if chunk else slice(None)
            lanes = windows[starts[active] + chunk].view(np.uint64) & _LANE_MASKS[np.minimum(lengths[active] - chunk, 16)]
            h = _mix(word_hash[active] ^ lanes[:, 0])
            word_hash[active] = _mix((h * _WORD_HASH_BASE) ^ lanes[:, 1])
    doc = np.searchsorted(offsets, starts, side="right") - 1
    return doc.astype(np.int64), word_hash


def _shingle_hash_rows(bodies: pl.Series, shingle_words: int) -> pl.DataFrame:
    """One row (doc, h) per word-shingle occurrence, grouped by body: the hashed form of `word_shingles`."""
    doc, word_hash = _word_hash_stream(bodies)
    if not len(word_hash):
        return pl.DataFrame(schema={"doc": pl.Int64, "h": pl.UInt64})
    k = min(shingle_words, len(word_hash))
    m = len(word_hash) - k + 1
    # Rolling FNV-style chain over k consecutive words; a shingle is kept when all
    # its words belong to one body (rows are grouped by body, in word order).
    h = np.full(m, _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h ^= word_hash[j : j + m]
            h *= _FNV_PRIME
    valid = (doc[:m] == doc[k - 1 :]) & (k == shingle_words)
    rows = pl.DataFrame({"doc": doc[:m][valid], "h": _mix(h)[valid]})
    # Bodies shorter than a shingle: one shingle of all their words.
    lengths = np.bincount(doc, minlength=bodies.len())
    short = np.nonzero((lengths > 0) & (lengths < shingle_words))[0]
    if not len(short):
        return rows
    starts = np.concatenate([[0], np.cumsum(lengths)])
    extra = []
    for d in short:
        chain = np.full(1, _FNV_OFFSET, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for word in word_hash[starts[d] : starts[d + 1]]:
                chain ^= word
                chain *= _FNV_PRIME
        extra.append({"doc": int(d), "h": int(_mix(chain)[0])})
    extra_rows = pl.DataFrame(extra, schema={"doc": pl.Int64, "h": pl.UInt64})
    return pl.concat([rows, extra_rows]).sort("doc", maintain_order=True)


def shingle_hashes(bodies: pl.Series, shingle_words: int) -> list[np.ndarray]:
    """Per body, the sorted distinct 64-bit hashes of its word shingles."""
    rows = _shingle_hash_rows(bodies, shingle_words).unique().sort("doc", "h")
    counts = np.bincount(rows["doc"].to_numpy(), minlength=bodies.len())
    return np.split(rows["h"].to_numpy(), np.cumsum(counts)[:-1])


def _signature_matrix(rows: pl.DataFrame, n: int, params: DedupParams) -> np.ndarray:
    """MinHash digests (n x num_perm, uint32) of each body's shingle hashes, via rensa."""
    if n == 0:
        return np.zeros((0, params.num_perm), dtype=np.uint32)
    counts = np.bincount(rows["doc"].to_numpy(), minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64)
    digests = RMinHash.digest_matrix_from_flat_token_hashes(rows["h"].to_numpy(), offsets, params.num_perm, params.seed)
    return np.asarray(digests.to_rows(), dtype=np.uint32)


def minhash_signatures(articles: pl.DataFrame, params: DedupParams) -> pl.DataFrame:
    """Body hash, MinHash signature and LSH band hashes per article (bands null for empty bodies)."""
    bodies = articles["body"].fill_null("")
    n = bodies.len()
    rows = _shingle_hash_rows(bodies, params.shingle_words)
    matrix = _signature_matrix(rows, n, params)
    band_matrix = _band_hash_matrix(matrix, params)
    distinct = rows.group_by("doc").agg(pl.col("h").n_unique())
    n_shingles = np.zeros(n, dtype=np.int32)
    n_shingles[distinct["doc"].to_numpy()] = distinct["h"].to_numpy()
    return pl.DataFrame(
        {
            "article_id": articles["article_id"],
            "body_hash": [normalised_body_hash(body) for body in bodies.to_list()],
            "n_shingles": n_shingles,
            "signature": [row.tobytes() for row in matrix],
            "band_hashes": [row.tolist() if count else None for row, count in zip(band_matrix, n_shingles)],
        },
        schema=SIGNATURE_SCHEMA,
    )


def bucket_keys(signatures: pl.DataFrame) -> pl.DataFrame:
    """Distinct (band, bucket_hash) keys to look up in `dedup_bands` for a batch's prior state."""
    return (
        signatures.select(pl.col("band_hashes").alias("bucket_hash"))
        .with_columns(band=pl.int_ranges(0, pl.col("bucket_hash").list.len(), dtype=pl.Int16))
        .explode("bucket_hash", "band")
        .drop_nulls()
        .unique()
        .sort("band", "bucket_hash")
        .select(pl.col("band").cast(pl.Int16), pl.col("bucket_hash").cast(pl.Int64))
    )


def band_rows(state: pl.DataFrame, params: DedupParams) -> pl.DataFrame:
    """Rows of `dedup_bands` (band, bucket_hash, article_id) for state rows with a non-empty body."""
    indexed = state.filter(pl.col("n_shingles") > 0)
    if indexed.is_empty():
        return pl.DataFrame(schema=BAND_SCHEMA)
    matrix = np.frombuffer(b"".join(indexed["signature"].to_list()), dtype="<u4")
    band_matrix = _band_hash_matrix(matrix.reshape(indexed.height, params.num_perm), params)
    return pl.DataFrame(
        {
            "band": np.tile(np.arange(params.bands, dtype=np.int16), indexed.height),
            "bucket_hash": band_matrix.reshape(-1),
            "article_id": np.repeat(indexed["article_id"].to_numpy(), params.bands),
        },
        schema=BAND_SCHEMA,
    )


def _estimated_jaccard(sig_a: bytes, sig_b: bytes) -> float:
    """Share of equal MinHash positions: the signature's Jaccard estimate."""
    a = np.frombuffer(sig_a, dtype="<u4")
    b = np.frombuffer(sig_b, dtype="<u4")
    return float(np.mean(a == b))


def _check_prior(prior: pl.DataFrame, params: DedupParams) -> None:
    """Refuse prior state computed with other shingling or hashing parameters."""
    required = {"article_id", "body_hash", "ingest_order", "duplicate_of", "n_shingles", "signature", "state_version"}
    missing = required - set(prior.columns)
    if missing:
        raise ValueError(f"prior dedup state lacks columns {sorted(missing)}")
    versions = set(prior["state_version"].unique().to_list())
    if versions - {params.state_version}:
        raise ValueError(
            f"prior dedup state has versions {sorted(versions)}, expected {params.state_version}; "
            "recompute signatures before matching"
        )


def find_duplicates(
    batch: pl.DataFrame,
    prior: pl.DataFrame | None,
    params: DedupParams,
    signatures: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mark each batch article as original or `duplicate_of` its earliest exact/near match; return (duplicates, new_state).

    `batch` holds `article_id, body` in ingest order (optional `ingest_order`, a global,
    increasing number the flow assigns so later runs can order prior articles).
    `prior` holds `dedup_signatures` rows whose band buckets or body hash collide with
    the batch (see `bucket_keys`), ideally with the article's `body` joined on so
    candidates are verified by exact Jaccard; without `body` the MinHash estimate is used.
    `duplicates` has one row per batch article (nulls for originals); `new_state` has one
    `dedup_signatures` row per batch article not already in `prior`.
    """
    if signatures is None:
        signatures = minhash_signatures(batch, params)
    if "ingest_order" in batch.columns:
        orders = batch["ingest_order"].cast(pl.Int64).to_list()
    else:
        orders = list(range(batch.height))
    if prior is None:
        prior = pl.DataFrame(schema=STATE_SCHEMA)
    _check_prior(prior, params)
    prior = prior.sort("ingest_order", "article_id")

    batch_ids = batch["article_id"].to_list()
    prior_ids = prior["article_id"].to_list()
    known = set(prior_ids)

    # Rank = position in ingest order: every prior article precedes the batch.
    rank: dict[str, int] = {aid: i for i, aid in enumerate(prior_ids)}
    for i, aid in enumerate(batch_ids):
        rank.setdefault(aid, len(prior_ids) + i)

    root: dict[str, str] = {}
    for aid, dup_of in zip(prior_ids, prior["duplicate_of"].to_list()):
        root[aid] = dup_of or aid

    body_of: dict[str, str | None] = dict(zip(batch_ids, batch["body"].fill_null("").to_list()))
    if "body" in prior.columns:
        for aid, body in zip(prior_ids, prior["body"].to_list()):
            body_of.setdefault(aid, body)
    signature_of: dict[str, bytes] = dict(zip(prior_ids, prior["signature"].to_list()))
    signature_of.update(zip(batch_ids, signatures["signature"].to_list()))
    n_shingles_of: dict[str, int] = dict(zip(prior_ids, prior["n_shingles"].to_list()))
    n_shingles_of.update(zip(batch_ids, signatures["n_shingles"].to_list()))

    # Exact duplicates: first holder of each normalised body hash, in rank order.
    first_with_hash: dict[str, str] = {}
    for aid, body_hash in zip(prior_ids, prior["body_hash"].to_list()):
        first_with_hash.setdefault(body_hash, aid)

    # Near-duplicate candidates: pairs sharing any band bucket, the earlier one as candidate.
    candidates_of = _lsh_candidates(signatures, prior, params, rank)

    # Exact verification: hashed shingle sets of every article in a candidate pair
    # whose body is at hand, computed in one vectorised pass.
    involved = set(candidates_of).union(*candidates_of.values())
    with_body = sorted(aid for aid in involved if body_of.get(aid) is not None)
    bodies = pl.Series([body_of[aid] for aid in with_body], dtype=pl.String)
    shingle_set = dict(zip(with_body, shingle_hashes(bodies, params.shingle_words)))

    def similarity(query: str, candidate: str) -> float:
        if candidate not in shingle_set:
            return _estimated_jaccard(signature_of[query], signature_of[candidate])
        return hashed_jaccard(shingle_set[query], shingle_set[candidate])

    stored_decision = {
        row["article_id"]: row
        for row in prior.select(pl.col(c) if c in prior.columns else pl.lit(None).alias(c) for c in DUPLICATE_SCHEMA)
        .cast(DUPLICATE_SCHEMA)
        .iter_rows(named=True)
    }

    decisions: list[dict] = []
    state_rows: list[dict] = []
    for aid, body_hash, order in zip(batch_ids, signatures["body_hash"].to_list(), orders):
        if aid in known:
            # Decided in an earlier run (same article passed again): report, add no state.
            decisions.append(stored_decision[aid])
            continue
        decision = dict.fromkeys(DUPLICATE_SCHEMA) | {"article_id": aid}
        holder = first_with_hash.get(body_hash)
        if holder is not None:
            decision |= _match(root[holder], 1.0, "exact", holder)
        elif n_shingles_of[aid] > 0:
            for candidate in candidates_of.get(aid, ()):
                score = similarity(aid, candidate)
                if score >= params.threshold:
                    decision |= _match(root[candidate], score, "near", candidate)
                    break
        first_with_hash.setdefault(body_hash, aid)
        root[aid] = decision["duplicate_of"] or aid
        decisions.append(decision)
        state_rows.append(
            decision
            | {
                "body_hash": body_hash,
                "ingest_order": order,
                "n_shingles": n_shingles_of[aid],
                "signature": signature_of[aid],
                "state_version": params.state_version,
            }
        )
    duplicates = pl.DataFrame(decisions, schema=DUPLICATE_SCHEMA)
    new_state = pl.DataFrame(state_rows, schema=STATE_SCHEMA)
    return duplicates, new_state


def _match(duplicate_of: str, similarity: float, kind: str, matched: str) -> dict:
    """The duplicate columns of one matched article."""
    return {
        "duplicate_of": duplicate_of,
        "duplicate_similarity": similarity,
        "duplicate_kind": kind,
        "matched_article_id": matched,
    }


def _lsh_candidates(
    signatures: pl.DataFrame, prior: pl.DataFrame, params: DedupParams, rank: dict[str, int]
) -> dict[str, list[str]]:
    """Earlier articles sharing at least one LSH bucket with each batch article, earliest first."""
    batch_bands = band_rows(signatures.select("article_id", "n_shingles", "signature"), params)
    prior_bands = band_rows(prior.select("article_id", "n_shingles", "signature"), params)
    every_band = pl.concat([prior_bands, batch_bands])
    ranks = pl.DataFrame(
        {"article_id": list(rank.keys()), "rank": list(rank.values())},
        schema={"article_id": pl.String, "rank": pl.Int64},
    )
    every_band = every_band.join(ranks, on="article_id", how="left")
    pairs = (
        batch_bands.join(ranks, on="article_id", how="left")
        .join(every_band, on=["band", "bucket_hash"], suffix="_candidate")
        .filter(pl.col("rank_candidate") < pl.col("rank"))
        .select("article_id", "article_id_candidate", "rank_candidate")
        .unique()
        .sort("article_id", "rank_candidate")
        .group_by("article_id", maintain_order=True)
        .agg("article_id_candidate")
    )
    return dict(zip(pairs["article_id"].to_list(), pairs["article_id_candidate"].to_list()))

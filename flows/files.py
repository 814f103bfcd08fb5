"""Finding and reading the raw article files: plain I/O that no directory entry can break.

Every entry under the input folder ends as a listed file (later an article or a quarantine row) or as a
warning line naming the entry and why it was skipped: links that lead nowhere or to themselves, FIFOs,
sockets and devices named `.txt` (never opened), files that vanish, change type or cannot be read.
A FIFO is never opened for reading: its type is checked on `stat` first, and every open is non-blocking
and checked again with `fstat` on the open descriptor, so a file swapped for a FIFO mid-run cannot hang us.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

READ_CHUNK = 1 << 20


def is_article_name(name: str) -> bool:
    """Raw articles are the `.txt` files (any case)."""
    return name.lower().endswith(".txt")


def discover(input_dir: Path) -> tuple[pl.DataFrame, list[str]]:
    """List every regular `.txt` file under `input_dir` (size, mtime, first folder as outlet hint); say why others were skipped.

    Folders are walked without following folder links (no loops); a `.txt` link to a regular file is listed.
    Returns (listing sorted by path, warning lines).
    """
    import polars as pl  # here, not at the top: the "nothing new" check uses `scan` before polars is needed

    rows, warnings = scan(input_dir)
    schema = {"source_path": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64, "outlet_hint": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row").sort("source_path"), warnings


def scan(input_dir: Path) -> tuple[list[tuple[str, int, int, str | None]], list[str]]:
    """`discover` as plain tuples (path, size, mtime_ns, outlet hint), unsorted: cheap enough to run before any import."""
    root = input_dir.resolve()
    rows: list[tuple[str, int, int, str | None]] = []
    warnings: list[str] = []

    def walk_error(error: OSError) -> None:
        warnings.append(f"skipped folder {error.filename}: {_why(error)}")

    for folder, _, names in os.walk(root, onerror=walk_error):
        for name in names:
            if not is_article_name(name):
                continue
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)  # follows a link: what matters is what it points at
            except OSError as error:
                warnings.append(f"skipped {path}: {_why(error, path)}")
                continue
            if not stat.S_ISREG(info.st_mode):
                warnings.append(f"skipped {path}: {_kind(info.st_mode)}, not a regular file (not opened)")
                continue
            relative = os.path.relpath(folder, root)
            outlet_hint = None if relative == "." else relative.split(os.sep, 1)[0]
            rows.append((path, info.st_size, info.st_mtime_ns, outlet_hint))
    return rows, warnings


def read_batch(batch: pl.DataFrame, max_file_bytes: int) -> tuple[pl.DataFrame, list[str]]:
    """Read a batch of listed files and key each by the sha256 of its bytes; say why any could not be read.

    Size and mtime are taken from the open file, so the manifest records what was read even when the file
    changed after it was listed. An oversized file is hashed (streamed) but its bytes are not kept:
    `raw_bytes` is null and `decode` quarantines it with its size. Files that vanished, are no longer regular
    files, or cannot be read are left out and reported; the next run tries them again.
    Returns (the readable files with `source_sha256`, `article_id`, `raw_bytes`, warning lines).
    """
    import polars as pl

    kept_rows: list[int] = []
    sizes: list[int] = []
    mtimes: list[int] = []
    digests: list[str] = []
    raws: list[bytes | None] = []
    warnings: list[str] = []
    for row, path in enumerate(batch["source_path"].to_list()):
        try:
            size, mtime_ns, digest, raw = _read_one(path, max_file_bytes)
        except OSError as error:
            warnings.append(f"skipped {path}: {_why(error, path)}")
            continue
        except _NotRegular as error:
            warnings.append(f"skipped {path}: {error}, not a regular file (not read)")
            continue
        kept_rows.append(row)
        sizes.append(size)
        mtimes.append(mtime_ns)
        digests.append(digest)
        raws.append(raw)
    kept = batch[kept_rows] if len(kept_rows) < batch.height else batch
    return kept.with_columns(
        pl.Series("size_bytes", sizes, dtype=pl.Int64),
        pl.Series("mtime_ns", mtimes, dtype=pl.Int64),
        pl.Series("source_sha256", digests, dtype=pl.String),
        pl.Series("raw_bytes", raws, dtype=pl.Binary),
    ).with_columns(pl.col("source_sha256").str.slice(0, 16).alias("article_id")), warnings


class _NotRegular(Exception):
    pass


def _read_one(path: str, max_file_bytes: int) -> tuple[int, int, str, bytes | None]:
    # O_NONBLOCK: opening a FIFO that replaced the file since it was listed returns at once instead of waiting
    # for a writer; fstat then refuses it before any read.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(_kind(info.st_mode))
        if info.st_size > max_file_bytes:
            digest = hashlib.sha256()
            while chunk := os.read(fd, READ_CHUNK):
                digest.update(chunk)
            return info.st_size, info.st_mtime_ns, digest.hexdigest(), None
        chunks = []
        while chunk := os.read(fd, max(READ_CHUNK, info.st_size + 1)):
            chunks.append(chunk)
        raw = b"".join(chunks)
        return len(raw), info.st_mtime_ns, hashlib.sha256(raw).hexdigest(), raw
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _why(error: OSError, path: str | None = None) -> str:
    """A short reason for an OSError on a directory entry."""
    if error.errno == errno.ENOENT:
        if path is not None and os.path.islink(path):
            return "link to a missing file"
        return "vanished"
    if error.errno == errno.ELOOP:
        return "link loop (points back at itself)"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"{error.strerror or type(error).__name__}"

"""Decode raw file bytes into text, or say why a file cannot be an article."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import polars as pl

from transforms.schema import DECODE_QUARANTINE_REASONS as QUARANTINE_REASONS  # noqa: F401  (defined once, re-exported)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters other than tab, newline, form feed and carriage return mark binary content.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


_LETTER = re.compile(r"[^\W\d_]")
# Twenty letters, anything between them: found within the first few words of any article.
_TWENTY_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){19}")


@dataclass(frozen=True)
class Decoded:
    """Outcome of decoding one file: text and encoding, or a quarantine reason."""

    text: str | None
    encoding: str | None
    reason: str | None = None
    detail: str | None = None


def decode_bytes(raw: bytes, max_bytes: int) -> Decoded:
    """Decode one file's bytes: BOM, then UTF-8, then cp1252; quarantine what is not text."""
    if len(raw) == 0:
        return Decoded(None, None, "empty", "0 bytes")
    if len(raw) > max_bytes:
        return Decoded(None, None, "oversized", f"{len(raw)} bytes > limit {max_bytes}")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw[len(bom) :].decode(encoding.replace("-sig", "")), encoding)
            except UnicodeDecodeError as error:
                return Decoded(None, None, "undecodable", f"{encoding} after BOM: {error.reason}")
    sample = raw[:65536]
    if b"\x00" in sample or _control_share(sample) > 0.05:
        return Decoded(None, None, "binary", f"{_control_share(sample):.1%} control bytes in first 64 KiB")
    try:
        return _checked(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    replaced = raw.decode("utf-8", errors="replace")
    n_invalid = replaced.count("\ufffd")
    n_valid_multibyte = sum(1 for ch in replaced if ch > "\x7f") - n_invalid
    if n_valid_multibyte > n_invalid:
        # Mostly UTF-8 with a few broken bytes: keep the article, mark the damage.
        decoded = _checked(replaced, "utf-8")
        if decoded.text is None:
            return decoded
        return Decoded(decoded.text, f"utf-8 ({n_invalid} invalid bytes replaced)")
    return _checked(_decode_cp1252(raw), "cp1252")


def _decode_cp1252(raw: bytes) -> str:
    """cp1252 with latin-1 for its five undefined bytes, so no byte is lost."""
    return "".join(
        chunk.decode("cp1252") if index % 2 == 0 else chunk.decode("latin-1")
        for index, chunk in enumerate(_split_undefined_cp1252(raw))
    )


def _split_undefined_cp1252(raw: bytes) -> list[bytes]:
    """Split bytes into alternating defined / undefined-in-cp1252 runs (even indices defined)."""
    undefined = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    chunks: list[bytes] = []
    start, in_undefined = 0, False
    for position, byte in enumerate(raw):
        if (byte in undefined) != in_undefined:
            chunks.append(raw[start:position])
            start, in_undefined = position, not in_undefined
    chunks.append(raw[start:])
    return chunks


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)


def _checked(text: str, encoding: str) -> Decoded:
    if not text.strip():
        return Decoded(None, None, "whitespace_only", f"{len(text)} whitespace characters")
    replacement_share = text.count("\ufffd") / len(text) if not text.isascii() else 0.0
    if replacement_share > 0.05:
        return Decoded(None, None, "undecodable", f"{replacement_share:.1%} of characters undecodable as {encoding}")
    if _TWENTY_LETTERS.search(text, 0, 2000) is None:
        letters = len(_LETTER.findall(text, 0, 2000))
        return Decoded(None, None, "not_article_text", f"only {letters} letters in the first 2000 characters")
    return Decoded(text, encoding)


def _oversized(size: int | None, max_bytes: int) -> Decoded:
    """A file read only to hash it (its bytes were not kept): quarantined with its size."""
    return Decoded(None, None, "oversized", f"{size if size is not None else 'over'} bytes > limit {max_bytes}")


def decode_documents(documents: pl.DataFrame, max_bytes: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split documents (with `raw_bytes`) into decoded ones (`text`, `encoding`) and quarantine rows.

    Null `raw_bytes` marks a file too large to keep: it is quarantined as oversized with its `size_bytes`.
    """
    sizes = documents["size_bytes"].to_list() if "size_bytes" in documents.columns else [None] * documents.height
    outcomes = [
        decode_bytes(raw, max_bytes) if raw is not None else _oversized(size, max_bytes)
        for raw, size in zip(documents["raw_bytes"].to_list(), sizes)
    ]
    decoded = documents.drop("raw_bytes").with_columns(
        pl.Series("text", [o.text for o in outcomes], dtype=pl.String),
        pl.Series("encoding", [o.encoding for o in outcomes], dtype=pl.String),
        pl.Series("reason", [o.reason for o in outcomes], dtype=pl.String),
        pl.Series("detail", [o.detail for o in outcomes], dtype=pl.String),
    )
    quarantine = decoded.filter(pl.col("reason").is_not_null()).select("source_path", "source_sha256", "reason", "detail")
    kept = decoded.filter(pl.col("reason").is_null()).drop("reason", "detail")
    return kept, quarantine

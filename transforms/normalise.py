"""Normalise decoded article text without changing its meaning."""
from __future__ import annotations

import re
import unicodedata

import polars as pl

_SPACE_LIKE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
# Invisible characters and control characters other than newline: deleted.
_DELETED = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACE_RUN = re.compile(r" {2,}")
_BLANK_RUN = re.compile(r"\n{3,}")
# `militer. . dan`, `(DPRK). . . Xi`: a full stop followed by stray ` .` repeats.
_STRAY_STOPS = re.compile(r"(?<=[^\s.])\.(?: \.)+(?=\s|$)")
# `5.Kuba` at the start of a line: a glued list heading.
_GLUED_HEADING = re.compile(r"(?m)^(\d{1,2})\.(?=[A-Z])")
# `... hegemoni global. 1. Rusia` at the end of a paragraph: a list heading glued to the text before it.
_TRAILING_HEADING = re.compile(r"(?m)([.!?\"”])[ ]+(\d{1,2}\. [A-Z][\w'-]*(?: [A-Z][\w'-]*){0,2})$")


def normalise_text(text: str) -> str:
    """NFC, unified line endings and spaces, stray artefacts removed; quotes and paragraphs kept."""
    # Cheap substring tests skip the regex passes most articles do not need (this runs on every article).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        text = _SPACE_LIKE.sub(" ", text)
    text = _DELETED.sub("", text)
    if "\t" in text or "\f" in text or "\v" in text:
        text = _SPACE_LIKE.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if " \n" in text or "\n " in text or text[:1] == " " or text[-1:] == " ":
        text = "\n".join(line.strip() for line in text.split("\n"))
    if " ." in text:
        text = _STRAY_STOPS.sub(".", text)
    text = _GLUED_HEADING.sub(r"\1. ", text)
    text = _TRAILING_HEADING.sub(r"\1\n\n\2", text)
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    return text.strip("\n")


def normalise_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """Replace `text` with its normalised form."""
    return documents.with_columns(
        pl.col("text").map_elements(normalise_text, return_dtype=pl.String)
    )

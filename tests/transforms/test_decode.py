import codecs

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.decode import decode_bytes, decode_documents

ARTICLE = "Menteri Luar Negeri Retno Marsudi bertemu mitranya di Jakarta pada Senin, kata juru bicara kementerian."


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (ARTICLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ARTICLE.encode("utf-8"), "utf-8-sig"),
        (ARTICLE.encode("utf-16"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_unicode_encodings_decode_to_the_same_text(raw, encoding):
    decoded = decode_bytes(raw, max_bytes=10_000)
    assert (decoded.text, decoded.encoding) == (ARTICLE, encoding)


def test_cp1252_keeps_accents_and_smart_quotes():
    text = "Presiden Prancis bertemu di Élysée: “kerja sama” – kata café owner, tanpa ragu sedikit pun."
    decoded = decode_bytes(text.encode("cp1252"), max_bytes=10_000)
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_cp1252_undefined_bytes_fall_back_to_latin1_instead_of_failing():
    raw = "Harga naik tajam di pasar induk kota, kata pedagang sayur.".encode("cp1252") + b"\x81\xe9"
    decoded = decode_bytes(raw, max_bytes=10_000)
    assert decoded.text.endswith("\x81é")


def test_a_few_invalid_utf8_bytes_are_replaced_and_the_article_kept():
    raw = ("Dia bertemu “sahabat lama” di Pyongyang. " * 5).encode("utf-8")
    decoded = decode_bytes(raw[:60] + b"\xff\xfe" + raw[60:], max_bytes=10_000)
    assert decoded.encoding == "utf-8 (2 invalid bytes replaced)"
    assert decoded.text.count("Pyongyang") == 5


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b" \r\n\t \n", "whitespace_only"),
        (bytes(range(64)), "binary"),
        (b"x" * 101, "oversized"),
        (b"12345 67890 2024", "not_article_text"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd" * 30, "undecodable"),
    ],
)
def test_bad_files_get_a_reason(raw, reason):
    decoded = decode_bytes(raw, max_bytes=100)
    assert decoded.text is None and decoded.reason == reason and decoded.detail


def test_decode_documents_splits_articles_from_quarantine():
    documents = pl.DataFrame(
        {
            "article_id": ["a", "b"],
            "source_path": ["/in/a.txt", "/in/b.txt"],
            "source_sha256": ["sa", "sb"],
            "raw_bytes": [ARTICLE.encode(), b""],
        }
    )
    kept, quarantine = decode_documents(documents, max_bytes=10_000)
    assert_frame_equal(
        kept,
        pl.DataFrame(
            {"article_id": ["a"], "source_path": ["/in/a.txt"], "source_sha256": ["sa"], "text": [ARTICLE], "encoding": ["utf-8"]}
        ),
    )
    assert quarantine.to_dicts() == [{"source_path": "/in/b.txt", "source_sha256": "sb", "reason": "empty", "detail": "0 bytes"}]

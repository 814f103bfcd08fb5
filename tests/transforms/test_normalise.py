import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.normalise import normalise_documents, normalise_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("satu\r\ndua\rtiga", "satu\ndua\ntiga"),
        ("Di\u00a0Jakarta\u200b hari  ini ", "Di Jakarta hari ini"),
        ("Cafe\u0301", "Café"),  # NFC
        ("ekonomi, militer. . dan komunikasi", "ekonomi, militer. dan komunikasi"),
        ("Korea (DPRK). . . Xi menambahkan", "Korea (DPRK). Xi menambahkan"),
        ("5.Kuba", "5. Kuba"),
        ("mengirim 3.000 tentara", "mengirim 3.000 tentara"),
        ("siap menantang hegemoni global. 1. Rusia", "siap menantang hegemoni global.\n\n1. Rusia"),
        ("naik 2. Jadi harga", "naik 2. Jadi harga"),
        ("paragraf satu\n\n\n\nparagraf dua", "paragraf satu\n\nparagraf dua"),
        ("  1. Perang Dingin Baru – Terjadi  ", "1. Perang Dingin Baru – Terjadi"),
        ("“Kami berdiri teguh,” katanya.", "“Kami berdiri teguh,” katanya."),
    ],
)
def test_normalise_text(raw, clean):
    assert normalise_text(raw) == clean


def test_normalise_is_idempotent_on_the_sample():
    from tests.conftest import SAMPLE_DIR

    for path in SAMPLE_DIR.glob("*.txt"):
        once = normalise_text(path.read_text(encoding="utf-8"))
        assert normalise_text(once) == once


def test_normalise_documents_replaces_text_column():
    frame = pl.DataFrame({"article_id": ["a"], "text": ["x\r\ny"]})
    assert_frame_equal(normalise_documents(frame), pl.DataFrame({"article_id": ["a"], "text": ["x\ny"]}))

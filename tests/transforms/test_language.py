import langdetect
import langdetect_rs
import polars as pl

from tests.conftest import SAMPLE_DIR
from transforms.language import detect_languages, resolve_malay_indonesian


def test_sample_is_indonesian_with_high_probability():
    bodies = [path.read_text(encoding="utf-8") for path in sorted(SAMPLE_DIR.glob("*.txt"))]
    result = detect_languages(pl.DataFrame({"body": bodies}))
    assert result["language"].to_list() == ["id"] * 5
    assert result["language_prob"].min() > 0.99


def test_no_letters_is_unknown_not_a_crash():
    result = detect_languages(pl.DataFrame({"body": ["", "12345 678"]}))
    assert result["language"].to_list() == ["unknown", "unknown"]
    assert result["language_prob"].to_list() == [None, None]


def test_english_and_malay_are_told_apart_from_indonesian():
    english = "The foreign ministers met in Seoul on Monday to discuss the security of the Korean peninsula."
    malay = "Perdana Menteri berkata syarikat akan membantu rakyat kerana harga barang naik, iaitu beras dan minyak."
    result = detect_languages(pl.DataFrame({"body": [english, malay]}))
    assert result["language"].to_list() == ["en", "ms"]


def test_malay_indonesian_tiebreak_uses_spelling_markers():
    assert resolve_malay_indonesian("Pemerintah mengatakan karena harga naik", "ms") == "id"
    assert resolve_malay_indonesian("Syarikat itu berkata kerana harga naik", "id") == "ms"
    # Words both languages use decide nothing: an Indonesian text full of them stays Indonesian.
    assert resolve_malay_indonesian("Pejabat itu berkata semasa kunjungan daripada menteri boleh datang", "id") == "id"
    assert resolve_malay_indonesian("The rest", "en") == "en"


def test_langdetect_rs_matches_langdetect_bit_for_bit():
    """We use langdetect-rs for speed; it must give langdetect's own answers."""
    langdetect.DetectorFactory.seed = 0
    texts = [path.read_text(encoding="utf-8")[:3000] for path in sorted(SAMPLE_DIR.glob("*.txt"))]
    texts.append("Ceci est un article de presse en français sur la diplomatie.")
    fast = langdetect_rs.detect_langs_batch(texts)
    for text, guesses in zip(texts, fast):
        reference = langdetect.detect_langs(text)
        assert [(g.lang, round(g.prob, 9)) for g in guesses] == [(g.lang, round(g.prob, 9)) for g in reference]

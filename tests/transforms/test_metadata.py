from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.boilerplate import clean_articles, load_rules
from transforms.metadata import is_date_line, is_title_case_headline, normalise_city, parse_header

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
LEAD = "Polisi menangkap dua orang yang diduga membobol mesin ATM di sebuah minimarket pada Senin dini hari, kata juru bicara."


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_seed_metadata(rules):
    files = sorted(SAMPLE.glob("*.txt"))
    frame = pl.DataFrame(
        {
            "article_id": [f.name[:3] for f in files],
            "text": [f.read_text(encoding="utf-8") for f in files],
            "outlet_hint": [None] * 5,
        },
        schema={"article_id": pl.String, "text": pl.String, "outlet_hint": pl.String},
    )
    clean, _ = clean_articles(frame, rules)
    expected = pl.DataFrame(
        {
            "article_id": ["000", "001", "002", "003", "004"],
            "outlet": [None, "thelighthousepeople.com", "Garissatu", "TEMPO.CO", None],
            "dateline": ["Jakarta", None, None, "Jakarta", "Seoul"],
            "title": [
                None,
                "Analisis Strategis: Korut dan Dukungan untuk Rusia",
                "Kim Jong Un: Rusia Tak Sendirian dalam Perang Ukraina",
                None,
                None,
            ],
            "author": ["dka", None, None, None, None],
            "agency": [None, None, None, "REUTERS", None],
            "date_line": [None, None, None, None, "31 Juli 2023"],
        },
        schema={name: pl.String for name in ("article_id", "outlet", "dateline", "title", "author", "agency", "date_line")},
    )
    assert_frame_equal(clean.drop("body"), expected)
    bodies = dict(clean.select("article_id", "body").iter_rows())
    assert bodies["001"].startswith("Korea Utara dan Rusia baru-baru ini")
    assert bodies["003"].startswith("Rusia dan Korea Utara sedang mesra-mesranya.")
    assert bodies["004"].startswith("Korea Utara meningkatkan upaya")


@pytest.mark.parametrize(
    "prefix, outlet, dateline, agency",
    [
        ("TEMPO.CO, Jakarta - ", "TEMPO.CO", "Jakarta", None),
        ("JAKARTA, KOMPAS.com - ", "KOMPAS.com", "Jakarta", None),
        ("Liputan6.com, Jakarta - ", "Liputan6.com", "Jakarta", None),
        ("REPUBLIKA.CO.ID, JAKARTA -- ", "REPUBLIKA.CO.ID", "Jakarta", None),
        ("Jakarta, CNN Indonesia -- ", "CNN Indonesia", "Jakarta", None),
        ("Jakarta (ANTARA) - ", None, "Jakarta", "ANTARA"),
        ("BANDA ACEH - ", None, "Banda Aceh", None),
        ("Suara.com - ", "Suara.com", None, None),
        ("Bandung - ", None, "Bandung", None),
        ("TRIBUNNEWS.COM, JAKARTA - ", "Tribunnews.com", "Jakarta", None),
        ("TRIBUNKALTENG.COM - ", "tribunkalteng.com", None, None),  # a regional site, not the parent brand
        ("TRIBUN-BALI.COM, DENPASAR - ", "tribun-bali.com", "Denpasar", None),
    ],
)
def test_byline_prefixes(rules, prefix, outlet, dateline, agency):
    header = parse_header([prefix + LEAD], rules.matcher)
    assert (header.outlet, header.dateline, header.agency) == (outlet, dateline, agency)
    ((start, end, rule),) = header.prefix_cuts[0]
    assert (start, end) == (0, len(prefix)) and rule.startswith("metadata.")


def test_detokenised_compounds_are_not_datelines(rules):
    header = parse_header(
        ["Bandara Soekarno - Hatta melayani 150 ribu penumpang pada puncak arus mudik tahun ini."], rules.matcher
    )
    assert header.dateline is None and header.prefix_cuts == {}


def test_title_line_and_date_line_move_out(rules):
    lines = ["Senin, 14 Agustus 2023 10:15 WIB", "Polisi Tangkap Dua Pembobol ATM di Bekasi", "", "BEKASI – " + LEAD]
    header = parse_header(lines, rules.matcher)
    assert header.date_line == "Senin, 14 Agustus 2023 10:15 WIB"
    assert header.title == "Polisi Tangkap Dua Pembobol ATM di Bekasi"
    assert header.dateline == "Bekasi"
    assert header.removed_lines == {0: "metadata.date_line", 1: "metadata.title"}


def test_nothing_is_invented_for_plain_text(rules):
    header = parse_header([LEAD, LEAD], rules.matcher)
    assert (header.outlet, header.dateline, header.title, header.date_line, header.agency) == (None, None, None, None, None)


def test_outlet_hint_names_the_outlet_when_the_text_does_not(rules):
    assert parse_header([LEAD], rules.matcher, outlet_hint="kompas").outlet == "KOMPAS.com"
    assert parse_header([LEAD], rules.matcher, outlet_hint="tribunnews").outlet == "Tribunnews.com"
    assert parse_header(["TEMPO.CO, Jakarta - " + LEAD], rules.matcher, outlet_hint="kompas").outlet == "TEMPO.CO"


def test_headline_and_date_shapes():
    assert is_title_case_headline("Kim Jong Un: Rusia Tak Sendirian dalam Perang Ukraina")
    assert not is_title_case_headline("Rusia dan Korea Utara sedang mesra-mesranya")
    assert not is_title_case_headline("Kedekatan itu, diduga karena kedua negara sama-sama berhadapan dengan Amerika Serikat.")
    assert is_date_line("31 Juli 2023") and is_date_line("Kamis, 27 Juli 2023") and is_date_line("12/05/2024")
    assert not is_date_line("31 Juli 2023 menjadi hari yang bersejarah")
    assert normalise_city("JAKARTA") == "Jakarta" and normalise_city("BANDA ACEH") == "Banda Aceh"

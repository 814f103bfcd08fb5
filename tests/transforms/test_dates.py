import datetime as dt

import pytest

from transforms.dates import DateValue, find_date_expressions, parse_date, parse_publication_date

# Monday 31 July 2023: the date line of seed 004.
REFERENCE = dt.date(2023, 7, 31)


def day(year, month, day_):
    return DateValue(dt.date(year, month, day_), "day")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 Oktober 2024", day(2024, 10, 24)),
        ("Kamis, 27 Juli 2023", day(2023, 7, 27)),
        ("27/7/2023", day(2023, 7, 27)),
        ("Kamis (30 / 11 / 2017)", day(2017, 11, 30)),
        ("tanggal 5 Agt 2019", day(2019, 8, 5)),
    ],
)
def test_full_dates_need_no_reference(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("3 Jan 2020", 1),
        ("3 Peb 2020", 2),
        ("3 Feb 2020", 2),
        ("3 Mrt 2020", 3),
        ("3 Agu 2020", 8),
        ("3 Agt 2020", 8),
        ("3 Okt 2020", 10),
        ("3 Nop 2020", 11),
        ("3 Nov 2020", 11),
        ("3 Des 2020", 12),
    ],
)
def test_old_and_short_month_spellings(text, month):
    assert parse_date(text) == day(2020, month, 3)


def test_month_and_year_is_month_precision_on_the_first():
    assert parse_date("Juni 2024") == DateValue(dt.date(2024, 6, 1), "month")
    assert parse_date("pada bulan Oktober 2022") == DateValue(dt.date(2022, 10, 1), "month")


def test_years_ranges_and_decades():
    assert parse_date("pada 2019") == DateValue(dt.date(2019, 1, 1), "year")
    assert parse_date("antara tahun 2012 dan 2017") == DateValue(dt.date(2012, 1, 1), "year", dt.date(2017, 1, 1))
    assert parse_date("1950-1953") == DateValue(dt.date(1950, 1, 1), "year", dt.date(1953, 1, 1))
    assert parse_date("tahun 1980-an") == DateValue(dt.date(1980, 1, 1), "year", dt.date(1989, 1, 1))


def test_a_count_is_not_a_year():
    assert find_date_expressions("Korea Utara mengirimkan 2000 tentara ke Rusia.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hari Sabtu", day(2023, 7, 29)),  # the most recent Saturday before the reference
        ("hari Senin", day(2023, 7, 31)),  # the reference day itself
        ("Jumat (28/7)", day(2023, 7, 28)),
        ("tanggal 18 Agustus", day(2023, 8, 18)),  # the nearest 18 August, even ahead
        ("kemarin", day(2023, 7, 30)),
        ("hari ini", day(2023, 7, 31)),
        ("Jumat pekan lalu", day(2023, 7, 28)),
        ("Selasa pekan depan", day(2023, 8, 8)),
        ("tahun lalu", DateValue(dt.date(2022, 1, 1), "year")),
        ("bulan Maret", DateValue(dt.date(2023, 3, 1), "month")),
        ("Desember lalu", DateValue(dt.date(2022, 12, 1), "month")),
        ("minggu ini", DateValue(dt.date(2023, 7, 31), "week")),
        ("pekan lalu", DateValue(dt.date(2023, 7, 24), "week")),
        ("dua hari lalu", day(2023, 7, 29)),
        ("22 Desember tahun lalu", day(2022, 12, 22)),
    ],
)
def test_relative_expressions_resolve_against_the_reference(text, expected):
    assert parse_date(text, REFERENCE) == expected


@pytest.mark.parametrize(
    "text", ["hari Sabtu", "Jumat (28/7)", "tahun lalu", "bulan Maret", "minggu ini", "tanggal 18 Agustus", "kemarin"]
)
def test_relative_expressions_stay_unresolved_without_a_reference(text):
    mentions = find_date_expressions(text)
    assert len(mentions) == 1
    assert mentions[0].value is None


def test_find_date_expressions_gives_offsets_into_the_text():
    text = "Biden akan menjadi tuan rumah di Camp David pada tanggal 18 Agustus untuk memperluas kerja sama."
    [mention] = find_date_expressions(text, REFERENCE)
    assert text[mention.start : mention.end] == mention.surface == "tanggal 18 Agustus"
    assert mention.value == day(2023, 8, 18)


def test_lower_case_minggu_is_a_week_not_sunday():
    [mention] = find_date_expressions("tetapi minggu ini berjanji", REFERENCE)
    assert mention.value.precision == "week"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("31 Juli 2023", dt.date(2023, 7, 31)),
        ("Senin, 31 Juli 2023 14:05 WIB", dt.date(2023, 7, 31)),
        ("31/07/2023", dt.date(2023, 7, 31)),
        ("Senin, 31 Juli 2023 | 14:05 WIB", dt.date(2023, 7, 31)),
        ("Senin, 14 Agustus 2023 10:15 WIB", dt.date(2023, 8, 14)),
        ("Pada 31 Juli 2023 Korea Utara menggelar parade.", None),
        ("Juli 2023", None),
    ],
)
def test_parse_publication_date_takes_only_a_standalone_date_line(line, expected):
    assert parse_publication_date(line) == expected

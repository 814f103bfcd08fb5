import pickle
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.boilerplate import (
    REMOVED_SCHEMA,
    clean_articles,
    headline_end,
    learn_boilerplate,
    line_hash,
    load_rules,
)

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
PARAGRAPH = (
    "Presiden Joko Widodo meresmikan jalan tol baru di Jawa Tengah pada Senin pagi. Ia mengatakan jalan itu akan "
    "memangkas waktu tempuh antarkota hingga dua jam dan membantu distribusi barang ke pelabuhan."
)
PARAGRAPH_2 = (
    "Menteri Pekerjaan Umum menambahkan bahwa pembangunan ruas berikutnya dimulai tahun depan. Anggaran proyek itu "
    "berasal dari gabungan dana pemerintah dan investasi swasta, kata dia di lokasi peresmian."
)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def articles(*texts: str, hints: list | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        {"article_id": [f"a{i}" for i in range(len(texts))], "text": list(texts), "outlet_hint": hints or [None] * len(texts)},
        schema={"article_id": pl.String, "text": pl.String, "outlet_hint": pl.String},
    )


def clean_one(rules, text: str, hint: str | None = None, learned=None):
    clean, removed = clean_articles(articles(text, hints=[hint]), rules, learned=learned)
    return clean.row(0, named=True), removed


def seed_frame() -> pl.DataFrame:
    files = sorted(SAMPLE.glob("*.txt"))
    return articles(*[f.read_text(encoding="utf-8") for f in files]).with_columns(
        pl.Series("article_id", [f.name[:3] for f in files])
    )


# ---------------------------------------------------------------- seeds


def test_seed_boilerplate_lines_are_removed_with_their_rules(rules):
    _, removed = clean_articles(seed_frame(), rules)
    audit = set(removed.select("article_id", "text", "rule").iter_rows())
    assert ("000", "(dka)", "metadata.author") in audit
    assert ("002", "Baca Juga di Garis Satu:", "linkout.baca_juga") in audit
    assert ("002", "Previous Post Next Post", "page_navigation") in audit
    assert ("002", "نموذج الاتصال", "foreign_widget") in audit
    assert ("003", "Baca juga:", "linkout.baca_juga") in audit
    assert ("003", "REUTERS", "metadata.agency") in audit
    assert ("003", "Pilihan Editor Pasukan Israel Tembak Mati Remaja Palestina di Tepi Barat", "editors_pick") in audit
    assert ("004", "31 Juli 2023", "metadata.date_line") in audit


def test_seed_bodies_keep_every_article_line(rules):
    clean, removed = clean_articles(seed_frame(), rules)
    bodies = dict(clean.select("article_id", "body").iter_rows())
    removed_lines = {(a, n) for a, n, kind in removed.select("article_id", "line_no", "kind").iter_rows() if kind == "line"}
    for path in sorted(SAMPLE.glob("*.txt")):
        article_id = path.name[:3]
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if line.strip() and (article_id, number) not in removed_lines:
                tail = line.strip()[-60:]
                assert tail in bodies[article_id], (article_id, number, line[:60])
    for marker in ("Baca juga", "Pilihan Editor", "Previous Post", "REUTERS", "(dka)", "نموذج"):
        assert all(marker not in body for body in bodies.values())


def test_seed_003_keeps_the_paragraph_after_a_bare_baca_juga(rules):
    clean, removed = clean_articles(seed_frame(), rules)
    body = clean.filter(pl.col("article_id") == "003")["body"][0]
    assert "Seiring meningkatnya isolasi Rusia atas invasinya di Ukraina" in body
    assert removed.filter((pl.col("article_id") == "003") & (pl.col("line_no") == 4)).height == 0


def test_seed_002_duplicate_caption_is_kept_once_and_table_stays(rules):
    clean, removed = clean_articles(seed_frame(), rules)
    body = clean.filter(pl.col("article_id") == "002")["body"][0]
    caption = "Di kota pesisir Wonsan, Presiden Kim Jong Un bertemu langsung dengan Menlu Rusia Sergei Lavrov"
    assert body.count(caption) == 1
    assert removed.filter((pl.col("article_id") == "002") & (pl.col("rule") == "duplicate_line"))["line_no"].to_list() == [4]
    assert "MiliterPengiriman amunisi, pelatihan personelTidak diakui, tapi terpantau" in body
    assert "Faktor Strategis di Balik Kedekatan Moskow–Pyongyang" in body


# ---------------------------------------------------------------- families

FAMILIES = [
    ("Baca juga: Harga Beras Naik Jelang Lebaran di Pasar Induk", "linkout.baca_juga"),
    ("Baca Juga: Polisi Tangkap Dua Pelaku Pembobolan ATM", "linkout.baca_juga"),
    ("Simak juga: Gempa Magnitudo 5,1 Guncang Sukabumi", "linkout.baca_juga"),
    ("Lihat juga: Timnas Indonesia Kalahkan Vietnam 2-0", "linkout.baca_juga"),
    ("[Baca juga: KPK Periksa Tiga Saksi Kasus Korupsi Bansos]", "linkout.baca_juga"),
    ('Simak Video "Detik-detik Banjir Bandang Terjang Garut"', "video_promo"),
    ("Baca selengkapnya di sini", "read_more"),
    ("ADVERTISEMENT", "advertisement"),
    ("Advertisement", "advertisement"),
    ("SCROLL TO CONTINUE WITH CONTENT", "scroll_marker"),
    ("[Gambas:Video CNN]", "video_embed"),
    ("Foto: ANTARA/Aprillio Akbar", "photo_credit"),
    ("Warga mengantre bantuan di posko pengungsian, Senin. (Foto: Dok. Istimewa)", "photo_caption"),
    ("Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com.", "channel_promo"),
    ("Ikuti berita terkini dari Okezone di Google News, klik di sini.", "channel_promo"),
    ("Follow WhatsApp Channel SINDOnews.com untuk update berita terbaru setiap hari.", "channel_promo"),
    ("Editor: Bagus Prasetyo", "credit_editor"),
    ("Berita selengkapnya disini.", "read_more"),
    ("Tulisan ini adalah opini pribadi penulis, tidak mencerminkan sikap redaksi kami.", "disclaimer"),
    ("Penulis: Rina Marlina", "metadata.author"),
    ("Pewarta: Dedi Supriyadi", "metadata.author"),
    ("Laporan Wartawan Tribunnews.com, Yulia Saputri", "credit_report_by"),
    ("(rzy/ega)", "metadata.author"),
    ('Artikel ini telah tayang di Kompas.com dengan judul "Harga Cabai Melonjak"', "syndication"),
    (
        "Disclaimer: Artikel ini bukan merupakan ajakan untuk membeli atau menjual saham. Keputusan investasi sepenuhnya ada di tangan pembaca.",
        "disclaimer",
    ),
    ("Tags: politik, ekonomi, KPK", "tag_list"),
    ("Topik: Pemilu 2024", "tag_list"),
    ("Bagikan artikel ini", "share_prompt"),
    ("Halaman 1 2 3 Selanjutnya", "page_navigation"),
    ("Selanjutnya", "page_navigation"),
    ("Pilihan Editor: Harga Emas Antam Turun Hari Ini", "editors_pick"),
    ("相关新闻", "foreign_widget"),
    ("REUTERS", "metadata.agency"),
]


@pytest.mark.parametrize("furniture, rule", FAMILIES)
def test_each_family_is_removed_as_a_whole_line(rules, furniture, rule):
    row, removed = clean_one(rules, f"{PARAGRAPH}\n\n{furniture}\n\n{PARAGRAPH_2}")
    assert row["body"] == f"{PARAGRAPH}\n\n{PARAGRAPH_2}"
    expected = pl.DataFrame(
        {
            "article_id": ["a0"],
            "line_no": [3],
            "text": [furniture],
            "rule": [rule],
            "kind": ["line"],
            "start_char": [0],
            "end_char": [len(furniture)],
        },
        schema=REMOVED_SCHEMA,
    )
    assert_frame_equal(removed, expected)


def test_marker_line_takes_the_related_headlines_that_follow(rules):
    text = f"{PARAGRAPH}\nBaca Juga\nHarga Cabai Rawit Tembus Rp100 Ribu\nBank Indonesia Tahan Suku Bunga\n{PARAGRAPH_2}"
    row, removed = clean_one(rules, text)
    assert row["body"] == f"{PARAGRAPH}\n{PARAGRAPH_2}"
    assert removed["line_no"].to_list() == [2, 3, 4]
    assert set(removed["rule"]) == {"linkout.baca_juga"}


def test_inline_link_out_is_cut_and_both_sides_kept(rules):
    text = (
        "Polisi masih memeriksa saksi, kata dia. Baca juga: Jokowi Resmikan Tol Baru di Jawa Tengah "
        "Sementara itu, keluarga korban meminta kasus ini diusut tuntas."
    )
    row, removed = clean_one(rules, text)
    assert (
        row["body"] == "Polisi masih memeriksa saksi, kata dia. Sementara itu, keluarga korban meminta kasus ini diusut tuntas."
    )
    assert removed.select("text", "rule", "kind").rows() == [
        ("Baca juga: Jokowi Resmikan Tol Baru di Jawa Tengah", "linkout.baca_juga", "inline")
    ]


def test_inline_bracketed_link_out_and_ad_marker(rules):
    text = "Harga beras naik lagi pekan ini. [Baca juga: Bulog Siapkan Operasi Pasar] Pedagang mengeluhkan pasokan. ADVERTISEMENT"
    row, removed = clean_one(rules, text)
    assert row["body"] == "Harga beras naik lagi pekan ini. Pedagang mengeluhkan pasokan."
    assert removed["rule"].to_list() == ["linkout.baca_juga", "advertisement"]
    assert removed["kind"].unique().to_list() == ["inline"]


def test_headline_end_stops_before_a_new_sentence():
    assert headline_end("Jokowi Resmikan Tol Baru di Jawa Sementara itu, polisi") == len("Jokowi Resmikan Tol Baru di Jawa ")
    assert headline_end("Harga Emas Naik Lagi") == len("Harga Emas Naik Lagi")
    assert headline_end("Polisi tangkap pelaku. Warga lega") == len("Polisi tangkap pelaku. ")


def test_author_initials_after_the_last_sentence_become_metadata(rules):
    row, removed = clean_one(rules, f"{PARAGRAPH}\n{PARAGRAPH_2} (rzy/ega)")
    assert row["author"] == "rzy/ega"
    assert row["body"].endswith("di lokasi peresmian.")
    assert removed.select("text", "rule", "kind").rows() == [("(rzy/ega)", "metadata.author", "inline")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Iklan rokok dilarang tayang di televisi sebelum pukul 21.30, kata pejabat Komisi Penyiaran Indonesia.",
        "Hingga berita ini dimuat, tim KPK belum menemukan tersangka di rumahnya.",
        "Ia mengajak warga bergabung dalam aksi bersih-bersih pantai dan mengikuti kampanye itu di Instagram.",
        "Menurut editor senior majalah itu, laporan tersebut sudah diverifikasi sebelum diterbitkan.",
        "Foto-foto kejadian itu beredar luas di media sosial sejak Senin pagi.",
        "Halaman 12 laporan itu memuat rincian anggaran yang dipersoalkan.",
        "Latar Belakang Hubungan Korea Utara dan Rusia",
        "2. Tiongkok",
    ],
)
def test_article_text_with_furniture_words_is_kept(rules, sentence):
    row, removed = clean_one(rules, f"{PARAGRAPH}\n{sentence}\n{PARAGRAPH_2}")
    assert sentence in row["body"]
    assert removed.height == 0


def test_paragraph_scraped_twice_is_kept_once(rules):
    row, removed = clean_one(rules, f"{PARAGRAPH}\n\n{PARAGRAPH_2}\n\n{PARAGRAPH}")
    assert row["body"] == f"{PARAGRAPH}\n\n{PARAGRAPH_2}"
    assert removed.select("line_no", "rule").rows() == [(5, "duplicate_line")]


def test_outlet_scoped_rule_only_fires_for_its_outlet(tmp_path):
    default = Path(__file__).parents[2] / "data" / "boilerplate"
    (tmp_path / "outlets.tsv").write_text((default / "outlets.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "rules.tsv").write_text(
        "name\tfamily\tscope\taction\tfield\ttriggers\tpattern\n"
        "kompas_slogan\tpromo\tkompas\tline\t\tjernih\tJernih Melihat Dunia\n",
        encoding="utf-8",
    )
    scoped = load_rules(tmp_path)
    text = f"{PARAGRAPH}\nJernih Melihat Dunia\n{PARAGRAPH_2}"  # mid-article: not a trailing tag
    frame = articles(text, text, hints=["kompas", "detik"])
    clean, removed = clean_articles(frame, scoped)
    assert removed.select("article_id", "rule").rows() == [("a0", "kompas_slogan")]
    assert clean["body"].to_list() == [f"{PARAGRAPH}\n{PARAGRAPH_2}", text]


def test_rules_survive_pickling(rules):
    restored = pickle.loads(pickle.dumps(rules))
    frame = seed_frame()
    assert_frame_equal(clean_articles(frame, restored)[1], clean_articles(frame, rules)[1])


def test_empty_and_null_texts_give_empty_bodies(rules):
    frame = articles("", None)
    clean, removed = clean_articles(frame, rules)
    assert clean["body"].to_list() == ["", ""]
    assert removed.height == 0 and removed.schema == pl.Schema(REMOVED_SCHEMA)


# ---------------------------------------------------------------- learned boilerplate

SLOGAN = "Portal Kabar Kita hadir menemani pembaca setia di seluruh penjuru Nusantara."


def distinct_article(n: int) -> str:
    return (
        f"Warga desa nomor {n} di kecamatan {'abcdefghij'[n]} memperingati hari jadi kampung mereka dengan pawai obor.\n"
        f"Panitia {'klmnopqrst'[n]} menyebut acara itu menarik ribuan pengunjung dari berbagai daerah sekitar kota.\n"
        f"{SLOGAN}"
    )


def test_learned_table_grows_run_by_run_and_removes_furniture_at_k(rules):
    first_run, _ = clean_articles(articles(*[distinct_article(n) for n in range(3)], hints=["kabarkita"] * 3), rules)
    learned = learn_boilerplate(first_run)
    slogan = learned.filter(pl.col("line_hash") == line_hash(SLOGAN))
    assert slogan.select("outlet", "example_line", "n_articles").rows() == [("kabarkita", SLOGAN, 3)]
    row, _ = clean_one(rules, distinct_article(9), hint="kabarkita", learned=learned)
    assert SLOGAN in row["body"]  # seen in 3 articles, below K=5

    second_run, _ = clean_articles(articles(*[distinct_article(n) for n in range(3, 6)], hints=["kabarkita"] * 3), rules)
    learned = learn_boilerplate(second_run, learned)
    assert learned.filter(pl.col("line_hash") == line_hash(SLOGAN))["n_articles"].to_list() == [6]
    row, removed = clean_one(rules, distinct_article(9), hint="kabarkita", learned=learned)
    assert SLOGAN not in row["body"]
    assert removed.select("text", "rule").rows() == [(SLOGAN, "learned")]
    other_outlet, _ = clean_one(rules, distinct_article(9), hint="lainnya", learned=learned)
    assert SLOGAN in other_outlet["body"]


def test_syndicated_copies_do_not_teach_their_own_sentences(rules):
    # Re-posts of one article by one outlet: other dateline, other footer; the bodies' own sentences recur six times.
    headers = ["JAKARTA – ", "SEOUL – ", "Jakarta - ", "BANDUNG - ", "", "SURABAYA – "]
    footers = ["Bagikan artikel ini", "Editor: Rina Marlina", "(dka)", "", "Tags: tol, Jawa", "ADVERTISEMENT"]
    short = "Proyek itu ditargetkan rampung pada akhir tahun depan."
    copies = [f"{h}{PARAGRAPH}\n{short}\n{PARAGRAPH_2}\n{f}" for h, f in zip(headers, footers)]
    clean, _ = clean_articles(articles(*copies, hints=["kabarkita"] * len(copies)), rules)
    learned = learn_boilerplate(clean)
    sentence = learned.filter(pl.col("line_hash") == line_hash(short))
    assert sentence.select("n_articles", "n_lines_seen").rows() == [(1, 6)]
    # A long line held by one distinct article counts once too.
    assert learned.filter(pl.col("line_hash") == line_hash(PARAGRAPH_2))["n_articles"].to_list() == [1]
    row, _ = clean_one(rules, copies[0], hint="kabarkita", learned=learned)
    assert short in row["body"] and PARAGRAPH_2 in row["body"]


def test_line_hash_ignores_case_and_punctuation_but_keeps_digits():
    assert line_hash("Dibaca 1.204 kali!") == line_hash("dibaca 1 204 KALI")
    assert line_hash("Dibaca 1.204 kali") != line_hash("Dilihat 1.204 kali")
    assert line_hash("Skor akhir 2-1 untuk tuan rumah.") != line_hash("Skor akhir 3-0 untuk tuan rumah.")


def test_two_pass_api_learns_within_the_run_whatever_the_batching(rules):
    from transforms.boilerplate import clean, count_lines, furniture_of, merge_learned

    documents = articles(*[distinct_article(n) for n in range(7)], hints=["kabarkita"] * 7)
    whole = furniture_of(count_lines(documents, rules))
    parts = [count_lines(documents.slice(start, 3), rules) for start in (0, 3, 6)]
    folded = furniture_of(merge_learned(merge_learned(parts[0], parts[1]), parts[2]))
    assert_frame_equal(whole.drop("article_fingerprints"), folded.drop("article_fingerprints"))
    assert whole["example_line"].to_list() == [SLOGAN]
    bodies, removed = clean(documents, rules, whole)
    in_batches = [clean(documents.slice(start, 2), rules, folded) for start in range(0, 7, 2)]
    assert_frame_equal(bodies, pl.concat([b for b, _ in in_batches]))
    assert_frame_equal(removed, pl.concat([r for _, r in in_batches]))
    assert all(SLOGAN not in body for body in bodies["body"])
    assert removed.filter(pl.col("rule") == "learned").height == 7
    # `clean` never learns: with no furniture the slogan stays.
    assert all(SLOGAN in body for body in clean(documents, rules, furniture_of(None))[0]["body"])


def test_learned_furniture_never_takes_an_article_s_only_line(rules):
    from transforms.boilerplate import clean, count_lines, furniture_of

    # Distinct one-line reports that differ only in their figures are not one recurring line.
    reports = [f"Harga emas hari ini naik menjadi Rp {n}.0{n}5.000 per gram di butik resmi." for n in range(1, 8)]
    documents = articles(*reports, *[distinct_article(n) for n in range(7)], hints=["kabarkita"] * 14)
    furniture = furniture_of(count_lines(documents, rules))
    assert furniture["example_line"].to_list() == [SLOGAN]
    bodies, _ = clean(documents, rules, furniture)
    assert bodies["body"].to_list()[:7] == reports
    # And a learned line that is all an article holds stays in that article.
    lone, removed = clean(articles(SLOGAN, hints=["kabarkita"]), rules, furniture)
    assert lone["body"].to_list() == [SLOGAN] and removed.height == 0


def test_clean_and_learn_removes_furniture_learned_in_the_same_batch(rules):
    from transforms.boilerplate import clean_and_learn

    batch = articles(*[distinct_article(n) for n in range(6)], hints=["kabarkita"] * 6)
    clean, removed, learned = clean_and_learn(batch, rules)
    assert clean["article_id"].to_list() == batch["article_id"].to_list()
    assert all(SLOGAN not in body for body in clean["body"])
    assert removed.filter(pl.col("rule") == "learned")["article_id"].to_list() == [f"a{n}" for n in range(6)]
    assert learned.filter(pl.col("line_hash") == line_hash(SLOGAN))["n_articles"].to_list() == [6]


def test_learned_table_can_drop_lines_seen_once(rules):
    clean, _ = clean_articles(articles(*[distinct_article(n) for n in range(3)], hints=["kabarkita"] * 3), rules)
    learned = learn_boilerplate(clean, min_articles_to_keep=2)
    assert learned["example_line"].to_list() == [SLOGAN]


def test_evaluation_set_meets_the_acceptance_bar(rules):
    from benchmarks.boilerplate import EVAL_PATH, frame, kabar_masks, load_eval, score, seed_check
    from transforms.boilerplate import clean_and_learn

    records = load_eval(EVAL_PATH)
    _, removed, _ = clean_and_learn(frame(records), rules)
    masks = kabar_masks(records, removed)
    dev = score([r for r in records if r["split"] == "dev"], masks)
    heldout = score([r for r in records if r["split"] == "heldout"], masks)
    assert dev["f1"] >= 0.97 and dev["kept"] >= 0.995
    assert heldout["f1"] >= 0.95 and heldout["kept"] >= 0.995  # a regression floor; the bar is reported, not tuned for
    assert seed_check(records, masks) == (0, 0)


def test_batches_learned_apart_merge_into_one_table(rules):
    from transforms.boilerplate import merge_learned

    first, _ = clean_articles(articles(*[distinct_article(n) for n in range(3)], hints=["kabarkita"] * 3), rules)
    second, _ = clean_articles(articles(*[distinct_article(n) for n in range(2, 6)], hints=["kabarkita"] * 4), rules)
    merged = merge_learned(learn_boilerplate(first), learn_boilerplate(second))
    slogan = merged.filter(pl.col("line_hash") == line_hash(SLOGAN))
    assert slogan.select("n_articles", "n_lines_seen").rows() == [(6, 7)]  # article 2 was in both batches: counted once
    assert_frame_equal(merged, learn_boilerplate(second, learn_boilerplate(first)))


def test_link_out_marker_learned_across_outlets_removes_its_headlines(rules):
    from transforms.boilerplate import ALL_OUTLETS, marker_hash

    headlines = [
        "Harga Cabai Rawit Melonjak Jelang Ramadan di Pasar Induk",
        "Banjir Rendam Ratusan Rumah Warga di Kabupaten Bandung",
        "Timnas Indonesia Tundukkan Vietnam di Laga Persahabatan",
        "Pemerintah Siapkan Subsidi Baru untuk Petani Kecil",
        "Kereta Cepat Layani Ribuan Penumpang Saat Libur Panjang",
    ]
    outlets = ["kabarkita", "warta", "kabarkita", "suarasatu", "warta"]
    batch = [
        f"{distinct_article(n)}\nSimpan Juga: {headline}\nPelatih: Rahmad Darmawan Saputra"
        for n, headline in enumerate(headlines)
    ]
    clean, _ = clean_articles(articles(*batch, hints=outlets), rules)
    learned = learn_boilerplate(clean)
    marker = learned.filter(pl.col("outlet") == ALL_OUTLETS)
    assert marker.select("line_hash", "example_line", "n_articles").rows() == [(marker_hash("Simpan Juga"), "Simpan Juga:", 5)]
    row, removed = clean_one(
        rules,
        f"{PARAGRAPH}\nSimpan Juga: Gempa Magnitudo Lima Guncang Sukabumi Pagi Ini\n{PARAGRAPH_2}\nPelatih: Rahmad Darmawan Saputra",
        hint="outlet-baru",
        learned=learned,
    )
    assert removed.select("text", "rule").rows() == [
        ("Simpan Juga: Gempa Magnitudo Lima Guncang Sukabumi Pagi Ini", "learned_linkout")
    ]
    assert "Pelatih: Rahmad Darmawan Saputra" in row["body"]  # a label before a name is no link-out
    # A sentence after the marker is article text, and four articles are not enough.
    row, removed = clean_one(rules, f"{PARAGRAPH}\nSimpan Juga: harga naik karena pasokan berkurang, kata dia.", learned=learned)
    assert removed.height == 0
    fewer = learn_boilerplate(clean.head(4))
    row, removed = clean_one(rules, f"{PARAGRAPH}\nSimpan Juga: Gempa Magnitudo Lima Guncang Sukabumi Pagi Ini", learned=fewer)
    assert removed.height == 0


def test_merge_keeps_the_most_seen_rows_and_expires_old_singletons_first(rules):
    from transforms.boilerplate import merge_learned

    old, _ = clean_articles(articles("Baris lama pertama.", "Baris lama kedua.", hints=["kabarkita"] * 2), rules)
    old_table = learn_boilerplate(old)
    first, _ = clean_articles(articles(*[distinct_article(n) for n in range(3)], hints=["kabarkita"] * 3), rules)
    batch = learn_boilerplate(first)
    merged = merge_learned(old_table, batch, max_rows_per_outlet=4)
    assert merged.height == 4
    assert SLOGAN in merged["example_line"].to_list()  # seen in three articles: kept
    assert not {"Baris lama pertama.", "Baris lama kedua."} & set(merged["example_line"].to_list())


def test_knobs_travel_with_the_rules_not_module_globals():
    from transforms.boilerplate import BoilerplateParams

    repeated = "Hasil sementara: 12 suara sah."  # 30 chars: below the default duplicate threshold
    text = f"{PARAGRAPH}\n{repeated}\n{PARAGRAPH_2}\n{repeated}"
    default, _ = clean_one(load_rules(), text)
    assert default["body"].count(repeated) == 2
    strict = load_rules(params=BoilerplateParams(duplicate_min_chars=20))
    row, removed = clean_one(pickle.loads(pickle.dumps(strict)), text)
    assert row["body"].count(repeated) == 1 and removed["rule"].to_list() == ["duplicate_line"]


# ---------------------------------------------------------------- text as scrapers deliver it (one-line bodies)

SENTENCES = [
    "Pemerintah kota menambah armada bus sekolah mulai pekan depan untuk mengurangi kemacetan di pusat kota.",
    "Kepala dinas perhubungan mengatakan tambahan itu berasal dari anggaran perubahan tahun ini.",
    "Ia berharap orang tua tidak lagi mengantar anak dengan kendaraan pribadi setiap pagi.",
    "Warga menyambut baik rencana tersebut meski sebagian meminta jadwal yang lebih pasti.",
]


def one_line(*parts: str) -> str:
    return "Judul Berita Tentang Bus Sekolah Kota\n\n" + " ".join(parts)


@pytest.mark.parametrize(
    "furniture, rule",
    [
        ("Baca juga:Harga Tiket Kereta Naik Jelang Libur Panjang", "linkout.baca_juga"),
        ("Pilihan Editor: Polisi Tangkap Dua Pencuri Motor di Pasar", "editors_pick"),
        ("(tribunnews.com/abc/def)", "credit_domain"),
        ("(*/)", "agency_code"),
        ("(abc/def)", "metadata.author"),
        ("Simak juga Video: Banjir Rendam Jalan Utama Kota", "video_promo"),
        ("ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT", "advertisement"),
        ("(Lihat jadwal lengkapnya dengan klik di sini)", "click_here_bracket"),
        ("(ayo ikuti saluran WhatsApp kami untuk kabar terbaru)", "channel_promo"),
        ("Ikuti WhatsApp Channel Kabarkita.com", "channel_promo"),
        ("Baca juga berita lainnya di Kabarkita.com", "linkout.baca_juga"),
        ("(Nama Penulis)", "credit_name"),
        ("Loading...", "widget_label"),
        ("Petugas memeriksa bus di terminal kota pada pagi hari (Getty Images)", "photo_agency_caption"),
    ],
)
def test_glued_and_inline_furniture_in_a_one_line_body_is_cut_and_the_text_kept(rules, furniture, rule):
    text = one_line(SENTENCES[0], SENTENCES[1], furniture, SENTENCES[2], SENTENCES[3])
    row, removed = clean_one(rules, text)
    assert row["body"] == " ".join(SENTENCES)
    inline = removed.filter(pl.col("kind") == "inline")
    assert rule in inline["rule"].to_list()
    assert all(line_no == 3 for line_no in inline["line_no"])
    line = text.split("\n")[2]
    for removed_text, start, end in inline.select("text", "start_char", "end_char").iter_rows():
        assert line[start:end] == removed_text  # offsets locate the span in its raw line


def test_a_marker_glued_onto_the_previous_word_is_split_out(rules):
    text = one_line(SENTENCES[0], SENTENCES[1] + "Baca JugaHarga Tiket Kereta Naik Jelang Libur Panjang " + SENTENCES[2])
    row, removed = clean_one(rules, text)
    assert row["body"] == " ".join(SENTENCES[:3])
    assert removed.filter(pl.col("rule") == "linkout.baca_juga").height == 1


def test_a_caption_with_an_outlet_credit_is_removed_whole(rules):
    caption = "KOMPAS.com/NAMA FOTOGRAFERWarga menunggu bus di halte depan sekolah, Senin (2/6/2025)."
    row, removed = clean_one(rules, one_line(SENTENCES[0], SENTENCES[1], caption, SENTENCES[2], SENTENCES[3]))
    assert row["body"] == " ".join(SENTENCES)
    assert removed.filter(pl.col("rule") == "photo_credit_caption")["text"].to_list() == [caption]


def test_a_two_part_related_headline_goes_with_its_marker(rules):
    linkout = "Pilihan Editor: Rencana Tarif Baru Bus Kota Dibahas Dewan. Kapan Berlaku?"
    row, _ = clean_one(rules, one_line(SENTENCES[0], SENTENCES[1], linkout, SENTENCES[2], SENTENCES[3]))
    assert row["body"] == " ".join(SENTENCES)


def test_furniture_words_inside_sentences_of_a_one_line_body_are_kept(rules):
    story = [
        "Perusahaan itu menghabiskan dana besar untuk iklan televisi selama bulan puasa.",
        "Iklan tersebut ditonton jutaan orang, kata manajer pemasaran kepada wartawan.",
        "Menurut dia, iklan di media sosial kini lebih murah dibanding iklan cetak.",
        "Pembaca dapat ikuti perkembangan kampanye itu lewat kanal resmi perusahaan yang akan diluncurkan bulan depan.",
        "Hak cipta lagu yang dipakai dalam iklan itu dibeli dari pencipta aslinya.",
    ]
    row, removed = clean_one(rules, one_line(*story))
    assert row["body"] == " ".join(story) and removed.filter(~pl.col("rule").str.starts_with("metadata")).height == 0


def test_sentences_shared_by_articles_about_one_event_are_not_learned(rules):
    from transforms.boilerplate import clean, count_lines, furniture_of

    shared = "Kebakaran itu menghanguskan dua belas rumah warga di tepi sungai pada Minggu dini hari."
    texts = [
        one_line(
            f"Laporan nomor {n} dari lokasi kejadian menyebut api muncul dari dapur salah satu rumah warga.",
            shared,
            SENTENCES[n % 4],
            f"Petugas ke-{n} masih mendata kerugian.",
            "Tonton juga Video: Detik Api Melahap Rumah",
        )
        for n in range(7)
    ]
    documents = articles(*texts, hints=["kabarkita"] * 7)
    furniture = furniture_of(count_lines(documents, rules))
    assert shared not in furniture["example_line"].to_list()
    bodies, _ = clean(documents, rules, furniture)
    assert all(shared in body for body in bodies["body"])


def test_segments_keep_every_non_space_character():
    from transforms.boilerplate.segments import segment_line

    line = (
        " ".join(SENTENCES) + "Baca juga:Judul Lain Di Sini (abc/def) " + " ".join(SENTENCES) + " ADVERTISEMENT " + SENTENCES[0]
    )
    pieces = [line[start:end] for start, end in segment_line(line)]
    assert len(pieces) > 8
    assert "".join(pieces).replace(" ", "") == line.replace(" ", "")


def test_a_run_of_topic_tags_after_the_article_goes_but_an_item_list_stays(rules):
    tags = ["Bus Sekolah", "Transportasi Kota", "Dinas Perhubungan 2025"]
    row, removed = clean_one(rules, "\n".join([PARAGRAPH, PARAGRAPH_2, *tags]))
    assert row["body"] == f"{PARAGRAPH}\n{PARAGRAPH_2}"
    assert removed.filter(pl.col("rule") == "tag_list")["text"].to_list() == tags
    items = ["Halte utama", "Terminal lama", "Pasar kota"]  # a short list with no article line before it
    row, removed = clean_one(rules, "\n".join(["Rute bus sekolah:", *items]))
    assert removed.filter(pl.col("rule") == "tag_list").height == 0
    numbered = [PARAGRAPH, "Rute yang dilayani:", "1. Halte Utama", "2. Terminal Lama"]
    row, _ = clean_one(rules, "\n".join(numbered))
    assert row["body"] == "\n".join(numbered)


def test_learned_counts_do_not_depend_on_how_articles_are_cut_into_batches(rules):
    from transforms.boilerplate import count_lines, merge_learned

    documents = articles(*[distinct_article(n % 10) + f"\nBaris penutup nomor {n}." for n in range(40)], hints=["kabarkita"] * 40)
    whole = count_lines(documents, rules)
    for size in (3, 7, 13):
        folded = None
        for start in reversed(range(0, documents.height, size)):  # other cuts, other order
            batch = count_lines(documents.slice(start, size), rules)
            folded = batch if folded is None else merge_learned(folded, batch)
        assert_frame_equal(folded.drop("n_lines_seen"), whole.drop("n_lines_seen"))

import polars as pl

from transforms.section import DEFAULT_SECTION, SECTIONS, SECTIONS_SCHEMA, classify_sections, load_section_model


def test_sections_of_clear_articles_and_an_empty_one():
    model = load_section_model()
    frame = pl.DataFrame(
        {
            "article_id": ["ball", "vote", "empty"],
            "body": [
                "Pelatih tim nasional memuji gol kedua striker itu. Klub mengalahkan lawannya 2-0 di stadion "
                "dan naik ke puncak klasemen liga setelah pertandingan sengit babak kedua.",
                "Komisi Pemilihan Umum menetapkan jadwal pemilu. Anggota DPR dari fraksi partai meminta pemerintah "
                "dan kepolisian menjaga keamanan selama kampanye calon presiden dan wakil presiden.",
                "",
            ],
        }
    )
    sections = classify_sections(frame, model)
    assert sections.schema == pl.Schema(SECTIONS_SCHEMA)
    assert dict(sections.select("article_id", "section").rows()) == {"ball": "sports", "vote": "news", "empty": DEFAULT_SECTION}
    assert sections["section"].is_in(SECTIONS).all()
    assert sections.filter(pl.col("article_id") == "ball")["section_margin"][0] > 1.0

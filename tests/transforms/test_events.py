import datetime as dt
import re

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.events import (
    EVENT_MENTIONS_SCHEMA,
    EVENTS_SCHEMA,
    event_id_for,
    extract_events,
    find_triggers,
    load_triggers,
)

# A tiny gazetteer stands in for transforms.entities: surface -> (entity_id, type).
GAZETTEER = {
    "Korea Utara": ("Q423", "LOCATION"),
    "Korea Selatan": ("Q884", "LOCATION"),
    "Kuba": ("Q241", "LOCATION"),
    "Rusia": ("Q159", "LOCATION"),
    "Ukraina": ("Q212", "LOCATION"),
    "Vladivostok": ("Q959", "LOCATION"),
    "Kim Jong Un": ("Q56226", "PERSON"),
    "Vladimir Putin": ("Q7747", "PERSON"),
    "Uni Eropa": ("Q458", "ORGANIZATION"),
    "Reuters": ("Q130280", "ORGANIZATION"),
    "Turki": ("Q43", "LOCATION"),
    "Recep Tayyip Erdogan": ("Q39723", "PERSON"),
    "Aung San Suu Kyi": ("Q36740", "PERSON"),
}
_NAMES = re.compile("|".join(sorted(map(re.escape, GAZETTEER), key=len, reverse=True)))


@pytest.fixture(scope="module")
def triggers():
    return load_triggers()


def articles(*bodies, published=None):
    return pl.DataFrame(
        {
            "article_id": [f"a{i}" for i in range(len(bodies))],
            "body": list(bodies),
            "published_date": [published] * len(bodies),
            "dateline": [None] * len(bodies),
        },
        schema_overrides={"published_date": pl.Date, "dateline": pl.String},
    )


def mentions_for(frame):
    rows = [
        (article_id, *GAZETTEER[m.group()][:1], m.group(), m.start(), m.end(), GAZETTEER[m.group()][1])
        for article_id, body in frame.select("article_id", "body").iter_rows()
        for m in _NAMES.finditer(body)
    ]
    frame = pl.DataFrame(rows, schema=["article_id", "entity_id", "surface", "start_char", "end_char", "type"], orient="row")
    # The gazetteer's subtypes: locations act only as countries or cities standing for their government.
    return frame.with_columns(
        subtype=pl.when(pl.col("type") == "LOCATION").then(pl.lit("COUNTRY")).otherwise(pl.lit(None, dtype=pl.String))
    )


def coded(frame, triggers, params=None):
    return extract_events(frame, mentions_for(frame), triggers, *([params] if params else []))


def test_active_sentence_codes_actors_date_and_place(triggers):
    frame = articles("Pada 24 Oktober 2024, Rusia menyerang Ukraina di kota Vladivostok.")
    events, event_mentions = coded(frame, triggers)
    expected = pl.DataFrame(
        {
            "event_id": [event_id_for("190", "Q159", "Q212", dt.date(2024, 10, 24), "day")],
            "event_code": ["190"],
            "root_code": ["19"],
            "label": ["Use conventional military force"],
            "event_date": [dt.date(2024, 10, 24)],
            "date_precision": ["day"],
            "actor1_entity_id": ["Q159"],
            "actor2_entity_id": ["Q212"],
            "location_entity_id": ["Q959"],
            "quad_class": [4],
            "is_negated": [False],
            "confidence": events["confidence"].to_list(),  # from the ranker: checked in its own test
            "goldstein": [-10.0],
            "num_articles": [1],
            "num_mentions": [1],
        },
        schema=EVENTS_SCHEMA,
    )
    assert_frame_equal(events, expected)
    assert event_mentions.row(0, named=True)["trigger"] == "menyerang"
    body = frame["body"][0]
    start, end = event_mentions.select("start_char", "end_char").row(0)
    assert body[start:end] == "menyerang"


def test_passive_voice_swaps_actors(triggers):
    events, _ = coded(articles("Ukraina diserang oleh Rusia pada 2022."), triggers)
    assert events.select("actor1_entity_id", "actor2_entity_id", "event_date", "date_precision").rows() == [
        ("Q159", "Q212", dt.date(2022, 1, 1), "year")
    ]


def test_a_passive_agent_may_follow_the_verb_without_oleh_or_after_a_noun(triggers):
    events, _ = coded(articles("Ukraina diserang Rusia.", "Kim Jong Un ditangkap oleh kepolisian Rusia."), triggers)
    assert events.sort("actor2_entity_id").select("actor1_entity_id", "actor2_entity_id").rows() == [
        ("Q159", "Q212"),
        ("Q159", "Q56226"),
    ]


def test_a_noun_takes_its_source_after_dari_as_actor_1(triggers):
    events, _ = coded(
        articles(
            "Korea Utara menerima bantuan kemanusiaan dari Rusia.", "Pernyataan itu memicu kecaman dari Rusia terhadap Ukraina."
        ),
        triggers,
    )
    assert events.sort("event_code").select("event_code", "actor1_entity_id", "actor2_entity_id").rows() == [
        ("073", "Q159", "Q423"),
        ("111", "Q159", "Q212"),
    ]


def test_root_18_assaults_are_coded(triggers):
    events, _ = coded(articles("Pada 3 Maret 2020, Korea Utara menculik Kim Jong Un."), triggers)
    assert events.select("event_code", "root_code", "actor1_entity_id", "actor2_entity_id").rows() == [
        ("181", "18", "Q423", "Q56226")
    ]


def test_a_denial_is_coded_and_the_denied_act_flagged_negated(triggers):
    events, _ = coded(articles("Rusia membantah mengirim pasukan ke Ukraina."), triggers)
    rows = events.sort("event_code").select("event_code", "actor1_entity_id", "actor2_entity_id", "is_negated").rows()
    assert rows == [("016", "Q159", None, False), ("072", "Q159", "Q212", True)]


def test_tidak_negates_the_event(triggers):
    events, _ = coded(articles("Korea Utara tidak akan menyerang Korea Selatan."), triggers)
    assert events.select("event_code", "is_negated").rows() == [("190", True)]


def test_a_possibility_is_not_an_event(triggers):
    events, _ = coded(articles("Korea Utara dapat memasok senjata ke Rusia."), triggers)
    assert events.height == 0


def test_symmetric_event_is_one_row_whatever_the_actor_order(triggers):
    frame = articles(
        "Pada 14 Februari 2024, Korea Selatan dan Kuba resmi menjalin hubungan diplomatik.",
        "Kuba dan Korea Selatan menjalin hubungan diplomatik pada 14 Februari 2024.",
    )
    events, event_mentions = coded(frame, triggers)
    assert events.select("event_code", "actor1_entity_id", "actor2_entity_id", "num_articles", "num_mentions").rows() == [
        ("054", "Q241", "Q884", 2, 2)
    ]
    assert event_mentions["event_id"].n_unique() == 1
    assert sorted(event_mentions["article_id"]) == ["a0", "a1"]


def test_same_event_in_two_articles_is_one_event_with_two_mentions(triggers):
    body = "Dia bertemu Vladimir Putin pada 2019 untuk pertama kalinya di kota Vladivostok."
    frame = articles("Kim Jong Un tiba pekan lalu. " + body, "Kim Jong Un disambut hangat. " + body)
    events, event_mentions = coded(frame, triggers)
    assert events.height == 1
    assert events.row(0, named=True)["num_articles"] == 2
    assert event_mentions.height == 2
    assert set(events.select("actor1_entity_id", "actor2_entity_id").row(0)) == {"Q56226", "Q7747"}


def test_relative_dates_use_the_publication_date_and_stay_null_without_it(triggers):
    body = "Uni Eropa menjatuhkan sanksi terhadap Korea Utara pada hari Sabtu."
    dated, _ = coded(articles(body, published=dt.date(2023, 7, 31)), triggers)
    undated, _ = coded(articles(body), triggers)
    assert dated.select("event_date", "date_precision").row(0) == (dt.date(2023, 7, 29), "day")
    assert undated.select("event_date", "date_precision").row(0) == (None, None)


def test_a_dateline_date_is_the_reference_when_no_publication_date(triggers):
    frame = articles("Uni Eropa menjatuhkan sanksi terhadap Korea Utara kemarin.").with_columns(
        dateline=pl.lit("Brussel, 27/11/2017")
    )
    events, _ = coded(frame, triggers)
    assert events["event_date"].to_list() == [dt.date(2017, 11, 26)]


def test_a_news_agency_is_a_source_not_an_actor(triggers):
    events, _ = coded(articles("Menurut Reuters, Rusia mengecam Uni Eropa."), triggers)
    assert events.select("actor1_entity_id", "actor2_entity_id").rows() == [("Q159", "Q458")]


def test_no_trigger_gives_empty_frames_with_the_contract_schema(triggers):
    events, event_mentions = coded(articles("Cuaca di Vladivostok cerah."), triggers)
    assert events.schema == pl.Schema(EVENTS_SCHEMA)
    assert event_mentions.schema == pl.Schema(EVENT_MENTIONS_SCHEMA)
    assert events.height == event_mentions.height == 0


def test_users_extend_the_trigger_table_with_their_own_file(tmp_path, triggers):
    extra = tmp_path / "triggers-extra.tsv"
    extra.write_text("menyandera\t181\t18\tAbduct, hijack, or take hostage\tactive\t0\t0\n", encoding="utf-8")
    frame = articles("Korea Utara menyandera Kim Jong Un.")
    assert coded(frame, triggers)[0].height == 0
    events, _ = coded(frame, load_triggers(extra=extra))
    assert events.select("event_code", "root_code", "quad_class").rows() == [("181", "18", 4)]


def test_a_blocking_row_stops_a_shorter_trigger(triggers):
    assert [t.event_code for _, _, t in find_triggers("Rusia diminta menahan diri.", triggers)] == ["-"]
    assert coded(articles("Rusia diminta menahan diri."), triggers)[0].height == 0


def test_a_malformed_trigger_row_is_rejected(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("menyerang\t190\t18\tAttack\tactive\t0\t0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="root"):
        load_triggers(bad)


def test_every_uncoded_trigger_keeps_a_reason(triggers):
    from transforms.events import SKIP_REASONS, extract_events_with_audit

    frame = articles("Korea Utara dapat memasok senjata ke Rusia. Rusia diminta menahan diri. Serangan itu mengejutkan.")
    events, _, skipped = extract_events_with_audit(frame, mentions_for(frame), triggers)
    assert events.height == 0
    assert skipped.select("trigger", "reason").rows() == [
        ("memasok senjata", "hypothetical"),
        ("menahan diri", "blocking_phrase"),
        ("Serangan", "no_actor1"),
    ]
    assert set(skipped["reason"]) <= set(SKIP_REASONS)


def test_dia_takes_the_person_two_sentences_back(triggers):
    body = "Kim Jong Un menginap di kota Vladivostok pada Rabu. Sambutannya meriah. Dia bertemu Vladimir Putin pada 2019."
    events, _ = coded(articles(body), triggers)
    assert events.filter(pl.col("event_code") == "040").select("actor1_entity_id", "actor2_entity_id").rows() == [
        ("Q56226", "Q7747")
    ]


def test_mereka_inside_the_sentence_takes_the_previous_actor(triggers):
    body = "Korea Utara menggelar parade militer pada 2017. Namun kenyataannya, mereka juga menyerang Korea Selatan."
    events, _ = coded(articles(body), triggers)
    assert events.filter(pl.col("event_code") == "190").select("actor1_entity_id", "actor2_entity_id").rows() == [
        ("Q423", "Q884")
    ]


def test_negara_tersebut_takes_a_state_not_a_person(triggers):
    events, _ = coded(articles("Vladimir Putin memimpin Rusia. Negara tersebut mengecam Uni Eropa."), triggers)
    assert events.select("actor1_entity_id", "actor2_entity_id").rows() == [("Q159", "Q458")]


def test_a_sentence_opening_date_dates_every_event_of_the_sentence(triggers):
    body = "Pada 12 Maret 2017, Korea Utara meluncurkan rudal, hanya beberapa saat menjelang kunjungan Vladimir Putin ke Korea Selatan."
    events, _ = coded(articles(body), triggers)
    assert events.sort("event_code").select("event_code", "event_date", "date_precision").rows() == [
        ("042", dt.date(2017, 3, 12), "day"),
        ("150", dt.date(2017, 3, 12), "day"),
    ]


def test_an_undated_sentence_inherits_no_date_unless_asked(triggers):
    from transforms.events import EventParams

    body = "Pada 24 Oktober 2024, Rusia menyerang Ukraina. Uni Eropa mengecam Rusia.\n\nKorea Utara mengecam Ukraina."
    events, _ = coded(articles(body), triggers)
    dates = dict(events.select("actor1_entity_id", "event_date").rows())
    assert dates == {"Q159": dt.date(2024, 10, 24), "Q458": None, "Q423": None}
    events, _ = coded(articles(body), triggers, EventParams(inherit_scope="paragraph"))
    dates = dict(events.select("actor1_entity_id", "event_date").rows())
    assert dates == {"Q159": dt.date(2024, 10, 24), "Q458": dt.date(2024, 10, 24), "Q423": None}


def test_habits_purposes_and_quotations_are_not_events(triggers):
    from transforms.events import extract_events_with_audit

    frame = articles(
        "Uni Eropa kerap mengecam Rusia. Korea Utara melatih tentara untuk menyerang Korea Selatan. "
        '" Rusia menyerang Ukraina, " kata Kim Jong Un. Apakah Rusia menyerang Ukraina?'
    )
    events, _, skipped = extract_events_with_audit(frame, mentions_for(frame), triggers)
    assert events.height == 0
    assert skipped.select("trigger", "reason").rows() == [
        ("mengecam", "habitual"),
        ("menyerang", "purpose"),
        ("menyerang", "quoted"),
        ("menyerang", "question"),
    ]


def test_a_threat_without_a_target_is_not_coded(triggers):
    from transforms.events import extract_events_with_audit

    frame = articles("Korea Utara mengancam. Korea Utara mengancam Korea Selatan.")
    events, _, skipped = extract_events_with_audit(frame, mentions_for(frame), triggers)
    assert events.select("actor1_entity_id", "actor2_entity_id").rows() == [("Q423", "Q884")]
    assert skipped.select("trigger", "reason").rows() == [("mengancam", "no_actor2")]


def test_a_country_in_a_title_before_a_comma_is_not_the_actor(triggers):
    events, _ = coded(articles("Aung San Suu Kyi berbincang dengan Presiden Turki, Recep Tayyip Erdogan."), triggers)
    assert events.select("actor1_entity_id", "actor2_entity_id").rows() == [("Q36740", "Q39723")]


def test_sejak_dates_a_ketika_clause_but_not_a_durative_event(triggers):
    frame = articles(
        "Situasi tegang sejak 25 Agustus 2017, ketika Rusia menyerang Ukraina.",
        "Rusia memberikan dukungan militer kepada Ukraina sejak 2013.",
    )
    events, _ = coded(frame, triggers)
    assert sorted(events.select("event_code", "event_date").rows()) == [("072", None), ("190", dt.date(2017, 8, 25))]


def test_soft_sections_are_not_coded_and_hard_ones_are(triggers):
    frame = articles("Rusia menyerang Ukraina pada 2022.", "Rusia menyerang Ukraina pada 2022.").with_columns(
        section=pl.Series(["sports", "international"])
    )
    events, event_mentions = coded(frame, triggers)
    assert event_mentions["article_id"].to_list() == ["a1"]


def test_confidence_threshold_and_goldstein(triggers):
    from transforms.events import EventParams, extract_events_with_audit

    frame = articles("Rusia menyerang Ukraina pada 2022. Korea Utara mengecam Korea Selatan.")
    events, _ = coded(frame, triggers)
    assert dict(events.select("event_code", "goldstein").rows()) == {"190": -10.0, "111": -2.0}
    assert events["confidence"].is_between(0.0, 1.0).all()
    strict = EventParams(min_confidence=1.0)
    events, _, skipped = extract_events_with_audit(frame, mentions_for(frame), triggers, strict)
    assert events.height == 0
    assert set(skipped["reason"]) == {"low_confidence"}


def test_the_ranker_reads_a_passive_agent_and_a_relative_subject(triggers):
    from transforms.events import EventParams

    ranker = EventParams(role_policy="ranker", min_confidence=0.0)
    events, _ = coded(articles("Ukraina diserang oleh Rusia pada 2022."), triggers, ranker)
    assert events.select("actor1_entity_id", "actor2_entity_id").rows() == [("Q159", "Q212")]
    events, _ = coded(articles("Korea Utara mengecam Uni Eropa."), triggers, ranker)
    assert events.select("actor1_entity_id", "actor2_entity_id").rows() == [("Q423", "Q458")]


def test_gagal_and_tanpa_negate(triggers):
    events, _ = coded(articles("Rusia gagal menyerang Ukraina pada 2022."), triggers)
    assert events["is_negated"].to_list() == [True]


def test_the_real_news_gold_holds_ids_hashes_and_a_fixed_split():
    import hashlib
    import json
    from pathlib import Path

    gold = Path(__file__).parents[1] / "data" / "events_real"
    articles = [json.loads(line) for line in (gold / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line]
    ids = {a["article_id"] for a in articles}
    for article in articles:
        assert article["article_id"] == article["file_sha256"][:16]
        odd = int(hashlib.sha1(("kabar-events-real" + article["article_id"]).encode()).hexdigest(), 16) % 2
        assert article["split"] == ("test" if odd else "dev")
    rows = [
        line.split("\t")
        for line in (gold / "events.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "article_id\t"))
    ]
    assert rows and all(row[0] in ids and row[1].isdigit() and row[4] in ("0", "1") for row in rows)
    assert len({a["path"].split("/")[0] for a in articles if a["kind"] == "hard"}) >= 6
    assert sum(a["kind"] == "soft" for a in articles) >= 20


def test_a_fronted_clause_takes_the_subject_after_its_comma(triggers):
    events, _ = coded(articles("Mengecam Uni Eropa, Rusia mengumumkan langkah baru pada 2022."), triggers)
    assert events.select("event_code", "actor1_entity_id", "actor2_entity_id").rows() == [("111", "Q159", "Q458")]

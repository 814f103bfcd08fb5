"""Tests for transforms/entities/: recognition, linking, offsets, determinism."""

import dataclasses
import json
import pickle
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.entities import (
    ENTITY_SCHEMA,
    MENTION_SCHEMA,
    extract_entities,
    load_entity_resources,
)

SEED_GOLD = Path(__file__).parents[1] / "data" / "seed_entities_gold.jsonl"
IDNER_DEV = Path(__file__).parents[3] / "shared" / "ner" / "idner-news-2k" / "dev.txt"


@pytest.fixture(scope="module")
def resources():
    return load_entity_resources()


def run(bodies: dict[str, str], resources) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = pl.DataFrame({"article_id": list(bodies), "body": list(bodies.values())})
    return extract_entities(frame, resources)


def ids_of(mentions: pl.DataFrame, surface: str) -> set[str]:
    return set(mentions.filter(pl.col("surface") == surface)["entity_id"])


def test_frames_have_contract_columns_and_types(resources):
    mentions, entities = run({"a1": "Presiden Rusia Vladimir Putin tiba di Pyongyang."}, resources)
    expected_mentions = pl.DataFrame(
        {
            "article_id": ["a1", "a1", "a1"],
            "entity_id": ["Q159", "Q7747", "Q18808"],
            "surface": ["Rusia", "Vladimir Putin", "Pyongyang"],
            "start_char": [9, 15, 38],
            "end_char": [14, 29, 47],
            "type": ["LOCATION", "PERSON", "LOCATION"],
        },
        schema=MENTION_SCHEMA,
    )
    assert_frame_equal(mentions, expected_mentions)
    assert entities.schema == pl.Schema(ENTITY_SCHEMA)
    assert entities["entity_id"].to_list() == ["Q159", "Q18808", "Q7747"]


def test_pyongyang_is_a_city_not_the_country(resources):
    _, entities = run({"a1": "Kerja sama militer antara Moskow dan Pyongyang makin erat."}, resources)
    row = entities.filter(pl.col("name") == "Pyongyang").row(0, named=True)
    assert (row["entity_id"], row["type"], row["subtype"], row["wikidata_id"]) == ("Q18808", "LOCATION", "CITY", "Q18808")


def test_aliases_of_north_korea_link_to_one_country(resources):
    body = (
        "Korea Utara menolak sanksi. Korut menyebut resolusi itu ilegal. Pejabat DPRK dan "
        "Republik Rakyat Demokratik Korea serta Republik Demokratik Rakyat Korea hadir."
    )
    mentions, entities = run({"a1": body}, resources)
    linked = mentions.filter(
        pl.col("surface").is_in(
            ["Korea Utara", "Korut", "DPRK", "Republik Rakyat Demokratik Korea", "Republik Demokratik Rakyat Korea"]
        )
    )
    assert linked.height == 5
    assert set(linked["entity_id"]) == {"Q423"}
    row = entities.filter(pl.col("entity_id") == "Q423").row(0, named=True)
    assert row["subtype"] == "COUNTRY" and "North Korea" in row["aliases"]


def test_un_security_council_is_not_the_un_and_as_is_the_usa(resources):
    body = "PBB menggelar sidang. Dewan Keamanan PBB (DK PBB) menolak usul AS. Amerika Serikat kecewa."
    mentions, _ = run({"a1": body}, resources)
    assert ids_of(mentions, "PBB") == {"Q1065"}
    assert ids_of(mentions, "Dewan Keamanan PBB") | ids_of(mentions, "DK PBB") == {"Q37470"}
    assert ids_of(mentions, "AS") | ids_of(mentions, "Amerika Serikat") == {"Q30"}


def test_kim_jong_un_spellings_are_one_person(resources):
    mentions, _ = run({"a1": "Pemimpin Korea Utara Kim Jong Un tiba.", "a2": "Kim Jong-un bertemu Presiden Rusia."}, resources)
    assert ids_of(mentions, "Kim Jong Un") | ids_of(mentions, "Kim Jong-un") == {"Q56226"}


def test_surname_later_in_article_links_to_full_name(resources):
    body = (
        "Menteri Pertahanan Rusia Sergei Shoigu tiba di Pyongyang. Shoigu bertemu Kim. "
        "Duta besar baru, Han Su-chol, menyampaikan salam. Han menekankan komitmen itu."
    )
    mentions, entities = run({"a1": body}, resources)
    assert ids_of(mentions, "Shoigu") == ids_of(mentions, "Sergei Shoigu")
    assert ids_of(mentions, "Han") == ids_of(mentions, "Han Su-chol") == {"per:han-su-chol"}
    han = entities.filter(pl.col("entity_id") == "per:han-su-chol").row(0, named=True)
    assert han["name"] == "Han Su-chol" and han["wikidata_id"] is None
    assert sorted(han["aliases"]) == ["Han", "Han Su-chol"]


def test_surname_does_not_cross_articles(resources):
    mentions, _ = run(
        {"a1": "Analis senior Shin Jong-woo mengatakan hal itu.", "a2": "Shin mengatakan hal lain kemarin."},
        resources,
    )
    a2 = mentions.filter(pl.col("article_id") == "a2")
    assert "per:shin-jong-woo" not in set(a2["entity_id"])


def test_titles_are_not_part_of_person_spans(resources):
    mentions, _ = run({"a1": "Kemarin Presiden Rusia Vladimir Putin dan Menlu Sergei Lavrov tiba."}, resources)
    surfaces = mentions["surface"].to_list()
    assert "Vladimir Putin" in surfaces and "Sergei Lavrov" in surfaces
    assert not any(s.startswith(("Presiden", "Menlu")) for s in surfaces)


def test_sentence_initial_function_words_are_never_entities(resources):
    body = (
        "Namun, Rusia menolak.\nSejak 2022 Korea Utara membantu.\nMenurut Forum Asia Timur, hubungan erat."
        "\nDalam pertemuan itu Kim hadir. Di Moskow rapat digelar."
    )
    mentions, _ = run({"a1": body}, resources)
    assert not set(mentions["surface"]) & {"Namun", "Sejak", "Menurut", "Dalam", "Di"}
    assert "Forum Asia Timur" in set(mentions["surface"])
    assert "Moskow" in set(mentions["surface"])


def test_offsets_index_the_body_exactly(resources):
    bodies = {
        "a1": "JAKARTA – Korea Utara dan Tiongkok-DPRK.\n\n5.Kuba menjalin hubungan dengan “Rusia”.",
        "a2": "Presiden Suriah Bashar al-Assad bertemu Miguel Díaz-Canel di Havana, Kuba.",
    }
    mentions, _ = run(bodies, resources)
    for row in mentions.iter_rows(named=True):
        assert bodies[row["article_id"]][row["start_char"] : row["end_char"]] == row["surface"]
    assert {"Tiongkok", "DPRK", "Kuba", "Rusia", "Bashar al-Assad", "Miguel Díaz-Canel"} <= set(mentions["surface"])


def test_unknown_names_become_entities_with_deterministic_ids(resources):
    body = "Shin Jong-woo, analis senior di Forum Pertahanan dan Keamanan Korea, mengatakan itu."
    mentions, entities = run({"a1": body}, resources)
    assert "per:shin-jong-woo" in set(mentions["entity_id"])
    row = entities.filter(pl.col("entity_id") == "per:shin-jong-woo").row(0, named=True)
    assert (row["name"], row["type"], row["wikidata_id"]) == ("Shin Jong-woo", "PERSON", None)


def test_ids_do_not_depend_on_batch_or_cache_state(resources):
    bodies = {"a1": "Hong Min, direktur divisi, mengatakan Pyongyang dan Moskow bersiap. Kata Hong, itu penting."}
    first, _ = run(bodies, resources)
    resources.clear_caches()
    bigger = dict(bodies, a0="Li Hongzhong tiba di Pyongyang bersama Kim Jong Un.")
    second, _ = run(bigger, resources)
    assert_frame_equal(first, second.filter(pl.col("article_id") == "a1"))
    clone = pickle.loads(pickle.dumps(resources))
    third, _ = run(bodies, clone)
    assert_frame_equal(first, third)


def test_extra_gazetteer_file_adds_entities(tmp_path):
    extra = tmp_path / "mine.tsv"
    extra.write_text("Wonsan Kalma\tLOCATION\tPLACE\t\tWonsan Kalma|Kawasan Wisata Wonsan Kalma\n", encoding="utf-8")
    resources = load_entity_resources(extra)
    mentions, entities = run({"a1": "Kim meresmikan Wonsan Kalma pekan lalu."}, resources)
    row = entities.filter(pl.col("entity_id") == "loc:wonsan-kalma").row(0, named=True)
    assert row["subtype"] == "PLACE"
    assert "Wonsan Kalma" in set(mentions["surface"])


def test_empty_and_blank_bodies_give_empty_frames(resources):
    mentions, entities = run({"a1": "", "a2": "tidak ada nama di sini."}, resources)
    assert mentions.height == 0 and entities.height == 0
    assert mentions.schema == pl.Schema(MENTION_SCHEMA)


def test_seed_gold_f1_at_least_095(resources):
    seeds = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line]
    mentions, _ = run({s["article_id"]: s["body"] for s in seeds}, resources)
    short = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"}
    gold = {(s["article_id"], m["start"], m["end"], short[m["type"]]) for s in seeds for m in s["mentions"]}
    pred = {(r["article_id"], r["start_char"], r["end_char"], short[r["type"]]) for r in mentions.iter_rows(named=True)}
    tp = len(gold & pred)
    f1 = 2 * tp / (len(gold) + len(pred))
    assert f1 >= 0.95, f"seed F1 {f1:.3f}"


@pytest.mark.skipif(not IDNER_DEV.exists(), reason="../shared/ner/idner-news-2k absent")
def test_idner_dev_f1_per_gazetteer_policy(resources):
    from transforms.entities.evaluation import predicted_spans, read_idner, score, snap_to_tokens

    sents = read_idner(IDNER_DEV)
    gold = [g for _, g in sents]
    f1 = {}
    for policy in ("all", "article"):
        res = dataclasses.replace(resources, gazetteer_policy=policy)
        pred = predicted_spans([f"d{i}" for i in range(len(sents))], [s for s, _ in sents], res)
        f1[policy] = score(gold, [snap_to_tokens(text, p) for (text, _), p in zip(sents, pred)])["ALL"][2]
    assert f1["all"] >= 0.78 and f1["article"] >= 0.84, f1


def test_article_policy_needs_the_model_or_repetition(resources):
    article_policy = dataclasses.replace(resources, gazetteer_policy="article")
    once = "Serangan udara Israel menewaskan dua orang."
    thrice = "Israel menyerang. Warga Israel mengungsi. Militer Israel bersiaga."
    mentions, _ = run({"a1": once, "a2": thrice}, article_policy)
    assert mentions.filter(pl.col("article_id") == "a1").height == 0
    assert mentions.filter(pl.col("article_id") == "a2")["entity_id"].to_list() == ["Q801"] * 3


def test_hyphenated_names_in_a_long_batch_keep_offsets(resources):
    bodies = {f"a{k}": f"Hubungan Tiongkok-DPRK dan anti-Korea Utara ke-{k}." for k in range(50)}
    mentions, _ = run(bodies, resources)
    assert mentions.height == 150
    for row in mentions.iter_rows(named=True):
        assert bodies[row["article_id"]][row["start_char"] : row["end_char"]] == row["surface"]

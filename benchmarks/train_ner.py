"""Rebuild the derived gazetteers and lexicons from ../shared and train the NER CRF.

    python -m benchmarks.train_ner            # gazetteer + lexicons + model
    python -m benchmarks.train_ner --c1 0.05 --c2 0.3 --no-write   # tune on dev only

Writes data/gazetteer/countries.tsv, data/gazetteer/wilayah.tsv,
data/models/capitalisation.tsv, data/models/nerp-lexicon.tsv and
data/models/ner-crf.crfsuite. Deterministic for fixed inputs and parameters.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import pycrfsuite

from transforms.entities import (
    CAPITALISATION_FILE,
    DATA_DIR,
    MODEL_FILE,
    NERP_LEXICON_FILE,
    read_gazetteer,
    read_lexicons,
)
from transforms.entities.evaluation import conll_spans, score
from transforms.entities.features import TOKEN_RE, FeatureCache, sentence_starts, sequence_features

SHARED = Path(__file__).parents[1].parent / "shared"

# ISO code -> (Wikidata QID or "", extra aliases). QIDs only where certain.
COUNTRY_EXTRAS: dict[str, tuple[str, list[str]]] = {
    "KP": (
        "Q423",
        [
            "Korut",
            "DPRK",
            "Republik Rakyat Demokratik Korea",
            "Republik Demokratik Rakyat Korea",
            "RRDK",
            "North Korea",
            "Democratic People's Republic of Korea",
            "Korea Utara",
        ],
    ),
    "KR": ("Q884", ["Korsel", "Republik Korea", "South Korea", "ROK"]),
    "RU": ("Q159", ["Federasi Rusia", "Russia", "Russian Federation"]),
    "US": ("Q30", ["AS", "Amerika", "United States", "USA", "US", "Amerika Serikat"]),
    "CN": (
        "Q148",
        ["China", "Cina", "RRT", "RRC", "Republik Rakyat Tiongkok", "Republik Rakyat China", "People's Republic of China"],
    ),
    "JP": ("Q17", ["Japan"]),
    "UA": ("Q212", ["Ukraine"]),
    "IR": ("Q794", ["Republik Islam Iran"]),
    "SY": ("Q858", ["Syria", "Syiria"]),
    "CU": ("Q241", ["Cuba"]),
    "ID": ("Q252", ["RI", "Republik Indonesia", "NKRI"]),
    "GB": ("Q145", ["Inggris", "Britania Raya", "United Kingdom", "UK"]),
    "DE": ("Q183", ["Germany"]),
    "FR": ("Q142", ["Perancis", "France"]),
    "IT": ("Q38", ["Italy"]),
    "ES": ("Q29", ["Spain"]),
    "IN": ("Q668", []),
    "PK": ("Q843", []),
    "IL": ("Q801", []),
    "EG": ("Q79", ["Egypt"]),
    "SA": ("Q851", ["Saudi Arabia", "Saudi"]),
    "TR": ("Q43", ["Turkiye", "Türkiye", "Turkey"]),
    "AU": ("Q408", []),
    "CA": ("Q16", ["Canada"]),
    "MX": ("Q96", ["Mexico"]),
    "BR": ("Q155", ["Brazil"]),
    "AR": ("Q414", []),
    "MY": ("Q833", []),
    "SG": ("Q334", ["Singapore"]),
    "PH": ("Q928", ["Philippines"]),
    "TH": ("Q869", []),
    "VN": ("Q881", ["Viet Nam"]),
    "IQ": ("Q796", ["Iraq"]),
    "AF": ("Q889", ["Afghanistan", "Afghanistan"]),
    "VE": ("Q717", []),
    "TW": ("Q865", []),
    "PL": ("Q36", ["Poland"]),
    "BY": ("Q184", []),
    "NL": ("Q55", ["Netherlands"]),
    "SE": ("Q34", ["Sweden"]),
    "FI": ("Q33", ["Finland"]),
    "NO": ("Q20", ["Norway"]),
    "DK": ("Q35", []),
    "CH": ("Q39", ["Swiss", "Switzerland"]),
    "MM": ("Q836", ["Myanmar", "Burma"]),
    "TL": ("Q574", ["Timor-Leste", "Timor Leste"]),
    "PS": ("", ["Palestina", "Palestine"]),
    "AE": ("Q878", ["UEA", "UAE"]),
    "KH": ("Q424", ["Cambodia"]),
    "LA": ("Q819", []),
    "BN": ("Q921", ["Brunei Darussalam"]),
    "NZ": ("Q664", ["New Zealand"]),
    "QA": ("Q846", []),
    "LB": ("Q822", []),
    "JO": ("Q810", ["Yordania", "Jordan"]),
    "YE": ("Q805", ["Yaman", "Yemen"]),
    "ZA": ("Q258", ["South Africa"]),
    "HK": ("Q8646", ["Hong Kong"]),
}
# Names that are everyday words in Indonesian: only `Kabupaten X` / `Kota X` match.
REGENCY_COMMON_WORDS = frozenset(
    "BARU BATU BATANG METRO PUNCAK MALANG BONE BANJAR PATI KUDUS SERANG LANDAK TUBAN KARO AGAM MALAKA "
    "BIMA BELU ENDE MUNA BURU KAUR TEBO SIGI LEBAK BUNGO SAMPANG PACITAN ALOR MAJENE BARRU DEMAK KENDAL "
    "BINTAN LINGGA BANGKA BELITUNG TUAL BADUNG PANIAI DOGIYAI".split()
)


def _title(name: str) -> str:
    keep = {"DKI", "DI"}
    return " ".join(w if w in keep else w.title() for w in name.split())


def build_gazetteer(shared: Path, out_dir: Path) -> None:
    """countries.tsv (umpirsky/country-list, MIT) and wilayah.tsv (BPS via edwardsamuel, ODbL)."""
    cdir = shared / "gazetteers" / "countries-id"
    id_names = dict(csv.reader((cdir / "country_id.csv").open(encoding="utf-8")))
    en_names = json.loads((cdir / "country_en.json").read_text(encoding="utf-8"))
    rows = [
        "# Countries: Indonesian + English names keyed by ISO 3166 code; derived from",
        "# umpirsky/country-list (MIT) by benchmarks/train_ner.py; aliases/QIDs added by Kabar.",
        "# Columns: name, type, subtype, wikidata_id, aliases (|-separated).",
    ]
    for code in sorted(k for k in id_names if k != "id"):
        name = id_names[code]
        qid, extra = COUNTRY_EXTRAS.get(code, ("", []))
        if code == "MM":
            name = "Myanmar"
        if code == "HK":
            name = "Hong Kong"
        aliases = [name, id_names[code], en_names.get(code, "")] + extra
        if name.startswith("Wilayah "):
            aliases.append(name.removeprefix("Wilayah "))
        aliases = [a for a in dict.fromkeys(aliases) if a and "(" not in a]
        subtype = "CITY" if code == "HK" else "COUNTRY"
        rows.append("\t".join([name, "LOCATION", subtype, qid, "|".join(aliases)]))
    (out_dir / "countries.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    wdir = shared / "gazetteers" / "wilayah-indonesia"
    rows = [
        "# Indonesian provinces and regencies/cities (BPS codes), title-cased; derived from",
        "# edwardsamuel/Wilayah-Administratif-Indonesia, ODbL 1.0 (see README-wilayah.md).",
        "# Columns: name, type, subtype, wikidata_id, aliases (|-separated).",
    ]
    for _code, name in csv.reader((wdir / "provinces.csv").open(encoding="utf-8")):
        if name == "DKI JAKARTA":  # Jakarta lives in world.tsv with its QID
            continue
        t = _title(name)
        aliases = [t, "Provinsi " + t]
        if name == "DI YOGYAKARTA":
            aliases += ["Daerah Istimewa Yogyakarta", "DIY", "Yogyakarta"]
        rows.append("\t".join([t, "LOCATION", "PROVINCE", "", "|".join(aliases)]))
    regencies = list(csv.reader((wdir / "regencies.csv").open(encoding="utf-8")))
    # Cities first, so a bare `Bogor` or `Malang` means the city.
    regencies.sort(key=lambda r: (not r[2].startswith("KOTA "), r[0]))
    for _code, _prov, name in regencies:
        kind, _, bare = name.partition(" ")
        if kind == "KABUPATEN" and bare.startswith("ADM. "):
            bare = bare.removeprefix("ADM. ")
        t = _title(bare)
        prefix = "Kota" if kind == "KOTA" else "Kabupaten"
        aliases = [f"{prefix} {t}"]
        if kind == "KABUPATEN":
            aliases.append(f"Kab. {t}")
        if bare not in REGENCY_COMMON_WORDS:
            aliases.append(t)
        subtype = "CITY" if kind == "KOTA" else "REGENCY"
        rows.append("\t".join([f"{prefix} {t}", "LOCATION", subtype, "", "|".join(aliases)]))
    (out_dir / "wilayah.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def build_lexicons(shared: Path, out_dir: Path) -> None:
    """Capitalisation ratio per word (IndoSum, CC BY-SA 4.0) and NERP word classes (Apache-2.0)."""
    total: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    with (shared / "corpora" / "indosum-dev" / "articles.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            for para in text.split("\n"):
                toks = TOKEN_RE.findall(para)
                starts = sentence_starts(toks)
                for tok, start in zip(toks, starts):
                    if start or not tok[0].isalpha():
                        continue
                    low = tok.lower()
                    total[low] += 1
                    if tok[0].isupper():
                        capital[low] += 1
    rows = ["# word<TAB>share of mid-sentence occurrences capitalised; IndoSum dev folds, CC BY-SA 4.0"]
    for word in sorted(total):
        if total[word] >= 3:
            rows.append(f"{word}\t{capital[word] / total[word]:.2f}")
    (out_dir / CAPITALISATION_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")

    tags: dict[str, Counter[str]] = defaultdict(Counter)
    for line in (shared / "ner" / "nerp" / "train_preprocess.txt").open(encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 2:
            tags[parts[0]][parts[1][2:] if parts[1] != "O" else "O"] += 1
    rows = ["# word<TAB>majority class in IndoNLU NERP train (lower-cased news NER), Apache-2.0"]
    for word in sorted(tags):
        counts = tags[word]
        n = sum(counts.values())
        cls, top = counts.most_common(1)[0]
        if cls != "O" and n >= 2 and top / n >= 0.5:
            rows.append(f"{word}\t{cls}")
    (out_dir / NERP_LEXICON_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of (tokens, BIO tags) from a `token POS tag` file."""
    sents = []
    toks: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split()
        if not parts:
            if toks:
                sents.append((toks, tags))
            toks, tags = [], []
            continue
        toks.append(parts[0])
        tags.append(parts[-1])
    if toks:
        sents.append((toks, tags))
    return sents


def featurise(sents, cache: FeatureCache, gazetteer) -> list[list[list[str]]]:
    """CRF attributes for every token of every sentence."""
    out = []
    for toks, _ in sents:
        caps = [i for i, t in enumerate(toks) if t[0].isupper() or t[0].isdigit()]
        out.append(sequence_features(toks, cache, sentence_starts(toks), gazetteer.span_tags(toks, caps)))
    return out


def export_weights(tagger: pycrfsuite.Tagger, path: Path) -> None:
    """Write labels, transitions and per-attribute state weights as TSV (read by CrfModel)."""
    info = tagger.info()
    labels = tagger.labels()
    rows = ["# Kabar NER CRF weights (python-crfsuite, trained on idner-news-2k train, MIT)", "#labels\t" + "\t".join(labels)]
    for a in labels:
        rows.append("#trans\t" + "\t".join(repr(info.transitions.get((a, b), 0.0)) for b in labels))
    state: dict[str, list[float]] = {}
    for (attr, label), w in info.state_features.items():
        state.setdefault(attr, [0.0] * len(labels))[labels.index(label)] = w
    for attr in sorted(state):
        rows.append(attr + "\t" + "\t".join(f"{w:.5g}" for w in state[attr]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--c1", type=float, default=0.02)
    parser.add_argument("--c2", type=float, default=0.1)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--no-write", action="store_true", help="train to a temp file, print dev F1 only")
    parser.add_argument("--skip-build", action="store_true", help="reuse existing gazetteer/lexicon files")
    args = parser.parse_args(argv)
    if not (args.shared / "ner" / "idner-news-2k").exists():
        print(f"no training data under {args.shared}", file=sys.stderr)
        return 2
    if not args.skip_build:
        build_gazetteer(args.shared, DATA_DIR / "gazetteer")
        build_lexicons(args.shared, DATA_DIR / "models")
    gazetteer = read_gazetteer(DATA_DIR)
    cap_ratio, lexicon = read_lexicons(DATA_DIR)
    cache = FeatureCache(gazetteer.token_types, cap_ratio, lexicon)
    train = read_conll(args.shared / "ner" / "idner-news-2k" / "train.txt")
    dev = read_conll(args.shared / "ner" / "idner-news-2k" / "dev.txt")
    t0 = time.perf_counter()
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, (_, tags) in zip(featurise(train, cache, gazetteer), train):
        trainer.append(xseq, tags)
    trainer.set_params({"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations, "feature.possible_transitions": True})
    model_path = Path(tempfile.mkdtemp()) / "ner.crfsuite"
    trainer.train(str(model_path))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    weights_path = DATA_DIR / "models" / MODEL_FILE
    if not args.no_write:
        export_weights(tagger, weights_path)
    pred = [tagger.tag(x) for x in featurise(dev, cache, gazetteer)]
    scores = score([conll_spans(t) for _, t in dev], [conll_spans(p) for p in pred], types=None)
    target = "(not written)" if args.no_write else weights_path
    print(f"trained on {len(train)} sentences in {time.perf_counter() - t0:.1f}s -> {target}")
    for typ, (p, r, f, n) in scores.items():
        print(f"dev CRF-only {typ:4s} P={p:.3f} R={r:.3f} F1={f:.3f} n={n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What recognition loads from `data/`: gazetteer, lexicons, CRF weights; the output schemas; the gazetteer policies."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from transforms.entities.features import FeatureCache
from transforms.entities.gazetteer import Gazetteer, GazetteerEntry, parse_gazetteer_lines
from transforms.entities.model import CrfModel, TokenScores
from transforms.entities.tokens import TokenTable

DATA_DIR = Path(__file__).parents[2] / "data"
MODEL_FILE = "ner-crf-weights.tsv"
CAPITALISATION_FILE = "capitalisation.tsv"
NERP_LEXICON_FILE = "nerp-lexicon.tsv"

MENTION_SCHEMA = {
    "article_id": pl.String,
    "entity_id": pl.String,
    "surface": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "type": pl.String,
}
ENTITY_SCHEMA = {
    "entity_id": pl.String,
    "name": pl.String,
    "type": pl.String,
    "subtype": pl.String,
    "wikidata_id": pl.String,
    "aliases": pl.List(pl.String),
}

# Gazetteer names the model labelled O: `all` reports every one, `none` none, `article` those
# whose entity the model recognised elsewhere in the same article or that the article names
# three or more times (one sense per discourse). idner-news-2k leaves a country used as a
# modifier or actor untagged (`serangan udara Israel`), the seed guideline tags every country:
# `all` costs 6 points of dev F1, `none` 28 points of seed F1.
GAZETTEER_POLICIES = ("all", "none", "article")


@dataclass
class EntityResources:
    """Gazetteer, lexicons and CRF weights; the token table is per process."""

    gazetteer: Gazetteer
    model: CrfModel
    cap_ratio: dict[str, float]
    lexicon_tags: dict[str, str]
    # How a gazetteer name the model labelled O is reported (see GAZETTEER_POLICIES); `all`
    # follows the seed annotation guideline (every country is a LOCATION, whatever its role).
    gazetteer_policy: str = "all"
    _tokens: TokenTable | None = field(default=None, repr=False)

    def __getstate__(self) -> dict:
        # The token table is per process: a worker rebuilds it, so pickles stay small.
        state = dict(self.__dict__)
        state["_tokens"] = None
        return state

    def clear_caches(self) -> None:
        """Forget the token table (benchmarks use it to time a cold start)."""
        self._tokens = None

    @property
    def tokens(self) -> TokenTable:
        """Token rows with CRF scores and rule flags (grows with the vocabulary seen by this process)."""
        if self._tokens is None:
            features = FeatureCache(self.gazetteer.token_types, self.cap_ratio, self.lexicon_tags)
            self._tokens = TokenTable(TokenScores(self.model), features, self.gazetteer, self.cap_ratio)
        return self._tokens


def read_gazetteer(data_dir: Path = DATA_DIR, extra_gazetteer: str | Path | None = None) -> Gazetteer:
    """All `data/gazetteer/*.tsv` files (sorted), then the user's extra file, as one Gazetteer."""
    entries: list[GazetteerEntry] = []
    for path in sorted((data_dir / "gazetteer").glob("*.tsv")):
        entries += parse_gazetteer_lines(path.read_text(encoding="utf-8").splitlines())
    if extra_gazetteer is not None:
        entries += parse_gazetteer_lines(Path(extra_gazetteer).read_text(encoding="utf-8").splitlines())
    return Gazetteer.from_entries(entries)


def read_lexicons(data_dir: Path = DATA_DIR) -> tuple[dict[str, float], dict[str, str]]:
    """Capitalisation ratios and lower-cased-NER tags shipped next to the model."""
    cap_ratio: dict[str, float] = {}
    cap_path = data_dir / "models" / CAPITALISATION_FILE
    if cap_path.exists():
        for line in cap_path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, ratio = line.split("\t")
                cap_ratio[word] = float(ratio)
    lexicon: dict[str, str] = {}
    lex_path = data_dir / "models" / NERP_LEXICON_FILE
    if lex_path.exists():
        for line in lex_path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, tag = line.split("\t")
                lexicon[word] = tag
    return cap_ratio, lexicon


@functools.lru_cache(maxsize=4)
def _cached_resources(extra_gazetteer: str | None) -> EntityResources:
    gazetteer = read_gazetteer(DATA_DIR, extra_gazetteer)
    cap_ratio, lexicon = read_lexicons(DATA_DIR)
    model = CrfModel.from_lines((DATA_DIR / "models" / MODEL_FILE).read_text(encoding="utf-8").splitlines())
    return EntityResources(gazetteer, model, cap_ratio, lexicon)


def load_entity_resources(extra_gazetteer: str | Path | None = None) -> EntityResources:
    """Gazetteer + lexicons + CRF model from the package's `data/` (cached per process)."""
    return _cached_resources(None if extra_gazetteer is None else str(extra_gazetteer))

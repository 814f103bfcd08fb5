"""Entities: PERSON / ORGANIZATION / LOCATION mentions in clean bodies, linked to canonical rows."""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from transforms.ner_features import (
    FUNCTION_WORDS,
    PERSON_CUES,
    QUOTES,
    SENTENCE_END,
    TOKEN_RE,
    FeatureCache,
)
from transforms.ner_model import BatchTagger, CrfModel
from transforms.ner_gazetteer import (
    LONG_TYPE,
    SHORT_TYPE,
    Gazetteer,
    GazetteerEntry,
    entity_id_for,
    parse_gazetteer_lines,
)

DATA_DIR = Path(__file__).parents[1] / "data"
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

# Titles and roles that the model sometimes glues onto a person; never part of the span.
TITLE_TOKENS = frozenset(
    """
    Presiden Wapres Menlu Menhan Menteri Pemimpin Juru Bicara Jubir Kepala Ketua Wakil Direktur
    Gubernur Bupati Walikota Wali Kota Jenderal Letjen Mayjen Brigjen Kolonel Perdana Raja Ratu
    Pangeran Sekjen Sekretaris Duta Besar Dubes Analis Profesor Prof Dr Pak Bu Bapak Ibu Mantan
    Almarhum Senator Panglima Komandan Kapolri Kapolda Pertahanan Luar Negeri Tertinggi Tuan Nyonya
    presiden menteri pemimpin juru bicara
    """.split()
)
# Words that a span must not end with (`Korea Utara dan` is not a name).
CONNECTORS = frozenset({"dan", "di", "ke", "dari", "yang", "untuk", "&", ",", "-", "–", "of", "the", "and"})
# Lowercase words allowed inside a name (`Forum Pertahanan dan Keamanan Korea`, `Bashar al-Assad`).
NAME_JOINERS = frozenset({"dan", "of", "and", "the", "de", "da", "van", "von", "der", "den", "la", "le",
                          "al", "el", "bin", "binti", "ibn", "bte", "untuk", "y", "du", "di"})
HYPHEN_PREFIXES = ("anti-", "pro-", "pasca-", "pra-", "non-", "antar-", "eks-", "neo-")
NOT_NAMES = frozenset({"COVID", "COVID-19", "Covid", "Covid-19", "SARS", "MERS", "HIV", "AIDS", "PDB", "WIB"})
# Compass words alone are not places (`melawan Barat`, `Korea Utara dan Selatan`).
COMPASS_WORDS = frozenset({"Utara", "Selatan", "Barat", "Timur", "Tengah", "Tenggara", "Barat Daya", "Timur Laut"})


@dataclass
class EntityResources:
    """Gazetteer, lexicons and CRF weights; token and run caches are per process."""

    gazetteer: Gazetteer
    model: CrfModel
    cap_ratio: dict[str, float]
    lexicon_tags: dict[str, str]
    # False reports only what the model finds (the idner-news-2k convention, where a country
    # used as a modifier is not an entity); True also adds every gazetteer name it missed.
    add_gazetteer_matches: bool = True
    _features: FeatureCache | None = field(default=None, repr=False)
    run_tokens: dict = field(default_factory=dict, repr=False)
    _batch_tagger: BatchTagger | None = field(default=None, repr=False)

    def __getstate__(self) -> dict:
        # Caches are per process: a worker rebuilds them, so pickles stay small.
        state = dict(self.__dict__)
        state["_features"] = None
        state["run_tokens"] = {}
        state["_batch_tagger"] = None
        return state

    def clear_caches(self) -> None:
        """Forget memoised tokens, runs and features (benchmarks use it to time a cold start)."""
        self.run_tokens.clear()
        self._features = None
        self._batch_tagger = None

    def tokenize_run(self, text: str) -> tuple:
        """Tokens, run-relative offsets, gazetteer matches and their BIO tags for a run (memoised)."""
        hit = self.run_tokens.get(text)
        if hit is None:
            gaz = self.gazetteer
            if " " in text or "-" in text or "\t" in text:
                toks, spans, _ = tokenize(text, gaz)
            else:  # one token: the regex would return it whole
                toks, spans = [text], [(0, len(text))]
            gaz_spans = gaz.match(toks, range(len(toks)))
            span_tags: dict[int, str] = {}
            for s, e, eid in gaz_spans:
                t = SHORT_TYPE[gaz.entries[eid].type]
                span_tags[s] = "B-" + t
                for j in range(s + 1, e):
                    span_tags[j] = "I-" + t
            # Tuples only, so the garbage collector can stop tracking the cache entries.
            hit = (tuple(toks), tuple(spans), tuple(gaz_spans), span_tags)
            if len(self.run_tokens) >= 300_000:
                self.run_tokens.clear()
            self.run_tokens[text] = hit
        return hit

    @property
    def batch_tagger(self) -> BatchTagger:
        """Vectorised CRF decoder with its token table (per process)."""
        if self._batch_tagger is None:
            self._batch_tagger = BatchTagger(self.model)
        return self._batch_tagger

    @property
    def features(self) -> FeatureCache:
        """Memoised token features (grows with the vocabulary seen by this process)."""
        if self._features is None:
            self._features = FeatureCache(self.gazetteer.token_types, self.cap_ratio, self.lexicon_tags)
        return self._features


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


def tokenize(body: str, gazetteer: Gazetteer) -> tuple[list[str], list[tuple[int, int]], list[bool]]:
    """Tokens, their `(start, end)` offsets, and whether a line break precedes each token.

    A hyphenated token is split when a part after the hyphen is a known name
    (`Tiongkok-DPRK`, `Utara-Rusia`, `anti-Korea`), but not when the whole is
    (`Díaz-Canel`) or nothing is known (`Su-chol`).
    """
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    breaks: list[bool] = []
    known = gazetteer.lengths_by_first
    index = gazetteer.alias_index
    last_end = 0
    for m in TOKEN_RE.finditer(body):
        tok = m.group()
        a, b = m.span()
        brk = "\n" in body[last_end:a]
        last_end = b
        if "-" in tok and (tok,) not in index:
            parts = tok.split("-")
            head = parts[0]
            if any(p[:1].isupper() and p in known for p in parts[1:]) and (
                head in gazetteer.token_types or (head.islower() and len(head) >= 3)
            ):
                pos = a
                for k, part in enumerate(parts):
                    if k:
                        tokens.append("-")
                        spans.append((pos, pos + 1))
                        breaks.append(False)
                        pos += 1
                    if part:
                        tokens.append(part)
                        spans.append((pos, pos + len(part)))
                        breaks.append(brk and k == 0)
                    pos += len(part)
                continue
        tokens.append(tok)
        spans.append((a, b))
        breaks.append(brk)
    return tokens, spans, breaks


def _is_capitalised(token: str) -> bool:
    c = token[0]
    return c.isupper() or (c.isdigit() and any(ch.isupper() for ch in token))


_UPPER = "A-ZÀ-ÖØ-Þ"
_CAP_TOKEN = rf"(?:(?:al|el|ad|ar|as)-)?[{_UPPER}]\w*(?:[-'’.][^\W_]+)*"
_JOINER = r"(?:dan|of|and|the|de|da|van|von|der|den|la|le|al|el|bin|binti|ibn|du|y)"
# A run of capitalised tokens on one line, possibly joined by `dan`, `of`, `bin`, …:
# the only places a name can be, so the only places the model looks at.
RUN_RE = re.compile(rf"(?<!\w){_CAP_TOKEN}(?:[ \t]+(?:{_JOINER}[ \t]+)?{_CAP_TOKEN})*")
_CONTEXT_CHARS = 32
# Function words that may be stripped from the front of a run (`The` opens `The Korea Times`).
LEADING_NON_NAMES = FUNCTION_WORDS - {"The", "A", "An"}


def _left_context(body: str, a: int) -> tuple[tuple[str, ...], bool]:
    """Up to two tokens before offset `a` in the same sentence and line, and whether `a` opens a sentence."""
    width = _CONTEXT_CHARS
    while True:
        start = a - width if a > width else 0
        seg = body[start:a]
        cut = seg.rfind("\n")
        if cut >= 0:
            seg = seg[cut + 1 :]
        ctx = TOKEN_RE.findall(seg)
        if cut < 0 and start > 0 and ctx and body[start - 1].isalnum() and seg[:1].isalnum():
            del ctx[0]  # cut mid-word
        if len(ctx) >= 3 or cut >= 0 or start == 0 or width > 200:
            break
        width *= 4  # long words: look further back
    k = len(ctx)
    while k and ctx[k - 1] not in SENTENCE_END:
        k -= 1
    ctx = ctx[k:]
    bos = True
    for t in ctx:
        if t not in QUOTES:
            bos = False
            break
    return tuple(ctx[-2:]), bos


def _right_context(body: str, b: int) -> tuple[str, ...]:
    """Up to two tokens after offset `b` on the same line, stopping after a sentence end."""
    seg = body[b : b + _CONTEXT_CHARS]
    cut = seg.find("\n")
    if cut >= 0:
        seg = seg[:cut]
    right = TOKEN_RE.findall(seg)[:2]
    if right and right[0] in SENTENCE_END:
        right = right[:1]
    return tuple(right)


def _spans_from_labels(labels: list[str]) -> list[tuple[int, int, str]]:
    spans = []
    start = None
    typ = None
    for i, lab in enumerate(labels + ["O"]):
        if lab == "O" or lab[0] == "B" or (lab[0] == "I" and lab[2:] != typ):
            if start is not None:
                spans.append((start, i, typ))
                start = None
                typ = None
            if lab != "O":
                start, typ = i, lab[2:]
    return spans


def _clean_span(tokens: list[str], s: int, e: int, gaz: Gazetteer) -> list[tuple[int, int]]:
    """Sub-spans of a model span once titles, stray lowercase words and glued tokens are removed."""
    if gaz.lookup(tokens[s:e]) is not None:
        return [(s, e)]
    pieces: list[tuple[int, int]] = []
    cur = s
    for i in range(s, e + 1):
        if i == e or _breaks_name(tokens[i]):
            if cur < i:
                pieces.append((cur, i))
            cur = i + 1
    out = []
    for a, b in pieces:
        while a < b and (tokens[a] in TITLE_TOKENS or tokens[a] in FUNCTION_WORDS or not _is_capitalised(tokens[a])):
            if gaz.lookup(tokens[a:b]) is not None:
                break
            a += 1
        while b > a and (tokens[b - 1] in CONNECTORS or not tokens[b - 1][:1].isalnum()):
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _breaks_name(token: str) -> bool:
    """A token that cannot sit inside a name (memoised)."""
    hit = _BREAKS_NAME.get(token)
    if hit is None:
        if len(_BREAKS_NAME) >= 300_000:
            _BREAKS_NAME.clear()
        hit = _BREAKS_NAME[token] = _compute_breaks_name(token)
    return hit


_BREAKS_NAME: dict[str, bool] = {}


def _compute_breaks_name(token: str) -> bool:
    """A token that cannot sit inside a name: lowercase words (bar joiners), `anti-X`, `SamaStatus`."""
    first = token[0]
    if first.islower():
        return token not in NAME_JOINERS and not token.startswith(("al-", "el-", "ad-", "as-", "ar-"))
    if token in NOT_NAMES or token.lower().startswith(HYPHEN_PREFIXES):
        return True
    # Table cells flattened together: `SamaStatus`, `MiliterPengiriman`.
    run = 0
    for ch in token[1:]:
        if ch.islower():
            run += 1
        elif ch.isupper() and run >= 3:
            return True
        else:
            run = 0
    return False


def _mentions_from_labels(
    tokens: list[str], labels: list[str], gaz_spans: list[tuple[int, int, str]], right: tuple[str, ...],
    resources: EntityResources,
) -> list[tuple[int, int, str, str | None]]:
    """Mentions `(start, end, short_type, gazetteer id|None)` of one run from its CRF labels."""
    gaz = resources.gazetteer
    cap_ratio = resources.cap_ratio
    spans: list[tuple[int, int, str]] = []
    for s0, e0, typ in _spans_from_labels(labels):
        for s, e in _clean_span(tokens, s0, e0, gaz):
            # A model span that only adds common words to a known name shrinks to the name
            # (`di Balik Kedekatan Moskow` -> `Moskow`, `Garissatu Catat` -> `Garissatu`).
            if gaz.lookup(tokens[s:e]) is None:
                for gs, ge, geid in gaz_spans:
                    # Only around a name of the model's own type (`Badrodin Haiti` stays a
                    # person, `Afrika Bersatu` an organisation).
                    if SHORT_TYPE[gaz.entries[geid].type] != typ:
                        continue
                    if s <= gs and ge <= e and all(
                        cap_ratio.get(tokens[k].lower(), 0.0) < 0.2 for k in range(s, e) if not gs <= k < ge
                    ):
                        s, e = gs, ge
                        break
            spans.append((s, e, typ))
    chosen: list[tuple[int, int, str, str | None]] = []
    taken = bytearray(len(tokens))
    # A gazetteer name that covers model spans wins (`Republik` + `Rakyat…` -> the full alias).
    for s, e, eid in gaz_spans:
        inside = [m for m in spans if s <= m[0] and m[1] <= e]
        if any(m[0] < e and s < m[1] and m not in inside for m in spans):
            continue
        if len(inside) == 1 and inside[0][:2] == (s, e):
            continue  # same span: handled with the model spans below
        if not resources.add_gazetteer_matches and not inside:
            continue
        if e - s == 1 and (tokens[s] in FUNCTION_WORDS or tokens[s] in COMPASS_WORDS):
            continue
        chosen.append((s, e, SHORT_TYPE[gaz.entries[eid].type], eid))
        taken[s:e] = b"\x01" * (e - s)
    for s, e, typ in spans:
        if any(taken[s:e]):
            continue
        toks = tokens[s:e]
        if e - s == 1 and (toks[0] in FUNCTION_WORDS or toks[0] in COMPASS_WORDS):
            continue
        entry = gaz.lookup(toks)
        if entry is not None:
            typ = SHORT_TYPE[entry.type]
        chosen.append((s, e, typ, entry.entity_id if entry else None))
        taken[s:e] = b"\x01" * (e - s)
    # `Hong Min, direktur …`, `Ri Il-gyu, mantan …`: a name in apposition to a role is a person.
    if not chosen and _apposition(tokens, right):
        a, b = 0, len(tokens)
        while a < b and (tokens[a] in FUNCTION_WORDS or tokens[a] in TITLE_TOKENS):
            a += 1
        if 2 <= b - a <= 3 and gaz.lookup(tokens[a:b]) is None and not any(map(_breaks_name, tokens[a:b])):
            chosen.append((a, b, "PER", None))
    chosen.sort()
    return chosen


def _apposition(tokens: list[str], right: tuple[str, ...]) -> bool:
    """`Hong Min, direktur …`: a 2-4 token run followed by a comma and a role word."""
    return 2 <= len(tokens) <= 4 and len(right) == 2 and right[0] == "," and right[1].lower() in PERSON_CUES


Mention = tuple[int, int, str, str | None, tuple[str, ...]]


def recognise_batch(bodies: list[str], resources: EntityResources) -> list[list[Mention]]:
    """Mentions `(start_char, end_char, short_type, gazetteer id|None, tokens)` per body, in order."""
    gaz = resources.gazetteer
    # With gazetteer names always reported, a run that is exactly a known alias needs no model.
    whole = gaz.whole_aliases if resources.add_gazetteer_matches else {}
    cap_ratio = resources.cap_ratio
    articles: list[tuple[list[Mention], list[tuple[int, int, str]], set[str]]] = []
    jobs: list[tuple] = []
    meta: list[tuple] = []
    for ai, body in enumerate(bodies):
        out: list[Mention] = []
        leftovers: list[tuple[int, int, str]] = []
        name_parts: set[str] = set()
        articles.append((out, leftovers, name_parts))
        if not body:
            continue
        for m in RUN_RE.finditer(body):
            text = m.group()
            if text in FUNCTION_WORDS:
                continue
            a = m.start()
            # Leading function words (`Menurut`, `Di`, `Sejak`) are never part of a name.
            sp = text.find(" ")
            while sp > 0 and text[:sp] in LEADING_NON_NAMES:
                j = sp
                while text[j] in " \t":
                    j += 1
                a += j
                text = text[j:]
                sp = text.find(" ")
            hit = whole.get(text)
            if hit is not None:
                eid, typ, toks = hit
                out.append((a, m.end(), typ, eid, toks))
                if typ == "PER" and len(toks) > 1:
                    name_parts.add(toks[0])
                    name_parts.add(toks[-1])
                continue
            left, bos = _left_context(body, a)
            if sp < 0 and "-" not in text:
                if bos and cap_ratio.get(text.lower(), 1.0) < 0.1:
                    continue  # `Kebijakan …`: a word written lowercase elsewhere opens the sentence
                if text in TITLE_TOKENS or text in COMPASS_WORDS or _breaks_name(text):
                    leftovers.append((a, m.end(), text))
                    continue
            toks, spans, gaz_spans, span_tags = resources.tokenize_run(text)
            right = _right_context(body, m.end())
            jobs.append((toks, left, right, bos, span_tags))
            meta.append((ai, a, toks, spans, right, gaz_spans))
    tagger = resources.batch_tagger
    label_names = resources.model.labels
    o = resources.model.o
    for (ai, a, toks, spans, right, gaz_spans), path in zip(meta, tagger.tag(jobs, resources.features)):
        out, leftovers, name_parts = articles[ai]
        if not gaz_spans and path.count(o) == len(path) and not _apposition(toks, right):
            leftovers += [(a + s, a + e, t) for t, (s, e) in zip(toks, spans)]
            continue
        labels = [label_names[k] for k in path]
        taken = bytearray(len(toks))
        for s, e, typ, eid in _mentions_from_labels(toks, labels, gaz_spans, right, resources):
            names = tuple(toks[s:e])
            out.append((a + spans[s][0], a + spans[e - 1][1], typ, eid, names))
            taken[s:e] = b"\x01" * (e - s)
            if typ == "PER" and e - s > 1:
                name_parts.add(names[0])
                name_parts.add(names[-1])
        leftovers += [(a + spans[i][0], a + spans[i][1], toks[i]) for i in range(len(toks)) if not taken[i]]
    results = []
    for body, (out, leftovers, name_parts) in zip(bodies, articles):
        # Within an article a person's first or last name alone is the same person (`Li`, `Hong`).
        if name_parts:
            for s, e, tok in leftovers:
                if tok in name_parts and tok not in FUNCTION_WORDS and tok not in TITLE_TOKENS:
                    out.append((s, e, "PER", None, (tok,)))
        if body and gaz.digit_alias_re is not None:
            for m in gaz.digit_alias_re.finditer(body):
                eid = gaz.alias_index[tuple(TOKEN_RE.findall(m.group()))]
                out.append((m.start(), m.end(), SHORT_TYPE[gaz.entries[eid].type], eid, (m.group(),)))
        out.sort()
        results.append(out)
    return results


def _link_article(
    mentions: list[tuple[int, int, str, str | None, tuple[str, ...]]], gazetteer: Gazetteer
) -> list[tuple[str, str]]:
    """Entity id and canonical name for each mention; a surname alone joins the full name in the article."""
    linked: list[tuple[str, str]] = []
    persons: list[tuple[tuple[str, ...], str, str]] = []  # (name tokens, entity_id, name)
    for _, _, typ, eid, toks in mentions:
        if eid is not None:
            name = gazetteer.entries[eid].name
        else:
            name = " ".join(toks)
            if typ == "PER" and len(toks) == 1:
                # `Shoigu` after `Sergei Shoigu`, `Han` after `Han Su-chol`.
                for full, pid, pname in reversed(persons):
                    if toks[0] == full[0] or toks[0] == full[-1]:
                        eid, name = pid, pname
                        break
            if eid is None:
                eid = entity_id_for(name, LONG_TYPE[typ])
        if typ == "PER" and len(toks) > 1:
            persons.append((toks, eid, name))
        linked.append((eid, name))
    # A surname named before the full name: link forwards too.
    for k, (_, _, typ, geid, toks) in enumerate(mentions):
        if typ == "PER" and len(toks) == 1 and geid is None and linked[k][0].startswith("per:"):
            for full, pid, pname in persons:
                if toks[0] == full[0] or toks[0] == full[-1]:
                    linked[k] = (pid, pname)
                    break
    return linked


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one batch.

    The batch allocates many short-lived containers next to large long-lived caches, so
    collections would repeatedly walk the caches (about a third of the stage's time);
    recognition creates no reference cycles, and the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def extract_entities(
    articles: pl.DataFrame, resources: EntityResources
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Entity mentions (with exact body offsets) and the deduplicated entities they link to."""
    with _collector_paused():
        return _extract_entities(articles, resources)


def _extract_entities(
    articles: pl.DataFrame, resources: EntityResources
) -> tuple[pl.DataFrame, pl.DataFrame]:
    gaz = resources.gazetteer
    m_article: list[str] = []
    m_entity: list[str] = []
    m_surface: list[str] = []
    m_start: list[int] = []
    m_end: list[int] = []
    m_type: list[str] = []
    entities: dict[str, tuple[str, str, str | None, str | None, set[str]]] = {}
    article_ids = articles["article_id"].to_list()
    bodies = articles["body"].to_list()
    for article_id, body, mentions in zip(article_ids, bodies, recognise_batch(bodies, resources)):
        for (a, b, typ, _, _), (eid, name) in zip(mentions, _link_article(mentions, gaz)):
            surface = body[a:b]
            m_article.append(article_id)
            m_entity.append(eid)
            m_surface.append(surface)
            m_start.append(a)
            m_end.append(b)
            long_type = LONG_TYPE[typ]
            m_type.append(long_type)
            row = entities.get(eid)
            if row is None:
                entry = gaz.entries.get(eid)
                if entry is not None:
                    row = (entry.name, entry.type, entry.subtype, entry.wikidata_id, set(entry.aliases))
                else:
                    row = (name, long_type, None, None, set())
                entities[eid] = row
            row[4].add(surface)
    mentions_df = pl.DataFrame(
        {
            "article_id": m_article,
            "entity_id": m_entity,
            "surface": m_surface,
            "start_char": m_start,
            "end_char": m_end,
            "type": m_type,
        },
        schema=MENTION_SCHEMA,
    )
    ids = sorted(entities)
    entities_df = pl.DataFrame(
        {
            "entity_id": ids,
            "name": [entities[i][0] for i in ids],
            "type": [entities[i][1] for i in ids],
            "subtype": [entities[i][2] for i in ids],
            "wikidata_id": [entities[i][3] for i in ids],
            "aliases": [sorted(entities[i][4]) for i in ids],
        },
        schema=ENTITY_SCHEMA,
    )
    return mentions_df, entities_df

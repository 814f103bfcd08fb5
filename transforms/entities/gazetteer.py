"""Gazetteer of known entities: TSV rows in, token-sequence alias matcher out."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from transforms.entities.features import TOKEN_RE

ENTITY_TYPES = ("PERSON", "ORGANIZATION", "LOCATION")
SHORT_TYPE = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"}
LONG_TYPE = {v: k for k, v in SHORT_TYPE.items()}
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class GazetteerEntry:
    """One known entity: canonical name, type, subtype, Wikidata ID and aliases."""

    entity_id: str
    name: str
    type: str
    subtype: str | None
    wikidata_id: str | None
    aliases: tuple[str, ...]


def slugify(text: str) -> str:
    """ASCII slug of a name: `Shin Jong-woo` -> `shin-jong-woo`."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_DROP.sub("-", folded.lower()).strip("-")


@functools.lru_cache(maxsize=200_000)  # the same names recur in every batch; slugging them is a third of linking
def entity_id_for(name: str, type_: str, wikidata_id: str | None = None) -> str:
    """Deterministic entity id: the Wikidata QID when known, else `per:slug` of type + name."""
    if wikidata_id:
        return wikidata_id
    return SHORT_TYPE[type_].lower() + ":" + (slugify(name) or "x")


def parse_gazetteer_lines(lines: Iterable[str]) -> list[GazetteerEntry]:
    """Rows of `name<TAB>type<TAB>subtype<TAB>wikidata_id<TAB>alias|alias…`; `#` starts a comment."""
    entries = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        cols += [""] * (5 - len(cols))
        name, type_, subtype, qid, aliases = (c.strip() for c in cols[:5])
        if type_ not in ENTITY_TYPES:
            raise ValueError(f"gazetteer row has unknown type {type_!r}: {line!r}")
        names = [name] + [a.strip() for a in aliases.split("|") if a.strip()]
        entries.append(
            GazetteerEntry(
                entity_id=entity_id_for(name, type_, qid or None),
                name=name,
                type=type_,
                subtype=subtype or None,
                wikidata_id=qid or None,
                aliases=tuple(dict.fromkeys(names)),
            )
        )
    return entries


@dataclass
class Gazetteer:
    """Entries merged by entity_id, with an exact token-sequence index of every alias."""

    entries: dict[str, GazetteerEntry] = field(default_factory=dict)
    alias_index: dict[tuple[str, ...], str] = field(default_factory=dict)
    lengths_by_first: dict[str, tuple[int, ...]] = field(default_factory=dict)
    token_types: dict[str, str] = field(default_factory=dict)
    whole_aliases: dict[str, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)
    digit_alias_re: re.Pattern | None = None  # aliases a capitalised run cannot start (`38 North`)
    digit_aliases: list[str] = field(default_factory=list)

    @classmethod
    def from_entries(cls, entries: Iterable[GazetteerEntry]) -> Gazetteer:
        """Merge entries (later rows add aliases; first row fixes name and type) and index them."""
        merged: dict[str, GazetteerEntry] = {}
        for e in entries:
            old = merged.get(e.entity_id)
            if old is not None:
                e = GazetteerEntry(
                    old.entity_id,
                    old.name,
                    old.type,
                    old.subtype or e.subtype,
                    old.wikidata_id or e.wikidata_id,
                    tuple(dict.fromkeys(old.aliases + e.aliases)),
                )
            merged[e.entity_id] = e
        gaz = cls(entries=merged)
        lengths: dict[str, set[int]] = {}
        types: dict[str, set[str]] = {}
        for e in merged.values():
            for alias in e.aliases:
                toks = tuple(TOKEN_RE.findall(alias))
                if not toks:
                    continue
                # First come, first served: a user file loaded later cannot steal
                # `AS` from the United States by accident.
                gaz.alias_index.setdefault(toks, e.entity_id)
                lengths.setdefault(toks[0], set()).add(len(toks))
                for t in toks:
                    if t[:1].isupper():
                        types.setdefault(t, set()).add(SHORT_TYPE[e.type] + ("" if len(toks) == 1 else "m"))
        gaz.lengths_by_first = {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}
        # Alias text as it appears in a body (tokens joined by single spaces) -> entity.
        for toks, eid in gaz.alias_index.items():
            text = " ".join(toks)
            if tuple(TOKEN_RE.findall(text)) == toks:
                gaz.whole_aliases.setdefault(text, (eid, SHORT_TYPE[merged[eid].type], toks))
        digit_aliases = sorted({a for e in merged.values() for a in e.aliases if a[:1].isdigit()}, key=len, reverse=True)
        gaz.digit_aliases = digit_aliases
        if digit_aliases:
            gaz.digit_alias_re = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, digit_aliases)) + r")(?!\w)")
        gaz.token_types = {k: "|".join(sorted(v)) for k, v in types.items()}
        return gaz

    def lookup(self, tokens: Sequence[str]) -> GazetteerEntry | None:
        """Entry whose alias is exactly this token sequence."""
        eid = self.alias_index.get(tuple(tokens))
        return None if eid is None else self.entries[eid]

    def match(self, tokens: Sequence[str], candidates: Iterable[int]) -> list[tuple[int, int, str]]:
        """Longest alias matches `(start, end, entity_id)` starting at candidate positions, left to right."""
        out = []
        n = len(tokens)
        next_free = 0
        index = self.alias_index
        for i in candidates:
            if i < next_free:
                continue
            lens = self.lengths_by_first.get(tokens[i])
            if lens is None:
                continue
            for L in lens:
                if i + L <= n:
                    eid = index.get(tuple(tokens[i : i + L]))
                    if eid is not None:
                        out.append((i, i + L, eid))
                        next_free = i + L
                        break
        return out

    def span_tags(self, tokens: Sequence[str], candidates: Iterable[int]) -> dict[int, str]:
        """BIO gazetteer tag per matched token position (`B-LOC`, `I-ORG`, …)."""
        tags = {}
        for s, e, eid in self.match(tokens, candidates):
            t = SHORT_TYPE[self.entries[eid].type]
            tags[s] = "B-" + t
            for j in range(s + 1, e):
                tags[j] = "I-" + t
        return tags

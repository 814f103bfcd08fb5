"""Recognition: decode runs of name tokens with the CRF, clean the spans, apply the gazetteer and its policy."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from transforms.entities.features import FUNCTION_WORDS, PERSON_CUES, TOKEN_RE
from transforms.entities.gazetteer import SHORT_TYPE, Gazetteer
from transforms.entities.model import TokenScores
from transforms.entities.resources import EntityResources
from transforms.entities.tokens import TokenBatch, tokenise_bodies
from transforms.entities.words import (
    COMPASS_WORDS,
    CONNECTORS,
    TITLE_TOKENS,
    breaks_name,
    is_capitalised,
    is_function_word,
)

Mention = tuple[int, int, str, str | None, tuple[str, ...]]


def recognise_batch(bodies: pl.Series, resources: EntityResources) -> list[list[Mention]]:
    """Mentions `(start_char, end_char, short_type, gazetteer id|None, tokens)` per body, in order.

    Only runs of name tokens (capitalised, `al-X`, joiners such as `dan`/`bin` between them)
    are decoded, with the words around them as context and fixed to O: lowercase Indonesian
    words are not names, so the rest of the text needs no decoding.
    """
    gaz = resources.gazetteer
    batch = tokenise_bodies(bodies, resources.tokens)
    results: list[list[Mention]] = [[] for _ in range(len(bodies))]
    if len(batch.rows):
        _recognise_tokens(batch, resources, results)
    if gaz.digit_alias_re is not None:
        # Aliases a name run cannot start (`38 North`); a literal pre-filter keeps this cheap.
        maybe = bodies.fill_null("").str.contains_any(gaz.digit_aliases).to_numpy()
        for k in np.flatnonzero(maybe).tolist():
            body = bodies[k]
            for m in gaz.digit_alias_re.finditer(body):
                eid = gaz.alias_index[tuple(TOKEN_RE.findall(m.group()))]
                results[k].append((m.start(), m.end(), SHORT_TYPE[gaz.entries[eid].type], eid, (m.group(),)))
    for out in results:
        out.sort()
    return results


def _recognise_tokens(batch: TokenBatch, resources: EntityResources, results: list[list[Mention]]) -> None:
    table = resources.tokens
    gaz = resources.gazetteer
    model = resources.model
    scores = table.scores
    strings = scores.strings
    rows = batch.rows
    n = len(rows)
    sstart = batch.sentence_start
    # A token opens a sentence when only opening quotes stand between it and the sentence start.
    bos = sstart.copy()
    quote = table.quote[rows]
    for _ in range(3):
        bos[1:] |= bos[:-1] & quote[:-1]
    cand = table.opens_name[rows]
    joiner = np.zeros(n, dtype=bool)
    if n > 2:
        joiner[1:-1] = table.joiner[rows[1:-1]] & cand[:-2] & cand[2:] & ~sstart[1:-1] & ~sstart[2:]
    cand |= joiner
    positions = np.flatnonzero(cand)
    if not len(positions):
        return
    prev_cand = np.concatenate([[False], cand[:-1]])
    next_cand = np.concatenate([cand[1:], [False]])
    next_start = np.concatenate([sstart[1:], [True]])
    firsts = np.flatnonzero(cand & (~prev_cand | sstart))
    lasts = np.flatnonzero(cand & (~next_cand | next_start))
    lengths = lasts - firsts + 1
    cand_index = np.cumsum(cand) - 1  # token position -> emission row
    run_first = cand_index[firsts]

    # Context rows, padded at sentence edges exactly as in training.
    p = positions
    prev1 = np.maximum(p - 1, 0)
    prev2 = np.maximum(p - 2, 0)
    next1 = np.minimum(p + 1, n - 1)
    next2 = np.minimum(p + 2, n - 1)
    has_prev1 = ~sstart[p]
    has_prev2 = has_prev1 & ~sstart[prev1]
    has_next1 = (p + 1 < n) & ~sstart[next1]
    has_next2 = has_next1 & (p + 2 < n) & ~sstart[next2]
    l1 = np.where(has_prev1, rows[prev1], TokenScores.PAD_BEFORE)
    l2 = np.where(has_prev2, rows[prev2], TokenScores.PAD_BEFORE)
    r1 = np.where(has_next1, rows[next1], TokenScores.PAD_AFTER)
    r2 = np.where(has_next2, rows[next2], TokenScores.PAD_AFTER)
    centre = rows[p]
    scores.ensure_scored(np.unique(np.concatenate([centre, l1, l2, r1, r2])), table.features)
    t = scores.table
    em = t[centre, 2] + t[l1, 1] + t[l2, 0] + t[r1, 3] + t[r2, 4]
    bos_p = np.flatnonzero(bos[p])
    em[bos_p] += t[centre[bos_p], 5]

    # Gazetteer aliases inside runs: longest first, left to right.
    run_end = np.zeros(n, dtype=np.int64)
    run_end[p] = np.repeat(lasts + 1, lengths)
    gaz_spans: list[tuple[int, int, str]] = []
    index = gaz.alias_index
    by_first = gaz.lengths_by_first
    next_free = 0
    for i in np.flatnonzero(cand & table.alias_start[rows]).tolist():
        if i < next_free:
            continue
        limit = int(run_end[i])
        for length in by_first[strings[rows[i]]]:
            if i + length <= limit:
                eid = index.get(tuple(strings[r] for r in rows[i : i + length].tolist()))
                if eid is not None:
                    gaz_spans.append((i, i + length, eid))
                    next_free = i + length
                    break
    if gaz_spans:
        gs_pos: list[int] = []
        gs_tag: list[int] = []
        gs_index = model.gs_index
        for s, e, eid in gaz_spans:
            typ = SHORT_TYPE[gaz.entries[eid].type]
            gs_pos.extend(range(s, e))
            gs_tag.append(gs_index["B-" + typ])
            gs_tag.extend([gs_index["I-" + typ]] * (e - s - 1))
        np.add.at(em, cand_index[gs_pos], model.gs_table[gs_tag])

    labels = model.viterbi_runs(em, run_first, lengths, ~sstart[firsts], has_next1[cand_index[lasts]])
    _mentions_from_runs(batch, resources, positions, labels, firsts, lasts, gaz_spans, cand, bos, results)


_TYPES = ("PER", "LOC", "ORG")


def _mentions_from_runs(
    batch: TokenBatch,
    resources: EntityResources,
    positions: np.ndarray,
    labels: np.ndarray,
    firsts: np.ndarray,
    lasts: np.ndarray,
    gaz_spans: list[tuple[int, int, str]],
    cand: np.ndarray,
    bos: np.ndarray,
    results: list[list[Mention]],
) -> None:
    """Turn decoded runs into mentions: clean model spans, link them, apply the gazetteer policy."""
    table = resources.tokens
    gaz = resources.gazetteer
    model = resources.model
    strings = table.scores.strings
    rows = batch.rows
    n = len(rows)
    sstart = batch.sentence_start
    names = model.labels
    label_type = np.array([0 if x == "O" else 1 + _TYPES.index(x[2:]) for x in names])
    label_b = np.array([x.startswith("B-") for x in names])
    typ = label_type[labels]
    ent = typ > 0
    run_open = np.zeros(len(positions), dtype=bool)
    run_open[np.searchsorted(positions, firsts)] = True
    prev_ent = np.concatenate([[False], ent[:-1]])
    prev_typ = np.concatenate([[0], typ[:-1]])
    opens = ent & (label_b[labels] | ~prev_ent | (prev_typ != typ) | run_open)
    goes_on = np.concatenate([ent[1:] & ~opens[1:], [False]])
    span_first = np.flatnonzero(opens)
    span_last = np.flatnonzero(ent & ~goes_on)
    span_s = positions[span_first].tolist()
    span_e = (positions[span_last] + 1).tolist()
    span_t = typ[span_first].tolist()
    span_run = (np.searchsorted(firsts, positions[span_first], side="right") - 1).tolist()

    work: dict[int, tuple[list, list]] = {}
    for s, e, t, r in zip(span_s, span_e, span_t, span_run):
        work.setdefault(r, ([], []))[0].append((s, e, _TYPES[t - 1]))
    if gaz_spans:
        for (s, e, eid), r in zip(gaz_spans, (np.searchsorted(firsts, [g[0] for g in gaz_spans], side="right") - 1).tolist()):
            work.setdefault(r, ([], []))[1].append((s, e, eid))
    # `Hong Min, direktur …`: a short run before a comma and a role word is a person.
    length = lasts - firsts + 1
    after1 = np.minimum(lasts + 1, n - 1)
    after2 = np.minimum(lasts + 2, n - 1)
    has1 = (lasts + 1 < n) & ~sstart[after1]
    has2 = has1 & (lasts + 2 < n) & ~sstart[after2]
    apposition = (length >= 2) & (length <= 4) & has1 & table.comma[rows[after1]] & has2 & table.person_cue[rows[after2]]
    for r in np.flatnonzero(apposition).tolist():
        work.setdefault(r, ([], []))

    plain = table.plain
    edge = table.edge
    inner = table.inner
    lowercase_word = table.lowercase_word
    article = batch.article
    n_articles = len(results)
    chosen: list[list[tuple[int, int, str, str | None]]] = [[] for _ in range(n_articles)]
    pending: list[list[tuple[int, int, str, str]]] = [[] for _ in range(n_articles)]
    for r, (spans, gspans) in work.items():
        f = int(firsts[r])
        art = int(article[f])
        out = chosen[art]
        simple = True
        picked = []
        for s, e, t in spans:
            eid = None
            for gs, ge, geid in gspans:
                if gs < e and s < ge:
                    if (gs, ge) == (s, e):
                        eid = geid
                    else:
                        simple = False
            if not simple:
                break
            if e - s == 1:
                row = int(rows[s])
                if not plain[row]:
                    simple = False
                    break
                if eid is None and bos[s] and lowercase_word[row]:
                    continue  # `Kebijakan …`: a word written lowercase elsewhere opens the sentence
            elif eid is None:
                # A longer span is kept as it is when nothing in it needs cleaning up.
                span_rows = rows[s:e]
                if not (edge[span_rows[0]] and edge[span_rows[-1]] and inner[span_rows].all()):
                    simple = False
                    break
            picked.append((s, e, SHORT_TYPE[gaz.entries[eid].type] if eid else t, eid))
        if simple:
            out += picked
            for gs, ge, geid in gspans:
                if not any(gs < e and s < ge for s, e, _ in spans):
                    pending[art].append((gs, ge, SHORT_TYPE[gaz.entries[geid].type], geid))
            continue
        # Anything else goes through the full span clean-up on the run's own tokens.
        last = int(lasts[r]) + 1
        tokens = [strings[x] for x in rows[f:last].tolist()]
        local_labels = ["O"] * len(tokens)
        for s, e, t in spans:
            local_labels[s - f] = "B-" + t
            for k in range(s + 1, e):
                local_labels[k - f] = "I-" + t
        right = []
        for k in range(last, min(last + 2, n)):
            if sstart[k]:
                break
            right.append(strings[rows[k]])
            if table.sentence_end[rows[k]]:
                break
        local_gaz = [(gs - f, ge - f, geid) for gs, ge, geid in gspans]
        found, gaz_only = _mentions_from_labels(tokens, local_labels, local_gaz, tuple(right), resources)
        for s, e, t, eid in found:
            if e - s == 1 and eid is None and bos[f + s] and lowercase_word[rows[f + s]]:
                continue
            out.append((f + s, f + e, t, eid))
        pending[art] += [(f + s, f + e, t, eid) for s, e, t, eid in gaz_only]

    policy = resources.gazetteer_policy
    covered = np.zeros(n, dtype=bool)
    article_first = np.searchsorted(article, np.arange(n_articles + 1))
    start = batch.start
    end = batch.end
    for art in range(n_articles):
        found = chosen[art]
        if pending[art] and policy != "none":
            confirmed = {m[3] for m in found if m[3] is not None}
            # A known entity named three or more times is a subject of the article.
            named = Counter(m[3] for m in pending[art])
            confirmed.update(eid for eid, k in named.items() if k >= 3)
            found += [m for m in pending[art] if policy == "all" or m[3] in confirmed]
        if not found:
            continue
        mentions = results[art]
        name_parts: set[str] = set()
        for s, e, t, eid in found:
            toks = tuple(strings[x] for x in rows[s:e].tolist())
            mentions.append((int(start[s]), int(end[e - 1]), t, eid, toks))
            covered[s:e] = True
            if t == "PER" and e - s > 1:
                name_parts.add(toks[0])
                name_parts.add(toks[-1])
        # Within an article a person's first or last name alone is the same person (`Li`, `Hong`).
        if name_parts:
            a0, a1 = int(article_first[art]), int(article_first[art + 1])
            for k in (np.flatnonzero(cand[a0:a1] & ~covered[a0:a1]) + a0).tolist():
                tok = strings[rows[k]]
                if tok in name_parts and tok not in FUNCTION_WORDS and tok not in TITLE_TOKENS:
                    mentions.append((int(start[k]), int(end[k]), "PER", None, (tok,)))


def _mentions_from_labels(
    tokens: list[str],
    labels: list[str],
    gaz_spans: list[tuple[int, int, str]],
    right: tuple[str, ...],
    resources: EntityResources,
) -> tuple[list[tuple[int, int, str, str | None]], list[tuple[int, int, str, str]]]:
    """Mentions `(start, end, short_type, gazetteer id|None)` of one run from its CRF labels,
    and the gazetteer names in it that no model span touches (for the gazetteer policy)."""
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
                    if (
                        s <= gs
                        and ge <= e
                        and all(cap_ratio.get(tokens[k].lower(), 0.0) < 0.2 for k in range(s, e) if not gs <= k < ge)
                    ):
                        s, e = gs, ge
                        break
            spans.append((s, e, typ))
    chosen: list[tuple[int, int, str, str | None]] = []
    gaz_only: list[tuple[int, int, str, str]] = []
    taken = bytearray(len(tokens))
    # A gazetteer name that covers model spans wins (`Republik` + `Rakyat…` -> the full alias).
    for s, e, eid in gaz_spans:
        inside = [m for m in spans if s <= m[0] and m[1] <= e]
        if any(m[0] < e and s < m[1] and m not in inside for m in spans):
            continue
        if len(inside) == 1 and inside[0][:2] == (s, e):
            continue  # same span: handled with the model spans below
        if e - s == 1 and (tokens[s] in FUNCTION_WORDS or tokens[s] in COMPASS_WORDS):
            continue
        if not inside:
            gaz_only.append((s, e, SHORT_TYPE[gaz.entries[eid].type], eid))
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
        if 2 <= b - a <= 3 and gaz.lookup(tokens[a:b]) is None and not any(map(breaks_name, tokens[a:b])):
            chosen.append((a, b, "PER", None))
    chosen.sort()
    return chosen, gaz_only


def _apposition(tokens: list[str], right: tuple[str, ...]) -> bool:
    """`Hong Min, direktur …`: a 2-4 token run followed by a comma and a role word."""
    return 2 <= len(tokens) <= 4 and len(right) == 2 and right[0] == "," and right[1].lower() in PERSON_CUES


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
        if i == e or breaks_name(tokens[i]):
            if cur < i:
                pieces.append((cur, i))
            cur = i + 1
    out = []
    for a, b in pieces:
        while a < b and (tokens[a] in TITLE_TOKENS or is_function_word(tokens[a]) or not is_capitalised(tokens[a])):
            if gaz.lookup(tokens[a:b]) is not None:
                break
            a += 1
        while b > a and (tokens[b - 1] in CONNECTORS or not tokens[b - 1][:1].isalnum()):
            b -= 1
        if a < b:
            out.append((a, b))
    return out

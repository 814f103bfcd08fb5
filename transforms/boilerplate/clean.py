"""Clean articles: header metadata out, rule and learned furniture removed, every removal audited.

The two-pass API a run uses: `count_lines` per batch (pass 1), `merge_learned` + `furniture_of` once,
`clean` per batch with that one snapshot (pass 2).
"""

from __future__ import annotations

import re

import polars as pl

from transforms.boilerplate.learned import (
    _learned_frame,
    _learned_index,
    _learned_linkout,
    _LearnedFurniture,
    learn_boilerplate,
    merge_learned,
)
from transforms.boilerplate.lines import (
    _apply_cuts,
    _Cut,
    _line_candidates,
    _linkout_cut,
    _literal_candidates,
    _match_line_rule,
    _merge_cuts,
    _take_field,
    looks_like_related_headline,
)
from transforms.boilerplate.params import (
    ALL_OUTLETS,
    CLEAN_SCHEMA,
    LEARNED_MIN_ARTICLES,
    LEARNED_SCHEMA,
    REMOVED_SCHEMA,
    UNKNOWN_OUTLET,
)
from transforms.boilerplate.rules import _UNBOUNDED, BoilerplateRules
from transforms.boilerplate.segments import split_lines
from transforms.metadata import is_title_case_headline, parse_header

_CONTINUATION_MAX_CHARS = 80
_TAG_MAX_CHARS = 40
_TAG_MAX_WORDS = 6
_TAG_MAX_WORDS_ALONE = 3
_TAG_ARTICLE_MIN_CHARS = 100
_SENTENCE_MARKS = frozenset('.,;:!?"”’)')
_TAG_BREAKS = (": ", " - ", " – ", "|")
_LINKOUT_RULES = frozenset({"linkout.baca_juga", "editors_pick"})


def _clean_one(text: str, outlet_hint: str | None, rules: BoilerplateRules, learned: dict[str, _LearnedFurniture]):
    """Clean one article: (body, metadata dict, removed records [(line_no, text, rule, kind)])."""
    raw_lines = text.split("\n")
    params = rules.params
    lines, origin = split_lines(raw_lines)  # long lines cut into segments (see `segments`)
    header = parse_header(lines, rules.matcher, outlet_hint)
    learned_furniture = learned.get(header.outlet or UNKNOWN_OUTLET) if learned else None
    if origin is not None and learned_furniture is not None:
        cut = {raw for raw, start in origin if start > 0}
        if any(raw_lines[raw].strip() in learned_furniture for raw in cut):
            # A long line that is learned furniture as a whole stays whole, to be removed whole.
            lines, origin = split_lines(raw_lines, lambda line: line.strip() in learned_furniture)
            header = parse_header(lines, rules.matcher, outlet_hint)
    if origin is not None:
        text = "\n".join(lines)
    hinted = rules.matcher.from_hint(header.outlet) or rules.matcher.from_hint(outlet_hint)
    outlet_key = hinted.key if hinted else None
    meta = {
        "outlet": header.outlet,
        "dateline": header.dateline,
        "title": header.title,
        "author": None,
        "agency": header.agency,
        "date_line": header.date_line,
    }
    rule_list = rules.rules
    compiled = rules.compiled

    candidates = _literal_candidates(rules, text, lines)

    learned_markers = learned.get(ALL_OUTLETS) if learned else None
    removed: list[tuple[int, str, str, str]] = []
    kept: list[str] = []
    kept_from: list[int] = []  # per kept entry, its (virtual) line index; -1 for a paragraph break
    seen_lines: set[str] = set()
    pending_linkout: str | None = None
    continuation: str | None = None  # a link-out that took a whole segment ending in a sentence stop
    pending_count = 0

    header_lines = header.removed_lines.keys() | header.prefix_cuts.keys()
    start_triggers, end_triggers, nonascii_rules = rules.start_triggers, rules.end_triggers, rules.nonascii_rules
    if "  " not in text:
        start_width, end_width = rules.start_width, rules.end_width
    else:  # whitespace runs: no gating by width (see `pattern_max_chars`)
        start_width = dict.fromkeys(start_triggers, _UNBOUNDED)
        end_width = dict.fromkeys(end_triggers, _UNBOUNDED)
    untriggered = rules.untriggered
    for i, raw in enumerate(lines):
        if not raw:
            if kept and kept[-1]:
                kept.append("")  # one blank line between paragraphs, however many were removed
                kept_from.append(-1)
            continue
        line_no = i + 1
        if i in header_lines:
            if i in header.removed_lines:
                rule_name = header.removed_lines[i]
                if rule_name == "metadata.title":
                    # A first line that is furniture (a photo caption, a promo) is no title.
                    furniture = _match_line_rule(
                        rules, raw.strip(), _line_candidates(rules, raw.strip(), candidates.get(i, ())), outlet_key, meta
                    )
                    if furniture is not None:
                        rule_name, meta["title"] = furniture, None
                removed.append((line_no, raw.strip(), rule_name, "line"))
                continue
            prefix_cuts = header.prefix_cuts[i]
            for start, end, rule in prefix_cuts:
                removed.append((line_no, raw[start:end].strip(), rule, "inline"))
            stripped = raw[prefix_cuts[-1][1] :].strip()
            if not stripped:
                continue
        else:
            stripped = raw.strip()
            if not stripped:
                if kept and kept[-1]:
                    kept.append("")
                    kept_from.append(-1)
                continue
            if continuation is not None:
                # A related headline with a sentence end inside (`… Dibahas Dewan. Kapan Berlaku?`) was cut
                # into two segments: a short Title Case segment right after the link-out is its second half.
                rule_name, continuation = continuation, None
                if len(stripped) <= _CONTINUATION_MAX_CHARS and is_title_case_headline(stripped.removesuffix("&nbsp;").rstrip()):
                    removed.append((line_no, stripped, rule_name, "line"))
                    continue
            length = len(stripped)
            short_nonascii = length <= params.untriggered_max_chars and not stripped.isascii()
            first, last = stripped[0].lower(), stripped[-1].lower()
            if (
                i not in candidates
                and (first not in start_triggers or length > start_width[first])
                and (last not in end_triggers or length > end_width[last])
                and not (short_nonascii and nonascii_rules)
                and not (untriggered and length <= params.untriggered_max_chars)
                and (pending_linkout is None or length > params.related_headline_max_chars)
            ):
                # Fast path: a line no rule can touch (most article paragraphs).
                pending_linkout = None
                linkout = (
                    _learned_linkout(stripped, learned_markers)
                    if learned_markers and ":" in stripped[: params.marker_max_chars + 1]
                    else None
                )
                if linkout is not None:
                    removed.append((line_no, stripped, "learned_linkout", "line"))
                    if linkout == "bare":
                        pending_linkout, pending_count = "learned_linkout", 0
                elif learned_furniture is not None and stripped in learned_furniture:
                    removed.append((line_no, stripped, "learned", "line"))
                elif length >= params.duplicate_min_chars and stripped in seen_lines:
                    removed.append((line_no, stripped, "duplicate_line", "line"))
                else:
                    seen_lines.add(stripped)
                    kept.append(stripped)
                    kept_from.append(i)
                continue
        cuts: list[_Cut] = []

        line_candidates = _line_candidates(rules, stripped, candidates.get(i, ()))
        rule_name = _match_line_rule(rules, stripped, line_candidates, outlet_key, meta)
        if rule_name is not None:
            removed.append((line_no, stripped, rule_name, "line"))
            if rule_name.startswith("linkout") or rule_name == "editors_pick":
                pending_linkout, pending_count = rule_name, 0
                if origin is not None and stripped[-1] in ".!?":
                    continuation = rule_name
            continue

        # Inline spans, tails and link-outs.
        line_had_marker_end = None
        for index in line_candidates:
            rule = rule_list[index]
            if rule.action == "line" or (rule.scope is not None and outlet_key not in rule.scope):
                continue
            if rule.action == "span":
                cuts.extend(_Cut(m.start(), m.end(), rule.name) for m in compiled[index].finditer(stripped))
            elif rule.action == "tail":
                window = max(0, len(stripped) - 400)
                match = rules.tail_compiled[index].search(stripped, window)
                if match is not None:
                    cuts.append(_Cut(match.start(), len(stripped), rule.name))
                    _take_field(meta, rule, match, index)
            else:
                for match in compiled[index].finditer(stripped):
                    cut = _linkout_cut(stripped, match, rule.name)
                    if cut is not None:
                        cuts.append(cut)
                        if cut.end >= len(stripped.rstrip()):
                            line_had_marker_end = rule.name if cut.end - match.end() <= 1 else line_had_marker_end

        if cuts:
            cuts = _merge_cuts(cuts)
            remainder = _apply_cuts(stripped, cuts)
            if not re.search(r"\w", remainder):
                removed.append((line_no, stripped, cuts[0].rule, "line"))
                if origin is not None and stripped[-1] in ".!?" and cuts[-1].rule in _LINKOUT_RULES:
                    continuation = cuts[-1].rule
                if line_had_marker_end:
                    pending_linkout, pending_count = line_had_marker_end, 0
                continue
            for cut in cuts:
                removed.append((line_no, stripped[cut.start : cut.end].strip(), cut.rule, "inline"))
            stripped = remainder
            if line_had_marker_end:
                pending_linkout, pending_count = line_had_marker_end, 0
                kept.append(stripped)
                kept_from.append(i)
                continue

        if pending_linkout is not None:
            if pending_count < params.related_headlines_max and looks_like_related_headline(stripped):
                removed.append((line_no, stripped, pending_linkout, "line"))
                pending_count += 1
                continue
            pending_linkout = None

        if learned_markers and ":" in stripped[: params.marker_max_chars + 1]:
            linkout = _learned_linkout(stripped, learned_markers)
            if linkout is not None:
                removed.append((line_no, stripped, "learned_linkout", "line"))
                if linkout == "bare":
                    pending_linkout, pending_count = "learned_linkout", 0
                continue
        if learned_furniture is not None and stripped in learned_furniture:
            removed.append((line_no, stripped, "learned", "line"))
            continue
        if len(stripped) >= params.duplicate_min_chars:
            if stripped in seen_lines:  # the normaliser already unified spaces
                removed.append((line_no, stripped, "duplicate_line", "line"))
                continue
            seen_lines.add(stripped)
        kept.append(stripped)
        kept_from.append(i)

    while kept and not kept[-1]:
        kept.pop()
        kept_from.pop()
    tags = _trailing_tags(kept, kept_from, origin)
    if tags:
        for index in range(len(kept) - tags, len(kept)):
            if kept[index]:
                removed.append((kept_from[index] + 1, kept[index], "tag_list", "line"))
        del kept[-tags:], kept_from[-tags:]
        while kept and not kept[-1]:
            kept.pop()
            kept_from.pop()
    if not kept and learned_furniture is not None:
        # Learned furniture never takes an article's only text: a one-line article is not its outlet's furniture.
        restored = [record for record in removed if record[2] == "learned"]
        if restored:
            removed = [record for record in removed if record[2] != "learned"]
            kept = [record[1] for record in restored]
            kept_from = [record[0] - 1 for record in restored]
    if origin is None:
        return "\n".join(kept), meta, _with_offsets(removed, raw_lines)
    return _join_segments(kept, kept_from, origin), meta, _with_offsets(_raw_records(removed, origin, raw_lines), raw_lines)


def _with_offsets(records: list, raw_lines: list[str]) -> list:
    """Each record with (start, end) of its text in its raw line: found in order from the previous removal's end."""
    cursor: dict[int, int] = {}
    located = []
    for line_no, text, rule, kind in records:
        line = raw_lines[line_no - 1]
        start = line.find(text, cursor.get(line_no, 0))
        if start < 0:
            start = line.find(text)
        if start < 0:
            located.append((line_no, text, rule, kind, None, None))
            continue
        cursor[line_no] = start + len(text)
        located.append((line_no, text, rule, kind, start, start + len(text)))
    return located


def _is_tag(line: str, max_words: int) -> bool:
    """A topic tag: a short capitalised label with no sentence punctuation (`Kurban`, `Hoegeng Awards 2025`)."""
    return (
        len(line) <= _TAG_MAX_CHARS
        and line[0].isupper()
        and line[-1] not in _SENTENCE_MARKS
        and line.count(" ") < max_words
        and not any(mark in line for mark in _TAG_BREAKS)
    )


def _trailing_tags(kept: list[str], kept_from: list[int], origin: list[tuple[int, int]] | None) -> int:
    """How many entries at the end of `kept` are a tag list: a run of whole short label lines after the article.

    One label may end an article (a category, a lone tag); a run may hold longer ones. The article text before
    them must hold a line of at least _TAG_ARTICLE_MIN_CHARS, so a short item list is never read as tags.
    """
    whole = None
    if origin is not None:
        pieces: dict[int, int] = {}
        for raw, _ in origin:
            pieces[raw] = pieces.get(raw, 0) + 1
        whole = {index for index, (raw, _) in enumerate(origin) if pieces[raw] == 1}
    run = 0
    for index in range(len(kept) - 1, -1, -1):
        line = kept[index]
        if not line:
            run += 1
            continue
        if (whole is not None and kept_from[index] not in whole) or not _is_tag(line, _TAG_MAX_WORDS):
            break
        run += 1
    if not run:
        return 0
    labels = [line for line in kept[len(kept) - run :] if line]
    if len(labels) == 1 and not _is_tag(labels[0], _TAG_MAX_WORDS_ALONE):
        return 0
    if not any(len(line) >= _TAG_ARTICLE_MIN_CHARS for line in kept[: len(kept) - run]):
        return 0
    return run


def _join_segments(kept: list[str], kept_from: list[int], origin: list[tuple[int, int]]) -> str:
    """The body from kept segments: segments of one raw line joined by a space, raw lines by a newline."""
    parts: list[str] = []
    previous = -2
    for piece, index in zip(kept, kept_from):
        raw = origin[index][0] if index >= 0 else -1
        if parts and raw >= 0 and raw == previous:
            parts.append(" ")
        elif parts:
            parts.append("\n")
        parts.append(piece)
        previous = raw
    return "".join(parts).replace("\n\n\n", "\n\n")


def _raw_records(removed: list, origin: list[tuple[int, int]], raw_lines: list[str]) -> list:
    """Removal records on raw line numbers: a removed segment of a cut line is an inline removal."""
    pieces: dict[int, int] = {}
    for raw, _ in origin:
        pieces[raw] = pieces.get(raw, 0) + 1
    records = []
    for line_no, text, rule, kind in removed:
        raw = origin[line_no - 1][0]
        records.append((raw + 1, text, rule, "inline" if pieces[raw] > 1 else kind))
    return records


def clean_articles(
    articles: pl.DataFrame,
    rules: BoilerplateRules,
    learned: pl.DataFrame | None = None,
    learned_min_articles: int = LEARNED_MIN_ARTICLES,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Strip furniture and byline metadata from `article_id, text, outlet_hint`; return (clean, removed_lines)."""
    learned_index = _learned_index(learned, learned_min_articles)
    hints = articles["outlet_hint"].to_list() if "outlet_hint" in articles.columns else [None] * articles.height
    clean_rows = {name: [] for name in CLEAN_SCHEMA}
    removed_rows = {name: [] for name in REMOVED_SCHEMA}
    for article_id, text, hint in zip(articles["article_id"].to_list(), articles["text"].to_list(), hints):
        body, meta, removed = _clean_one(text or "", hint, rules, learned_index)
        clean_rows["article_id"].append(article_id)
        clean_rows["body"].append(body)
        for name in ("outlet", "dateline", "title", "author", "agency", "date_line"):
            clean_rows[name].append(meta[name])
        for line_no, removed_text, rule, kind, start, end in removed:
            removed_rows["article_id"].append(article_id)
            removed_rows["line_no"].append(line_no)
            removed_rows["text"].append(removed_text)
            removed_rows["rule"].append(rule)
            removed_rows["kind"].append(kind)
            removed_rows["start_char"].append(start)
            removed_rows["end_char"].append(end)
    return pl.DataFrame(clean_rows, schema=CLEAN_SCHEMA), pl.DataFrame(removed_rows, schema=REMOVED_SCHEMA)


def clean_and_learn(
    articles: pl.DataFrame,
    rules: BoilerplateRules,
    learned: pl.DataFrame | None = None,
    learned_min_articles: int = LEARNED_MIN_ARTICLES,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Clean a batch, grow the learned table with it, and re-clean the articles holding furniture it just learned."""
    clean, removed, _, grown = _clean_count_and_grow(articles, rules, learned, learned_min_articles)
    return clean, removed, grown


def clean_and_count(
    articles: pl.DataFrame,
    rules: BoilerplateRules,
    learned: pl.DataFrame | None = None,
    learned_min_articles: int = LEARNED_MIN_ARTICLES,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """As `clean_and_learn`, but return this batch's own line counts instead of the grown table.

    The flow's workers use it: the writer folds each batch's counts into the warehouse's table at publish.
    """
    clean, removed, batch, _ = _clean_count_and_grow(articles, rules, learned, learned_min_articles)
    return clean, removed, batch


def _clean_count_and_grow(
    articles: pl.DataFrame, rules: BoilerplateRules, learned: pl.DataFrame | None, learned_min_articles: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(clean, removed, the batch's line counts, the learned table grown by them)."""
    clean, removed = clean_articles(articles, rules, learned, learned_min_articles)
    batch = learn_boilerplate(clean)
    grown = batch if learned is None else merge_learned(learned, batch)
    known = (
        set()
        if learned is None
        else set(learned.filter(pl.col("n_articles") >= learned_min_articles).select("outlet", "line_hash").iter_rows())
    )
    newly = grown.filter(pl.col("n_articles") >= learned_min_articles)
    newly = newly.filter([row not in known for row in newly.select("outlet", "line_hash").iter_rows()])
    if newly.height == 0:
        return clean, removed, batch, grown
    fresh = _learned_index(newly, learned_min_articles)
    touched = []
    for article_id, outlet, body in clean.select("article_id", "outlet", "body").iter_rows():
        furniture = fresh.get(outlet or UNKNOWN_OUTLET)
        if furniture is not None and any(line in furniture for line in body.split("\n") if line):
            touched.append(article_id)
    again = articles.filter(pl.col("article_id").is_in(touched))
    clean_again, removed_again = clean_articles(again, rules, grown, learned_min_articles)
    clean = pl.concat([clean.filter(~pl.col("article_id").is_in(touched)), clean_again])
    removed = pl.concat([removed.filter(~pl.col("article_id").is_in(touched)), removed_again])
    order = articles.select("article_id").with_row_index("_order")
    clean = clean.join(order, on="article_id").sort("_order").drop("_order")
    removed = removed.join(order, on="article_id").sort("_order", "line_no", maintain_order=True).drop("_order")
    return clean, removed, batch, grown


# ---------------------------------------------------------------- the two-pass API a run uses


def count_lines(documents: pl.DataFrame, rules: BoilerplateRules) -> pl.DataFrame:
    """Pass 1 (pure, per batch): this batch's recurring-line counts in LEARNED_SCHEMA.

    `documents`: article_id, text (normalised), outlet_hint. Lines (and the segments of long lines) are counted
    in the text without its header lines (title, date line, byline prefix), under the outlet the header names;
    syndicated copies count once. Rules are not run here: a line they remove may be counted, which changes
    nothing, as rules act before learned furniture. Fold the batches' counts with `merge_learned`.
    """
    hints = documents["outlet_hint"].to_list() if "outlet_hint" in documents.columns else [None] * documents.height
    outlets, bodies = [], []
    for text, hint in zip(documents["text"].to_list(), hints):
        lines = (text or "").split("\n")
        header = parse_header(lines, rules.matcher, hint)
        body = []
        for i, line in enumerate(lines):
            if i in header.removed_lines:
                continue
            cuts = header.prefix_cuts.get(i)
            body.append(line[cuts[-1][1] :] if cuts else line)
        outlets.append(header.outlet)
        bodies.append("\n".join(body))
    return learn_boilerplate(pl.DataFrame({"outlet": outlets, "body": bodies}, schema={"outlet": pl.String, "body": pl.String}))


def furniture_of(learned: pl.DataFrame | None, min_articles: int = LEARNED_MIN_ARTICLES) -> pl.DataFrame:
    """The furniture snapshot of a learned table: rows seen in at least `min_articles` distinct articles."""
    if learned is None:
        return _learned_frame([])
    return learned.select(list(LEARNED_SCHEMA)).filter(pl.col("n_articles") >= min_articles).sort("outlet", "line_hash")


def clean(documents: pl.DataFrame, rules: BoilerplateRules, furniture: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pass 2 (pure, per batch): strip rule and learned furniture; return (clean, removed_lines). Never learns.

    `furniture` is one snapshot (`furniture_of`) given to every batch of a run, so the bodies do not depend on
    workers, batch size or commit units.
    """
    return clean_articles(documents, rules, furniture, learned_min_articles=0)

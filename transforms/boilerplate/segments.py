"""Cut long scraped lines into segments, so furniture glued into running text meets the line rules.

Scrapers often deliver a whole article body on one line, with furniture glued in: `…kalimat.Baca
JugaJudul Lain…`, a caption after a sentence, `(wpj/dmi)` between paragraphs. The cleaner works on
*segments*: a long line is cut before a glued furniture marker (`Baca Juga`, `ADVERTISEMENT`, `[Gambas:`,
`Foto:` …, even without a space before it) and at sentence ends. Lines of at most
SEGMENT_MIN_LINE_CHARS (titles, captions, short paragraphs) stay whole, so whole-line rules
still see them as they are. Cutting never drops a character
that is not whitespace; the kept segments of one line are joined again with a space.

Literal search first (`str.find` for each marker's distinctive word), anchored regexes only where a
literal hit: no pattern scans a 5,000-character line with backtracking.
"""

from __future__ import annotations

import re

from transforms.boilerplate.lines import headline_end

# Lines at most this long stay whole.
SEGMENT_MIN_LINE_CHARS = 200

# Furniture openers that scrapers glue onto the text before them. (literal to find, anchored pattern at the hit)
_GLUE_MARKERS = (
    "Baca",
    "BACA",
    "Simak",
    "SIMAK",
    "Lihat",
    "Saksikan",
    "Pilihan",
    "ADVERTISEMENT",
    "SCROLL",
    "Loading",
    "Artikel ini",
    "[Gambas",
    "Foto:",
    "FOTO:",
    "Foto/",
    "Editor:",
    "Penulis:",
    "Sumber:",
    "Ikuti",
    "Dapatkan",
    "Tonton",
    "Yuk",
)
# Markers that are also ordinary words or labels: a cut only where they are glued onto a word or a sentence end.
_WEAK_MARKERS = frozenset({"Foto:", "FOTO:", "Foto/", "Editor:", "Penulis:", "Sumber:", "Yuk"})
_GLUE_AT = re.compile(
    r"(?:Baca|BACA|Simak|SIMAK|Lihat|Tonton)\s*(?:[Jj]uga|JUGA|[Ss]elengkapnya|[Vv]ideo|[Bb]erita|[Aa]rtikel)(?![a-z])"
    r"|Saksikan\s|Pilihan\s*(?:Editor|Redaksi|EDITOR)|ADVERTISEMENT|SCROLL TO|Loading\.\.\.|Artikel ini (?:telah|sudah|pernah)"
    r"|\[Gambas|Foto:|FOTO:|Editor:|Penulis:|Sumber:|Ikuti (?:[A-Z]|berita|juga|kami|saluran|channel|update)"
    r"|Dapatkan (?:update|berita|informasi)|Foto\s*/\s*(?:dok|ist)|Yuk,? (?:baca|ikuti|simak|gabung)"
)
# Markers followed by a related headline (the headline's end is a cut too).
_LINKOUT_AT = re.compile(r"(?:Baca|BACA|Simak|SIMAK|Lihat|Tonton)\s*(?:[Jj]uga|JUGA)|Pilihan\s*(?:Editor|Redaksi|EDITOR)")
_HEADLINE_WINDOW = 240
# Promos and syndication notes glued mid-text: their end is a cut too.
_PROMO_OPENERS = ("Ikuti ", "Dapatkan ", "Artikel ini ")
_PROMO_TARGET = re.compile(
    r"(?:WhatsApp|Telegram|Google\s+News|Channel|Saluran|Instagram|TikTok|YouTube|Twitter|Facebook)"
    r"(?:\s+(?:Channel|Official|[A-Z][\w-]*\.(?:com|co\.id|id)|[A-Z][A-Za-z]*[A-Z][A-Za-z]*))*"
)
_STORY_RESUMES = re.compile(r"\s+[A-Z][a-z]+,?\s+[a-z]")  # a capitalised word, then a lower-case one
_SYNDICATION_TITLE = re.compile(r"dengan\s+judul\s*")
_BRACKETED_CREDITS = ("Foto:", "FOTO:", "Sumber:", "Editor:", "Penulis:")
# A sentence end: `.`, `!` or `?`, closing quotes or brackets, then a space and a capital, digit, quote or bracket.
# Glued (`nyata.Berikut`): only after two lower-case letters, checked in `_sentence_cuts`.
_SENTENCE_END = re.compile(r"[.!?](?:[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])|(?P<glued>[\"”’]?)(?=[A-Z][a-z]))")
# A bracketed credit right after a sentence, then a new sentence: `… kata dia. (wpj/dmi) Berikutnya …`.
_CREDIT_AFTER_SENTENCE = re.compile(
    r"[.!?][\"”’]?\s*(?P<credit>\((?:\*+\s*/?|[a-z]{2,5}(?:\s*/\s*[a-z]{2,5}){0,3}|(?:[\w-]+\.)+(?:com|co\.id|id|net)(?:/[\w .'-]{1,40}){1,3}|(?:[A-Z][a-z]+\s){1,3}[A-Z][a-z]+|(?:[A-Z][\w.]*\s*){1,3}/\s*(?:[A-Z][\w.'’-]*\s*){1,4}(?:via\s+[A-Z][\w.]*\s*)?(?P<caption>))\))"
    r"(?=\s+[\"“]?[A-Z0-9])"
)
_AGENCY_WORDS = ("Getty", "Reuters", "REUTERS", "Photo", "Shutterstock", "iStock", "Istimewa", "ISTIMEWA")
# A photo agency credit closing a caption, then the story: cut after it.
_AGENCY_CREDIT_END = re.compile(
    r"\((?:Getty\s+Images|Reuters|REUTERS|AP\s+Photo|AFP\s+Photo|Shutterstock|iStock(?:photo)?|Istimewa|ISTIMEWA)"
    r"(?:\s*/\s*[^()\n]{1,40})?\)(?=\s+[\"“]?[A-Z])|(?:Getty\s+Images|Shutterstock|iStockphoto)(?=[A-Z\"“])"
)
# Words before a full stop that do not end a sentence (besides initials and list numbers): titles, abbreviations.
_ABBREVIATIONS = frozenset(
    "Rp No Nomor Dr dr Drs Prof Ir Hj Jl Jln St Tn Ny Sdr Sdri dkk Kec Kab Kel Bpk Moh Muh Mr Mrs Ms Jr Sr vs dll dsb "
    "tsb Yth Kol Brigjen Kombes AKBP AKP Ipda Iptu Aiptu Bripka Mayjen Letjen Jend Pdt Kh KH Inf Purn Mgr Tbk Co Inc "
    "Ltd Corp Pol Kapt Let Sgt Ust Bu Pak Tgl Hal hlm Vol Ed Bab Ps Ayat Jo jo dok Dok DOK".split()
)


def _is_abbreviation(line: str, stop: int) -> bool:
    """Whether the word before the full stop at `stop` is an initial, a list number or an abbreviation."""
    word = line[max(line.rfind(" ", 0, stop), line.rfind("(", 0, stop)) + 1 : stop]
    return (len(word) == 1 and word.isupper()) or (word.isdigit() and len(word) <= 2) or word in _ABBREVIATIONS


def _glue_cuts(line: str) -> list[int]:
    """Offsets where a furniture marker starts inside `line` (not at its start)."""
    found: list[tuple[int, int, int]] = []  # (marker start, marker end, cut)
    for literal in _GLUE_MARKERS:
        position = line.find(literal)
        while position >= 0:
            before = line[position - 1] if position else " "
            if literal in _WEAK_MARKERS:
                glued = before.islower() or before in '.!?"”)'
            else:
                glued = not before.isalnum() or before.islower()
            match = _GLUE_AT.match(line, position) if glued else None
            if match is not None and not (before in "[(" and literal in _BRACKETED_CREDITS):
                # `[Baca juga: …]` is cut before its bracket; a bracketed credit `(Foto: …)` is left to its span rule.
                found.append((position, match.end(), position - 1 if before in "[(" else position))
            position = line.find(literal, position + 1)
    found.sort()
    cuts, covered = [], -1
    for start, end, cut in found:
        if start < covered:
            continue  # `Editor:` inside `Pilihan Editor:`
        covered = end
        if any(c.isalnum() for c in line[:cut]):
            cuts.append(cut)
        promo_end = _promo_end(line, start) if line.startswith(_PROMO_OPENERS, start) else 0
        if 0 < promo_end < len(line):
            cuts.append(promo_end)  # a glued promo or syndication note ends where the story resumes
        if _LINKOUT_AT.match(line, start):
            # A related headline after a link-out marker is a segment of its own: the story resumes after it.
            marker_end = end
            while marker_end < len(line) and line[marker_end] in " :>»–—-":
                marker_end += 1
            rest = line[marker_end : marker_end + _HEADLINE_WINDOW]
            headline = headline_end(rest)
            if 0 < headline < len(rest.rstrip()):
                cuts.append(marker_end + headline)
    return cuts


def _promo_end(line: str, start: int) -> int:
    """Where a promo (`Ikuti WhatsApp Channel Outlet.com`) or a syndication note (`… dengan judul <Headline>`) ends."""
    if line.startswith("Artikel", start):
        title = _SYNDICATION_TITLE.search(line, start, start + 200)
        if title is None:
            return 0
        rest = line[title.end() : title.end() + _HEADLINE_WINDOW]
        end = headline_end(rest)
        return title.end() + end if 0 < end < len(rest.rstrip()) else 0
    target = _PROMO_TARGET.search(line, start, start + 150)
    if target is None or _STORY_RESUMES.match(line, target.end()) is None:
        return 0  # the promo runs on (`… Telegram "Outlet News", caranya klik …`) or ends the line
    return target.end()


def _sentence_cuts(line: str) -> list[int]:
    """Offsets where a new sentence starts inside `line`; a credit in brackets after a sentence is a segment too."""
    cuts = []
    keep_with_caption = set()
    if any(word in line for word in _AGENCY_WORDS):
        for match in _AGENCY_CREDIT_END.finditer(line):
            cuts.append(match.end())  # `caption (Getty Images) Story …`, `Getty ImagesStory …`: the story resumes
    if ")" in line:
        for match in _CREDIT_AFTER_SENTENCE.finditer(line):
            cuts.append(match.end())
            if match.group("caption") is None:
                cuts.append(match.start("credit"))  # `(wpj/dmi)`, `(*/)` alone
            else:
                keep_with_caption.add(match.start("credit"))  # a caption keeps its `(Outlet/ Name)`
    for match in _SENTENCE_END.finditer(line):
        end = match.end()
        if match.group("glued") is not None and not line[max(0, match.start() - 2) : match.start()].islower():
            continue  # `U.S.A`, `Rp.5`: no two lower-case letters before a glued stop
        if line[match.start()] == "." and _is_abbreviation(line, match.start()):
            continue
        start = end
        while start < len(line) and line[start].isspace():
            start += 1
        if start not in keep_with_caption:
            cuts.append(start)
    return cuts


def segment_line(line: str) -> list[tuple[int, int]]:
    """(start, end) of the stripped segments of one line, in order; one segment for a line left whole."""
    if len(line) <= SEGMENT_MIN_LINE_CHARS:
        return [(0, len(line))]  # whole-line rules and inline spans see short lines as they are
    cuts = sorted(set(_glue_cuts(line)) | set(_sentence_cuts(line)))
    spans, start = [], 0
    for cut in [*cuts, len(line)]:
        piece = line[start:cut]
        stripped = piece.strip()
        if stripped:
            left = start + len(piece) - len(piece.lstrip())
            spans.append((left, left + len(stripped)))
        start = cut
    return spans or [(0, len(line))]


def split_lines(lines: list[str], whole=None) -> tuple[list[str], list[tuple[int, int]] | None]:
    """Segments as virtual lines and, per virtual line, (raw line index, start offset); None when nothing was cut.

    `whole(line)` -> True keeps a line uncut (a long line that is learned furniture as a whole).
    """
    virtual: list[str] = []
    origin: list[tuple[int, int]] = []
    cut_any = False
    for index, line in enumerate(lines):
        spans = (
            segment_line(line)
            if line and not (whole is not None and len(line) > SEGMENT_MIN_LINE_CHARS and whole(line))
            else [(0, len(line))]
        )
        if len(spans) > 1:
            cut_any = True
        for start, end in spans:
            virtual.append(line[start:end] if len(spans) > 1 else line)
            origin.append((index, start if len(spans) > 1 else 0))
    return (virtual, origin) if cut_any else (lines, None)


def segments(line: str) -> list[str]:
    """The stripped segments of one line (the line itself when it stays whole)."""
    return [line[start:end] for start, end in segment_line(line)]

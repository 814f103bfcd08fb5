"""A seeded, realistic corpus of raw Indonesian news files for benchmarks: furniture, encodings, duplicates, bad files.

Article bodies recombine sentences of real articles (../shared/corpora/indosum-dev, else the bundled
sample) into paragraphs that almost never repeat across files, so neither near-duplicate detection
nor learned-boilerplate counting sees repeats that were not planted. Furniture families and their
rates follow the counts in ../shared/README.md (8,803 scraped articles from ten outlets).
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"
INDOSUM = ROOT.parent / "shared" / "corpora" / "indosum-dev" / "articles.jsonl"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_INLINE_FURNITURE = re.compile(r"(?i)baca juga|simak juga|lihat juga|advertisement|scroll to continue")


@dataclass(frozen=True)
class CorpusRates:
    """Share of files carrying each furniture family, encoding, duplicate kind or defect."""

    related_link: float = 0.44  # `Baca juga: <headline>`
    advertisement: float = 0.37  # `ADVERTISEMENT`
    scroll_marker: float = 0.31  # `SCROLL TO CONTINUE WITH CONTENT`
    video_embed: float = 0.065  # `[Gambas:Video CNN]`
    video_promo: float = 0.06  # `Simak juga Video: ...`
    see_also: float = 0.02  # `Lihat juga: ...`
    channel_promo: float = 0.012  # Google News / WhatsApp / Telegram promos
    inline_related: float = 0.02  # `... kata dia. Baca juga: <headline> Sementara itu ...` on one line
    credit: float = 0.30  # `Editor:` / `Penulis:` / `Pewarta:`
    initials: float = 0.25  # `(dra)` after the last sentence
    syndication: float = 0.03  # `Artikel ini telah tayang di ...`
    photo_caption: float = 0.05  # caption line with `(Foto: ...)`
    dateline: float = 0.75  # `JAKARTA, KOMPAS.com -` prefix on the first paragraph
    headline: float = 0.35  # the headline as the first line
    date_line: float = 0.15  # a standalone date line at the top
    utf8_bom: float = 0.03
    crlf: float = 0.10
    cp1252: float = 0.01
    utf16: float = 0.005
    exact_duplicate: float = 0.02  # the same text again, re-encoded or byte for byte
    near_duplicate: float = 0.03  # the same text with a sentence dropped or another header
    bad_file: float = 0.003  # empty, whitespace-only or binary


@dataclass
class CorpusSummary:
    """What a generated corpus holds: counts per planted feature, its size, and how long it took."""

    n_files: int
    n_bytes: int
    seconds: float
    source: str
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The summary as plain data."""
        return asdict(self)


# Outlet folder -> (dateline prefixes with {city}, short credit name). Prefixes are the forms outlets print.
OUTLETS: dict[str, tuple[tuple[str, ...], str]] = {
    "kompas": (("{CITY}, KOMPAS.com -", "KOMPAS.com -"), "Kompas.com"),
    "detik": (("{City} - ", "{CITY}, detikNews -"), "detikcom"),
    "liputan6": (("Liputan6.com, {City} -",), "Liputan6.com"),
    "tempo": (("TEMPO.CO, {City} -",), "Tempo.co"),
    "tribunnews": (("TRIBUNNEWS.COM, {CITY} -",), "Tribunnews.com"),
    "cnnindonesia": (("{City}, CNN Indonesia --",), "CNN Indonesia"),
    "antara": (("{City} (ANTARA) -",), "Antara"),
    "okezone": (("{CITY} - ", "Okezone.com, {City} -"), "Okezone"),
    "republika": (("REPUBLIKA.CO.ID, {CITY} --",), "Republika"),
    "kumparan": (("kumparanNEWS -",), "kumparan"),
}
CITIES = ("Jakarta", "Surabaya", "Bandung", "Medan", "Makassar", "Semarang", "Yogyakarta", "Denpasar", "Palembang", "Seoul")
EDITORS = ("Sandro Gatra", "Rizky Syahputra", "Dewi Rachmat", "Agus Salim", "Nur Aisyah", "Bambang Priyo", "Fitria Chusna")
INITIALS = ("(dra)", "(rzy/ega)", "(dka)", "(isa/isa)", "(mdk/ded)", "(fjp)", "(ant)", "(ahm/gil)")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
CHANNEL_PROMOS = (
    'Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com. Yuk gabung di Grup Telegram "Kompas.com News Update".',
    "Ikuti berita terkini dari kami di Google News, klik di sini.",
    "Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran andalanmu akses berita melalui WhatsApp Channel.",
)
VIDEO_EMBEDS = ("[Gambas:Video CNN]", "[Gambas:Video 20detik]", "[Gambas:Instagram]")
BAD_KINDS = ("empty", "whitespace_only", "binary")


def load_sentences(indosum_path: Path = INDOSUM, sample_dir: Path = SAMPLE_DIR) -> tuple[list[list[str]], str]:
    """Paragraphs of real articles, each as a list of sentences, and where they came from."""
    texts: list[str] = []
    if indosum_path.exists():
        with indosum_path.open(encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line in lines]
        source = f"indosum-dev ({len(texts)} articles) + bundled sample"
    else:
        source = "bundled sample only (../shared absent)"
    for path in sorted(sample_dir.glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    paragraphs: list[list[str]] = []
    for text in texts:
        for block in _PARAGRAPH_BREAK.split(text):
            # The sample keeps one paragraph a line; short lines there are furniture or subheads.
            for line in block.split("\n"):
                line = " ".join(line.split())
                if len(line) < 80 or line[-1] not in '.!?"”' or _INLINE_FURNITURE.search(line):
                    continue
                sentences = [s for s in _SENTENCE_END.split(line) if len(s) > 20]
                if sentences:
                    paragraphs.append(sentences)
    return paragraphs, source


class _Writer:
    """Builds article texts from sentence pools with one seeded random stream."""

    def __init__(self, paragraphs: list[list[str]], rng: random.Random, rates: CorpusRates) -> None:
        self.paragraphs = paragraphs
        self.sentences = [s for p in paragraphs for s in p]
        self.rng = rng
        self.rates = rates
        # rng.random() indexing is several times cheaper than rng.choice/randrange, and this is the hot loop.
        self._paragraphs_n = len(paragraphs)
        self._sentences_n = len(self.sentences)

    def paragraph(self) -> str:
        """A run of consecutive sentences from one paragraph plus one sentence from elsewhere."""
        draw = self.rng.random
        source = self.paragraphs[int(draw() * self._paragraphs_n)]
        length = min(len(source), 1 + int(draw() * 3))
        start = int(draw() * (len(source) - length + 1))
        sentences = source[start : start + length]
        sentences.insert(int(draw() * (length + 1)), self.sentences[int(draw() * self._sentences_n)])
        return " ".join(sentences)

    def headline(self) -> str:
        words = self.rng.choice(self.sentences).rstrip('.!?"”').split()[: self.rng.randint(5, 10)]
        return " ".join(w[:1].upper() + w[1:] for w in words)

    def date_line(self) -> str:
        rng = self.rng
        return f"{rng.choice(DAYS)}, {rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2025)} {rng.randint(0, 23):02d}:{rng.randrange(0, 60, 5):02d} WIB"

    def article(self, outlet: str, counts: Counter) -> tuple[list[str], str]:
        """Lines of one article (blank lines between paragraphs) and the dateline used."""
        rng, rates = self.rng, self.rates
        target = 2000 + int(rng.random() * 1600)
        body: list[str] = []
        size = 0
        while size < target:
            paragraph = self.paragraph()
            body.append(paragraph)
            size += len(paragraph) + 2
        prefixes, credit_name = OUTLETS[outlet]
        dateline = ""
        if rng.random() < rates.dateline:
            city = rng.choice(CITIES)
            dateline = rng.choice(prefixes).format(City=city, CITY=city.upper()).rstrip()
            body[0] = f"{dateline} {body[0]}"
            counts["dateline"] += 1

        def insert_between(line: str) -> None:
            body.insert(rng.randint(1, len(body)), line)

        if rng.random() < rates.inline_related:
            i = rng.randrange(len(body))
            cut = body[i].find(". ")
            if cut > 0:
                body[i] = f"{body[i][: cut + 1]} Baca juga: {self.headline()} {body[i][cut + 2 :]}"
                counts["inline_related"] += 1
        if rng.random() < rates.related_link:
            for _ in range(rng.randint(1, 3)):
                insert_between(f"Baca juga: {self.headline()}")
            counts["related_link"] += 1
        if rng.random() < rates.photo_caption:
            insert_between(f"{self.headline()}. (Foto: {rng.choice(EDITORS)}/{credit_name})")
            counts["photo_caption"] += 1
        if rng.random() < rates.video_embed:
            insert_between(rng.choice(VIDEO_EMBEDS))
            counts["video_embed"] += 1
        scroll = rng.random() < rates.scroll_marker
        # detik prints the scroll marker under its ADVERTISEMENT slot: half the scroll markers come with one,
        # so the lone-advertisement draw is lowered to keep the advertisement share at its rate.
        lone_advertisement = (rates.advertisement - rates.scroll_marker / 2) / (1 - rates.scroll_marker / 2)
        if rng.random() < lone_advertisement or (scroll and rng.random() < 0.5):
            i = rng.randint(1, len(body))
            body[i:i] = ["ADVERTISEMENT", "SCROLL TO CONTINUE WITH CONTENT"] if scroll else ["ADVERTISEMENT"]
            counts["advertisement"] += 1
            counts["scroll_marker"] += scroll
        elif scroll:
            insert_between("SCROLL TO CONTINUE WITH CONTENT")
            counts["scroll_marker"] += 1
        if rng.random() < rates.initials:
            if rng.random() < 0.5:
                body[-1] = f"{body[-1]} {rng.choice(INITIALS)}"
            else:
                body.append(rng.choice(INITIALS))
            counts["initials"] += 1
        if rng.random() < rates.video_promo:
            body.append(f"{rng.choice(('Simak juga', 'Simak Video', 'Simak juga Video'))}: {self.headline()}")
            counts["video_promo"] += 1
        if rng.random() < rates.see_also:
            body.append(f"Lihat juga: {self.headline()}")
            counts["see_also"] += 1
        if rng.random() < rates.syndication:
            body.append(f'Artikel ini telah tayang di {credit_name} dengan judul "{self.headline()}"')
            counts["syndication"] += 1
        if rng.random() < rates.credit:
            body.append(f"{rng.choice(('Editor', 'Penulis', 'Pewarta'))}: {rng.choice(EDITORS)}")
            counts["credit"] += 1
        if rng.random() < rates.channel_promo:
            body.append(rng.choice(CHANNEL_PROMOS))
            counts["channel_promo"] += 1
        header: list[str] = []
        if rng.random() < rates.date_line:
            header.append(self.date_line())
            counts["date_line"] += 1
        if rng.random() < rates.headline:
            header.append(self.headline())
            counts["headline"] += 1
        return header + body, dateline


def encode_article(text: str, rng: random.Random, rates: CorpusRates, counts: Counter) -> bytes:
    """Bytes of one article: mostly UTF-8, some with a BOM, CRLF line ends, cp1252 or UTF-16."""
    if rng.random() < rates.crlf:
        text = text.replace("\n", "\r\n")
        counts["crlf"] += 1
    draw = rng.random()
    if draw < rates.utf16:
        counts["utf16"] += 1
        return text.encode("utf-16")  # with its BOM, as Windows tools write it
    if draw < rates.utf16 + rates.cp1252:
        counts["cp1252"] += 1
        return text.encode("cp1252", errors="replace")
    if draw < rates.utf16 + rates.cp1252 + rates.utf8_bom:
        counts["utf8_bom"] += 1
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode("utf-8")


def _bad_file(kind: str, rng: random.Random) -> bytes:
    if kind == "empty":
        return b""
    if kind == "whitespace_only":
        return b" \n\t\r\n" * rng.randint(1, 50)
    return rng.randbytes(rng.randint(512, 4096))


def _near_copy(lines: list[str], dateline: str, rng: random.Random, writer: _Writer) -> list[str]:
    """The same article with one edit syndication makes: a sentence dropped, another header or footer."""
    copy = list(lines)
    edit = rng.randrange(3)
    long_paragraphs = [i for i, line in enumerate(copy) if line.count(". ") >= 2]
    if edit == 0 and long_paragraphs:
        i = rng.choice(long_paragraphs)
        sentences = _SENTENCE_END.split(copy[i])
        del sentences[rng.randrange(1, len(sentences))]
        copy[i] = " ".join(sentences)
    elif edit == 1:
        first = next((i for i, line in enumerate(copy) if len(line) > 150), 0)
        body = copy[first][len(dateline) :].lstrip() if dateline and copy[first].startswith(dateline) else copy[first]
        copy[first] = f"{rng.choice(('SINDOnews.com -', 'Okezone.com, Jakarta -', 'JAKARTA, detikNews -'))} {body}"
    else:
        copy.append(f"Baca juga: {writer.headline()}")
        copy.append(rng.choice(CHANNEL_PROMOS))
    return copy


def generate_corpus(
    out_dir: Path,
    n_articles: int,
    seed: int = 0,
    rates: CorpusRates = CorpusRates(),
    paragraphs: list[list[str]] | None = None,
) -> CorpusSummary:
    """Write `n_articles` raw `.txt` files under `out_dir/<outlet>/`; the same seed writes the same bytes."""
    started = perf_counter()
    source = "given paragraphs"
    if paragraphs is None:
        paragraphs, source = load_sentences()
    rng = random.Random(seed)
    writer = _Writer(paragraphs, rng, rates)
    outlets = list(OUTLETS)
    for outlet in outlets:
        (out_dir / outlet).mkdir(parents=True, exist_ok=True)
    counts: Counter = Counter()
    originals: list[tuple[list[str], str]] = []  # earlier articles that duplicates copy from
    n_bytes = 0
    for index in range(n_articles):
        outlet = outlets[rng.randrange(len(outlets))]
        draw = rng.random()
        if draw < rates.bad_file:
            kind = BAD_KINDS[rng.randrange(len(BAD_KINDS))]
            raw = _bad_file(kind, rng)
            counts[f"bad_{kind}"] += 1
        elif draw < rates.bad_file + rates.exact_duplicate and originals:
            lines, _ = originals[rng.randrange(len(originals))]
            counts["exact_duplicate"] += 1
            raw = encode_article("\n\n".join(lines) + "\n", rng, rates, counts)
        elif draw < rates.bad_file + rates.exact_duplicate + rates.near_duplicate and originals:
            lines, dateline = originals[rng.randrange(len(originals))]
            counts["near_duplicate"] += 1
            raw = encode_article("\n\n".join(_near_copy(lines, dateline, rng, writer)) + "\n", rng, rates, counts)
        else:
            lines, dateline = writer.article(outlet, counts)
            if len(originals) < 5000:
                originals.append((lines, dateline))
            else:
                originals[rng.randrange(5000)] = (lines, dateline)
            raw = encode_article("\n\n".join(lines) + "\n", rng, rates, counts)
        descriptor = os.open(out_dir / outlet / f"{index:07d}.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(descriptor, raw)
        finally:
            os.close(descriptor)
        n_bytes += len(raw)
    return CorpusSummary(
        n_files=n_articles, n_bytes=n_bytes, seconds=perf_counter() - started, source=source, counts=dict(sorted(counts.items()))
    )

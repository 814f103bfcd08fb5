"""Build the labelled boilerplate evaluation set (`eval.jsonl`) from the seeds, IndoSum dev and written outlet templates.

Run once by hand (`python -m benchmarks.build_boilerplate_eval`); the output,
`tests/data/boilerplate_eval/eval.jsonl`, is
shipped, so the evaluation never needs ../shared. Every line is a list of
[label, text] segments with label `content` (article text), `boilerplate`
(furniture that must go) or `meta` (byline/title/date text that moves into
metadata; neutral in the removal scores). The labels here are written
independently of `data/boilerplate/rules.tsv`: templates and trap sentences were
written from what the outlets print, not from what the rules match.

Split: `dev` (tuned on) and `heldout` (never looked at while tuning): disjoint
IndoSum articles, and for synthetic articles a disjoint pool of phrasings per
family (the `HELD` lists) and a different random stream.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tests" / "data" / "boilerplate_eval"  # where the evaluation set it builds lives
INDOSUM = ROOT.parent / "shared" / "corpora" / "indosum-dev" / "articles.jsonl"
SEEDS = ROOT / "data" / "sample"

C, B, M = "content", "boilerplate", "meta"


def normalise(text: str) -> str:
    """A stand-in for the project normaliser: NBSP, space runs, line ends."""
    text = text.replace("\u00a0", " ").replace("\r\n", "\n")
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))


# ------------------------------------------------------------------ seeds (hand-labelled)

SEED_LABELS = {
    # file stem prefix: (per-line overrides {1-based line: segments}, expected metadata)
    "000": (
        {1: "PREFIX:JAKARTA – ", 43: B},
        dict(outlet=None, dateline="Jakarta", title=None, author="dka", agency=None, date_line=None),
    ),
    "001": (
        {1: "PREFIX:thelighthousepeople.com, Analisis Strategis: Korut dan Dukungan untuk Rusia. "},
        dict(
            outlet="thelighthousepeople.com",
            dateline=None,
            title="Analisis Strategis: Korut dan Dukungan untuk Rusia",
            author=None,
            agency=None,
            date_line=None,
        ),
    ),
    "002": (
        {1: M, 4: B, 6: "PREFIX:Garissatu – ", 87: B, 90: B, 92: B},
        dict(
            outlet="Garissatu",
            dateline=None,
            title="Kim Jong Un: Rusia Tak Sendirian dalam Perang Ukraina",
            author=None,
            agency=None,
            date_line=None,
        ),
    ),
    "003": (
        {1: "PREFIX:TEMPO.CO, Jakarta - ", 3: B, 28: B, 29: B},
        dict(outlet="TEMPO.CO", dateline="Jakarta", title=None, author=None, agency="REUTERS", date_line=None),
    ),
    "004": (
        {1: M, 2: "PREFIX:SEOUL – "},
        dict(outlet=None, dateline="Seoul", title=None, author=None, agency=None, date_line="31 Juli 2023"),
    ),
}


def seed_records() -> list[dict]:
    records = []
    for path in sorted(SEEDS.glob("*.txt")):
        overrides, meta = SEED_LABELS[path.name[:3]]
        text = normalise(path.read_text(encoding="utf-8"))
        text = re.sub(r"(?m)^(\d+)\.(?=[A-Z])", r"\1. ", text).replace(" . .", ".")  # as the normaliser does
        lines = []
        for number, line in enumerate(text.split("\n"), start=1):
            label = overrides.get(number)
            if not line:
                lines.append([])
            elif label is None:
                lines.append([[C, line]])
            elif label.startswith("PREFIX:"):
                prefix = label[len("PREFIX:") :]
                assert line.startswith(prefix), (path.name, number, line[:60])
                lines.append([[M, prefix], [C, line[len(prefix) :]]])
            else:
                lines.append([[label, line]])
        records.append(dict(id=f"seed-{path.name[:3]}", split="dev", origin="seed", outlet_hint=None, lines=lines, meta=meta))
    return records


# ------------------------------------------------------------------ IndoSum (real text, labelled by hand-written patterns)

INDOSUM_PREFIXES = [
    r"[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}, CNN Indonesia\s*--?\s*",
    r"Suara\.com\s*-\s*",
    r"Merdeka\.com\s*-\s*",
    r"[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}\s*\(ANTARA News\)\s*[-–]\s*",
    r"[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}\s*\(Pos Kota\)\s*[–-]\s*",
    r"Rimanews\s*[-–]\s*",
    r"JUARA\.NET\s*-\s*",
    r"JUARA\.net\s*[-–]\s*",
    r"[A-Z]{3,}(?: [A-Z]+)?, [\w.]+\.(?:com|net|id)\s*[-–]\s*",
    r"[\w.]+\.(?i:com|net|id), [A-Z][A-Za-z ]+\s*[-–]\s*",
    r"[A-Z]{3,}(?: [A-Z]{3,})?\s*[-–]\s+",
    r"kumparan\w*\s*-\s*",
]
INDOSUM_BOILERPLATE_LINES = [
    r"(?i)[\[(]?\s*(?:baca|simak|lihat)(?:\s+juga)?\s*[:\-–].*",
    r"(?i)baca_juga",
    r"[\[(]\s*[A-Za-z]{1,6}(?:\s*/\s*[A-Za-z]{1,6}){0,3}\s*[\])]",
    r"\(\s*[A-Z]\d{3}(?:\s*/\s*[A-Z]\d{3})*\s*\)",
    r"(?:Editor|Reporter|Penulis|Pewarta)\s*:.*",
    r"(?i)(?:berita|artikel) ini (?:telah )?(?:terbit|tayang|dimuat).*",
    r"DailySocial\.id adalah portal berita startup.*",
    r".{0,200}\((?i:foto|sumber|dok|ilustrasi)\s*:[^)]*\)",
]
INDOSUM_INLINE = re.compile(r"(?<=\S)\s*[\[(]\s*(?i:baca|simak|lihat)(?:\s+juga)?\s*:[^\])]*[\])]")
INDOSUM_TAIL = re.compile(r"(?<=[.!?\"”’'])\s*[\[(]\s*[A-Za-z]{1,6}(?:\s*/\s*[A-Za-z]{1,6}){0,3}\s*[\])]$")


def label_indosum(raw_text: str) -> list[list]:
    lines = []
    raw_lines = raw_text.replace("\u00a0", " ").split("\n")
    related = 0  # related headlines still expected after a marker-only `Baca juga:` line
    for number, raw in enumerate(raw_lines):
        line = normalise(raw)
        if not line:
            lines.append([])
            continue
        if related and len(line) <= 120 and not line.rstrip("\"”' ").endswith("."):
            lines.append([[B, line]])
            related -= 1
            continue
        related = 4 if re.fullmatch(r"(?i)[\[(]?\s*(?:baca|simak|lihat)\s+juga\s*:?\s*[\])]?", line) else 0
        if re.match(r"\s*[A-Z][A-Z0-9 .\-]{2,30}:\s{2,}\S", raw) or any(re.fullmatch(p, line) for p in INDOSUM_BOILERPLATE_LINES):
            lines.append([[B, line]])
            continue
        segments = []
        if number == 0:
            for prefix in INDOSUM_PREFIXES:
                match = re.match(prefix, line)
                if match:
                    segments.append([M, line[: match.end()]])
                    line = line[match.end() :]
                    break
        tail = INDOSUM_TAIL.search(line)
        body, ending = (line[: tail.start()], line[tail.start() :]) if tail else (line, "")
        position = 0
        for inline in INDOSUM_INLINE.finditer(body):  # (Baca: <headline>) glued into a paragraph
            segments += [[C, body[position : inline.start()]], [B, inline.group()]]
            position = inline.end()
        segments.append([C, body[position:]])
        if ending:
            segments.append([B, ending])
        lines.append([s for s in segments if s[1]])
    while lines and not lines[-1]:
        lines.pop()
    return lines


def has_marker(lines: list[list]) -> bool:
    return any(seg[0] == B for line in lines for seg in line)


# ------------------------------------------------------------------ synthetic outlet articles

SMALL = set("di ke dari dan atau yang untuk pada dengan dalam oleh serta bagi tentang terhadap hingga karena".split())


def slug_headline(url: str, rng: random.Random, sentence_case: bool = False) -> str:
    slug = url.split("?")[0].rstrip("/").split("/")[-1]
    slug = re.sub(r"\.html?$", "", slug)
    words = [w for w in re.split(r"[-_.+]", slug) if w.isalpha() or (w.isdigit() and len(w) < 4)]
    words = words[:12] or ["Berita", "Terkini"]
    if sentence_case:
        return " ".join([words[0].capitalize()] + [w.lower() for w in words[1:]])
    return " ".join(w.lower() if i and w.lower() in SMALL else w.capitalize() for i, w in enumerate(words))


DEV, HELD = "dev", "heldout"

# Each family: (dev phrasings, held-out phrasings). {H} a related headline, {N} a name, {I} initials, {O} the outlet.
LINKOUT_SAME_LINE = (
    [
        "Baca juga: {H}",
        "Baca Juga: {H}",
        "BACA JUGA: {H}",
        "Simak juga: {H}",
        "Lihat juga: {H}",
        "[Baca juga: {H}]",
        "(Baca Juga: {H})",
    ],
    [
        "Baca Juga : {H}",
        "BACA JUGA - {H}",
        "Baca Juga >> {H}",
        "Lihat Juga: {H}",
        "Baca: {H}",
        "Jangan Lewatkan: {H}",
        "Baca Artikel Lainnya: {H}",
    ],
)
LINKOUT_MARKER_ONLY = (
    ["Baca juga:", "Baca Juga", "BACA JUGA:", "Artikel Terkait:"],
    ["Baca Juga :", "Berita Terkait", "Baca juga", "Simak juga:"],
)
LINKOUT_INLINE = (
    ["Baca juga: {H}", "Baca Juga: {H}", "BACA JUGA: {H}", "(Baca juga: {H})"],
    ["Lihat Juga: {H}", "[Baca Juga: {H}]", "Simak juga: {H}", "Baca: {H}"],
)
ADS = (
    ["ADVERTISEMENT", "Advertisement", "SCROLL TO CONTINUE WITH CONTENT", "Iklan"],
    [
        "- Advertisement -",
        "ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT",
        "Scroll untuk melanjutkan membaca",
        "Sponsored Content",
    ],
)
EMBEDS = (
    [
        "[Gambas:Video CNN]",
        "[Gambas:Video 20detik]",
        'Simak Video "{H}"',
        "Saksikan Video Pilihan di Bawah Ini:",
        "Simak juga video pilihan berikut ini:",
    ],
    ["[Gambas:Instagram]", "[Gambas:Youtube]", "Tonton video: {H}", "Lihat Video: {H}", "Video Pilihan"],
)
CAPTIONS = (
    [
        "{N} saat memberikan keterangan kepada wartawan. (Foto: {A})",
        "Suasana lokasi kejadian, Senin pagi. (Foto: Dok. Istimewa)",
        "Foto: {A}",
        "Ilustrasi: Freepik",
    ],
    [
        "Ilustrasi. (Foto: Shutterstock)",
        "FOTO: ANTARA FOTO/Sigid Kurniawan",
        "Sumber Foto: {A}",
        "{N} di Jakarta, Selasa. (Dok. Humas)",
    ],
)
PROMOS = (
    [
        'Dapatkan update berita pilihan dan breaking news setiap hari dari {O}. Mari bergabung di Grup Telegram "{O} News Update", caranya klik link berikut, kemudian join.',
        "Ikuti berita terkini dari {O} di Google News, klik di sini.",
        "Follow WhatsApp Channel {O} untuk update berita terbaru setiap hari.",
        "Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran andalanmu akses berita {O} WhatsApp Channel.",
    ],
    [
        "Yuk, gabung channel WhatsApp {O} untuk mendapatkan berita terbaru.",
        "Cek Berita dan Artikel yang lain di Google News",
        "Download aplikasi {O} untuk akses berita lebih cepat.",
        "Dapatkan berita terbaru langsung di ponselmu, follow akun Instagram {O}.",
    ],
)
CREDITS = (
    ["Penulis: {N}", "Editor: {N}", "Pewarta: {N}", "Reporter: {N}", "Penulis: {N} | Editor: {N2}", "({I})"],
    ["Penulis : {N}", "Editor : {N}", "Laporan Wartawan {O}, {N}", "Reporter: {N}\nEditor: {N2}", "({I})", "Kontributor: {N}"],
)
SYNDICATION = (
    ['Artikel ini telah tayang di {O} dengan judul "{H}"', "Artikel ini telah tayang di {O} dengan judul {H}, klik untuk baca."],
    ['Berita ini telah terbit di {O} dengan judul "{H}"', "Artikel ini sudah tayang sebelumnya di {O}"],
)
DISCLAIMERS = (
    [
        "Disclaimer: Artikel ini bukan merupakan ajakan untuk membeli atau menjual saham. Segala keputusan investasi sepenuhnya ada di tangan pembaca.",
        "Keputusan investasi sepenuhnya ada di tangan pembaca. {O} tidak bertanggung jawab atas kerugian dan keuntungan yang timbul dari keputusan investasi pembaca.",
    ],
    [
        "Disclaimer: Setiap keputusan investasi ada di tangan pembaca. Pelajari dan analisa sebelum membeli atau menjual saham.",
        "DISCLAIMER: Berita ini tidak bertujuan mengajak pembaca membeli atau menjual saham.",
    ],
)
TAGS = (["Tags: {T}", "Topik: {T}", "Kata Kunci: {T}"], ["TAG: {T}", "#{T1} #{T2} #{T3}", "Topik Terkait: {T}"])
SHARE = (
    ["Bagikan artikel ini", "Share: Facebook Twitter WhatsApp", "Tulis Komentar", "Salin Link"],
    ["Bagikan", "Facebook Twitter WhatsApp Telegram Copy Link", "Lihat Komentar", "Kirim Komentar"],
)
NAVIGATION = (
    ["Halaman 1 2 3 Selanjutnya", "Selanjutnya", "Previous Post Next Post", "Halaman Selanjutnya"],
    ["1 2 3 4 Selanjutnya", "Halaman: 1 2", "« Sebelumnya Selanjutnya »", "Load More"],
)
PICKS = (
    ["Pilihan Editor: {H}", "Pilihan Editor {H}", "Rekomendasi Untuk Anda: {H}"],
    ["Editor's Pick: {H}", "Berita Pilihan: {H}", "Terpopuler: {H}"],
)
FOREIGN = (["نموذج الاتصال", "相关新闻", "Читать далее"], ["관련 기사", "関連記事", "ข่าวที่เกี่ยวข้อง"])
WIDGETS = (["Dengarkan artikel ini", "Terpopuler", "Komentar"], ["Listen to this article", "Berita Terkini", "Laporkan"])
# Furniture with no keyword at all: only the learner can find it (it recurs in many articles of one outlet).
SLOGANS = {
    "liputan6": "* Fakta atau Hoaks? Untuk mengetahui kebenaran informasi yang beredar, silakan hubungi nomor Cek Fakta Liputan6.com 0811-9787-670 hanya dengan ketik kata kunci yang diinginkan.",
    "kumparan": "kumparan adalah platform media berbasis kolaborasi yang menyajikan informasi terkini dari seluruh Indonesia.",
    "republika": "Republika.co.id hadir lebih dekat dengan pembaca setia di seluruh penjuru Nusantara.",
    "okezone": "Okezone.com, berita terpercaya dan terlengkap dari Indonesia dan mancanegara.",
}
# Article sentences that carry furniture words but are article text (labelled content).
TRAPS = (
    [
        "Menurut editor senior majalah itu, {N}, laporan tentang {T1} tersebut sudah diverifikasi berkali-kali sebelum diterbitkan.",
        "Foto-foto kejadian di {C} itu beredar luas di media sosial sejak Senin pagi dan memicu kemarahan warganet.",
        "Pesan berantai soal {T1} itu disebarkan melalui grup WhatsApp dan kanal Telegram milik kelompok tersebut, kata {N}.",
        "Iklan rokok dilarang tayang di televisi {C} sebelum pukul 21.30, kata {N} dari Komisi Penyiaran Indonesia.",
        "Halaman 12 laporan itu memuat rincian anggaran {T1} yang dipersoalkan oleh para anggota dewan di {C}.",
        "Kronologi Kejadian di {C}",
        "{N} mengajak warga {C} untuk bergabung dalam aksi bersih-bersih pantai dan mengikuti perkembangan kampanye itu di Instagram resmi pemerintah kota.",
        "Data {T1} tersebut, lanjut {N}, akan diperbarui setiap pekan dan bisa diunduh melalui aplikasi resmi pemerintah {C}.",
        "Berikut daftar lengkap {T1} di {C}:",
        "Persija Jakarta 2 - 1 Arema FC, gol dicetak {N}",
    ],
    [
        "Editor buku tentang {T1} tersebut, {N}, mengatakan naskahnya rampung pada akhir 2019.",
        "Sumber di kepolisian {C} menyebut pelaku sempat membagikan rekaman itu ke akun Facebook dan Twitter miliknya.",
        "Video amatir yang direkam {N} memperlihatkan detik-detik jembatan di {C} itu runtuh.",
        "Langkah Selanjutnya Pemerintah {C}",
        "Dalam unggahannya, {N} menulis terima kasih kepada semua pihak dan meminta publik terus mengikuti update kasus {T1} melalui kanal resmi.",
        "Tag harga yang terpasang di rak toko di {C} ternyata berbeda dengan harga di kasir, kata {N}.",
        "Menurut laporan wartawan setempat, api di {C} baru bisa dipadamkan menjelang tengah malam.",
        "Hasil Pertandingan di {C}",
        "Arema FC 0 - 0 Persebaya Surabaya, kata {N} usai laga",
        "{N} juga meminta warga {C} melapor melalui layanan pengaduan 112 jika menemukan hal mencurigakan.",
    ],
)
NAMES = [
    "Ahmad Fauzi",
    "Rina Marlina",
    "Dedi Supriyadi",
    "Yulia Saputri",
    "Bagus Prasetyo",
    "Siti Nurhaliza",
    "Andi Wijaya",
    "Fitri Handayani",
    "Hendra Gunawan",
    "Dewi Lestari",
]
AGENCIES_PHOTO = ["ANTARA/Aprillio Akbar", "Reuters", "AFP", "Dok. Humas Polri", "Istimewa", "detikcom/Ari Saputra"]
INITIALS = ["dra", "rzy/ega", "rdp/imk", "dka", "ugo", "fik/rah", "mdk", "eln/dal", "wiw", "nor/zul"]
CITIES = [
    "Jakarta",
    "Bandung",
    "Surabaya",
    "Medan",
    "Makassar",
    "Yogyakarta",
    "Semarang",
    "Denpasar",
    "Palembang",
    "Seoul",
    "Moskow",
]
AGENCY_LINES = (["REUTERS", "ANTARA", "AFP", "Sumber: Antara"], ["Reuters", "Xinhua", "Sumber: Reuters", "AP"])
TOPICS = ["politik", "ekonomi", "Jokowi", "KPK", "Pemilu 2024", "banjir", "sepak bola", "harga beras", "DPR", "Timnas"]

OUTLETS = {
    # key: (canonical outlet, byline prefix template or None, display name for promos, paragraph separator)
    "detik": ("detikcom", "{city} - ", "detikcom", "\n\n"),
    "kompas": ("KOMPAS.com", "{CITY}, KOMPAS.com - ", "Kompas.com", "\n\n"),
    "tempo": ("TEMPO.CO", "TEMPO.CO, {city} - ", "Tempo.co", "\n"),
    "liputan6": ("Liputan6.com", "Liputan6.com, {city} - ", "Liputan6.com", "\n\n"),
    "tribun": ("Tribunnews.com", "TRIBUNNEWS.COM, {CITY} - ", "Tribunnews.com", "\n\n"),
    "okezone": ("Okezone.com", "{CITY} - ", "Okezone", "\n\n"),
    "sindonews": ("SINDOnews.com", "{CITY} - ", "SINDOnews.com", "\n"),
    "republika": ("REPUBLIKA.CO.ID", "REPUBLIKA.CO.ID, {CITY} -- ", "Republika", "\n\n"),
    "kumparan": ("kumparan", None, "kumparan", "\n\n"),
    "cnnindonesia": ("CNN Indonesia", "{city}, CNN Indonesia -- ", "CNN Indonesia", "\n\n"),
}


def pick(rng: random.Random, pools: tuple[list, list], split: str) -> str:
    return rng.choice(pools[0] if split == DEV else pools[1])


def fill(template: str, rng: random.Random, headlines: list[str], display: str) -> str:
    topics = rng.sample(TOPICS, 3)
    return template.format(
        H=rng.choice(headlines),
        N=rng.choice(NAMES),
        C=rng.choice(CITIES),
        N2=rng.choice(NAMES),
        I=rng.choice(INITIALS),
        O=display,
        A=rng.choice(AGENCIES_PHOTO),
        T=", ".join(topics),
        T1=topics[0].replace(" ", ""),
        T2=topics[1].replace(" ", ""),
        T3=topics[2].replace(" ", ""),
    )


def synthetic_record(n: int, split: str, base: dict, rng: random.Random, headlines: list[str]) -> dict:
    key = rng.choice(list(OUTLETS))
    outlet, prefix_template, display, separator = OUTLETS[key]
    paragraphs = [line for line in base["lines"] if line and all(seg[0] == C for seg in line)]
    paragraphs = [[[C, "".join(seg[1] for seg in line)]] for line in paragraphs]
    body: list[list] = [list(p) for p in paragraphs]
    meta = dict(outlet=None, dateline=None, title=None, author=None, agency=None, date_line=None)

    def furniture(text: str) -> list[list]:
        return [[[B, part]] for part in text.split("\n")]

    # Inserts, each at a random paragraph boundary (never before the first paragraph).
    inserts: list[list[list]] = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        if rng.random() < 0.75:
            inserts.append(furniture(fill(pick(rng, LINKOUT_SAME_LINE, split), rng, headlines, display)))
        else:
            marker = [[B, pick(rng, LINKOUT_MARKER_ONLY, split)]]
            related = [[[B, rng.choice(headlines)]] for _ in range(rng.choice([1, 1, 2, 3]))]
            inserts.append([marker] + related)
    if rng.random() < 0.5:
        inserts.append(furniture(pick(rng, ADS, split)))
    if rng.random() < 0.3:
        inserts.append(furniture(fill(pick(rng, EMBEDS, split), rng, headlines, display)))
    if rng.random() < 0.3:
        inserts.append(furniture(fill(pick(rng, CAPTIONS, split), rng, headlines, display)))
    if rng.random() < 0.35:
        inserts.append([[[C, fill(pick(rng, TRAPS, split), rng, headlines, display)]]])
    if rng.random() < 0.08:
        # A dangling marker whose link was lost: the next line is article text (seed 003).
        inserts.append([[[B, pick(rng, LINKOUT_MARKER_ONLY, split)]]])
    # Blocks go between original paragraphs, never inside another block.
    slots: dict[int, list] = {}
    for block in inserts:
        slots.setdefault(rng.randint(1, len(body)), []).extend(block)
    body = [
        line
        for position, paragraph in enumerate(body + [None])
        for line in slots.get(position, []) + ([paragraph] if paragraph is not None else [])
    ]

    # Mixed lines: furniture glued inside a paragraph (~2% of lines).
    if rng.random() < 0.35 and body:
        candidates = [
            i
            for i, line in enumerate(body)
            if len(line) == 1 and line[0][0] == C and re.search(r"(?<=[a-z]{3})[.!?][\"”]? (?=[A-Z])", line[0][1])
        ]
        if candidates:
            i = rng.choice(candidates)
            text = body[i][0][1]
            cuts = [m.end() for m in re.finditer(r"(?<=[a-z]{3})[.!?][\"”]? (?=[A-Z])", text)]
            cut = rng.choice(cuts)
            glued = (
                fill(pick(rng, LINKOUT_INLINE, split), rng, headlines, display) if rng.random() < 0.8 else pick(rng, ADS, split)
            )
            body[i] = [[C, text[:cut]], [B, glued + " "], [C, text[cut:]]]

    # Footer.
    footer: list[list] = []
    last = body[-1] if body else None
    if rng.random() < 0.35 and last and len(last) == 1 and last[0][0] == C:
        code = rng.choice(INITIALS)
        last.append([B, f" ({code})"])
        meta["author"] = code
    footer_pools = [CREDITS, PROMOS, TAGS, SHARE, NAVIGATION, PICKS, SYNDICATION, FOREIGN, WIDGETS, AGENCY_LINES, DISCLAIMERS]
    weights = [0.35, 0.2, 0.2, 0.15, 0.15, 0.2, 0.1, 0.06, 0.1, 0.12, 0.05]
    for pool, weight in zip(footer_pools, weights):
        if rng.random() < weight:
            text = fill(pick(rng, pool, split), rng, headlines, display)
            footer.extend(furniture(text))
            if pool is AGENCY_LINES and meta["agency"] is None:
                meta["agency"] = text.split(":")[-1].strip()
            if pool is CREDITS and meta["author"] is None:
                match = re.fullmatch(r"\((\S+)\)", text) or re.match(
                    r"(?:Penulis|Pewarta|Reporter|Kontributor)\s*:\s*([^|\n]+?)\s*(?:\||\n|$)", text
                )
                if match:
                    meta["author"] = match.group(1)
    if key in SLOGANS and rng.random() < 0.8:
        footer.append([[B, SLOGANS[key]]])
    rng.shuffle(footer)
    body.extend(footer)

    # Header: date line, title, byline prefix.
    header: list[list] = []
    if rng.random() < 0.4:
        title = rng.choice(headlines)
        if len(title.split()) >= 3:
            header.append([[M, title]])
            meta["title"] = title
    if rng.random() < 0.2:
        date_line = rng.choice(["31 Juli 2023", "Senin, 14 Agustus 2023 10:15 WIB", "Kamis, 27 Juli 2023", "12 Mei 2024"])
        header.append([[M, date_line]])
        meta["date_line"] = date_line
    if key == "tribun" and rng.random() < 0.4:
        header.append([[B, f"Laporan Wartawan Tribunnews.com, {rng.choice(NAMES)}"]])
    if prefix_template and rng.random() < 0.85:
        city = rng.choice(CITIES)
        prefix = prefix_template.format(city=city, CITY=city.upper())
        first = body[0]
        first[0] = [C, first[0][1]]
        body[0] = [[M, prefix]] + first
        meta["dateline"] = city
        if "{city}" not in prefix_template or "," in prefix_template:
            meta["outlet"] = outlet if "," in prefix_template else None
    hint = key if rng.random() < 0.5 else None
    if hint is not None:
        meta["outlet"] = outlet
    lines: list[list] = []
    for block in header + body:
        lines.append(block)
        if separator == "\n\n":
            lines.append([])
    while lines and not lines[-1]:
        lines.pop()
    return dict(id=f"syn-{split}-{n:04d}", split=split, origin="synthetic", outlet_hint=hint, lines=lines, meta=meta, style=key)


def main() -> None:
    articles = [json.loads(line) for line in INDOSUM.open(encoding="utf-8")]
    rng = random.Random(20240611)
    for article in articles:
        article["lines"] = label_indosum(article["text"])
    headlines_all = [slug_headline(a["source_url"], rng, sentence_case=rng.random() < 0.15) for a in articles]
    order = list(range(len(articles)))
    rng.shuffle(order)
    dev_ids, held_ids = order[: len(order) // 2], order[len(order) // 2 :]
    records = seed_records()
    for split, ids, n_real, n_syn, seed in ((DEV, dev_ids, 70, 330, 1), (HELD, held_ids, 50, 170, 2)):
        split_rng = random.Random(seed)
        marked = [i for i in ids if has_marker(articles[i]["lines"])]
        plain = [
            i for i in ids if not has_marker(articles[i]["lines"]) and 4 <= sum(1 for line in articles[i]["lines"] if line) <= 30
        ]
        real = marked[: int(n_real * 0.6)] + plain[: n_real - int(n_real * 0.6)]
        for i in real:
            a = articles[i]
            records.append(
                dict(
                    id=f"indosum-{split}-{a['id'][:40]}",
                    split=split,
                    origin="indosum",
                    outlet_hint=None,
                    lines=a["lines"],
                    meta=None,
                    source=a["source"],
                    source_url=a["source_url"],
                )
            )
        bases = plain[n_real:]
        headlines = [headlines_all[i] for i in ids]
        for n in range(n_syn):
            records.append(synthetic_record(n, split, articles[bases[n % len(bases)]], split_rng, headlines))
    out = HERE / "eval.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} articles to {out}")


if __name__ == "__main__":
    main()

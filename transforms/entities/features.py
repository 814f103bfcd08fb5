"""Token features for the Indonesian NER sequence model, shared by training and tagging."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# One compiled regex tokenises a body: numbers (`3.000`, `1950-1953`), words with
# inner hyphens, apostrophes, dots (`Su-chol`, `al-Assad`, `TEMPO.CO`, `COVID-19`),
# or single punctuation marks. `5.Kuba` is three tokens.
TOKEN_RE = re.compile(r"\d+(?:[.,:/-]\d+)*(?:[^\W\d_]+)?|[^\W\d]\w*(?:[-'’.][^\W_]+)*|[^\w\s]")

SENTENCE_END = frozenset({".", "!", "?", ":", ";"})
QUOTES = frozenset({'"', "“", "”", "'", "‘", "’", "(", "[", "«"})

# Capitalised only because they open a sentence or a heading: never an entity.
FUNCTION_WORDS = frozenset(
    """
    Namun Sejak Menurut Dalam Di Ke Dari Pada Untuk Dengan Bagi Oleh Tentang Terhadap Antara
    Selain Setelah Sebelum Saat Ketika Sementara Meski Meskipun Walaupun Jika Kalau Bila Apabila
    Karena Sebab Agar Supaya Sehingga Maka Lalu Kemudian Akhirnya Bahkan Tetapi Tapi Sedangkan
    Adapun Yang Ini Itu Hal Para Sebagai Seperti Atas Hingga Sampai Bersama Melalui Mengenai
    Berikut Selama Baik Kedua Ketiga Tahun Bulan Hari Kami Kita Saya Aku Dia Ia Mereka Anda Beliau
    Sebuah Seorang Salah Sebagian Banyak Semua Setiap Beberapa Tak Tidak Belum Sudah Telah Akan
    Juga Pun Lebih Paling Sangat Masih Hanya Tanpa Bukan Ada Apa Siapa Mengapa Bagaimana Bagaimanapun
    Kapan Mana Dimana Begitu Demikian Sebaliknya Selanjutnya Sebelumnya Sesudah Usai Jadi Kini Dulu
    Tahun Pukul Senin Selasa Rabu Kamis Jumat Sabtu Minggu Januari Februari Maret April Mei Juni
    Juli Agustus September Oktober November Desember Sekitar Hampir Tercatat Diketahui Dikatakan
    Menanggapi Terkait Soal Usai Pasca Jelang Menjelang Perlu Sebanyak Sekalipun Walau Dan Atau
    Kesimpulan Latar Belakang Dampak Peran Pengaruh Alasan Hubungan Sejarah Peningkatan Perlawanan
    Keuntungan Dukungan Kerja Sama Pernyataan Reaksi Pergeseran Konsekuensi Upaya Latihan Kabar
    Bidang Bentuk Status Aliansi Faktor Akses Tak Ikatan Perang Dia Mereka Pemimpin Presiden
    The A An Of In On At For And But However
    """.split()
)

# Words before a name that mark it as a person: titles, roles, honorifics.
PERSON_CUES = frozenset(
    """
    presiden wapres menlu menhan menteri pemimpin juru bicara jubir kepala ketua wakil direktur
    gubernur bupati wali walikota kapolri kapolda kapolres jenderal letjen mayjen brigjen kolonel
    perdana pm raja ratu pangeran sekjen sekretaris duta besar dubes analis profesor prof dr
    ir bapak pak ibu bu mantan almarhum tersangka terdakwa kata ujar tutur jelas ungkap imbuh
    pelatih kapten aktor aktris penyanyi senator anggota hakim jaksa kapten komandan panglima
    direktur rektor dekan pengamat peneliti ustadz ustaz kiai habib sultan paus syekh tuan nyonya
    """.split()
)

# Heads that open organisation names.
ORG_HEADS = frozenset(
    """
    kementerian kementrian departemen dewan partai institut forum universitas komisi badan lembaga
    majelis mahkamah pengadilan kejaksaan kepolisian polda polres polri tni bank pt cv yayasan
    asosiasi persatuan perhimpunan ikatan himpunan gerakan front federasi organisasi perusahaan
    kantor biro agensi dinas pusat sekolah akademi politeknik fakultas grup group kelompok
    korporasi komite konsil liga serikat tentara angkatan pasukan otoritas parlemen kongres senat
    """.split()
)

# Prepositions and nouns that announce a place.
PLACE_CUES = frozenset(
    """
    di ke dari kota kabupaten provinsi negara desa kecamatan kawasan wilayah pulau ibu kota
    semenanjung selat laut teluk gunung sungai danau jalan jl
    """.split()
)


def word_shape(token: str) -> str:
    """Collapse a token to its character-class shape (`Kim` -> `Xx`, `Su-chol` -> `Xx-x`)."""
    out = []
    last = ""
    for ch in token:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if c != last:
            out.append(c)
            last = c
    return "".join(out)


class FeatureCache:
    """Memoised per-token feature lists for each context offset, plus lexicon lookups."""

    __slots__ = ("token_types", "cap_ratio", "lexicon_tags", "_cache")

    OFFSETS = (-2, -1, 0, 1, 2)

    def __init__(
        self,
        token_types: Mapping[str, str],
        cap_ratio: Mapping[str, float],
        lexicon_tags: Mapping[str, str],
    ) -> None:
        self.token_types = token_types  # gazetteer token -> types (`LOC`, `PER|LOC`, ...)
        self.cap_ratio = cap_ratio  # lower-cased word -> share capitalised mid-sentence
        self.lexicon_tags = lexicon_tags  # lower-cased word -> tags from lower-cased NER data
        self._cache: dict[str, tuple[tuple[str, ...], ...]] = {}

    def clear(self) -> None:
        """Forget memoised tokens."""
        self._cache.clear()

    def lookup(self, token: str) -> tuple[tuple[str, ...], ...]:
        """Feature lists for `token` at offsets -2, -1, 0, +1, +2 (memoised, for training)."""
        hit = self._cache.get(token)
        if hit is None:
            hit = self.token_features(token)
            self._cache[token] = hit
        return hit

    def token_features(self, token: str) -> tuple[tuple[str, ...], ...]:
        """Feature lists for `token` at offsets -2, -1, 0, +1, +2 (not memoised)."""
        values = self.token_values(token)
        # Tuples, not lists: the garbage collector stops tracking them, so a large cache
        # does not slow every collection down.
        return tuple(
            ((constant,) if constant else ()) + tuple(f"{prefix}{family}={values[k]}" for family, k in families)
            for prefix, constant, families in SLOT_LAYOUT[:5]
        )

    def token_values(self, token: str) -> tuple[str, ...]:
        """The token's value for each feature family, indexed as in SLOT_LAYOUT."""
        low = token.lower()
        shape = word_shape(token)
        if len(shape) > 6:
            shape = shape[:6]
        first = token[0]
        if first.isupper():
            case = "U" if (token.isupper() and len(token) > 1) else "T"
        elif first.isdigit():
            case = "D"
        elif first.isalpha():
            case = "L"
        else:
            case = "P"
        cue = "-"
        if low in PERSON_CUES:
            cue = "per"
        elif low in ORG_HEADS:
            cue = "org"
        elif low in PLACE_CUES:
            cue = "loc"
        ratio = self.cap_ratio.get(low)
        capb = "unk" if ratio is None else str(min(int(ratio * 5), 4))
        return (
            low,
            shape,
            case,
            low[-3:],
            low[-2:],
            low[:3],
            low[:2],
            cue,
            self.token_types.get(token, "-"),
            capb,
            capb + case,
            self.lexicon_tags.get(low, "-"),
            "1" if token in FUNCTION_WORDS else "0",
            str(min(len(token), 6)),
        )


# Feature families of token_values, by index.
W, SH, C, S3, S2, P3, P2, CUE, GZ, CR, CRC, LX, FW, LEN = range(14)
# Attributes a token contributes in each slot: (prefix, constant attribute, (family, value index)...).
# Slots: two before the centre, one before, the centre, one after, two after, and the extra
# attributes of a centre token that opens a sentence.
SLOT_LAYOUT = (
    ("-2:", "", (("w", W), ("c", C), ("cue", CUE), ("gz", GZ))),
    ("-1:", "", (("w", W), ("c", C), ("sh", SH), ("cue", CUE), ("gz", GZ), ("cr", CRC), ("lx", LX))),
    (
        "",
        "b",
        (
            ("w", W),
            ("sh", SH),
            ("c", C),
            ("s3", S3),
            ("s2", S2),
            ("p3", P3),
            ("p2", P2),
            ("cue", CUE),
            ("gz", GZ),
            ("cr", CR),
            ("cr|c", CRC),
            ("lx", LX),
            ("fw", FW),
            ("len", LEN),
        ),
    ),
    ("+1:", "", (("w", W), ("c", C), ("sh", SH), ("cue", CUE), ("gz", GZ), ("cr", CRC), ("lx", LX))),
    ("+2:", "", (("w", W), ("c", C), ("cue", CUE), ("gz", GZ))),
    ("bos|", "bos", (("w", W), ("cr|c", CRC))),
)


_PAD_BEFORE = (["-2:BOS"], ["-1:BOS"])
_PAD_AFTER = (["+1:EOS"], ["+2:EOS"])


def sequence_features(
    tokens: Sequence[str],
    cache: FeatureCache,
    sentence_start: Sequence[bool],
    span_tags: Mapping[int, str],
    positions: Sequence[int] | None = None,
) -> list[list[str]]:
    """CRF attribute lists for `positions` (default all) of a token sequence."""
    n = len(tokens)
    looked = [cache.lookup(t) for t in tokens]
    if positions is None:
        positions = range(n)
    out = []
    for i in positions:
        feats = list(looked[i][2])
        feats += looked[i - 1][1] if i >= 1 else _PAD_BEFORE[1]
        feats += looked[i - 2][0] if i >= 2 else _PAD_BEFORE[0]
        feats += looked[i + 1][3] if i + 1 < n else _PAD_AFTER[0]
        feats += looked[i + 2][4] if i + 2 < n else _PAD_AFTER[1]
        if sentence_start[i]:
            feats.append("bos")
            feats.append("bos|" + looked[i][2][1])  # bos|w=
            feats.append("bos|" + looked[i][2][11])  # bos|cr|c=: sentence-initial x capitalisation ratio
        tag = span_tags.get(i)
        if tag is not None:
            feats.append("gs=" + tag)
        out.append(feats)
    return out


def sentence_starts(tokens: Sequence[str], line_breaks: Sequence[bool] | None = None) -> list[bool]:
    """True where a token opens a sentence or a line (after `.`, `!`, `?`, an opening quote)."""
    starts = []
    prev_end = True
    for i, tok in enumerate(tokens):
        brk = line_breaks[i] if line_breaks is not None else False
        starts.append(prev_end or brk)
        if tok in SENTENCE_END:
            prev_end = True
        elif tok in QUOTES and prev_end:
            prev_end = True
        else:
            prev_end = False
    return starts

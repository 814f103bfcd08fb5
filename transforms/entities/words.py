"""Word lists and token tests that decide what can open, join, sit inside or end a name."""

from __future__ import annotations

from transforms.entities.features import FUNCTION_WORDS, ORG_HEADS

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
NAME_JOINERS = frozenset(
    {
        "dan",
        "of",
        "and",
        "the",
        "de",
        "da",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "binti",
        "ibn",
        "bte",
        "untuk",
        "y",
        "du",
        "di",
    }
)
HYPHEN_PREFIXES = ("anti-", "pro-", "pasca-", "pra-", "non-", "antar-", "eks-", "neo-")
NOT_NAMES = frozenset({"COVID", "COVID-19", "Covid", "Covid-19", "SARS", "MERS", "HIV", "AIDS", "PDB", "WIB"})
# Compass words alone are not places (`melawan Barat`, `Korea Utara dan Selatan`).
COMPASS_WORDS = frozenset({"Utara", "Selatan", "Barat", "Timur", "Tengah", "Tenggara", "Barat Daya", "Timur Laut"})

# Lowercase words that join two name tokens into one candidate run (`Kim dan Putin` is decoded as one run);
# narrower than NAME_JOINERS, the words a finished name may keep inside it.
RUN_JOINERS = frozenset("dan of and the de da van von der den la le al el bin binti ibn du y".split())
ARABIC_PREFIXES = ("al-", "el-", "ad-", "ar-", "as-")


def is_function_word(token: str) -> bool:
    """A function word that cannot open a name (`Ikatan` opens `Ikatan Ahli …`, so it can)."""
    return token in FUNCTION_WORDS and token.lower() not in ORG_HEADS


def breaks_name(token: str) -> bool:
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


def is_capitalised(token: str) -> bool:
    c = token[0]
    return c.isupper() or (c.isdigit() and any(ch.isupper() for ch in token))


def opens_name(token: str) -> bool:
    """Capitalised (`Kim`, `DPRK`, `Ó`) or an Arabic article before one (`al-Assad`)."""
    return token[0].isupper() or (token[:3] in ARABIC_PREFIXES and token[3:4].isupper())

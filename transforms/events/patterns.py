"""Grammar patterns of the events stage: clause breaks, prepositions, pronouns, hedges and titles.

Regular expressions over the raw sentence; each says in a comment which Indonesian
construction it recognises. Shared by actors.py, dating.py and coding.py.
"""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
GROUP_JOINER = re.compile(
    r"^\s*(?:,\s*)?(?:(?:dan|serta|maupun|&)(?:\s+[A-Z][\w.'-]*){0,4}|,)?\s*$"  # `Trump dan Presiden Korsel Moon`
)
PLACE_BEFORE = re.compile(
    r"(?:^|\s)(?:di|asal|dari\s+kota|di\s+kota(?:\s+pesisir)?|di\s+ibu\s*kota|di\s+wilayah|di\s+provinsi|di\s+negara|di\s+pangkalan|di\s+perairan|di\s+semenanjung)\s+$",
    re.IGNORECASE,
)
BOTH_START = re.compile(r"^\W*(?:keduanya|kedua\s+(?:negara|pemimpin|pihak))\b", re.IGNORECASE)
PRONOUN_START = re.compile(
    r"^\W*(?:dia|ia|mereka|beliau|pihaknya|keduanya|kedua\s+negara|kedua\s+pemimpin|negara\s+(?:tersebut|itu|ini))\b",
    re.IGNORECASE,
)
NEGATION_BEFORE = re.compile(
    r"(?:\b(?:tidak|tak|belum|bukan|enggan|batal|gagal|tanpa)(?:\s+(?:pernah|akan|mau|ingin|jadi|lagi))?\s+)$", re.IGNORECASE
)
# `sejak 2013`, `hingga akhir 2019`, `untuk 2018`: a bound or a purpose, not when the event happened
DURATIVE_BEFORE = re.compile(
    r"(?:sejak|hingga|sampai|selama|semenjak|untuk)\s+(?:awal\s+|akhir\s+|pertengahan\s+)?$", re.IGNORECASE
)
DURATIVE_SURFACE = re.compile(r"(?:sejak|hingga|sampai|selama|semenjak|untuk)\b", re.IGNORECASE)
OPENING_DATE = re.compile(r"^\W*(?:(?:pada|sejak|sebelumnya|kemudian|lalu)\s+)?$", re.IGNORECASE)
CONJUNCTION = re.compile(r"\b(?:dan|serta|maupun)\b|&", re.IGNORECASE)
PRONOUN_END = re.compile(r"\b(?:dia|ia|mereka|beliau|pihaknya)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
AGENT_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,4}oleh\s+$", re.IGNORECASE)
GENITIVE_GAP = re.compile(
    r"^(?:\s+(?!(?:yang|di|ke|dari|pada|dengan|oleh|untuk|atas|terhadap|antara|dan)\b)[a-z-]+|\s*\([^()]*\)){0,3}"
    r"(?:\s+[A-Z][\w.'-]*){0,5}\s*$"  # titles and the country they name: `Raja Arab Saudi`, `Menlu AS`
)
LIGHT_VERB_GAP = re.compile(
    r"^\s*,?\s*(?:(?:yang|sedang|tengah|telah|sudah|akan|kembali|juga|pun|langsung|resmi|sebelumnya|kemudian|lalu|"
    r"bahkan|sempat|pernah|baru|secara\s+[a-z]+)\s+)*"
    r"(?:melakukan|melancarkan|menggelar|mengadakan|meluncurkan|memulai|menjalani|mengirim|mengirimkan|"
    r"menyampaikan|mengeluarkan|melontarkan|melayangkan|memberikan|dalam)\s+(?:[a-z-]+\s+){0,2}$",
    re.IGNORECASE,
)
RELATIVE_TRIGGER = re.compile(r"\byang\s+(?:(?:telah|sudah|akan|sedang|tengah|juga|terus|kerap|pernah|baru)\s+)*$", re.IGNORECASE)
RELATIVE_AGENT = re.compile(r"\byang\s+(?:di\w+|\w+kan)\s+(?:oleh\s+)?$", re.IGNORECASE)
# a preposition governing the name right after it, titles allowed: `kepada Sekretaris Jenderal PBB, `
OBJECT_BEFORE = re.compile(
    r"\b(?:kepada|dengan|terhadap|untuk|oleh|bagi|dari)\s+(?:(?:para|pihak)\s+)?(?:[A-Z][\w.'-]*,?\s+){0,4}$"
)
# a preposition right before a name (two title words at most, no comma): `dengan Amerika Serikat`
GOVERNED_BEFORE = re.compile(r"\b(?:kepada|dengan|terhadap|untuk|oleh|bagi|dari)\s+(?:[A-Z][\w.'-]*\s+){0,2}$")
# a pronoun subject right before the trigger: `mereka juga menyerang`, `negara tersebut telah menolak`
PRONOUN_NEAR = re.compile(
    r"(?:^|[\s,])(?:dia|ia|mereka|beliau|keduanya|negara\s+(?:tersebut|itu|ini))\s+(?:(?:juga|pun|telah|sudah|akan|kembali|lalu|kemudian|"
    r"langsung|segera|pernah|sempat|bahkan|akhirnya|justru|tetap|masih|sedang|tengah)\s+){0,3}$",
    re.IGNORECASE,
)
SINGULAR_START = re.compile(r"^\W*(?:dia|ia|beliau)\b", re.IGNORECASE)
BETWEEN = re.compile(r"^\s*(?:[\w-]+\s+){0,3}antara\s+$", re.IGNORECASE)
# `dapat memasok`, `jika ... menyerang`: a possibility, not an event
HYPOTHETICAL_BEFORE = re.compile(
    r"(?:\b(?:dapat|bisa|mungkin|berpotensi|sanggup|mampu|siap|ingin|hendak|berencana|mempertimbangkan)(?:\s+\w+)?\s+$)"
    r"|(?:\b(?:jika|apabila|bila|kalau|seandainya|andaikan)\b[^,;]*$)",
    re.IGNORECASE,
)
# `kerap menuding`, `selalu menolak`: a habit, not an event
HABITUAL_BEFORE = re.compile(
    r"\b(?:kerap(?:\s+kali)?|sering(?:\s+kali)?|seringkali|acap\s+kali|selalu|biasanya|terus-menerus)\s+(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)
# `persiapan menyerang`, `untuk berperang melawan`: a purpose, not something that happened
PURPOSE_BEFORE = re.compile(
    r"\b(?:untuk|guna|demi|persiapan|rencana|rencananya|bertujuan|berniat|bersiap(?:\s+untuk)?)\s+$", re.IGNORECASE
)
# `sejak Jumat pekan lalu, ketika ARSA menyerang`: the `ketika` clause happened at that bound
SINCE_WHEN = re.compile(r"^\s*,?\s*ketika\b", re.IGNORECASE)
# `Presiden Turki, Recep Tayyip Erdogan`: a country after a title, before a comma and a name, is the title
TITLE_BEFORE = re.compile(
    r"\b(?:presiden|wakil\s+presiden|perdana\s+menteri|pm|raja|ratu|menteri(?:\s+[a-z]+){0,3}|menlu|kanselir|"
    r"pemimpin|duta\s+besar|dubes|juru\s+bicara|jubir|sekjen|panglima)\s+$",
    re.IGNORECASE,
)
# `Presiden Turki, ` right before a name: the comma opens an apposition, not a new clause
TITLE_APPOSITION = re.compile(
    r"(?i:\b(?:presiden|wakil\s+presiden|perdana\s+menteri|pm|raja|ratu|menteri(?:\s+[a-z]+){0,3}|menlu|kanselir|"
    r"pemimpin|duta\s+besar|dubes|juru\s+bicara|jubir|sekjen|panglima))\s+(?:[A-Z][\w.'-]*\s+){0,2}[A-Z][\w.'-]*\s*,\s*$"
)
# `diduga memasok`, `menuduh X memasok`: the content of an allegation is not asserted
ALLEGED_BEFORE = re.compile(
    r"\b(?:diduga|diyakini|dikabarkan|disebut-sebut|dituduh|dituding|dicurigai|tuduhan|tudingan|klaim|"
    r"(?:laporan|kabar)\s+bahwa)\b(?:\s+[\w-]+){0,4}\s+$",
    re.IGNORECASE,
)
# `menurut Reuters`, `dilansir AFP`: a source, not an actor
SOURCE_BEFORE = re.compile(
    r"\b(?:menurut|dikutip(?:\s+dari)?|dilansir(?:\s+dari)?|diberitakan|dilaporkan|melalui|via|laman|kantor\s+berita|surat\s+kabar|media)\s+$",
    re.IGNORECASE,
)
# Sources are not actors; regions, seas and sites are places, never actors.
NON_ACTOR_SUBTYPES = frozenset({"NEWS_AGENCY", "MEDIA", "NEWSPAPER", "PUBLISHER", "THINK_TANK", "UNIVERSITY"})
PLACE_ONLY_SUBTYPES = frozenset({"REGION", "CONTINENT", "SEA", "PLACE"})
# Words that close a clause: an actor on the far side belongs to another predicate.
CLAUSE_BREAK = re.compile(
    r"[,;:()\"“”]|\b(?:yang|bahwa|karena|sehingga|ketika|saat|setelah|sebelum|namun|tetapi|tapi|sementara|"
    r"untuk|guna|agar|supaya|jika|bila|apabila|sedangkan|serta|lalu|kemudian)\b",
    re.IGNORECASE,
)
SUBJECT_BREAK = re.compile(r"[;:]|\bbahwa\b", re.IGNORECASE)
# `, yang duduk di Politbiro ... ,` and `( ... )`: asides whose names are not the subject
ASIDE = re.compile(r",\s*yang\b[^,.;]*,|\([^()]*\)")
AGENT_MARK = re.compile(r"\boleh\s+$", re.IGNORECASE)
# the agent of a passive trigger: right after it (`dicaplok Israel`) or after `oleh` and a few common nouns
# (`ditangkap oleh kepolisian Slovenia`, `dibebaskan ... oleh pasukan Komunis China`)
PASSIVE_AGENT_GAP = re.compile(r"^\s*(?:(?:[\w-]+\s+){0,4}?oleh\s+(?:[a-z][\w-]*\s+){0,2}(?:[A-Z][\w-]*\s+)?)?$")
# a noun's source is its actor 1: `bantuan kemanusiaan dari Turki`, `penolakan dari Cina`
SOURCE_AFTER = re.compile(r"^\s*(?:[a-z][\w-]*\s+){0,2}dari\s+(?:(?:pihak|pemerintah(?:an)?|negara)\s+)?$")
RECEIVE_GAP = re.compile(
    r"^\s*(?:(?:telah|sudah|juga|akan|kembali)\s+)*(?:menerima|mendapat|mendapatkan|memperoleh)\s+(?:[a-z-]+\s+){0,2}$"
)
NOMINAL_RECIPIENT = re.compile(r"\b(?:ke|terhadap|atas|dengan|kepada|untuk|bagi)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)
NOMINAL_OBJECT = re.compile(r"\b(?:ke|terhadap|atas|dengan|kepada|antara)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)
# A sentence opening with its verb (`Mengecam resolusi itu, Iran mengumumkan ...`): nothing but
# punctuation or an adverb before the trigger, and the subject right after the clause's comma.
FRONTED_CLAUSE = re.compile(r"^\W*(?:(?:sebelumnya|sementara\s+itu|selain\s+itu|namun|kemudian)\s*,?\s*)?$", re.IGNORECASE)
FRONTED_SUBJECT_GAP = re.compile(r"^\s*(?:(?:[A-Z][\w.'-]*|para|pemerintah|pihak)\s+){0,4}$")
# `untuk` (or `bagi`) directly before a capitalised name: the recipient of the act, not a purpose clause
RECIPIENT_UNTUK = re.compile(r"\b(?:untuk|bagi)\s+(?:(?:pihak|pemerintah|rakyat|warga|negara)\s+)?$")

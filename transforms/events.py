"""Code events in Indonesian news: who did what to whom, when and where, in CAMEO.

Per sentence, a trigger from the trigger table (data/events/triggers.tsv, users
may add their own rows) gives the CAMEO code; actors and the place come from
the entity mentions of the entities stage; the date comes from the sentence's
date expression, resolved against the article's publication or dateline date.

Choices, documented once:
- actor 1 is the nearest actor group before the trigger in its clause (the
  Indonesian subject), actor 2 the first group after it in the same clause;
  passive triggers (`diserang oleh X`, `dicaplok X`, `ditangkap oleh kepolisian X`)
  swap them; a noun's `dari X` is its actor 1 (`bantuan dari Turki`, with the
  subject of `menerima` as actor 2); nominal triggers read the
  genitive after the noun (`invasi Rusia ke Ukraina`, `kunjungan Menlu AS Rex
  Tillerson ke Korsel`), `oleh X`, `antara X dan Y`, or a subject joined by a
  light verb (`Rusia melancarkan serangan`); a sentence opening with a pronoun
  (`Dia`, `Mereka`, `Keduanya`) borrows actors from earlier sentences (below);
- names are actors only when they can act: news agencies and media are
  sources, regions and seas are places, a country before a person's name is
  his title (`Presiden Rusia Vladimir Putin` -> Putin), names in asides
  (`, yang duduk di Politbiro ...,`) and after `menurut`/`dilansir` are skipped;
- coordinated actors (`Korea Selatan dan Jepang`) give one event per actor; a
  symmetric trigger with a coordinated subject pairs the subject, in a
  canonical order; meetings, visits, agreements, aid, criticism,
  rejection, threats, sanctions and arrests need an actor 2 (DYADIC_ROOTS);
- negation is a flag, not a code: `tidak menyerang`, or a trigger governed by a
  denial (`membantah mengirim pasukan`), is an event with is_negated = True
  (and a distinct event_id); the denial itself is its own event (016);
- possibilities (`dapat memasok`, `jika ... menyerang`), habits (`kerap
  menuding`), questions, purposes (`persiapan menyerang`, `untuk berperang`), speech
  inside a quotation and the content of an allegation (`diduga memasok`,
  `menuduh X memasok`) are not coded; every matched but uncoded trigger keeps
  a reason (extract_events_with_audit);
- a pronoun subject (`Dia`/`Ia` -> the most recent person, `Mereka` -> the
  first actor group, `negara tersebut` -> the first state or organisation,
  `Keduanya` -> the first two actors) borrows from the nearest of the
  PRONOUN_LOOKBACK previous sentences that has one; active triggers accept
  the pronoun right before them, nominal ones only at the sentence start;
- the date is the point date expression nearest the trigger in its sentence
  that no other trigger is nearer to, or one opening the sentence (`Pada
  Minggu pekan lalu, ...` dates all its events); ranges, decades and
  `sejak`/`hingga`/`untuk` bounds are excluded except `sejak X, ketika ...`;
  an undated re-mention of an event the article dates once elsewhere takes
  that date; otherwise null, never the publication date (inheriting the
  paragraph's previous date is available as INHERIT_SCOPE but measured worse
  on the dev half of the gold, so it is off). Relative expressions resolve
  against published_date, else a dated dateline; a week becomes month
  precision when it lies in one month.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import ahocorasick
import polars as pl

from transforms.dates import DateValue, find_date_expressions, parse_date

DEFAULT_TRIGGERS = Path(__file__).parents[1] / "data" / "events" / "triggers.tsv"
VOICES = ("active", "passive", "nominal")
# Codes that need a counterpart: a meeting, agreement, aid or sanction without actor 2 is not coded.
DYADIC_ROOTS = frozenset({"04", "06", "07", "11", "12", "13", "16", "17", "051", "054"})
VERBAL_ROOTS = frozenset({"01", "02", "03", "04", "05", "10", "11", "12", "13"})
ACTOR_TYPES = ("PERSON", "ORGANIZATION", "LOCATION")
MAX_GAP_WORDS = 4
MAX_ACTORS_PER_SIDE = 4
PRONOUN_LOOKBACK = 3  # previous sentences searched for a pronoun's antecedent
DATE_WINDOW = 240  # characters either side of a trigger searched for its date
INHERIT_SCOPE = "none"  # an undated event takes the nearest earlier date of: "none", "paragraph", "previous-paragraph"
SENTENCE_INITIAL_DATES = True
QUOTED_FILTER = True  # a trigger inside a quotation is speech, not a reported event

EVENTS_SCHEMA = {
    "event_id": pl.String,
    "event_code": pl.String,
    "root_code": pl.String,
    "label": pl.String,
    "event_date": pl.Date,
    "date_precision": pl.String,
    "actor1_entity_id": pl.String,
    "actor2_entity_id": pl.String,
    "location_entity_id": pl.String,
    "quad_class": pl.Int64,
    "is_negated": pl.Boolean,
    "num_articles": pl.Int64,
    "num_mentions": pl.Int64,
}
# Triggers matched but not coded, with why (nothing is dropped silently).
SKIP_REASONS = ("blocking_phrase", "hypothetical", "habitual", "purpose", "quoted", "question", "alleged", "repeats_verb", "no_actor1", "no_actor2")
SKIPPED_TRIGGERS_SCHEMA = {
    "article_id": pl.String,
    "trigger": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "event_code": pl.String,
    "reason": pl.String,
}
EVENT_MENTIONS_SCHEMA = {
    "event_id": pl.String,
    "article_id": pl.String,
    "sentence": pl.String,
    "trigger": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
}


@dataclass(frozen=True)
class Trigger:
    """One row of the trigger table."""

    pattern: str
    event_code: str
    root_code: str
    label: str
    voice: str
    symmetric: bool
    negates: bool


@dataclass(frozen=True)
class TriggerTable:
    """Triggers indexed by their first word; each phrase is an anchored regex tried only there."""

    triggers: tuple[Trigger, ...]
    by_first_word: dict[str, tuple[tuple[re.Pattern, int], ...]]  # `mengirim*` is keyed `mengirim`
    automaton: ahocorasick.Automaton  # first words, so a body is scanned once in C


def quad_class(root_code: str) -> int:
    """GDELT quad class: 1 verbal / 2 material cooperation, 3 verbal / 4 material conflict."""
    root = int(root_code)
    if root <= 5:
        return 1
    if root <= 8:
        return 2
    if root <= 13:
        return 3
    return 4


def _phrase_regex(phrase: str) -> str:
    """Regex for one phrase: `word*` suffix, `a/b` alternatives, `...` gap of a few words."""
    text = ""
    for token in phrase.split():
        if token in ("...", "…"):
            text += rf"(?:\s+(?:[^\s.!?;]|[.,](?=\w))+){{0,{MAX_GAP_WORDS}}}?"
            continue
        words = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in token.split("/")]
        text += (r"\s+" if text else "") + "(?:" + "|".join(words) + ")(?:nya)?"
    return rf"{text}(?![\w-])"


def parse_trigger_lines(lines: list[str]) -> list[Trigger]:
    """Triggers from TSV lines (comments `#` and the header row skipped)."""
    triggers: list[Trigger] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#") or line.startswith("pattern\t"):
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 7:
            raise ValueError(f"trigger line {number}: expected 7 tab-separated fields, got {len(fields)}")
        pattern, event_code, root_code, label, voice, symmetric, negates = (f.strip() for f in fields)
        if voice not in VOICES:
            raise ValueError(f"trigger line {number}: voice {voice!r} not in {VOICES}")
        if event_code == "-":  # a blocking phrase: `menahan diri` is not `menahan`
            triggers.append(Trigger(pattern.lower(), "-", "-", label, voice, False, False))
            continue
        if not (event_code.isdigit() and event_code[:2] == root_code and 1 <= int(root_code) <= 20):
            raise ValueError(f"trigger line {number}: event_code {event_code!r} does not start with root {root_code!r}")
        triggers.append(
            Trigger(pattern.lower(), event_code, root_code, label, voice, symmetric == "1", negates == "1")
        )
    return triggers


def build_trigger_table(triggers: list[Trigger]) -> TriggerTable:
    """Index triggers by first word; a later row overrides an earlier one for the same phrase."""
    phrases: dict[str, int] = {}
    for index, trigger in enumerate(triggers):
        for phrase in trigger.pattern.split("|"):
            phrases[" ".join(phrase.split())] = index
    by_word: dict[str, list[tuple[re.Pattern, int]]] = {}
    by_stem: dict[str, list[tuple[re.Pattern, int]]] = {}
    # Longer phrases first so `mengancam ... sanksi` is tried before `mengancam`.
    for phrase in sorted(phrases, key=lambda p: (-len(p.split()), -len(p))):
        compiled = re.compile(_phrase_regex(phrase), re.IGNORECASE)
        for word in phrase.split()[0].split("/"):
            if word.endswith("*"):
                by_stem.setdefault(word.rstrip("*"), []).append((compiled, phrases[phrase]))
            else:
                by_word.setdefault(word, []).append((compiled, phrases[phrase]))
    automaton = ahocorasick.Automaton()
    for word in by_word.keys() | by_stem.keys():
        automaton.add_word(word, (word, word in by_stem))
    automaton.make_automaton()
    merged = {word: tuple(by_word.get(word, [])) + tuple(by_stem.get(word, [])) for word in by_word.keys() | by_stem.keys()}
    return TriggerTable(tuple(triggers), merged, automaton)


def find_triggers(body: str, table: TriggerTable) -> list[tuple[int, int, Trigger]]:
    """Non-overlapping trigger matches, leftmost then longest, as (start, end, trigger)."""
    lowered = body.lower()
    if len(lowered) != len(body):  # a few characters lower-case to two (`İ`): keep offsets
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in body)
    starts: dict[int, list[str]] = {}
    for end, (word, is_stem) in table.automaton.iter(lowered):
        start = end - len(word) + 1
        if start > 0 and (lowered[start - 1].isalnum() or lowered[start - 1] in "_-"):
            continue
        if not is_stem:
            after = lowered[end + 1:end + 4]
            if lowered[end + 1:end + 2].isalnum() and after != "nya":
                continue
        starts.setdefault(start, []).append(word)
    found: list[tuple[int, int, Trigger]] = []
    resume = 0
    for start in sorted(starts):
        if start < resume:
            continue
        best: tuple[int, int] | None = None
        for word in starts[start]:
            for pattern, index in table.by_first_word[word]:
                match = pattern.match(body, start)
                if match and (best is None or match.end() > best[0]):
                    best = (match.end(), index)
        if best is not None:
            found.append((start, best[0], table.triggers[best[1]]))
            resume = best[0]
    return found


def load_triggers(path: Path | None = None, extra: Path | None = None) -> TriggerTable:
    """The trigger table from path (default data/events/triggers.tsv), plus an optional extra file."""
    lines = Path(path or DEFAULT_TRIGGERS).read_text(encoding="utf-8").splitlines()
    if extra is not None:
        lines += Path(extra).read_text(encoding="utf-8").splitlines()
    return build_trigger_table(parse_trigger_lines(lines))


# --- sentences, actors, places -------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
_GROUP_JOINER = re.compile(
    r"^\s*(?:,\s*)?(?:(?:dan|serta|maupun|&)(?:\s+[A-Z][\w.'-]*){0,4}|,)?\s*$"  # `Trump dan Presiden Korsel Moon`
)
_PLACE_BEFORE = re.compile(
    r"(?:^|\s)(?:di|asal|dari\s+kota|di\s+kota(?:\s+pesisir)?|di\s+ibu\s*kota|di\s+wilayah|di\s+provinsi|di\s+negara|di\s+pangkalan|di\s+perairan|di\s+semenanjung)\s+$",
    re.IGNORECASE,
)
_BOTH_START = re.compile(r"^\W*(?:keduanya|kedua\s+(?:negara|pemimpin|pihak))\b", re.IGNORECASE)
_PRONOUN_START = re.compile(
    r"^\W*(?:dia|ia|mereka|beliau|pihaknya|keduanya|kedua\s+negara|kedua\s+pemimpin|negara\s+(?:tersebut|itu|ini))\b",
    re.IGNORECASE,
)
_NEGATION_BEFORE = re.compile(r"(?:\b(?:tidak|tak|belum|bukan|enggan|batal)(?:\s+(?:pernah|akan|mau|ingin|jadi|lagi))?\s+)$", re.IGNORECASE)
# `sejak 2013`, `hingga akhir 2019`, `untuk 2018`: a bound or a purpose, not when the event happened
_DURATIVE_BEFORE = re.compile(r"(?:sejak|hingga|sampai|selama|semenjak|untuk)\s+(?:awal\s+|akhir\s+|pertengahan\s+)?$", re.IGNORECASE)
_DURATIVE_SURFACE = re.compile(r"(?:sejak|hingga|sampai|selama|semenjak|untuk)\b", re.IGNORECASE)
_OPENING_DATE = re.compile(r"^\W*(?:(?:pada|sejak|sebelumnya|kemudian|lalu)\s+)?$", re.IGNORECASE)
_CONJUNCTION = re.compile(r"\b(?:dan|serta|maupun)\b|&", re.IGNORECASE)
_PRONOUN_END = re.compile(r"\b(?:dia|ia|mereka|beliau|pihaknya)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_AGENT_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,4}oleh\s+$", re.IGNORECASE)
_GENITIVE_GAP = re.compile(
    r"^(?:\s+(?!(?:yang|di|ke|dari|pada|dengan|oleh|untuk|atas|terhadap|antara|dan)\b)[a-z-]+|\s*\([^()]*\)){0,3}"
    r"(?:\s+[A-Z][\w.'-]*){0,5}\s*$"  # titles and the country they name: `Raja Arab Saudi`, `Menlu AS`
)
_LIGHT_VERB_GAP = re.compile(
    r"^\s*,?\s*(?:(?:yang|sedang|tengah|telah|sudah|akan|kembali|juga|pun|langsung|resmi)\s+)*"
    r"(?:melakukan|melancarkan|menggelar|mengadakan|meluncurkan|memulai|menjalani|mengirim|mengirimkan|"
    r"menyampaikan|mengeluarkan|melontarkan|melayangkan|memberikan|dalam)\s+(?:[a-z-]+\s+){0,2}$",
    re.IGNORECASE,
)
_RELATIVE_TRIGGER = re.compile(
    r"\byang\s+(?:(?:telah|sudah|akan|sedang|tengah|juga|terus|kerap|pernah|baru)\s+)*$", re.IGNORECASE
)
_RELATIVE_AGENT = re.compile(r"\byang\s+(?:di\w+|\w+kan)\s+(?:oleh\s+)?$", re.IGNORECASE)
# a preposition governing the name right after it, titles allowed: `kepada Sekretaris Jenderal PBB, `
_OBJECT_BEFORE = re.compile(
    r"\b(?:kepada|dengan|terhadap|untuk|oleh|bagi|dari)\s+(?:(?:para|pihak)\s+)?(?:[A-Z][\w.'-]*,?\s+){0,4}$"
)
# a preposition right before a name (two title words at most, no comma): `dengan Amerika Serikat`
_GOVERNED_BEFORE = re.compile(r"\b(?:kepada|dengan|terhadap|untuk|oleh|bagi|dari)\s+(?:[A-Z][\w.'-]*\s+){0,2}$")
# a pronoun subject right before the trigger: `mereka juga menyerang`, `negara tersebut telah menolak`
_PRONOUN_NEAR = re.compile(
    r"(?:^|[\s,])(?:dia|ia|mereka|beliau|keduanya|negara\s+(?:tersebut|itu|ini))\s+(?:(?:juga|pun|telah|sudah|akan|kembali|lalu|kemudian|"
    r"langsung|segera|pernah|sempat|bahkan|akhirnya|justru|tetap|masih|sedang|tengah)\s+){0,3}$",
    re.IGNORECASE,
)
_SINGULAR_START = re.compile(r"^\W*(?:dia|ia|beliau)\b", re.IGNORECASE)
_BETWEEN = re.compile(r"^\s*(?:[\w-]+\s+){0,3}antara\s+$", re.IGNORECASE)
# `dapat memasok`, `jika ... menyerang`: a possibility, not an event
_HYPOTHETICAL_BEFORE = re.compile(
    r"(?:\b(?:dapat|bisa|mungkin|berpotensi|sanggup|mampu|siap|ingin|hendak|berencana|mempertimbangkan)(?:\s+\w+)?\s+$)"
    r"|(?:\b(?:jika|apabila|bila|kalau|seandainya|andaikan)\b[^,;]*$)",
    re.IGNORECASE,
)
# `kerap menuding`, `selalu menolak`: a habit, not an event
_HABITUAL_BEFORE = re.compile(
    r"\b(?:kerap(?:\s+kali)?|sering(?:\s+kali)?|seringkali|acap\s+kali|selalu|biasanya|terus-menerus)\s+(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)
# `persiapan menyerang`, `untuk berperang melawan`: a purpose, not something that happened
_PURPOSE_BEFORE = re.compile(
    r"\b(?:untuk|guna|demi|persiapan|rencana|rencananya|bertujuan|berniat|bersiap(?:\s+untuk)?)\s+$", re.IGNORECASE
)
# `sejak Jumat pekan lalu, ketika ARSA menyerang`: the `ketika` clause happened at that bound
_SINCE_WHEN = re.compile(r"^\s*,?\s*ketika\b", re.IGNORECASE)
# `Presiden Turki, Recep Tayyip Erdogan`: a country after a title, before a comma and a name, is the title
_TITLE_BEFORE = re.compile(
    r"\b(?:presiden|wakil\s+presiden|perdana\s+menteri|pm|raja|ratu|menteri(?:\s+[a-z]+){0,3}|menlu|kanselir|"
    r"pemimpin|duta\s+besar|dubes|juru\s+bicara|jubir|sekjen|panglima)\s+$",
    re.IGNORECASE,
)
# `Presiden Turki, ` right before a name: the comma opens an apposition, not a new clause
_TITLE_APPOSITION = re.compile(
    r"(?i:\b(?:presiden|wakil\s+presiden|perdana\s+menteri|pm|raja|ratu|menteri(?:\s+[a-z]+){0,3}|menlu|kanselir|"
    r"pemimpin|duta\s+besar|dubes|juru\s+bicara|jubir|sekjen|panglima))\s+(?:[A-Z][\w.'-]*\s+){0,2}[A-Z][\w.'-]*\s*,\s*$"
)
# `diduga memasok`, `menuduh X memasok`: the content of an allegation is not asserted
_ALLEGED_BEFORE = re.compile(
    r"\b(?:diduga|diyakini|dikabarkan|disebut-sebut|dituduh|dituding|dicurigai|tuduhan|tudingan|klaim|"
    r"(?:laporan|kabar)\s+bahwa)\b(?:\s+[\w-]+){0,4}\s+$",
    re.IGNORECASE,
)
# `menurut Reuters`, `dilansir AFP`: a source, not an actor
_SOURCE_BEFORE = re.compile(
    r"\b(?:menurut|dikutip(?:\s+dari)?|dilansir(?:\s+dari)?|diberitakan|dilaporkan|melalui|via|laman|kantor\s+berita|surat\s+kabar|media)\s+$",
    re.IGNORECASE,
)
# Sources are not actors; regions, seas and sites are places, never actors.
NON_ACTOR_SUBTYPES = frozenset({"NEWS_AGENCY", "MEDIA", "NEWSPAPER", "PUBLISHER", "THINK_TANK", "UNIVERSITY"})
PLACE_ONLY_SUBTYPES = frozenset({"REGION", "CONTINENT", "SEA", "PLACE"})
# Words that close a clause: an actor on the far side belongs to another predicate.
_CLAUSE_BREAK = re.compile(
    r"[,;:()\"“”]|\b(?:yang|bahwa|karena|sehingga|ketika|saat|setelah|sebelum|namun|tetapi|tapi|sementara|"
    r"untuk|guna|agar|supaya|jika|bila|apabila|sedangkan|serta|lalu|kemudian)\b",
    re.IGNORECASE,
)
_SUBJECT_BREAK = re.compile(r"[;:]|\bbahwa\b", re.IGNORECASE)
# `, yang duduk di Politbiro ... ,` and `( ... )`: asides whose names are not the subject
_ASIDE = re.compile(r",\s*yang\b[^,.;]*,|\([^()]*\)")
_AGENT_MARK = re.compile(r"\boleh\s+$", re.IGNORECASE)
# the agent of a passive trigger: right after it (`dicaplok Israel`) or after `oleh` and a few common nouns
# (`ditangkap oleh kepolisian Slovenia`, `dibebaskan ... oleh pasukan Komunis China`)
_PASSIVE_AGENT_GAP = re.compile(r"^\s*(?:(?:[\w-]+\s+){0,4}?oleh\s+(?:[a-z][\w-]*\s+){0,2}(?:[A-Z][\w-]*\s+)?)?$")
# a noun's source is its actor 1: `bantuan kemanusiaan dari Turki`, `penolakan dari Cina`
_SOURCE_AFTER = re.compile(r"^\s*(?:[a-z][\w-]*\s+){0,2}dari\s+(?:(?:pihak|pemerintah(?:an)?|negara)\s+)?$")
_RECEIVE_GAP = re.compile(r"^\s*(?:(?:telah|sudah|juga|akan|kembali)\s+)*(?:menerima|mendapat|mendapatkan|memperoleh)\s+(?:[a-z-]+\s+){0,2}$")
_NOMINAL_RECIPIENT = re.compile(r"\b(?:ke|terhadap|atas|dengan|kepada|untuk|bagi)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)
_NOMINAL_OBJECT = re.compile(r"\b(?:ke|terhadap|atas|dengan|kepada|antara)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)


class Mention(NamedTuple):
    """An entity mention, as the events stage needs it (a tuple: built by the thousand)."""

    start: int
    end: int
    entity_id: str
    type: str
    subtype: str | None = None


def sentence_bounds(body: str, position: int) -> tuple[int, int]:
    """(start, end) of the sentence holding position, found without splitting the whole body."""
    low = max(0, position - 700)
    start, cursor = low, position
    while cursor > low:  # walk back over candidate punctuation until one is a real boundary
        mark = max(body.rfind(".", low, cursor), body.rfind("!", low, cursor), body.rfind("?", low, cursor), body.rfind("\n", low, cursor))
        if mark < 0:
            break
        boundary = _SENTENCE_END.match(body, mark if body[mark] == "\n" else mark + 1)
        if boundary and boundary.end() <= position:
            start = boundary.end()
            break
        cursor = mark
    end, cursor = len(body), position
    high = min(len(body), position + 2000)
    while cursor < high:
        marks = [m for m in (body.find(c, cursor, high) for c in ".!?\n") if m >= 0]
        if not marks:
            end = high if high < len(body) else len(body)
            break
        mark = min(marks)
        boundary = _SENTENCE_END.match(body, mark if body[mark] == "\n" else mark + 1)
        if boundary:
            end = boundary.start()
            break
        cursor = mark + 1
    return start, end


def _actor_mentions(
    body: str, mentions: list[Mention], asides: list[tuple[int, int]] = ()
) -> tuple[list[Mention], list[Mention]]:
    """Split sentence mentions into actors and places (`di Wonsan`), dropping title countries.

    In `Presiden Rusia Vladimir Putin` the country qualifies the person, who is the actor.
    """
    actors: list[Mention] = []
    places: list[Mention] = []
    for index, mention in enumerate(mentions):
        before = body[max(0, mention.start - 30):mention.start]
        if mention.subtype in NON_ACTOR_SUBTYPES:
            continue
        if mention.type == "LOCATION" and (mention.subtype in PLACE_ONLY_SUBTYPES or _PLACE_BEFORE.search(before)):
            places.append(mention)
            continue
        if any(a <= mention.start and mention.end <= b for a, b in asides):
            continue
        if _SOURCE_BEFORE.search(before):
            continue
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if (
            following is not None
            and mention.type in ("LOCATION", "ORGANIZATION")
            and following.type == "PERSON"
            and (
                body[mention.end:following.start].strip(" ") == ""
                or (body[mention.end:following.start].strip(" ") == "," and _TITLE_BEFORE.search(before))
            )
        ):
            continue
        actors.append(mention)
    return actors, places


def _groups(body: str, actors: list[Mention]) -> list[list[Mention]]:
    """Runs of coordinated actors: `Korea Selatan dan Kuba`, `Rusia, China, serta Iran`."""
    runs: list[list[Mention]] = []
    for mention in actors:
        if runs and _GROUP_JOINER.match(body[runs[-1][-1].end:mention.start]):
            if mention.entity_id not in {m.entity_id for m in runs[-1]}:
                runs[-1].append(mention)
            continue
        runs.append([mention])
    # A run joined by commas only is an apposition (`Myanmar, Thaung Tun,`): each name stands alone.
    groups: list[list[Mention]] = []
    for run in runs:
        joiners = [body[a.end:b.start] for a, b in zip(run, run[1:])]
        if len(run) > 1 and not any(_CONJUNCTION.search(j) for j in joiners):
            groups.extend([m] for m in run)
        else:
            groups.append(run)
    return groups


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen: dict[str, Mention] = {}
    for mention in mentions:
        seen.setdefault(mention.entity_id, mention)
    return list(seen.values())[:MAX_ACTORS_PER_SIDE]


def _sides(
    body: str, voice: str, t_start: int, t_end: int, groups: list[list[Mention]], verbal: bool = False
) -> tuple[list[Mention], list[Mention]]:
    """(actor 1 candidates, actor 2 candidates) for one trigger, within its clause."""
    before = [g for g in groups if g[-1].end <= t_start]
    after = [g for g in groups if g[0].start >= t_end]
    subject: list[Mention] = []
    # `Rusia telah bergabung dengan China dalam menentang`: a name after a preposition is not the subject
    while (
        len(before) > 1
        and _GOVERNED_BEFORE.search(body[max(0, before[-1][0].start - 30):before[-1][0].start])
        and not _CLAUSE_BREAK.search(body[before[-1][-1].end:t_start])  # `terhadap Pyongyang karena ...`: a new clause
    ):
        before = before[:-1]
    relative = _RELATIVE_TRIGGER.search(body[max(0, t_start - 40):t_start])
    if relative:
        # `kelompok-kelompok yang menyerang AS`: the actor is the head right before `yang`, or nobody
        head = [g for g in before if len(body[g[-1].end:t_start].split()) <= 1 + len(relative.group(0).split())]
        before = head[-1:]
    if before:
        gap = body[before[-1][-1].end:t_start]
        if _PRONOUN_END.search(gap):
            # `Kim bertemu Shoigu ..., sementara dia bertemu dengan Li`: `dia` is the sentence's subject
            subject = before[0]
        elif not _SUBJECT_BREAK.search(gap) and len(gap.split()) <= 12:
            subject = before[-1]
            # `Pasukan Suriah dan milisi yang didukung Iran melancarkan`: Iran sits in a relative clause
            if len(before) > 1 and _RELATIVE_AGENT.search(body[max(0, subject[0].start - 30):subject[0].start]):
                subject = before[-2]
    near_after = []
    for group in after:
        gap = body[t_end:group[0].start]
        apposition = _TITLE_APPOSITION.search(gap)
        if apposition:  # `dengan Presiden Turki, Recep Tayyip Erdogan`
            gap = gap[:apposition.start()] + apposition.group(0).replace(",", " ")
        if verbal and re.fullmatch(r"\s*bahwa\s+", gap, re.IGNORECASE):
            near_after.append(group)  # `memperingatkan bahwa AS ...`: the warned party
            break
        # a quoted phrase of a verbal trigger stays in its clause: `mengecam " serangan sistematis " aparat Myanmar`
        checked = re.sub(r"[\"“”]", " ", gap) if verbal else gap
        if len(gap.split()) > 8 or _CLAUSE_BREAK.search(checked):
            break
        near_after.append(group)
    if voice == "passive":
        agent = next((g for g in after if _AGENT_MARK.search(body[max(t_end, g[0].start - 10):g[0].start])), [])
        if not agent and near_after and _PASSIVE_AGENT_GAP.match(body[t_end:near_after[0][0].start]):
            agent = near_after[0]
        return agent, subject
    if voice == "nominal":
        first_after = after[0] if after else []
        if first_after and _BETWEEN.search(body[t_end:first_after[0].start]):
            return first_after, []  # `pertemuan antara X dan Y`: the pair is the group
        if first_after and _AGENT_AFTER.search(body[t_end:first_after[0].start]):
            return first_after, []  # `peluncuran rudal oleh Korea Utara`
        if first_after and _SOURCE_AFTER.match(body[t_end:first_after[0].start]):
            rest = [g for g in after if g is not first_after]
            recipient = next(
                (g for g in rest[:1] if _NOMINAL_RECIPIENT.search(body[first_after[-1].end:g[0].start][-40:])), []
            )
            if not recipient and subject and _RECEIVE_GAP.match(body[subject[-1].end:t_start]):
                recipient = subject  # `Myanmar menerima bantuan dari Turki`
            return first_after, recipient
        if first_after and _GENITIVE_GAP.match(body[t_end:first_after[0].start]):
            actor1 = first_after  # genitive: `kunjungan Raja Salman`, `invasi Rusia`
            rest = [g for g in after if g is not first_after]
            actor2 = next(
                (g for g in rest if _NOMINAL_OBJECT.search(body[first_after[-1].end:g[0].start][-40:])), []
            )
            return actor1, actor2
        actor2 = next(
            (g for g in near_after if _NOMINAL_OBJECT.search(body[t_end:g[0].start][-40:].replace(",", " "))), []
        )
        # a noun takes the subject only through a light verb: `Rusia melancarkan serangan`
        close_subject = subject if subject and _LIGHT_VERB_GAP.match(body[subject[-1].end:t_start]) else []
        return close_subject, actor2
    return subject, near_after[0] if near_after else []


def _inside_quote(body: str, s_start: int, t_start: int) -> bool:
    """Whether the trigger sits inside an open quotation (an odd number of quote marks before it in its paragraph)."""
    floor = body.rfind("\n", 0, s_start) + 1
    stretch = body[floor:t_start]
    straight = stretch.count('"')
    return straight % 2 == 1 or stretch.count("“") > stretch.count("”")


def _pronoun_subject(clause: str, voice: str) -> str | None:
    """Kind of pronoun subject of a trigger ("person", "pair", "group"), read from the text before it.

    Active triggers take a pronoun right before them (`Namun kenyataannya, mereka juga menyerang`) or
    opening the sentence; nominal ones only a sentence-opening pronoun (`Ia ... dalam perbincangan dengan X`).
    """
    match = _PRONOUN_START.match(clause) or (_PRONOUN_NEAR.search(clause) if voice == "active" else None)
    if match is None:
        return None
    word = match.group(0).strip(" ,\"“'").lower()
    if _BOTH_START.match(word):
        return "pair"
    if _SINGULAR_START.match(word):
        return "person"
    if word.startswith("negara"):
        return "state"
    return "group"


def _antecedent(
    body: str, mentions: list[Mention], mention_starts: list[int], s_start: int, kind: str
) -> list[Mention]:
    """Actor a pronoun stands for: the most recent person (`Dia`/`Ia`), the first two actors (`Keduanya`)
    or the first actor group (`Mereka`, `negara tersebut`) of the nearest of the PRONOUN_LOOKBACK previous sentences holding one."""
    cursor = s_start
    for _ in range(PRONOUN_LOOKBACK):
        if cursor <= 0:
            break
        p_start, p_end = sentence_bounds(body, max(0, cursor - 2))
        plo, phi = bisect.bisect_left(mention_starts, p_start), bisect.bisect_left(mention_starts, p_end)
        cursor = p_start
        previous_actors = _actor_mentions(body, mentions[plo:phi])[0]
        if not previous_actors:
            continue
        if kind == "pair":
            return _unique(previous_actors)[:2]
        if kind == "person":
            persons = [
                m for m in previous_actors
                if m.type == "PERSON" and not _OBJECT_BEFORE.search(body[max(p_start, m.start - 40):m.start])
            ]
            if persons:
                return [persons[0]]
            continue
        states = [m for m in previous_actors if m.type != "PERSON"] if kind == "state" else previous_actors
        if states:
            return _groups(body, states)[0]
    return []


def _place_for(places: list[Mention], t_start: int) -> Mention | None:
    """The place phrase nearest the trigger, preferring one after it."""
    if not places:
        return None
    after = [p for p in places if p.start >= t_start]
    return after[0] if after else places[-1]


def _point_value(text: str, mention) -> tuple[dt.date, str] | None:
    """(date, precision) of a date expression that can date an event: no range of years, no `sejak` bound."""
    value = mention.value
    if value is None:
        return None
    if value.end is not None:
        if value.precision == "day" and (value.end.year, value.end.month) == (value.date.year, value.date.month):
            value = DateValue(value.date.replace(day=1), "month")  # `1 - 9 Maret 2017`: that month
        else:
            return None  # a range of years or a decade is a period, not an event date
    if (
        _DURATIVE_BEFORE.search(text[max(0, mention.start - 25):mention.start]) or _DURATIVE_SURFACE.match(mention.surface)
    ) and not _SINCE_WHEN.match(text[mention.end:mention.end + 12]):
        return None
    if value.precision == "week":  # coarsen: a week inside one month is that month
        last = value.date + dt.timedelta(days=6)
        if last.month == value.date.month:
            return value.date.replace(day=1), "month"
        if last.year == value.date.year:
            return value.date.replace(month=1, day=1), "year"
        return None
    return value.date, value.precision


def _event_date(
    sentence: str, offset: int, t_start: int, reference: dt.date | None, trigger_starts: list[int] = ()
) -> tuple[dt.date | None, str | None]:
    """Date of the event: the point date expression nearest the trigger, or nothing.

    A date nearer another trigger of the sentence is that event's date (`mendukung pernyataan Iran
    ... pasca serangan Hamas pada 7 Oktober 2023` dates the attack, not the support), unless it
    opens the sentence (`Pada Minggu pekan lalu, Pyongyang menguji ..., bertepatan dengan kunjungan`):
    a sentence-initial adverbial dates every event of the sentence.
    """
    best: tuple[int, tuple[dt.date, str] | None] | None = None
    # Only the stretch around the trigger can date it; long sentences are clipped for speed.
    window_start = max(0, t_start - offset - DATE_WINDOW)
    window = sentence[window_start:t_start - offset + DATE_WINDOW]
    offset += window_start
    for mention in find_date_expressions(window, reference):
        position = offset + mention.start
        opening = SENTENCE_INITIAL_DATES and position < t_start and _OPENING_DATE.match(sentence[:position - offset + window_start])
        if not opening and any(abs(position - other) < abs(position - t_start) for other in trigger_starts if other != t_start):
            continue
        value = _point_value(window, mention)
        if value is None:
            continue
        distance = abs(position - t_start)
        if best is None or distance < best[0]:
            best = (distance, value)
    if best is None or best[1] is None:
        return None, None
    return best[1]


def _inherited_date(
    article_dates: list[tuple[int, dt.date, str]], body: str, s_start: int
) -> tuple[dt.date | None, str | None]:
    """The nearest point date before the sentence in its paragraph (INHERIT_SCOPE), or nothing."""
    if INHERIT_SCOPE == "none":
        return None, None
    floor = body.rfind("\n", 0, s_start) + 1
    if INHERIT_SCOPE == "previous-paragraph" and floor > 0:
        floor = body.rfind("\n", 0, max(0, floor - 1)) + 1
        while floor > 0 and not body[floor:s_start].strip("\n").count("\n") and body[floor - 1] == "\n":
            floor = body.rfind("\n", 0, floor - 1) + 1
    before = [d for d in article_dates if floor <= d[0] < s_start]
    if not before:
        return None, None
    return before[-1][1], before[-1][2]


def event_id_for(
    event_code: str, actor1: str | None, actor2: str | None, event_date: dt.date | None,
    date_precision: str | None, is_negated: bool = False,
) -> str:
    """Deterministic id: same code, actors, date and precision -> same event in every article."""
    key = "|".join([event_code, actor1 or "", actor2 or "", event_date.isoformat() if event_date else "", date_precision or ""])
    if is_negated:
        key += "|negated"
    return "ev_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def reference_date(published_date: dt.date | None, dateline: str | None) -> dt.date | None:
    """The date relative expressions are resolved against: publication date, else a dated dateline."""
    if published_date is not None:
        return published_date
    if dateline:
        value = parse_date(dateline)
        if value is not None and value.precision == "day":
            return value.date
    return None


def code_article(
    body: str, mentions: list[Mention], triggers: TriggerTable, reference: dt.date | None,
    matches: list[tuple[int, int, Trigger]] | None = None,
) -> tuple[list[dict], list[dict]]:
    """(event rows, one per coded event mention; skipped triggers with a reason) for one article body."""
    if matches is None:
        matches = find_triggers(body, triggers)
    if not matches:
        return [], []
    mention_starts = [m.start for m in mentions]
    sentences: list[tuple[int, int, list[tuple[int, int, Trigger]]]] = []
    for match in matches:
        if sentences and match[0] < sentences[-1][1]:
            sentences[-1][2].append(match)
        else:
            sentences.append((*sentence_bounds(body, match[0]), [match]))

    rows: list[dict] = []
    skipped: list[dict] = []
    article_dates: list[tuple[int, dt.date, str]] | None = None  # found lazily: most events are dated in their sentence
    for s_start, s_end, found in sentences:
        sentence = body[s_start:s_end]
        lo, hi = bisect.bisect_left(mention_starts, s_start), bisect.bisect_left(mention_starts, s_end)
        asides = [(s_start + m.start(), s_start + m.end()) for m in _ASIDE.finditer(sentence)]
        actors, places = _actor_mentions(body, mentions[lo:hi], asides)
        groups = _groups(body, actors)
        verbal_roots = {t.root_code for _, _, t in found if t.voice != "nominal"}
        trigger_starts = []
        previous = -1
        for t_start, t_end, trigger in found:
            repeats = trigger.voice == "nominal" and (
                (previous >= 0 and len(body[previous:t_start].split()) <= 3) or trigger.root_code in verbal_roots
            )
            if trigger.event_code != "-" and not repeats:
                trigger_starts.append(t_start)
            previous = t_end
        previous_end, previous_code = -1, ""
        negating_end = -1
        for t_start, t_end, trigger in found:

            def skip(reason: str) -> None:
                skipped.append({"trigger": body[t_start:t_end], "start_char": t_start, "end_char": t_end,
                                "event_code": trigger.event_code, "reason": reason})

            if trigger.event_code == "-":
                skip("blocking_phrase")
                continue
            follows_trigger = previous_end >= 0 and len(body[previous_end:t_start].split()) <= 3
            is_negated = bool(_NEGATION_BEFORE.search(body[max(s_start, t_start - 30):t_start])) or (
                negating_end >= 0 and len(body[negating_end:t_start].split()) <= 4
            )
            prefix = body[max(s_start, t_start - 60):t_start]
            accused = previous_code.startswith("112") and len(body[previous_end:t_start].split()) <= 4
            previous_end, previous_code = t_end, trigger.event_code
            if trigger.negates:
                negating_end = t_end
            if _HYPOTHETICAL_BEFORE.search(prefix):
                skip("hypothetical")
                continue
            if _HABITUAL_BEFORE.search(prefix):
                skip("habitual")
                continue
            if _PURPOSE_BEFORE.search(prefix):
                skip("purpose")
                continue
            if sentence.rstrip(" \"”’)").endswith("?"):
                skip("question")
                continue
            if QUOTED_FILTER and _inside_quote(body, s_start, t_start):
                skip("quoted")
                continue
            if _ALLEGED_BEFORE.search(prefix) or accused:
                skip("alleged")
                continue
            # `menjadi tuan rumah pertemuan puncak`: the noun repeats the verb's event
            if trigger.voice == "nominal" and (follows_trigger or trigger.root_code in verbal_roots):
                skip("repeats_verb")
                continue
            side1, side2 = _sides(body, trigger.voice, t_start, t_end, groups, trigger.root_code in VERBAL_ROOTS)
            if not side1 and trigger.voice != "passive" and s_start > 0:
                pronoun = _pronoun_subject(body[s_start:t_start], trigger.voice)
                if pronoun is not None:
                    side1 = _antecedent(body, mentions, mention_starts, s_start, pronoun)
            if trigger.negates:
                side2 = []  # a denial's object is the denied claim, not a party
            side1, side2 = _unique(side1), _unique(side2)
            place = _place_for(places, t_start)
            if trigger.event_code.startswith("04") and not side2 and place is not None and trigger.event_code != "040":
                side2 = [place]  # `tiba di Moskow`: the visited place is the host
            dyadic = trigger.root_code in DYADIC_ROOTS or trigger.event_code in DYADIC_ROOTS
            if dyadic and not side2 and len(side1) < 2:
                skip("no_actor1" if not side1 else "no_actor2")
                continue
            pairs: list[tuple[str, str | None]] = []
            if trigger.symmetric and len(side1) >= 2 and (not side2 or _CONJUNCTION.search(body[side1[0].end:side1[-1].start])):
                pairs = [(a.entity_id, b.entity_id) for i, a in enumerate(side1) for b in side1[i + 1:]]
            else:
                pairs = [
                    (a.entity_id, b.entity_id if b else None)
                    for a in side1 for b in (side2 or [None]) if b is None or b.entity_id != a.entity_id
                ]
            if dyadic:
                pairs = [pair for pair in pairs if pair[1] is not None]
            if not pairs:
                skip("no_actor1" if not side1 else "no_actor2")
                continue
            event_date, precision = _event_date(sentence, s_start, t_start, reference, trigger_starts)
            if event_date is None and INHERIT_SCOPE != "none":
                if article_dates is None:
                    article_dates = [
                        (m.start, *value) for m in find_date_expressions(body, reference)
                        if (value := _point_value(body, m)) is not None
                    ]
                event_date, precision = _inherited_date(article_dates, body, s_start)
            for actor1, actor2 in pairs:
                if trigger.symmetric and actor2 is not None and actor2 < actor1:
                    actor1, actor2 = actor2, actor1
                rows.append({
                    "event_id": event_id_for(trigger.event_code, actor1, actor2, event_date, precision, is_negated),
                    "event_code": trigger.event_code,
                    "root_code": trigger.root_code,
                    "label": trigger.label,
                    "event_date": event_date,
                    "date_precision": precision,
                    "actor1_entity_id": actor1,
                    "actor2_entity_id": actor2,
                    "location_entity_id": place.entity_id if place else None,
                    "quad_class": quad_class(trigger.root_code),
                    "is_negated": is_negated,
                    "sentence": sentence,
                    "trigger": body[t_start:t_end],
                    "start_char": t_start,
                    "end_char": t_end,
                })
    return rows, skipped


def _date_rementions(rows: list[dict]) -> list[dict]:
    """An undated mention of an event the same article dates once elsewhere is that dated event."""
    dated: dict[tuple, set[tuple]] = {}
    for row in rows:
        if row["event_date"] is not None:
            key = (row["article_id"], row["event_code"], row["actor1_entity_id"], row["actor2_entity_id"], row["is_negated"])
            dated.setdefault(key, set()).add((row["event_date"], row["date_precision"]))
    for row in rows:
        key = (row["article_id"], row["event_code"], row["actor1_entity_id"], row["actor2_entity_id"], row["is_negated"])
        if row["event_date"] is None and len(dated.get(key, ())) == 1:
            (row["event_date"], row["date_precision"]), = dated[key]
            row["event_id"] = event_id_for(
                row["event_code"], row["actor1_entity_id"], row["actor2_entity_id"],
                row["event_date"], row["date_precision"], row["is_negated"],
            )
    return rows


def extract_events(
    articles: pl.DataFrame, mentions: pl.DataFrame, triggers: TriggerTable
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(events, event_mentions) for a batch of articles; events deduplicated by event_id."""
    events, event_mentions, _skipped = extract_events_with_audit(articles, mentions, triggers)
    return events, event_mentions


def extract_events_with_audit(
    articles: pl.DataFrame, mentions: pl.DataFrame, triggers: TriggerTable
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(events, event_mentions, skipped_triggers): every matched trigger is coded or has a reason."""
    usable = mentions.filter(pl.col("type").is_in(ACTOR_TYPES)).sort("article_id", "start_char", "end_char")
    if "subtype" not in usable.columns:
        usable = usable.with_columns(subtype=pl.lit(None, dtype=pl.String))
    mention_columns = [usable[c].to_list() for c in ("start_char", "end_char", "entity_id", "type", "subtype")]
    # Row range of each article's mentions; Mention objects are built only for articles with a trigger.
    ranges = (
        usable.with_row_index("row").group_by("article_id")
        .agg(pl.col("row").min().alias("lo"), (pl.col("row").max() + 1).alias("hi"))
    )
    article_rows = dict(zip(ranges["article_id"].to_list(), zip(ranges["lo"].to_list(), ranges["hi"].to_list())))

    def article_mentions(article_id: str) -> list[Mention]:
        lo, hi = article_rows.get(article_id, (0, 0))
        return [Mention(*fields) for fields in zip(*(column[lo:hi] for column in mention_columns))]

    n = articles.height
    published = articles["published_date"].to_list() if "published_date" in articles.columns else [None] * n
    datelines = articles["dateline"].to_list() if "dateline" in articles.columns else [None] * n
    rows: list[dict] = []
    skipped: list[dict] = []
    for article_id, body, published_date, dateline in zip(
        articles["article_id"].to_list(), articles["body"].to_list(), published, datelines
    ):
        body = body or ""
        matches = find_triggers(body, triggers)
        if not matches:
            continue
        reference = reference_date(published_date, dateline)
        coded_rows, skipped_rows = code_article(body, article_mentions(article_id), triggers, reference, matches)
        for row in coded_rows:
            row["article_id"] = article_id
            rows.append(row)
        for row in skipped_rows:
            row["article_id"] = article_id
            skipped.append(row)
    skipped_triggers = pl.DataFrame(skipped, schema=SKIPPED_TRIGGERS_SCHEMA).select(list(SKIPPED_TRIGGERS_SCHEMA))

    rows = _date_rementions(rows)
    if not rows:
        return pl.DataFrame(schema=EVENTS_SCHEMA), pl.DataFrame(schema=EVENT_MENTIONS_SCHEMA), skipped_triggers
    coded = pl.DataFrame(rows, schema_overrides={k: v for k, v in {**EVENTS_SCHEMA, **EVENT_MENTIONS_SCHEMA}.items() if k not in ("num_articles", "num_mentions")})
    event_mentions = (
        coded.select(list(EVENT_MENTIONS_SCHEMA))
        .unique(subset=["event_id", "article_id", "start_char"], keep="first", maintain_order=True)
    )
    counts = event_mentions.group_by("event_id").agg(
        num_articles=pl.col("article_id").n_unique().cast(pl.Int64), num_mentions=pl.len().cast(pl.Int64)
    )
    # The same event in two articles may name a place in one only: keep the first place seen.
    events = (
        coded.group_by("event_id", maintain_order=True)
        .agg(
            pl.col("event_code", "root_code", "label", "event_date", "date_precision",
                   "actor1_entity_id", "actor2_entity_id", "quad_class", "is_negated").first(),
            pl.col("location_entity_id").drop_nulls().first(),
        )
        .join(counts, on="event_id", how="left")
        .select(list(EVENTS_SCHEMA))
        .sort("event_id")
    )
    return events, event_mentions, skipped_triggers

"""Who acts: sentences, actor and place mentions, coordinated groups, pronouns, and the rule-based sides.

Choices (documented once, in docs/architecture.md too): names are actors only when they can
act (news agencies and media are sources, regions and seas are places, a country before a
person's name is his title); names in asides and after `menurut`/`dilansir` are skipped;
coordinated actors form one group. `sides` is the rule-based reading of actor 1 / actor 2
(subject before, object after, passives swapped, nominal genitives); roles.py holds the
learned ranker that replaces it for verbal triggers.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from transforms.events.params import DEFAULT_PARAMS
from transforms.events.patterns import (
    AGENT_AFTER,
    AGENT_MARK,
    BETWEEN,
    BOTH_START,
    CLAUSE_BREAK,
    CONJUNCTION,
    GENITIVE_GAP,
    GOVERNED_BEFORE,
    GROUP_JOINER,
    LIGHT_VERB_GAP,
    NOMINAL_OBJECT,
    NOMINAL_RECIPIENT,
    NON_ACTOR_SUBTYPES,
    OBJECT_BEFORE,
    PASSIVE_AGENT_GAP,
    PLACE_BEFORE,
    PLACE_ONLY_SUBTYPES,
    PRONOUN_END,
    PRONOUN_NEAR,
    PRONOUN_START,
    RECEIVE_GAP,
    RECIPIENT_UNTUK,
    RELATIVE_AGENT,
    RELATIVE_TRIGGER,
    SENTENCE_END,
    SINGULAR_START,
    SOURCE_AFTER,
    SOURCE_BEFORE,
    SUBJECT_BREAK,
    TITLE_APPOSITION,
    TITLE_BEFORE,
)


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
        mark = max(
            body.rfind(".", low, cursor),
            body.rfind("!", low, cursor),
            body.rfind("?", low, cursor),
            body.rfind("\n", low, cursor),
        )
        if mark < 0:
            break
        boundary = SENTENCE_END.match(body, mark if body[mark] == "\n" else mark + 1)
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
        boundary = SENTENCE_END.match(body, mark if body[mark] == "\n" else mark + 1)
        if boundary:
            end = boundary.start()
            break
        cursor = mark + 1
    return start, end


def actor_mentions(
    body: str,
    mentions: list[Mention],
    asides: list[tuple[int, int]] = (),
    acting_places: frozenset[str | None] = DEFAULT_PARAMS.acting_places,
    cities_need_qid: bool = True,
) -> tuple[list[Mention], list[Mention]]:
    """Split sentence mentions into actors and places (`di Wonsan`), dropping title countries.

    In `Presiden Rusia Vladimir Putin` the country qualifies the person, who is the actor. A location
    acts only when its subtype is in acting_places (a country, or a city standing for its government:
    `Pyongyang`); a province, regency or a place the gazetteer does not know is where, not who.
    """
    actors: list[Mention] = []
    places: list[Mention] = []
    for index, mention in enumerate(mentions):
        before = body[max(0, mention.start - 30) : mention.start]
        if mention.subtype in NON_ACTOR_SUBTYPES:
            continue
        if mention.type == "LOCATION" and (
            mention.subtype in PLACE_ONLY_SUBTYPES
            or mention.subtype not in acting_places
            or PLACE_BEFORE.search(before)
            or (mention.subtype == "CITY" and cities_need_qid and not mention.entity_id.startswith("Q"))
        ):
            places.append(mention)
            continue
        if any(a <= mention.start and mention.end <= b for a, b in asides):
            continue
        if SOURCE_BEFORE.search(before):
            continue
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if (
            following is not None
            and mention.type in ("LOCATION", "ORGANIZATION")
            and following.type == "PERSON"
            and (
                body[mention.end : following.start].strip(" ") == ""
                or (body[mention.end : following.start].strip(" ") == "," and TITLE_BEFORE.search(before))
            )
        ):
            continue
        actors.append(mention)
    return actors, places


def actor_groups(body: str, actors: list[Mention]) -> list[list[Mention]]:
    """Runs of coordinated actors: `Korea Selatan dan Kuba`, `Rusia, China, serta Iran`."""
    runs: list[list[Mention]] = []
    for mention in actors:
        if runs and GROUP_JOINER.match(body[runs[-1][-1].end : mention.start]):
            if mention.entity_id not in {m.entity_id for m in runs[-1]}:
                runs[-1].append(mention)
            continue
        runs.append([mention])
    # A run joined by commas only is an apposition (`Myanmar, Thaung Tun,`): each name stands alone.
    groups: list[list[Mention]] = []
    for run in runs:
        joiners = [body[a.end : b.start] for a, b in zip(run, run[1:])]
        if len(run) > 1 and not any(CONJUNCTION.search(j) for j in joiners):
            groups.extend([m] for m in run)
        else:
            groups.append(run)
    return groups


def unique(mentions: list[Mention], limit: int = DEFAULT_PARAMS.max_actors_per_side) -> list[Mention]:
    """Distinct entities in order of mention, at most limit."""
    seen: dict[str, Mention] = {}
    for mention in mentions:
        seen.setdefault(mention.entity_id, mention)
    return list(seen.values())[:limit]


def sides(
    body: str, voice: str, t_start: int, t_end: int, groups: list[list[Mention]], verbal: bool = False
) -> tuple[list[Mention], list[Mention]]:
    """(actor 1 candidates, actor 2 candidates) for one trigger, within its clause."""
    before = [g for g in groups if g[-1].end <= t_start]
    after = [g for g in groups if g[0].start >= t_end]
    subject: list[Mention] = []
    # `Rusia telah bergabung dengan China dalam menentang`: a name after a preposition is not the subject
    while (
        len(before) > 1
        and GOVERNED_BEFORE.search(body[max(0, before[-1][0].start - 30) : before[-1][0].start])
        and not CLAUSE_BREAK.search(body[before[-1][-1].end : t_start])  # `terhadap Pyongyang karena ...`: a new clause
    ):
        before = before[:-1]
    relative = RELATIVE_TRIGGER.search(body[max(0, t_start - 40) : t_start])
    if relative:
        # `kelompok-kelompok yang menyerang AS`: the actor is the head right before `yang`, or nobody
        head = [g for g in before if len(body[g[-1].end : t_start].split()) <= 1 + len(relative.group(0).split())]
        before = head[-1:]
    if before:
        gap = body[before[-1][-1].end : t_start]
        if PRONOUN_END.search(gap):
            # `Kim bertemu Shoigu ..., sementara dia bertemu dengan Li`: `dia` is the sentence's subject
            subject = before[0]
        elif not SUBJECT_BREAK.search(gap) and len(gap.split()) <= 12:
            subject = before[-1]
            # `Pasukan Suriah dan milisi yang didukung Iran melancarkan`: Iran sits in a relative clause
            if len(before) > 1 and RELATIVE_AGENT.search(body[max(0, subject[0].start - 30) : subject[0].start]):
                subject = before[-2]
    near_after = []
    for group in after:
        gap = body[t_end : group[0].start]
        apposition = TITLE_APPOSITION.search(gap)
        if apposition:  # `dengan Presiden Turki, Recep Tayyip Erdogan`
            gap = gap[: apposition.start()] + apposition.group(0).replace(",", " ")
        if verbal and re.fullmatch(r"\s*bahwa\s+", gap, re.IGNORECASE):
            near_after.append(group)  # `memperingatkan bahwa AS ...`: the warned party
            break
        # a quoted phrase of a verbal trigger stays in its clause: `mengecam " serangan sistematis " aparat Myanmar`
        checked = re.sub(r"[\"“”]", " ", gap) if verbal else gap
        # `menetapkan tarif 24 persen untuk Jepang`: `untuk` right before a name marks the recipient, not a purpose
        checked = RECIPIENT_UNTUK.sub(" ", checked)
        if len(gap.split()) > 8 or CLAUSE_BREAK.search(checked):
            break
        near_after.append(group)
    if voice == "passive":
        agent = next((g for g in after if AGENT_MARK.search(body[max(t_end, g[0].start - 10) : g[0].start])), [])
        if not agent and near_after and PASSIVE_AGENT_GAP.match(body[t_end : near_after[0][0].start]):
            agent = near_after[0]
        return agent, subject
    if voice == "nominal":
        first_after = after[0] if after else []
        if first_after and BETWEEN.search(body[t_end : first_after[0].start]):
            return first_after, []  # `pertemuan antara X dan Y`: the pair is the group
        if first_after and AGENT_AFTER.search(body[t_end : first_after[0].start]):
            return first_after, []  # `peluncuran rudal oleh Korea Utara`
        if first_after and SOURCE_AFTER.match(body[t_end : first_after[0].start]):
            rest = [g for g in after if g is not first_after]
            recipient = next((g for g in rest[:1] if NOMINAL_RECIPIENT.search(body[first_after[-1].end : g[0].start][-40:])), [])
            if not recipient and subject and RECEIVE_GAP.match(body[subject[-1].end : t_start]):
                recipient = subject  # `Myanmar menerima bantuan dari Turki`
            return first_after, recipient
        if first_after and GENITIVE_GAP.match(body[t_end : first_after[0].start]):
            actor1 = first_after  # genitive: `kunjungan Raja Salman`, `invasi Rusia`
            rest = [g for g in after if g is not first_after]
            actor2 = next((g for g in rest if NOMINAL_OBJECT.search(body[first_after[-1].end : g[0].start][-40:])), [])
            return actor1, actor2
        actor2 = next((g for g in near_after if NOMINAL_OBJECT.search(body[t_end : g[0].start][-40:].replace(",", " "))), [])
        # a noun takes the subject only through a light verb: `Rusia melancarkan serangan`
        close_subject = subject if subject and LIGHT_VERB_GAP.match(body[subject[-1].end : t_start]) else []
        return close_subject, actor2
    return subject, near_after[0] if near_after else []


def inside_quote(body: str, s_start: int, t_start: int) -> bool:
    """Whether the trigger sits inside an open quotation (an odd number of quote marks before it in its paragraph)."""
    floor = body.rfind("\n", 0, s_start) + 1
    stretch = body[floor:t_start]
    straight = stretch.count('"')
    return straight % 2 == 1 or stretch.count("“") > stretch.count("”")


def pronoun_subject(clause: str, voice: str) -> str | None:
    """Kind of pronoun subject of a trigger ("person", "pair", "group"), read from the text before it.

    Active triggers take a pronoun right before them (`Namun kenyataannya, mereka juga menyerang`) or
    opening the sentence; nominal ones only a sentence-opening pronoun (`Ia ... dalam perbincangan dengan X`).
    """
    match = PRONOUN_START.match(clause) or (PRONOUN_NEAR.search(clause) if voice == "active" else None)
    if match is None:
        return None
    word = match.group(0).strip(" ,\"“'").lower()
    if BOTH_START.match(word):
        return "pair"
    if SINGULAR_START.match(word):
        return "person"
    if word.startswith("negara"):
        return "state"
    return "group"


def antecedent(
    body: str,
    mentions: list[Mention],
    mention_starts: list[int],
    s_start: int,
    kind: str,
    lookback: int = DEFAULT_PARAMS.pronoun_lookback,
    acting_places: frozenset[str | None] = DEFAULT_PARAMS.acting_places,
) -> list[Mention]:
    """Actor a pronoun stands for: the most recent person (`Dia`/`Ia`), the first two actors (`Keduanya`)
    or the first actor group (`Mereka`, `negara tersebut`) of the nearest of the `lookback` previous sentences holding one."""
    cursor = s_start
    for _ in range(lookback):
        if cursor <= 0:
            break
        p_start, p_end = sentence_bounds(body, max(0, cursor - 2))
        plo, phi = bisect.bisect_left(mention_starts, p_start), bisect.bisect_left(mention_starts, p_end)
        cursor = p_start
        previous_actors = actor_mentions(body, mentions[plo:phi], acting_places=acting_places)[0]
        if not previous_actors:
            continue
        if kind == "pair":
            return unique(previous_actors)[:2]
        if kind == "person":
            persons = [
                m
                for m in previous_actors
                if m.type == "PERSON" and not OBJECT_BEFORE.search(body[max(p_start, m.start - 40) : m.start])
            ]
            if persons:
                return [persons[0]]
            continue
        states = [m for m in previous_actors if m.type != "PERSON"] if kind == "state" else previous_actors
        if states:
            return actor_groups(body, states)[0]
    return []


def place_for(places: list[Mention], t_start: int) -> Mention | None:
    """The place phrase nearest the trigger, preferring one after it."""
    if not places:
        return None
    after = [p for p in places if p.start >= t_start]
    return after[0] if after else places[-1]

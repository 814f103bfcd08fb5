"""Learned actor roles: which entity mention of a verbal trigger's sentence is actor 1, which actor 2.

A linear ranker over candidate–trigger pairs (Indonesian Universal Dependencies treebanks,
`nsubj`/`obl:agent` -> actor 1, `obj`/`nsubj:pass`/`obl` after `kepada`/`terhadap`/`dengan`
-> actor 2; trained by `python -m benchmarks.train_roles`; weights and licence in
data/models/roles/). Per role, the candidates' scores and a "nobody" score of 0 go through
one softmax, so each role's probability says how sure the choice is and silence is an
option. Decoding is joint (actor 1 and actor 2 are different mentions). Features are cheap
and read only surface tokens: the verb's voice from its prefix (di-/ter-/me-/ber-), the side
and token distance, the word before and after the candidate (`oleh`, `kepada`, `terhadap`,
`dengan`, `atas`, `dari`, `untuk`, `yang`, a speech verb `kata`/`ujar`/`menurut` ...),
commas, clause words and other verbs in between (a coordinated verb inherits the subject).
No parser runs at run time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WEIGHTS = Path(__file__).parents[2] / "data" / "models" / "roles" / "weights.tsv"
ROLES = ("actor1", "actor2")
TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
MARKERS = frozenset(
    {
        "oleh",
        "kepada",
        "terhadap",
        "dengan",
        "atas",
        "dari",
        "untuk",
        "ke",
        "di",
        "pada",
        "bagi",
        "antara",
        "dan",
        "serta",
        "yang",
        "bahwa",
        "menurut",
        "kata",
        "ujar",
        "ucap",
        "tutur",
        "jelas",
        "tegas",
        "melawan",
        "bersama",
    }
)
SPEECH = frozenset({"kata", "ujar", "ucap", "tutur", "jelas", "tegas", "katanya", "ujarnya", "menurut"})
CLAUSE_WORDS = frozenset(
    {
        "bahwa",
        "karena",
        "ketika",
        "saat",
        "setelah",
        "sebelum",
        "namun",
        "tetapi",
        "tapi",
        "sementara",
        "sedangkan",
        "agar",
        "supaya",
        "jika",
        "bila",
        "apabila",
        "sehingga",
        "meski",
        "meskipun",
        "walaupun",
    }
)


def voice_of(word: str) -> str:
    """The voice an Indonesian verb's form shows: di- (passive), ter-, me- (active), ber-, or bare."""
    word = word.lower()
    if word.startswith("di") and len(word) > 4:
        return "di"
    if word.startswith("ter") and len(word) > 5:
        return "ter"
    if word.startswith("me") and len(word) > 4:
        return "me"
    if word.startswith(("ber", "bel")) and len(word) > 5:
        return "ber"
    return "bare"


def _verb_like(word: str) -> bool:
    return word.islower() and len(word) > 5 and word.startswith(("me", "di", "ber", "ter"))


def _word_class(word: str | None) -> str:
    if word is None:
        return "EDGE"
    lower = word.lower()
    if lower in MARKERS:
        return lower
    if not word[0].isalnum():
        return "P" + word[0] if word[0] in ',.;:()"“”' else "PUNCT"
    if word[0].isupper():
        return "CAP"
    return "VERB" if _verb_like(word) else "w"


def _bucket(n: int) -> str:
    return str(n) if n <= 2 else "3-4" if n <= 4 else "5-8" if n <= 8 else "9+"


def pair_features(words: list[str], trigger: tuple[int, int], candidate: tuple[int, int], rank: int) -> list[str]:
    """Features of one candidate (token span) for one trigger (token span); rank = candidates nearer on its side."""
    t_start, t_end = trigger
    c_start, c_end = candidate
    voice = voice_of(words[t_start])
    if c_end <= t_start:
        side, between = "L", words[c_end:t_start]
    else:
        side, between = "R", words[t_end:c_start]
    lowered = [w.lower() for w in between]
    prev_word = _word_class(words[c_start - 1] if c_start > 0 else None)
    next_word = _word_class(words[c_end] if c_end < len(words) else None)
    commas = min(sum(w == "," for w in between), 2)
    verbs = min(sum(_verb_like(w) for w in between), 2)
    vs = f"{voice}|{side}"
    features = [
        f"v={voice}",
        f"vs={vs}",
        f"d={vs}|{_bucket(len(between))}",
        f"prev={vs}|{prev_word}",
        f"next={vs}|{next_word}",
        f"comma={side}|{commas}",
        f"verbs={vs}|{verbs}",
        f"rank={vs}|{min(rank, 2)}",
        f"c_first={c_start == 0}",
    ]
    if "yang" in lowered:
        features.append(f"yang={vs}|{'adjacent' if lowered and lowered[-1] == 'yang' and side == 'L' else 'inside'}")
    if "oleh" in lowered:
        features.append(f"oleh_between={vs}")
    if any(w in CLAUSE_WORDS for w in lowered):
        features.append(f"clause={side}")
    if any(w in SPEECH for w in lowered):
        features.append(f"speech_between={vs}")
    if side == "L" and lowered and lowered[-1] in ("dan", "serta", "lalu", "kemudian") and verbs:
        features.append(f"coord_verb={voice}")  # `X menyerang dan menangkap Y`: the second verb shares X
    if prev_word == "P," and next_word in ("P,", "P."):
        features.append(f"aside={side}")
    return features


@dataclass(frozen=True)
class RoleModel:
    """Weights per feature and role (the "nobody" option scores 0)."""

    weights: dict[str, tuple[float, float]]


def load_role_model(path: str | Path | None = None) -> RoleModel:
    """Read `feature<TAB>actor1<TAB>actor2` rows (comments `#`, one header row)."""
    weights: dict[str, tuple[float, float]] = {}
    for line in Path(path or DEFAULT_WEIGHTS).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("feature\t"):
            continue
        feature, actor1, actor2 = line.split("\t")
        weights[feature] = (float(actor1), float(actor2))
    return RoleModel(weights)


def tokens_of(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of every token of text."""
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def score_candidates(
    words: list[str], trigger: tuple[int, int], candidates: list[tuple[int, int]], model: RoleModel
) -> list[tuple[float, float]]:
    """(actor 1, actor 2) score of every candidate span."""
    left = sorted((c for c in candidates if c[1] <= trigger[0]), key=lambda c: -c[1])
    right = sorted((c for c in candidates if c[0] >= trigger[1]), key=lambda c: c[0])
    rank = {c: i for side in (left, right) for i, c in enumerate(side)}
    scores = []
    for candidate in candidates:
        s1 = s2 = 0.0
        for feature in pair_features(words, trigger, candidate, rank.get(candidate, 0)):
            w = model.weights.get(feature)
            if w is not None:
                s1 += w[0]
                s2 += w[1]
        scores.append((s1, s2))
    return scores


def decode(scores: list[tuple[float, float]], margin: float = 0.0) -> tuple[int | None, int | None, float, float]:
    """(actor 1 index, actor 2 index, their probabilities) with actor 1 != actor 2; None when "nobody" wins.

    Per role, softmax over the candidates and "nobody" (score 0); the pair with the highest joint
    log-probability is taken among the top two per role. A role is filled only when its score beats
    "nobody" by margin.
    """
    if not scores:
        return None, None, 1.0, 1.0
    probabilities = []
    for role in (0, 1):
        values = [s[role] for s in scores]
        top = max(0.0, *values)
        total = math.exp(-top) + sum(math.exp(v - top) for v in values)
        probabilities.append([math.exp(v - top) / total for v in values] + [math.exp(-top) / total])
    nobody = len(scores)
    options = []
    for role in (0, 1):
        ranked = sorted(range(len(scores)), key=lambda i: -scores[i][role])[:2]
        options.append([i for i in ranked if scores[i][role] > margin] + [nobody])
    best = None
    for a1 in options[0]:
        for a2 in options[1]:
            if a1 == a2 and a1 != nobody:
                continue
            joint = math.log(probabilities[0][a1]) + math.log(probabilities[1][a2])
            if best is None or joint > best[0]:
                best = (joint, a1, a2)
    _, a1, a2 = best
    return (
        None if a1 == nobody else a1,
        None if a2 == nobody else a2,
        probabilities[0][a1],
        probabilities[1][a2],
    )

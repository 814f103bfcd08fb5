"""Train and evaluate the actor-role ranker on the Indonesian UD treebanks: `python -m benchmarks.train_roles [--write]`.

Trains on CSUI (train + test) and GSD dev; holds out GSD test and PUD, which are only scored.
Per verb, the candidates are the name-like phrases of its sentence (runs of proper nouns and
capitalised nouns); a candidate is actor 1 when its phrase head is the verb's `nsubj` or
`obl:agent` (or `obl` with `oleh`), actor 2 when it is `obj`, `nsubj:pass` or an `obl` with
`kepada`/`terhadap`/`dengan`; a relative clause's `yang` subject passes the role to the noun
the clause modifies, and a coordinated verb without a subject inherits its head verb's.
`--gold` adds the verbal triggers of the project's own event gold, dev splits only (the 20 dev
articles of tests/data/events_gold_articles.jsonl and the dev articles of tests/data/events_real/,
read from KABAR_REALNEWS_DIR), each counted GOLD_WEIGHT times: a candidate is actor 1 / actor 2
when one of its entity's names is a gold actor of an event of the article with the trigger's root.
`--write` stores the weights in data/models/roles/weights.tsv.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from transforms.events.roles import DEFAULT_WEIGHTS, RoleModel, decode, pair_features, score_candidates

ROOT = Path(__file__).parents[1]
UD = Path(os.environ.get("KABAR_SHARED_DIR", ROOT.parent / "shared")) / "ud-indonesian"
TRAIN = ("csui/id_csui-ud-train.conllu", "csui/id_csui-ud-test.conllu", "gsd/id_gsd-ud-dev.conllu")
HELD_OUT = ("gsd/id_gsd-ud-test.conllu", "pud/id_pud-ud-test.conllu")
CLIMB = {"flat", "flat:name", "flat:foreign", "compound", "appos", "conj"}
TARGET_CASES = {"kepada", "terhadap", "dengan"}
L2 = 1e-3
GOLD_WEIGHT = 3
MAX_DISTANCE = 30  # tokens: candidates farther from the verb are not considered (as a sentence clips at run time)


@dataclass
class Token:
    form: str
    upos: str
    head: int
    deprel: str


def read_conllu(path: Path) -> list[list[Token]]:
    """Sentences as lists of syntactic words (multiword-token ranges skipped; index 0 = word 1)."""
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            if current:
                sentences.append(current)
            current = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        current.append(Token(cols[1], cols[3], int(cols[6]) if cols[6].isdigit() else 0, cols[7]))
    if current:
        sentences.append(current)
    return sentences


def candidate_spans(sentence: list[Token]) -> list[tuple[int, int]]:
    """Runs of proper nouns and capitalised nouns: what an entity recogniser would mark."""
    spans, start = [], None
    for i, token in enumerate(sentence + [Token("", "END", 0, "")]):
        name_like = token.upos == "PROPN" or (token.upos == "NOUN" and token.form[:1].isupper())
        if name_like and start is None:
            start = i
        elif not name_like and start is not None:
            spans.append((start, i))
            start = None
    return spans


def phrase_head(sentence: list[Token], i: int) -> int:
    """Climb flat/compound/appos/conj and case-less nmod links to the head of the noun phrase."""
    seen = set()
    while i not in seen:
        seen.add(i)
        token = sentence[i]
        if token.head == 0:
            return i
        has_case = any(t.head == i + 1 and t.deprel == "case" for t in sentence)
        if token.deprel in CLIMB or (token.deprel == "nmod" and not has_case and sentence[token.head - 1].form[:1].isupper()):
            i = token.head - 1
            continue
        return i
    return i


def roles_of(sentence: list[Token], verb: int) -> tuple[set[int], set[int]]:
    """Token indices (phrase heads) that are actor 1 and actor 2 of the verb at index verb."""
    actor1, actor2 = set(), set()
    cases = {}
    for t in sentence:
        if t.deprel == "case":
            cases.setdefault(t.head - 1, set()).add(t.form.lower())
    children = [(j, t) for j, t in enumerate(sentence) if t.head == verb + 1]
    for j, t in children:
        if t.deprel == "nsubj" or t.deprel == "obl:agent" or (t.deprel == "obl" and "oleh" in cases.get(j, ())):
            actor1.add(j)
        elif t.deprel in ("obj", "nsubj:pass") or (t.deprel == "obl" and cases.get(j, set()) & TARGET_CASES):
            actor2.add(j)
    verb_token = sentence[verb]
    relative_subject = [t for _, t in children if t.form.lower() == "yang" and t.deprel in ("nsubj", "nsubj:pass")]
    if relative_subject and verb_token.head > 0:  # `negara yang menyerang X`: the noun is the subject
        noun = phrase_head(sentence, verb_token.head - 1)
        (actor1 if relative_subject[0].deprel == "nsubj" else actor2).add(noun)
        actor1.discard(sentence.index(relative_subject[0]))
        actor2.discard(sentence.index(relative_subject[0]))
    if verb_token.deprel == "conj" and verb_token.head > 0 and not any(t.deprel.startswith("nsubj") for _, t in children):
        first, second = (
            roles_of(sentence, verb_token.head - 1) if sentence[verb_token.head - 1].upos == "VERB" else (set(), set())
        )
        subjects = {j for j, t in enumerate(sentence) if t.head == verb_token.head and t.deprel in ("nsubj", "nsubj:pass")}
        actor1 |= first & subjects if verb_token.form.lower().startswith(("me", "ber")) else set()
    return actor1, actor2


def instances(sentences: list[list[Token]]):
    """(words, verb span, candidate spans, actor-1 flags, actor-2 flags) per verb with a candidate."""
    for sentence in sentences:
        words = [t.form for t in sentence]
        spans = candidate_spans(sentence)
        if not spans:
            continue
        heads = [{phrase_head(sentence, k) for k in range(a, b)} for a, b in spans]
        for verb, token in enumerate(sentence):
            if token.upos != "VERB":
                continue
            near = [(s, h) for s, h in zip(spans, heads) if min(abs(s[0] - verb), abs(s[1] - 1 - verb)) <= MAX_DISTANCE]
            if not near:
                continue
            actor1, actor2 = roles_of(sentence, verb)
            yield (
                words,
                (verb, verb + 1),
                [s for s, _ in near],
                [bool(h & actor1) for _, h in near],
                [bool(h & actor2) for _, h in near],
            )


def gold_instances() -> list:
    """(words, trigger span, candidate spans, actor-1 flags, actor-2 flags) from the dev splits of the event gold."""

    import polars as pl

    from benchmarks import events as old_gold
    from benchmarks import events_real
    from transforms.events import EventParams, find_triggers, load_triggers, sentence_bounds
    from transforms.events.actors import Mention, actor_mentions
    from transforms.events.roles import tokens_of

    triggers = load_triggers()
    bundles = []  # (body, mentions as Mention list, names per entity, gold events [(root, a1 names, a2 names)])
    articles = [a for a in old_gold.read_articles() if old_gold.split_of(a["article_id"]) == "dev"]
    frame = pl.DataFrame({"article_id": [a["article_id"] for a in articles], "body": [a["body"] for a in articles]})
    mentions, names, _ = old_gold.entity_mentions(frame)
    gold = old_gold.read_gold_events()
    for article_id, body in frame.iter_rows():
        rows = mentions.filter(pl.col("article_id") == article_id).sort("start_char")
        events = [(g.root_code, g.actor1, g.actor2) for g in gold if g.article_id == article_id]
        bundles.append((body, rows, names, events))
    if events_real.corpus_dir().is_dir():
        real_articles, real_gold = events_real.read_gold(old_gold._norm)
        documents, _ = events_real.read_documents([a for a in real_articles if a["split"] == "dev"])
        result, raw_names = events_real.run_pipeline(documents, EventParams())
        real_names = {e: {old_gold._norm(n) for n in v} for e, v in raw_names.items()}
        real_mentions = result.entity_mentions.join(result.entities.select("entity_id", "subtype"), on="entity_id", how="left")
        for article_id, body in result.articles.select("article_id", "body").iter_rows():
            rows = real_mentions.filter(pl.col("article_id") == article_id).sort("start_char")
            events = [(g.root_code, g.actor1, g.actor2) for g in real_gold if g.article_id == article_id and not g.negated]
            bundles.append((body, rows, real_names, events))
    data = []
    for body, rows, names, events in bundles:
        if not events:
            continue
        mention_list = [Mention(*r) for r in rows.select("start_char", "end_char", "entity_id", "type", "subtype").iter_rows()]
        for t_start, t_end, trigger in find_triggers(body, triggers):
            if trigger.voice == "nominal" or trigger.event_code == "-":
                continue
            same_root = [e for e in events if e[0] == trigger.root_code]
            if not same_root:
                continue
            s_start, s_end = sentence_bounds(body, t_start)
            actors, _ = actor_mentions(body, [m for m in mention_list if s_start <= m.start and m.end <= s_end])
            tokens = tokens_of(body[s_start:s_end])
            starts = [s_start + t[0] for t in tokens]
            import bisect

            verb = (
                bisect.bisect_left(starts, t_start),
                max(bisect.bisect_left(starts, t_end), bisect.bisect_left(starts, t_start) + 1),
            )
            spans, flags1, flags2 = [], [], []
            for m in actors:
                span = (bisect.bisect_left(starts, m.start), bisect.bisect_left(starts, m.end))
                if span[1] <= span[0] or (verb[0] < span[1] and span[0] < verb[1]):
                    continue
                known = names.get(m.entity_id, set())
                spans.append(span)
                flags1.append(any(known & e[1] for e in same_root))
                flags2.append(any(known & e[2] for e in same_root))
            if spans and (any(flags1) or any(flags2)):
                data.append(([t[2] for t in tokens], verb, spans, flags1, flags2))
    return data


def train(data: list, epochs: int = 300, rate: float = 0.1) -> RoleModel:
    """Listwise softmax per role (candidates plus "nobody" at 0), log-likelihood of the gold set, Adam, L2."""
    vocabulary: dict[str, int] = {}
    rows, groups = [], []
    for words, verb, spans, _, _ in data:
        left = sorted((c for c in spans if c[1] <= verb[0]), key=lambda c: -c[1])
        right = sorted((c for c in spans if c[0] >= verb[1]), key=lambda c: c[0])
        rank = {c: i for side in (left, right) for i, c in enumerate(side)}
        groups.append(len(spans))
        for span in spans:
            rows.append([vocabulary.setdefault(f, len(vocabulary)) for f in pair_features(words, verb, span, rank[span])])
    matrix = np.zeros((len(rows), len(vocabulary)), dtype=np.float32)
    for r, columns in enumerate(rows):
        matrix[r, columns] = 1.0
    offsets = np.cumsum([0] + groups)[:-1]
    group_of = np.repeat(np.arange(len(groups)), groups)
    weights = np.zeros((len(vocabulary), 2))
    for role in (0, 1):
        gold = np.array([flag for item in data for flag in item[3 + role]], dtype=np.float64)
        has_gold = np.add.reduceat(gold, offsets) > 0
        w, m, v = np.zeros(len(vocabulary)), np.zeros(len(vocabulary)), np.zeros(len(vocabulary))
        for step in range(1, epochs + 1):
            scores = matrix @ w
            exp = np.exp(np.clip(scores, -30, 30))
            total = np.add.reduceat(exp, offsets) + 1.0  # "nobody" scores 0
            p = exp / total[group_of]
            gold_mass = np.add.reduceat(exp * gold, offsets)
            q = np.where(has_gold[group_of], exp * gold / np.maximum(gold_mass, 1e-12)[group_of], 0.0)
            grad = matrix.T @ (p - q) / len(groups) + L2 * w
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad * grad
            w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        weights[:, role] = w
    names = sorted(vocabulary, key=vocabulary.get)
    return RoleModel({name: (float(weights[i, 0]), float(weights[i, 1])) for i, name in enumerate(names)})


def evaluate(data: list, model: RoleModel) -> dict[str, float]:
    """Accuracy of the joint decision per verb: the chosen candidate (or nobody) is a gold one."""
    right1 = right2 = both = 0
    base1 = base2 = 0
    picked = [0, 0]
    picked_right = [0, 0]
    with_gold = [0, 0]
    for words, verb, spans, gold1, gold2 in data:
        a1, a2, _, _ = decode(score_candidates(words, verb, spans, model))
        ok1 = (a1 is None and not any(gold1)) or (a1 is not None and gold1[a1])
        ok2 = (a2 is None and not any(gold2)) or (a2 is not None and gold2[a2])
        right1 += ok1
        right2 += ok2
        for role, (choice, gold) in enumerate(((a1, gold1), (a2, gold2))):
            picked[role] += choice is not None
            picked_right[role] += choice is not None and gold[choice]
            with_gold[role] += any(gold)
        both += ok1 and ok2
        # proximity baseline: nearest candidate before is actor 1, first after is actor 2
        left = [i for i, s in enumerate(spans) if s[1] <= verb[0]]
        right = [i for i, s in enumerate(spans) if s[0] >= verb[1]]
        p1, p2 = (left[-1] if left else None), (right[0] if right else None)
        base1 += (p1 is None and not any(gold1)) or (p1 is not None and gold1[p1])
        base2 += (p2 is None and not any(gold2)) or (p2 is not None and gold2[p2])
    n = len(data)
    return {
        "verbs": n,
        "actor1": right1 / n,
        "actor2": right2 / n,
        "both": both / n,
        "proximity_actor1": base1 / n,
        "proximity_actor2": base2 / n,
        **{f"{role}_precision": picked_right[i] / max(1, picked[i]) for i, role in enumerate(("actor1", "actor2"))},
        **{f"{role}_recall": picked_right[i] / max(1, with_gold[i]) for i, role in enumerate(("actor1", "actor2"))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the weights in data/models/roles/weights.tsv")
    parser.add_argument("--gold", action="store_true", help="add the dev splits of the project's event gold")
    args = parser.parse_args()
    train_data = [i for name in TRAIN for i in instances(read_conllu(UD / name))]
    if args.gold:
        extra = gold_instances()
        print(f"event gold (dev splits): {len(extra)} triggers, each counted {GOLD_WEIGHT} times")
        train_data += extra * GOLD_WEIGHT
    model = train(train_data)
    print(
        f"trained on {len(train_data)} verbs ({', '.join(TRAIN)}{' + gold' if args.gold else ''}); {len(model.weights)} features"
    )
    for name in ("train", *HELD_OUT):
        data = train_data if name == "train" else list(instances(read_conllu(UD / name)))
        r = evaluate(data, model)
        print(
            f"{name}: {r['verbs']} verbs; actor1 {r['actor1']:.3f}, actor2 {r['actor2']:.3f}, both {r['both']:.3f} "
            f"(proximity baseline: actor1 {r['proximity_actor1']:.3f}, actor2 {r['proximity_actor2']:.3f}); "
            f"when a name is chosen: actor1 P {r['actor1_precision']:.3f} R {r['actor1_recall']:.3f}, "
            f"actor2 P {r['actor2_precision']:.3f} R {r['actor2_recall']:.3f}"
        )
    if args.write:
        lines = [
            "# Kabar actor-role ranker weights, trained by benchmarks/train_roles.py on the Indonesian UD treebanks",
            "# (CC BY-SA 4.0 / 3.0, see README.md and LICENSE in this folder). Columns: feature, actor1, actor2.",
            "feature\tactor1\tactor2",
        ]
        lines += [f"{f}\t{w[0]:.4f}\t{w[1]:.4f}" for f, w in sorted(model.weights.items()) if abs(w[0]) + abs(w[1]) >= 1e-3]
        DEFAULT_WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
        DEFAULT_WEIGHTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"weights: {DEFAULT_WEIGHTS}")


if __name__ == "__main__":
    main()

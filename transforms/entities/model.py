"""Linear-chain CRF decoding from exported weights: per-token slot scores, vectorised Viterbi."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import add

import numpy as np

from transforms.entities.features import SLOT_LAYOUT, FeatureCache

# The token table is reset between batches once it holds this many tokens, so memory stays
# bounded on long runs; results never depend on table state.
TABLE_LIMIT = 300_000

# Score slots of a token: as the token two before the centre, one before, the centre itself,
# one after, two after, and the extra sentence-start attributes of the centre.
SLOTS = 6


class CrfModel:
    """State-feature weights per attribute and label-transition weights of a trained CRF."""

    def __init__(self, labels: Sequence[str], state: dict[str, tuple[float, ...]], trans: list[list[float]]):
        self.labels = tuple(labels)
        self.state = state
        self.trans = np.array(trans)  # [from, to]
        self.o = self.labels.index("O")
        self.attr_row = {a: k for k, a in enumerate(state)}
        self.weights = np.array(list(state.values()) or [[0.0] * len(self.labels)])
        n = len(self.labels)
        self.zero = (0.0,) * n
        z = self.zero
        # Padding rows shaped like token rows: beyond a sentence's edges.
        self.bos_pad = (self.score(["-2:BOS"]), self.score(["-1:BOS"]), z, z, z, z)
        self.eos_pad = (z, z, z, self.score(["+1:EOS"]), self.score(["+2:EOS"]), z)
        tags = sorted(p + t for p in ("B-", "I-") for t in ("PER", "LOC", "ORG"))
        self.gs_index = {tag: k + 1 for k, tag in enumerate(tags)}  # 0: no gazetteer tag
        self.gs_table = np.array([z] + [self.score(["gs=" + t]) for t in tags])
        # (family value -> weight row, value index, slot) for every attribute family of every slot,
        # and the weight rows of the constant attributes (`b`, `bos`) by slot.
        self.family_lookups = []
        self.constant_rows = []
        for slot, (prefix, constant, families) in enumerate(SLOT_LAYOUT):
            for family, k in families:
                head = prefix + family + "="
                table = {a[len(head) :]: r for a, r in self.attr_row.items() if a.startswith(head)}
                self.family_lookups.append((table, k, slot))
            if constant in self.attr_row:
                self.constant_rows.append((slot, self.attr_row[constant]))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> CrfModel:
        """Parse the TSV written by `benchmarks.train_ner` (`#labels`, `#trans`, then attribute rows)."""
        labels: list[str] = []
        trans: list[list[float]] = []
        state: dict[str, tuple[float, ...]] = {}
        for line in lines:
            if not line:
                continue
            cols = line.split("\t")
            if cols[0] == "#labels":
                labels = cols[1:]
            elif cols[0] == "#trans":
                trans.append([float(x) for x in cols[1:]])
            elif not line.startswith("#"):
                state[cols[0]] = tuple(float(x) for x in cols[1:])
        return cls(labels, state, trans)

    def score(self, attrs: Iterable[str]) -> tuple[float, ...]:
        """Summed state weights per label for a list of attributes."""
        total = self.zero
        state = self.state
        for a in attrs:
            w = state.get(a)
            if w is not None:
                total = tuple(map(add, total, w))
        return total

    def viterbi_runs(
        self,
        emissions: np.ndarray,
        starts: np.ndarray,
        lengths: np.ndarray,
        after_o: np.ndarray,
        before_o: np.ndarray,
    ) -> np.ndarray:
        """Best label index per emission row; runs are `emissions[start:start + length]`.

        A run whose neighbour is fixed to O (`after_o`, `before_o`) gets that transition;
        runs of equal length are decoded together.
        """
        out = np.empty(len(emissions), dtype=np.int64)
        trans = self.trans
        from_o = trans[self.o]
        to_o = trans[:, self.o]
        for length in np.unique(lengths).tolist():
            sel = lengths == length
            s = starts[sel]
            delta = emissions[s] + after_o[sel, None] * from_o
            if length == 1:
                out[s] = (delta + before_o[sel, None] * to_o).argmax(axis=1)
                continue
            e = emissions[s[:, None] + np.arange(length)]  # (runs, length, labels)
            back = []
            for step in range(1, length):
                scores = delta[:, :, None] + trans  # (runs, from, to)
                back.append(scores.argmax(axis=1))
                delta = scores.max(axis=1) + e[:, step]
            best = (delta + before_o[sel, None] * to_o).argmax(axis=1)
            out[s + length - 1] = best
            runs = np.arange(len(s))
            for step in range(length - 2, -1, -1):
                best = back[step][runs, best]
                out[s + step] = best
        return out


class TokenScores:
    """Vocabulary rows with their per-slot label scores, scored lazily (only tokens near a name)."""

    PAD_BEFORE = 0
    PAD_AFTER = 1

    def __init__(self, model: CrfModel) -> None:
        self.model = model
        self.reset()

    def reset(self) -> None:
        """Forget every token (rows 0 and 1 are the sentence-edge pads)."""
        m = self.model
        self.index: dict[str, int] = {}
        self.strings: list[str] = ["", ""]
        self.table = np.zeros((4096, SLOTS, len(m.labels)))
        self.table[0] = np.array(m.bos_pad)
        self.table[1] = np.array(m.eos_pad)
        self.scored = np.zeros(4096, dtype=bool)
        self.scored[:2] = True

    def rows_for(self, tokens: list[str]) -> np.ndarray:
        """Row of each token, adding unseen ones (unscored)."""
        index = self.index
        get = index.get
        rows = [get(t, -1) for t in tokens]
        if -1 in rows:
            strings = self.strings
            for k, r in enumerate(rows):
                if r < 0:
                    t = tokens[k]
                    r = get(t, -1)
                    if r < 0:
                        r = index[t] = len(strings)
                        strings.append(t)
                    rows[k] = r
            size = len(self.table)
            while len(strings) > size:
                size *= 2
            if size > len(self.table):
                grown = np.zeros((size, *self.table.shape[1:]))
                grown[: len(self.table)] = self.table
                self.table = grown
                self.scored = np.concatenate([self.scored, np.zeros(size - len(self.scored), dtype=bool)])
        return np.array(rows, dtype=np.int64)

    def ensure_scored(self, rows: np.ndarray, features: FeatureCache) -> None:
        """Score the (unique, sorted) rows not scored yet, in one vectorised step."""
        new = rows[~self.scored[rows]]
        if not len(new):
            return
        lookups = self.model.family_lookups
        targets: list[int] = []
        weights: list[int] = []
        strings = self.strings
        for r in new.tolist():
            values = features.token_values(strings[r])
            base = r * SLOTS
            for table, k, slot in lookups:
                w = table.get(values[k])
                if w is not None:
                    targets.append(base + slot)
                    weights.append(w)
        for slot, w in self.model.constant_rows:
            targets += (new * SLOTS + slot).tolist()
            weights += [w] * len(new)
        # Sum each target's weights in one pass over the targets in order.
        target_arr = np.array(targets, dtype=np.int64)
        order = np.argsort(target_arr, kind="stable")
        target_arr = target_arr[order]
        cut = np.flatnonzero(np.diff(target_arr, prepend=-1))
        flat = self.table.reshape(-1, self.table.shape[2])
        flat[target_arr[cut]] += np.add.reduceat(self.model.weights[np.array(weights)[order]], cut, axis=0)
        self.scored[new] = True


class BatchTagger:
    """Decode whole token sequences (the CRF as trained: every token free, sentence pads at the ends)."""

    def __init__(self, model: CrfModel) -> None:
        self.model = model
        self.scores = TokenScores(model)

    def tag(self, sequences: list[tuple[list[str], list[bool], dict[int, str]]], features: FeatureCache) -> list[list[int]]:
        """Label indices for `(tokens, sentence_start flags, gazetteer BIO tags by position)` sequences."""
        model = self.model
        scores = self.scores
        out = []
        for tokens, bos, span_tags in sequences:
            rows = scores.rows_for(tokens)
            scores.ensure_scored(np.unique(rows), features)
            t = scores.table
            n = len(rows)
            padded = np.concatenate([[TokenScores.PAD_BEFORE] * 2, rows, [TokenScores.PAD_AFTER] * 2])
            em = (
                t[padded[2:-2], 2]
                + t[padded[1:-3], 1]
                + t[padded[:-4], 0]
                + t[padded[3:-1], 3]
                + t[padded[4:], 4]
                + np.array(bos)[:, None] * t[rows, 5]
            )
            for i, tag in span_tags.items():
                em[i] += model.gs_table[model.gs_index[tag]]
            path = model.viterbi_runs(em, np.array([0]), np.array([n]), np.zeros(1), np.zeros(1))
            out.append(path.tolist())
        return out

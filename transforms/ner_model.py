"""Linear-chain CRF decoding from exported weights: memoised token scores, vectorised Viterbi."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import add

import numpy as np

from transforms.ner_features import FeatureCache

# Caches are cleared when they reach this many keys, so memory stays bounded on long runs;
# results never depend on cache state.
_CACHE_LIMIT = 300_000


class CrfModel:
    """State-feature weights per attribute and label-transition weights of a trained CRF."""

    def __init__(self, labels: Sequence[str], state: dict[str, tuple[float, ...]], trans: list[list[float]]):
        self.labels = tuple(labels)
        self.state = state
        self.trans = trans  # trans[from][to]
        self.o = self.labels.index("O")
        self.attr_row = {a: k for k, a in enumerate(state)}
        self.weights = np.array(list(state.values()) or [[0.0] * len(self.labels)])
        n = len(self.labels)
        self.zero = (0.0,) * n
        # Padding entries shaped like token vectors (slots -2, -1, 0, +1, +2).
        z = self.zero
        self.bos_pad = (self.score(["-2:BOS"]), self.score(["-1:BOS"]), z, z, z, z)
        self.eos_pad = (z, z, z, self.score(["+1:EOS"]), self.score(["+2:EOS"]), z)
        self.gs_vectors = {
            p + t: self.score(["gs=" + p + t]) for p in ("B-", "I-") for t in ("PER", "LOC", "ORG")
        }
        self.cols = [[trans[i][j] for i in range(n)] for j in range(n)]  # cols[to][from]

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> "CrfModel":
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


class BatchTagger:
    """Vectorised CRF decoding of many runs at once: numpy emissions, Viterbi grouped by run length."""

    def __init__(self, model: CrfModel) -> None:
        self.model = model
        n = len(model.labels)
        self.trans = np.array(model.trans)  # [from, to]
        self.from_o = self.trans[model.o]  # O -> label
        self.to_o = self.trans[:, model.o]  # label -> O
        self.gs_index = {tag: k for k, tag in enumerate(sorted(model.gs_vectors))}
        self.gs_table = np.array([model.gs_vectors[t] for t in sorted(model.gs_vectors)] + [model.zero])
        self.n = n
        self.reset()

    def reset(self) -> None:
        """Drop the token table (rows 0 and 1 are the BOS and EOS pads)."""
        m = self.model
        self.rows: dict[str, int] = {}
        self.table = np.zeros((4096, 6, len(m.labels)))
        self.table[0] = np.array(m.bos_pad)
        self.table[1] = np.array(m.eos_pad)
        self.used = 2
        self.pending: list[str] = []

    def row(self, token: str) -> int:
        """Table row for a token first seen in this batch; filled by `_fill_pending`."""
        r = self.used
        self.rows[token] = r
        self.pending.append(token)
        self.used += 1
        return r

    def _fill_pending(self, features: FeatureCache) -> None:
        """Score every new token of the batch in one vectorised step."""
        if not self.pending:
            return
        while self.used > len(self.table):
            self.table = np.concatenate([self.table, np.zeros_like(self.table)])
        attr_row = self.model.attr_row
        targets: list[int] = []
        weights: list[int] = []
        rows = self.rows
        for token in self.pending:
            feats = features.lookup(token)
            base = rows[token] * 6
            centre = feats[2]
            for slot, attrs in enumerate((*feats, ["bos", "bos|" + centre[1], "bos|" + centre[11]])):
                for a in attrs:
                    w = attr_row.get(a)
                    if w is not None:
                        targets.append(base + slot)
                        weights.append(w)
        flat = self.table.reshape(-1, self.n)
        np.add.at(flat, targets, self.model.weights[weights])
        self.pending = []

    def tag(self, jobs: list[tuple], features: FeatureCache) -> list[list[int]]:
        """Label indices (into `model.labels`) for jobs `(tokens, left, right, bos, span_tags)`.

        Context tokens are fixed to O, so each run is decoded on its own; runs of equal length
        are decoded together.
        """
        if not jobs:
            return []
        if len(self.rows) > _CACHE_LIMIT:
            self.reset()
            features.clear()
        row = self.rows.get
        new = self.row
        idx = [[], [], [], [], []]  # centre, -1, -2, +1, +2 rows per run token
        bos_pos: list[int] = []
        bos_rows: list[int] = []
        gs_pos: list[int] = []
        gs_tag: list[int] = []
        starts = []
        pos = 0
        for tokens, left, right, bos, span_tags in jobs:
            # Real tokens never get rows 0 or 1 (the pads), so `or` only fires for new tokens.
            seq = [0] * (2 - len(left))
            seq += [row(t) or new(t) for t in left]
            seq += [row(t) or new(t) for t in tokens]
            seq += [row(t) or new(t) for t in right]
            seq += [1] * (2 - len(right))
            n_tok = len(tokens)
            idx[0] += seq[2 : 2 + n_tok]
            idx[1] += seq[1 : 1 + n_tok]
            idx[2] += seq[0:n_tok]
            idx[3] += seq[3 : 3 + n_tok]
            idx[4] += seq[4 : 4 + n_tok]
            if bos:
                bos_pos.append(pos)
                bos_rows.append(seq[2])
            if span_tags:
                for i, tag in span_tags.items():
                    gs_pos.append(pos + i)
                    gs_tag.append(self.gs_index[tag])
            starts.append(pos)
            pos += n_tok
        self._fill_pending(features)
        t = self.table
        em = t[idx[0], 2] + t[idx[1], 1] + t[idx[2], 0] + t[idx[3], 3] + t[idx[4], 4]
        if bos_pos:
            em[bos_pos] += t[bos_rows, 5]
        if gs_pos:
            np.add.at(em, gs_pos, self.gs_table[gs_tag])
        out: list[list[int] | None] = [None] * len(jobs)
        by_len: dict[int, list[int]] = {}
        for k, job in enumerate(jobs):
            by_len.setdefault(len(job[0]), []).append(k)
        for length, ks in by_len.items():
            base = np.array([starts[k] for k in ks])
            has_left = np.array([bool(jobs[k][1]) for k in ks])[:, None]
            has_right = np.array([bool(jobs[k][2]) for k in ks])[:, None]
            e = em[base[:, None] + np.arange(length)[None, :]]  # (R, L, n)
            delta = e[:, 0] + has_left * self.from_o
            back = []
            for step in range(1, length):
                scores = delta[:, :, None] + self.trans[None, :, :]  # (R, from, to)
                back.append(scores.argmax(axis=1))
                delta = scores.max(axis=1) + e[:, step]
            delta = delta + has_right * self.to_o
            best = delta.argmax(axis=1)
            path = [best]
            for ptr in reversed(back):
                best = ptr[np.arange(len(ks)), best]
                path.append(best)
            path_rows = np.stack(path[::-1], axis=1).tolist()  # (R, L) label indices
            for k, p in zip(ks, path_rows):
                out[k] = p
        return out  # type: ignore[return-value]

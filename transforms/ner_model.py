"""Linear-chain CRF decoding in plain Python from exported weights, memoised per token type."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import add

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
        n = len(self.labels)
        self.zero = (0.0,) * n
        # Inside tags may not follow O or another type: the trained weights already make these
        # very unlikely; decoding keeps them so results equal crfsuite's Viterbi.
        self._token_vectors: dict[str, tuple[tuple[float, ...], ...]] = {}
        # Padding entries shaped like token vectors (slots -2, -1, 0, +1, +2).
        z = self.zero
        self.bos_pad = (self.score(["-2:BOS"]), self.score(["-1:BOS"]), z, z, z)
        self.eos_pad = (z, z, z, self.score(["+1:EOS"]), self.score(["+2:EOS"]))
        self.cols = [[trans[i][j] for i in range(n)] for j in range(n)]  # cols[to][from]

    def clear_cache(self) -> None:
        """Forget memoised token vectors."""
        self._token_vectors.clear()

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

    def token_vectors(self, token: str, features: FeatureCache) -> tuple[tuple[float, ...], ...]:
        """Label scores a token contributes at offsets -2, -1, 0, +1, +2 (memoised)."""
        hit = self._token_vectors.get(token)
        if hit is None:
            if len(self._token_vectors) >= _CACHE_LIMIT:
                self._token_vectors.clear()
            hit = tuple(self.score(attrs) for attrs in features.lookup(token))
            self._token_vectors[token] = hit
        return hit

    def decode(self, emissions: list[list[float]], has_left: bool, has_right: bool) -> list[str]:
        """Viterbi labels for a run whose neighbours (if any) are fixed to O."""
        n = len(self.labels)
        cols = self.cols
        delta = list(map(add, emissions[0], self.trans[self.o])) if has_left else list(emissions[0])
        history = [delta]
        for e in emissions[1:]:
            delta = [max(map(add, delta, cols[j])) + e[j] for j in range(n)]
            history.append(delta)
        final = list(map(add, delta, self.cols[self.o])) if has_right else delta
        j = final.index(max(final))
        path = [j]
        for t in range(len(emissions) - 1, 0, -1):
            vals = list(map(add, history[t - 1], cols[j]))
            j = vals.index(max(vals))
            path.append(j)
        labels = self.labels
        return [labels[k] for k in reversed(path)]

    def tag_single(
        self, token: str, left: Sequence[str], right: Sequence[str], bos: bool, gs: str | None,
        features: FeatureCache,
    ) -> str:
        """Label of a one-token run (same result as `tag_run` on it)."""
        tv = self.token_vectors
        nl = len(left)
        m2 = tv(left[0], features)[0] if nl == 2 else self.bos_pad[0]
        m1 = tv(left[-1], features)[1] if nl else self.bos_pad[1]
        nr = len(right)
        p1 = tv(right[0], features)[3] if nr else self.eos_pad[3]
        p2 = tv(right[1], features)[4] if nr == 2 else self.eos_pad[4]
        em = [a + b + c + d + e for a, b, c, d, e in zip(tv(token, features)[2], m1, m2, p1, p2)]
        if bos or gs is not None:
            extra = []
            if bos:
                centre = features.lookup(token)[2]
                extra = ["bos", "bos|" + centre[1], "bos|" + centre[11]]
            if gs is not None:
                extra.append("gs=" + gs)
            em = list(map(add, em, self.score(extra)))
        if nl:
            em = list(map(add, em, self.trans[self.o]))
        if nr:
            em = list(map(add, em, self.cols[self.o]))
        return self.labels[em.index(max(em))]

    def tag_run(
        self,
        tokens: Sequence[str],
        left: Sequence[str],
        right: Sequence[str],
        bos: bool,
        span_tags: dict[int, str],
        features: FeatureCache,
    ) -> list[str]:
        """Labels for a capitalised run given up to two context tokens each side (context is O)."""
        tv = self.token_vectors
        seq = [self.bos_pad] * (2 - len(left)) + [tv(t, features) for t in left]
        seq += [tv(t, features) for t in tokens]
        seq += [tv(t, features) for t in right] + [self.eos_pad] * (2 - len(right))
        emissions = []
        for i in range(len(tokens)):
            p = i + 2
            em = [a + b + c + d + e for a, b, c, d, e in zip(
                seq[p][2], seq[p - 1][1], seq[p - 2][0], seq[p + 1][3], seq[p + 2][4])]
            extra = None
            if i == 0 and bos:
                centre = features.lookup(tokens[0])[2]
                extra = ["bos", "bos|" + centre[1], "bos|" + centre[11]]
            tag = span_tags.get(i)
            if tag is not None:
                extra = (extra or []) + ["gs=" + tag]
            if extra:
                em = list(map(add, em, self.score(extra)))
            emissions.append(em)
        return self.decode(emissions, bool(left), bool(right))

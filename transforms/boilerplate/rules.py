"""The rule library: `data/boilerplate/rules.tsv` and `outlets.tsv` read and compiled (triggers, widths)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from transforms.boilerplate.params import DEFAULT_PARAMS, BoilerplateParams
from transforms.metadata import Outlet, OutletMatcher

DEFAULT_RULES_DIR = Path(__file__).parents[2] / "data" / "boilerplate"
ACTIONS = ("line", "span", "tail", "linkout")


@dataclass(frozen=True)
class Rule:
    """One named furniture pattern with its scope and action."""

    name: str
    family: str
    scope: frozenset[str] | None  # None: every outlet
    action: str
    field: str | None
    triggers: tuple[str, ...]
    pattern: str
    max_chars: int | None = None  # `line` rules: the longest stripped line the pattern can match (None: any)


class BoilerplateRules:
    """The compiled rule library and known outlets; picklable (recompiled on unpickle)."""

    def __init__(self, rules: list[Rule], outlets: list[Outlet], params: BoilerplateParams = DEFAULT_PARAMS):
        self.rules = rules
        self.outlets = outlets
        self.params = params
        self.matcher = OutletMatcher(outlets)
        self.compiled = [re.compile(_rename_value_group(r.pattern, i)) for i, r in enumerate(rules)]
        self.tail_compiled = [
            re.compile(f"(?:{_rename_value_group(r.pattern, i)})\\s*$") if r.action == "tail" else None
            for i, r in enumerate(rules)
        ]
        # Every rule is gated by cheap triggers, so most article lines never meet a regex: literals through one
        # Aho–Corasick pass over the article, `^x`/`$x` on a line's first/last char, `!ascii` on short
        # non-ASCII lines. A `line` rule is also gated by the longest line it can match (`max_chars`).
        self.width = tuple(r.max_chars if r.action == "line" and r.max_chars is not None else _UNBOUNDED for r in rules)
        self.untriggered = tuple(i for i, r in enumerate(rules) if not r.triggers)
        self.start_triggers: dict[str, tuple[int, ...]] = {}
        self.end_triggers: dict[str, tuple[int, ...]] = {}
        self.nonascii_rules: tuple[int, ...] = ()
        by_literal: dict[str, list[int]] = {}
        for i, r in enumerate(rules):
            for trigger in r.triggers:
                if trigger == "!ascii":
                    self.nonascii_rules += (i,)
                elif trigger[0] in "^$" and len(trigger) == 2:
                    table = self.start_triggers if trigger[0] == "^" else self.end_triggers
                    table[trigger[1]] = table.get(trigger[1], ()) + (i,)
                else:
                    by_literal.setdefault(trigger, []).append(i)
        # The longest line any rule of a first/last-char trigger can match: longer lines skip the trigger.
        self.start_width = {c: max(self.width[i] for i in ix) for c, ix in self.start_triggers.items()}
        self.end_width = {c: max(self.width[i] for i in ix) for c, ix in self.end_triggers.items()}
        self.automaton = ahocorasick.Automaton()
        # One automaton entry per word: `selengkapnya` and `selengkapnya*` of two rules share it (a prefix wins).
        by_word: dict[str, tuple[list[int], bool]] = {}
        for literal, indices in by_literal.items():
            word = literal.rstrip("*")
            known, prefix = by_word.get(word, ([], False))
            by_word[word] = (known + indices, prefix or literal.endswith("*"))
        for word, (indices, prefix) in by_word.items():
            # A literal matches as a whole word (`tag` not in `tagihan`); a trailing `*` makes it a prefix (`advert*`).
            widest = max(self.width[i] for i in indices)
            self.automaton.add_word(
                word, (len(word), word[0].isalnum(), word[-1].isalnum() and not prefix, tuple(sorted(set(indices))), widest)
            )
        self.automaton.make_automaton()

    def __reduce__(self):
        return (BoilerplateRules, (self.rules, self.outlets, self.params))


_UNBOUNDED = 1 << 30
# Whitespace repeats (`\s*`, `[\s,]+`) count as at most 3 characters when a line rule's width is computed;
# lines holding a longer whitespace run are never gated by width.
_SPACE_REPEAT = re.compile(r"(\\s|\[[^\]]*\\s[^\]]*\])([*+])")
_LONG_SPACE = re.compile(r"\s{4}")


def pattern_max_chars(pattern: str) -> int | None:
    """The longest text `pattern` can match (whitespace runs counted as <= 3 characters), or None if unbounded."""
    bounded = _SPACE_REPEAT.sub(lambda m: m.group(1) + ("{0,3}" if m.group(2) == "*" else "{1,3}"), pattern)
    width = re._parser.parse(bounded).getwidth()[1]
    return None if width >= re._constants.MAXREPEAT else width


def _rename_value_group(pattern: str, index: int) -> str:
    return pattern.replace("(?P<value>", f"(?P<v{index}>")


def _read_tsv(path: Path) -> list[dict[str, str]]:
    rows = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if row and not row.startswith("#")]
    header = rows[0].split("\t")
    records = []
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{path.name}: expected {len(header)} columns, got {len(cells)}: {row[:80]}")
        records.append(dict(zip(header, cells)))
    return records


def load_rules(path: Path | None = None, params: BoilerplateParams | None = None) -> BoilerplateRules:
    """Read the rule library (`rules.tsv`, `outlets.tsv`) from a directory, by default the packaged one.

    `params` (the cleaner's knobs) travel with the compiled rules to every batch.
    """
    directory = Path(path) if path is not None else DEFAULT_RULES_DIR
    rules = []
    for row in _read_tsv(directory / "rules.tsv"):
        if row["action"] not in ACTIONS:
            raise ValueError(f"rule {row['name']}: unknown action {row['action']!r}")
        scope = None if row["scope"] in ("", "*") else frozenset(s.strip() for s in row["scope"].split(","))
        triggers = tuple(t.strip().lower() for t in row["triggers"].split(",") if t.strip() and t.strip() != "-")
        try:
            re.compile(row["pattern"])
        except re.error as error:
            raise ValueError(f"rule {row['name']}: bad pattern: {error}") from error
        max_chars = row.get("max_chars") or None
        max_chars = int(max_chars) if max_chars not in (None, "-") else pattern_max_chars(row["pattern"])
        rules.append(
            Rule(row["name"], row["family"], scope, row["action"], row["field"] or None, triggers, row["pattern"], max_chars)
        )
    outlets = [Outlet(row["outlet"], row["key"], row["pattern"]) for row in _read_tsv(directory / "outlets.tsv")]
    return BoilerplateRules(rules, outlets, params or DEFAULT_PARAMS)

"""The trigger table (data/events/triggers.tsv): Indonesian phrases -> CAMEO codes, and the scan for them.

See data/events/README.md for the table's format; users may add their own rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

MAX_GAP_WORDS = 4  # what `...` in a trigger phrase spans (part of the table's format)
DEFAULT_TRIGGERS = Path(__file__).parents[2] / "data" / "events" / "triggers.tsv"
VOICES = ("active", "passive", "nominal")


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
        triggers.append(Trigger(pattern.lower(), event_code, root_code, label, voice, symmetric == "1", negates == "1"))
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
            after = lowered[end + 1 : end + 4]
            if lowered[end + 1 : end + 2].isalnum() and after != "nya":
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


DEFAULT_GOLDSTEIN = Path(__file__).parents[2] / "data" / "events" / "goldstein.tsv"


def load_goldstein(path: Path | None = None) -> dict[str, float]:
    """CAMEO code -> Goldstein score (data/events/goldstein.tsv, the published CAMEO scale)."""
    scale: dict[str, float] = {}
    for line in Path(path or DEFAULT_GOLDSTEIN).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("event_code\t"):
            continue
        code, score = line.split("\t")
        scale[code] = float(score)
    return scale


def goldstein_of(event_code: str, scale: dict[str, float]) -> float | None:
    """The code's score, else its three-digit parent's, else its root's."""
    for key in (event_code, event_code[:3], event_code[:2]):
        if key in scale:
            return scale[key]
    return None

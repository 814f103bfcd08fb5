"""When: the date of an event from the date expressions of its sentence (transforms.dates parses them).

The date is the point date expression nearest the trigger in its sentence that no other
trigger is nearer to, or one opening the sentence (`Pada Minggu pekan lalu, ...` dates all
its events); ranges, decades and `sejak`/`hingga`/`untuk` bounds are excluded except
`sejak X, ketika ...`; an undated re-mention of an event the article dates once elsewhere
takes that date; otherwise null, never the publication date. Relative expressions resolve
against published_date, else a dated dateline; a week becomes month precision when it lies
in one month.
"""

from __future__ import annotations

import datetime as dt

from transforms.dates import DateValue, find_date_expressions, parse_date
from transforms.events.params import DEFAULT_PARAMS, EventParams
from transforms.events.patterns import DURATIVE_BEFORE, DURATIVE_SURFACE, OPENING_DATE, SINCE_WHEN


def point_value(text: str, mention) -> tuple[dt.date, str] | None:
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
        DURATIVE_BEFORE.search(text[max(0, mention.start - 25) : mention.start]) or DURATIVE_SURFACE.match(mention.surface)
    ) and not SINCE_WHEN.match(text[mention.end : mention.end + 12]):
        return None
    if value.precision == "week":  # coarsen: a week inside one month is that month
        last = value.date + dt.timedelta(days=6)
        if last.month == value.date.month:
            return value.date.replace(day=1), "month"
        if last.year == value.date.year:
            return value.date.replace(month=1, day=1), "year"
        return None
    return value.date, value.precision


def date_of_event(
    sentence: str,
    offset: int,
    t_start: int,
    reference: dt.date | None,
    trigger_starts: list[int] = (),
    params: EventParams = DEFAULT_PARAMS,
) -> tuple[dt.date | None, str | None]:
    """Date of the event: the point date expression nearest the trigger, or nothing.

    A date nearer another trigger of the sentence is that event's date (`mendukung pernyataan Iran
    ... pasca serangan Hamas pada 7 Oktober 2023` dates the attack, not the support), unless it
    opens the sentence (`Pada Minggu pekan lalu, Pyongyang menguji ..., bertepatan dengan kunjungan`):
    a sentence-initial adverbial dates every event of the sentence.
    """
    best: tuple[int, tuple[dt.date, str] | None] | None = None
    # Only the stretch around the trigger can date it; long sentences are clipped for speed.
    window_start = max(0, t_start - offset - params.date_window)
    window = sentence[window_start : t_start - offset + params.date_window]
    offset += window_start
    for mention in find_date_expressions(window, reference):
        position = offset + mention.start
        opening = (
            params.sentence_initial_dates
            and position < t_start
            and OPENING_DATE.match(sentence[: position - offset + window_start])
        )
        if not opening and any(abs(position - other) < abs(position - t_start) for other in trigger_starts if other != t_start):
            continue
        value = point_value(window, mention)
        if value is None:
            continue
        distance = abs(position - t_start)
        if best is None or distance < best[0]:
            best = (distance, value)
    if best is None or best[1] is None:
        return None, None
    return best[1]


def inherited_date(
    article_dates: list[tuple[int, dt.date, str]], body: str, s_start: int, scope: str = "none"
) -> tuple[dt.date | None, str | None]:
    """The nearest point date before the sentence in its paragraph (EventParams.inherit_scope), or nothing."""
    if scope == "none":
        return None, None
    floor = body.rfind("\n", 0, s_start) + 1
    if scope == "previous-paragraph" and floor > 0:
        floor = body.rfind("\n", 0, max(0, floor - 1)) + 1
        while floor > 0 and not body[floor:s_start].strip("\n").count("\n") and body[floor - 1] == "\n":
            floor = body.rfind("\n", 0, floor - 1) + 1
    before = [d for d in article_dates if floor <= d[0] < s_start]
    if not before:
        return None, None
    return before[-1][1], before[-1][2]


def reference_date(published_date: dt.date | None, dateline: str | None) -> dt.date | None:
    """The date relative expressions are resolved against: publication date, else a dated dateline."""
    if published_date is not None:
        return published_date
    if dateline:
        value = parse_date(dateline)
        if value is not None and value.precision == "day":
            return value.date
    return None

"""Rule-based TIMEX3 tagger: finds dates, times, durations and sets and resolves them to UTC intervals."""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from itertools import accumulate, compress, count, repeat
from operator import itemgetter
from zoneinfo import ZoneInfo

from analysis import lexicon
from analysis.text.numbers import DIGITS_RE, Style, number_words, read_number
from analysis.text.tokens import PhraseTable, SpanIndex, alternation, line_sentences, lines, sentences, token_columns

# Granularities from fine to coarse; composed offsets keep the coarser of anchor and unit.
_GRAN = {"MIN": 0, "H": 1, "PD": 2, "D": 3, "W": 4, "WE": 4, "M": 5, "Q": 6, "SE": 6, "Y": 8, "DE": 9, "CE": 10}
# Tokens that end a clause when looking for tense cues around an expression.
_CLAUSE_BREAKS = frozenset(';:"“”()[]—') | {"--"}
_BARRIER = "\x00"
_DIGITS = re.compile(r"[0-9]+")
_REFERENCE_RE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_DAY_RE = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?")
_ORDINAL_RE = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)")
_YEAR_RE = re.compile(r"[0-9]{4}")
_TWO_DIGITS_RE = re.compile(r"[0-9]{2}")
_CLOCK_RE = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?(a\.?m|p\.?m)?")
_MILITARY_RE = re.compile(r"([0-2][0-9])([0-5][0-9])")
# A clock with a dot, as British and European outlets write it ("9.30pm", "21.05"): read only with a meridiem, or
# as a live blog's time stamp opening its line before a dash ("21.05 – Current death toll revised ..."); anywhere
# else "21.05" is a number (a price, a rate).
_DOT_CLOCK_RE = re.compile(r"([0-9]{1,2})\.([0-5][0-9])(a\.?m|p\.?m)?")
_DECADE_RE = re.compile(r"([0-9]{3})0s")
_SHORT_DECADE_RE = re.compile(r"[0-9]0s")
_POSSESSIVE_RE = re.compile(r"\w['’]s$")
_HYPHEN_SPLIT_RE = re.compile(r"(-)")
_ODD_CHAR_RE = re.compile(r"-|['’]s")  # where a token may need splitting: a hyphen or a possessive
_FIRST_CHAR = itemgetter(slice(1))


@dataclass(frozen=True)
class TimeExpr:
    """One time expression with its TIMEX3 type/value and resolved UTC interval."""

    start: int
    end: int
    text: str
    timex_type: str
    timex_value: str
    starts_at: datetime | None
    ends_at: datetime | None
    rule: str


# ---------------------------------------------------------------- lexicon


class _Lex(dict):
    """The time lexicon as read (a dict: lex["months"]) with an index of each table's keys by their first word,
    built on first use."""

    def __init__(self, raw: dict) -> None:
        super().__init__(raw)
        self._starts: dict[str, dict[str, tuple[tuple[list[str], object], ...]]] = {}

    @property
    def raw(self) -> dict:
        return self

    def match(self, name: str, w: list[str], i: int) -> tuple[object, int] | None:
        """The longest key of lexicon table name at word i: (what it codes, the index after it). Called a quarter
        of a million times a MB: most words start no key, answered by one dict lookup."""
        starts = self._starts.get(name)
        if starts is None:
            starts = self._index(name)
        keys = starts.get(w[i]) if i < len(w) else None
        if keys is None:
            return None
        for rest, value in keys:  # longest first
            n = len(rest) + 1
            if not rest or w[i + 1 : i + n] == rest:
                return value, i + n
        return None

    def _index(self, name: str) -> dict[str, tuple[tuple[list[str], object], ...]]:
        raw = self[name]
        items = raw.items() if isinstance(raw, dict) else ((k, k) for k in raw)
        table = PhraseTable({tuple(str(k).lower().split()): v for k, v in items})
        index = {first: tuple((list(p[1:]), table[p]) for p in keys) for first, keys in table.by_first.items()}
        self._starts[name] = index
        return index


@lru_cache(maxsize=1)
def load_lexicon() -> _Lex:
    """The time lexicon (lexicon/time.yaml), read once, with its phrase tables built on first use."""
    return _Lex(lexicon.load("time"))


# ---------------------------------------------------------------- context


@dataclass
class _Hit:
    """A matched expression: token span, TIMEX3 type/value and local interval."""

    j: int
    kind: str
    value: str
    start: datetime | None = None
    end: datetime | None = None
    gran: str = ""
    zone: tzinfo | None = None  # explicit zone written in the text; None = document zone
    rule: str = ""
    offset: tuple | None = None  # (sign, Δmonths, Δseconds, unit gran) waiting for a later anchor


@dataclass
class _Doc:
    lex: _Lex
    dct: datetime  # naive local reference time
    zone: tzinfo
    focus_day: date  # the day narrative times attach to (last mentioned day, else the reference)
    focus: _Hit | None = None  # the last resolved point, anchor for "N hours later"


@dataclass
class _Sent:
    doc: _Doc
    raw: list[str]  # token texts as written (a blocked token is _BARRIER)
    w: list[str]  # normalised token texts
    hits: list[tuple[int, _Hit]] = field(default_factory=list)
    last_time: _Hit | None = None  # the last clock time (a TIME with a start) among hits, kept as they are added
    lex: _Lex = field(init=False)  # the document's, read by every rule

    def __post_init__(self) -> None:
        self.lex = self.doc.lex

    def cap(self, i: int) -> bool:
        return i < len(self.raw) and self.raw[i][:1].isupper()

    def future(self, i: int, j: int) -> bool:
        return self.tense(i, j) > 0

    def tense(self, i: int, j: int) -> int:
        """+1 / -1 / 0: the nearest tense cue in the clause around tokens i..j, looking left first."""
        left, right = self.lex["tense_window"]
        for k in range(i - 1, max(i - left, 0) - 1, -1):
            if self.w[k] in _CLAUSE_BREAKS:
                break
            if cue := self._cue(k):
                return cue
        for k in range(j, min(j + right, len(self.w))):
            if self.w[k] in _CLAUSE_BREAKS:
                break
            if cue := self._cue(k):
                return cue
        return 0

    def _cue(self, k: int) -> int:
        word = self.w[k]
        if word in self.lex["future_cues"] or word.endswith("'ll"):
            return 1
        if word in self.lex["past_cues"] or (len(word) > 4 and word.endswith("ed")):
            return -1
        return 0


def _norm(text: str) -> str:
    low = text.lower()
    return low if low == "." else low.rstrip(".")


def _parse_reference(reference: str) -> datetime:
    """The document time as a naive local datetime; a bare date means midnight."""
    try:
        return datetime.fromisoformat(reference.strip()).replace(tzinfo=None)
    except ValueError:
        m = _REFERENCE_RE.match(reference.strip())
        if not m:
            raise ValueError(f"unreadable reference time {reference!r}") from None
        return datetime(int(m[1]), int(m[2]), int(m[3]))


# ---------------------------------------------------------------- calendar helpers


def _add_months(d: datetime, months: int) -> datetime:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return d.replace(year=y, month=m + 1, day=min(d.day, calendar.monthrange(y, m + 1)[1]))


def _shift(d: datetime, months: int, seconds: float, sign: int) -> datetime:
    return _add_months(d, sign * months) + timedelta(seconds=sign * seconds)


def _day(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _period(d: datetime, gran: str) -> tuple[datetime, datetime]:
    """The calendar period of granularity gran containing d."""
    if gran == "Y":
        s = datetime(d.year, 1, 1)
        return s, s.replace(year=d.year + 1)
    if gran == "DE":
        s = datetime(d.year - d.year % 10, 1, 1)
        return s, s.replace(year=s.year + 10)
    if gran == "CE":
        s = datetime(d.year - d.year % 100, 1, 1)
        return s, s.replace(year=s.year + 100)
    if gran == "Q":
        s = datetime(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        return s, _add_months(s, 3)
    if gran == "M":
        s = datetime(d.year, d.month, 1)
        return s, _add_months(s, 1)
    if gran == "W":
        s = _day(d.date() - timedelta(days=d.weekday()))
        return s, s + timedelta(days=7)
    if gran == "WE":
        s = _day(d.date() - timedelta(days=d.weekday())) + timedelta(days=5)
        return s, s + timedelta(days=2)
    if gran == "D":
        s = _day(d.date())
        return s, s + timedelta(days=1)
    if gran == "H":
        s = d.replace(minute=0, second=0, microsecond=0)
        return s, s + timedelta(hours=1)
    s = d.replace(second=0, microsecond=0)
    return s, s + timedelta(minutes=1)


def _part_code(lex: _Lex, hour: int) -> str:
    """The TIMEX3 part-of-day code whose span holds the hour."""
    for spec in lex["parts_of_day"].values():
        lo, hi = spec["hours"]
        if lo <= hour < hi or lo <= hour + 24 < hi:
            return spec["code"]
    return "MO"


def _format(lex: _Lex, d: datetime, gran: str) -> str:
    """TIMEX3 value of the period of granularity gran starting at d."""
    if gran == "Y":
        return f"{d.year:04d}"
    if gran == "DE":
        return f"{d.year // 10:03d}"
    if gran == "CE":
        return f"{d.year // 100:02d}"
    if gran == "Q":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    if gran == "M":
        return f"{d.year:04d}-{d.month:02d}"
    if gran == "W":
        y, wk, _ = d.isocalendar()
        return f"{y:04d}-W{wk:02d}"
    if gran == "WE":
        y, wk, _ = d.isocalendar()
        return f"{y:04d}-W{wk:02d}-WE"
    if gran == "D":
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if gran == "PD":
        return f"{_format(lex, d, 'D')}T{_part_code(lex, d.hour)}"
    if gran == "H":
        return f"{_format(lex, d, 'D')}T{d.hour:02d}"
    return f"{_format(lex, d, 'D')}T{d.hour:02d}:{d.minute:02d}"


def _period_hit(lex: _Lex, j: int, d: datetime, gran: str, rule: str, span: tuple[float, float] | None = None) -> _Hit:
    """A DATE hit for the calendar period of d, narrowed to a fraction (early/late) if given."""
    s, e = _narrow(*_period(d, gran), span)
    return _Hit(j, "DATE", _format(lex, d, gran), s, e, gran, rule=rule)


def _narrow(s: datetime, e: datetime, span: tuple[float, float] | None) -> tuple[datetime, datetime]:
    if not span:
        return s, e
    length = e - s
    return s + length * span[0], s + length * span[1]


def _weekday_date(ref: date, weekday: int, direction: int, strict: bool = False) -> date:
    """The weekday (1=Mon) nearest ref in direction (-1 past, +1 future); the same day unless strict."""
    delta = (weekday - 1 - ref.weekday()) % 7
    if direction < 0:
        delta = delta - 7 if delta else (-7 if strict else 0)
    elif delta == 0 and strict:
        delta = 7
    return ref + timedelta(days=delta)


def _near_year(ref: date, month: int, day: int | None, tense: int) -> int:
    """Year for a month (and day) written without one: the occurrence nearest the reference, unless
    the clause's tense points the other way and an occurrence on that side is within half a year."""

    def gap(year: int) -> int:
        if day is None:  # whole months: the reference's own month is at distance 0
            return (year - ref.year) * 12 + month - ref.month
        return (date(year, month, min(day, calendar.monthrange(year, month)[1])) - ref).days

    years = sorted([ref.year - 1, ref.year, ref.year + 1], key=lambda y: abs(gap(y)))
    half = 6 if day is None else 183
    agreeing = [y for y in years if gap(y) * tense >= 0 and abs(gap(y)) <= half]
    return agreeing[0] if tense and agreeing else years[0]


# ---------------------------------------------------------------- small parsers


# Counts of time units: "a week" is one, "hundred years" a hundred, "a couple of days" two, "2 1/2 years" two and a
# half, "3 hundred years" three hundred.
_TIME_COUNTS = Style(implicit_one=True, phrases=True, fractions=True, digit_hundreds=True)


def _number(s: _Sent, i: int) -> tuple[float | None, int] | None:
    """A count: digits or number words (text/numbers.py), or a vague one ("several") as None."""
    vague = s.lex.match("vague_numbers", s.w, i)
    if vague:
        return None, vague[1]
    return read_number(s.w, i, _TIME_COUNTS)


def _count_text(n: float | None) -> str:
    if n is None:
        return "X"
    return str(int(n)) if n == int(n) else str(n)


def _unit(s: _Sent, i: int) -> tuple[dict, int] | None:
    if i < len(s.w) and s.w[i] in s.lex["units"]:
        return s.lex["units"][s.w[i]], i + 1
    return None


def _unit_gran(unit: dict) -> str:
    code = unit["code"]
    if unit.get("time"):
        return "MIN"  # hour offsets keep minutes: "five hours after 4 a.m." is 09:00
    return {"D": "D", "W": "D", "M": "M", "Q": "Q"}.get(code, "Y")


def _duration_value(n: float | None, unit: dict) -> str:
    factor = unit.get("factor", 1)
    count = _count_text(None if n is None else n * factor)
    return f"PT{count}{unit['code']}" if unit.get("time") else f"P{count}{unit['code']}"


def _month(s: _Sent, i: int, loose: bool = False) -> tuple[int, int] | None:
    """A capitalised month name; ambiguous ones ("May") only when loose (next to a day or year)."""
    if i >= len(s.w) or s.w[i] not in s.lex["months"] or not s.cap(i):
        return None
    if not loose and s.w[i] in s.lex["ambiguous_months"]:
        return None
    return s.lex["months"][s.w[i]], i + 1


def _weekday(s: _Sent, i: int) -> tuple[int, int] | None:
    if i < len(s.w) and s.w[i] in s.lex["weekdays"] and s.cap(i):
        if len(s.w[i]) >= s.lex["weekday_min_length"]:
            return s.lex["weekdays"][s.w[i]], i + 1
    return None


def _day_number(s: _Sent, i: int) -> tuple[int, int] | None:
    m = _DAY_RE.fullmatch(s.w[i]) if i < len(s.w) else None
    if m and 1 <= int(m[1]) <= 31:
        return int(m[1]), i + 1
    return None


def _year(s: _Sent, i: int) -> tuple[int, int] | None:
    if i < len(s.w) and _YEAR_RE.fullmatch(s.w[i]):
        return int(s.w[i]), i + 1
    return None


def _skip(w: list[str], i: int, *words: str) -> int:
    """Step over one optional word."""
    return i + 1 if i < len(w) and w[i] in words else i


def _position(s: _Sent, i: int) -> tuple[dict | None, int]:
    """An optional "early"/"late"/"mid-" modifier."""
    hit = s.lex.match("position_modifiers", s.w, _skip(s.w, i, "the"))
    if not hit:
        return None, i
    return hit[0], _skip(s.w, hit[1], "-")


def _span(pos: dict | None) -> tuple[float, float] | None:
    return tuple(pos["span"]) if pos else None


def _zone(hours: float) -> tzinfo:
    return timezone(timedelta(hours=hours))


# ---------------------------------------------------------------- matchers


def _m_reference_word(s: _Sent, i: int) -> _Hit | None:
    hit = s.lex.match("reference_words", s.w, i)
    return _Hit(hit[1], "DATE", hit[0], rule="reference-word") if hit else None


def _m_set(s: _Sent, i: int) -> _Hit | None:
    """Frequencies: "daily", "every month", "each Thursday", "Tuesdays"."""
    w, lex = s.w, s.lex
    if i < len(w) and w[i] in lex["set_words"]:
        return _Hit(i + 1, "SET", lex["set_words"][w[i]], rule="set-word")
    if i < len(w) and w[i].endswith("s") and w[i][:-1] in lex["weekdays"] and s.cap(i) and len(w[i]) > 6:
        return _Hit(i + 1, "SET", f"XXXX-WXX-{lex['weekdays'][w[i][:-1]]}", rule="set-plural-weekday")
    if i >= len(w) or w[i] not in lex["set_determiners"]:
        return None
    j = _skip(w, i + 1, "other")
    unit = _unit(s, j)
    if unit and not w[j].endswith("s"):
        return _Hit(j + 1, "SET", _duration_value(1, unit[0]), rule="set-every-unit")
    wd = _weekday(s, j)
    if wd:
        return _Hit(wd[1], "SET", f"XXXX-WXX-{wd[0]}", rule="set-every-weekday")
    mo = _month(s, j, loose=True)
    if mo:
        return _Hit(mo[1], "SET", f"XXXX-{mo[0]:02d}", rule="set-every-month")
    pod = lex.match("parts_of_day", w, j)
    if pod:
        return _Hit(pod[1], "SET", f"XXXX-XX-XXT{pod[0]['code']}", rule="set-every-part-of-day")
    return None


def _m_duration(s: _Sent, i: int) -> _Hit | None:
    """Durations ("more than three hours", "the past six months", "two-year") and offsets from
    them ("a week ago", "13 hours later", "five hours after <anchor>")."""
    w, lex = s.w, s.lex
    j = _skip(w, i, "the")
    lead = lex.match("relative_determiners", w, j) or (
        (w[j], j + 1) if j < len(w) and w[j] in lex["duration_leads"] else None
    )
    if lead:
        j = lead[1]
    mod = lex.match("modifiers", w, j)
    if mod:
        j = mod[1]
    num = _number(s, j)
    hyphen = False
    if num:
        j = num[1]
        if j < len(w) and w[j] == "-":
            hyphen, j = True, j + 1
        j = _skip(w, j, *lex["unit_adjectives"])
        unit = _unit(s, j)
        if not unit or (hyphen and w[j].endswith("s")):
            return None
        n = num[0]
    else:
        unit = _unit(s, j)
        if not unit or w[j] not in lex["vague_plural_units"]:
            return None
        n = None
    if hyphen and j > i and w[i] == "the":
        return None  # "the seven-day standoff": the article belongs to the noun, not the duration
    end = unit[1]
    hit = _Hit(end, "DURATION", _duration_value(n, unit[0]), rule="duration")
    if lead or hyphen or w[i] == "the":
        return hit
    return _offset(s, end, n, unit[0], hit) or hit


def _offset(s: _Sent, j: int, n: float | None, unit: dict, duration: _Hit) -> _Hit | None:
    """Turn "<duration> ago/later/after" into a point counted from its anchor."""
    spec = s.lex.match("offset_words", s.w, j)
    if not spec:
        return None
    info, end = spec
    sign = info["sign"]
    if n is None:
        ref = "PAST_REF" if sign < 0 else "FUTURE_REF"
        return _Hit(end, "DATE", ref, rule=f"offset-vague-{s.w[j]}") if info["anchor"] != "following" else None
    count = n * unit.get("factor", 1)
    months = count * unit.get("months", 0)
    seconds = count * unit.get("seconds", 0)
    if months != int(months):
        months, seconds = 0, months * 30.4375 * 86400
    delta = (sign, int(months), seconds, _unit_gran(unit))
    if info["anchor"] == "following":
        return replace(duration, j=end, offset=delta, rule=f"offset-{s.w[j]}")
    doc = s.doc
    anchor = doc.focus if info["anchor"] == "previous" and doc.focus else None
    return _compose(doc, end, anchor, delta, f"offset-{s.w[j]}")


def _compose(doc: _Doc, j: int, anchor: _Hit | None, delta: tuple, rule: str) -> _Hit:
    """The point delta away from anchor (or from the reference time when anchor is None)."""
    sign, months, seconds, unit_gran = delta
    if anchor is None:
        gran = unit_gran
        s0, e0 = _period(doc.dct, "D") if _GRAN[gran] >= _GRAN["D"] else (doc.dct, doc.dct)
        zone = None
        rule += "@reference"
    else:
        gran = anchor.gran if _GRAN[anchor.gran] >= _GRAN["D"] else max(anchor.gran, unit_gran, key=_GRAN.get)
        s0, e0, zone = anchor.start, anchor.end, anchor.zone
        rule += f"@{anchor.value}"
    s, e = _shift(s0, months, seconds, sign), _shift(e0, months, seconds, sign)
    if anchor is None and _GRAN[gran] >= _GRAN["D"]:
        s, e = _period(s, gran)
    kind = "TIME" if _GRAN[gran] < _GRAN["D"] else "DATE"
    return _Hit(j, kind, _format(doc.lex, s, gran), s, e, gran, zone, rule)


def _dot_clock(s: _Sent, i: int) -> tuple[int, int, int] | None:
    """(hour, minute, next index) of "9.30pm", "9.30 p.m." or a line-opening "21.05 –"; None otherwise."""
    w, lex = s.w, s.lex
    m = _DOT_CLOCK_RE.fullmatch(w[i])
    if m is None:
        return None
    h, mi, mer, j = int(m[1]), int(m[2]), m[3], i + 1
    if mer is None and j < len(w) and w[j] in lex["meridiem"]:
        mer, j = lex["meridiem"][w[j]], j + 1
    if mer:
        return (h % 12 + (12 if mer.startswith("p") else 0), mi, j) if 1 <= h <= 12 else None
    return (h, mi, j) if _is_stamp(s, i) and h <= 23 else None


def _is_stamp(s: _Sent, i: int) -> bool:
    """Whether token i is a live blog's time stamp: a dotted clock opening its line, a dash after it."""
    w = s.w
    return (
        i == 0
        and i + 1 < len(w)
        and w[i + 1] in s.lex["time_stamp_dashes"]
        and _DOT_CLOCK_RE.fullmatch(w[i]) is not None
    )


def _clock(s: _Sent, i: int) -> tuple[int, int, int] | None:
    """A clock reading: (hour, minute, next index) from "4am", "4 a.m.", "7:15 p.m.", "23:00", "2300 GMT", "noon"."""
    w, lex = s.w, s.lex
    if i >= len(w):
        return None
    if w[i] in lex["clock_words"]:
        h, mi = lex["clock_words"][w[i]]
        return h, mi, i + 1
    m = _CLOCK_RE.fullmatch(w[i])
    j = i + 1
    if m is None and (dot := _dot_clock(s, i)) is not None:
        return dot
    if m:
        h, mi, mer = int(m[1]), int(m[2] or 0), m[3]
        if mer is None and j < len(w) and w[j] in lex["meridiem"]:
            mer, j = lex["meridiem"][w[j]], j + 1
        elif mer is None and j < len(w) and w[j] == "o'clock":
            mer, j = "", j + 1
        if mer is None and m[2] is None:
            return None  # a bare number is not a time
        if mer:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if mer.startswith("p") else 0)
    else:
        m = _MILITARY_RE.fullmatch(w[i])
        if not m or j >= len(w) or w[j] not in lex["military_hour_words"]:
            return None
        h, mi = int(m[1]), int(m[2])
        j += 1 if w[j] in lex["military_hour_units"] else 0
    if h > 24 or mi > 59:
        return None
    return h, mi, j


def _day_ref(s: _Sent, i: int) -> tuple[date, int] | None:
    """A day named after a clock time: weekday, month-day, or yesterday/today/tomorrow."""
    w, lex = s.w, s.lex
    j = _skip(w, _skip(w, i, ","), "on")
    wd = _weekday(s, j)
    if wd:
        return _weekday_date(s.doc.dct.date(), wd[0], 1 if s.future(i, wd[1]) else -1), wd[1]
    rel = lex.match("relative_days", w, j)
    if rel and "part" not in rel[0]:
        return s.doc.dct.date() + timedelta(days=rel[0]["days"]), rel[1]
    hit = _month_day(s, j)
    if hit and hit.gran == "D":
        return hit.start.date(), hit.j
    return None


def _m_clock(s: _Sent, i: int) -> _Hit | None:
    """Clock times with optional modifier, zone and day: "around 4 a.m.", "2300 GMT Monday"."""
    w, lex, doc = s.w, s.lex, s.doc
    mod = lex.match("modifiers", w, i)
    j = mod[1] if mod else i
    clock = _clock(s, j)
    if not clock:
        return None
    h, mi, j = clock
    zone = None
    if j < len(w) and w[j] in lex["time_zones"] and s.raw[j].isupper():
        zone, j = _zone(lex["time_zones"][w[j]]), j + 1
    day = _day_ref(s, j)
    if day:
        d, j = day
    elif zone is not None:
        d = _zoned_day(s, zone, h, mi)
    elif _is_stamp(s, i):
        d = doc.dct.date()  # a live blog's stamp is of the day the page was written, not the day it talks of
    else:
        d = doc.focus_day
    t = _day(d) + timedelta(hours=h, minutes=mi)
    value = _format(lex, t, "MIN")
    if day and h == 0 and mi == 0:
        # "midnight Friday" ends Friday: TimeML writes it as 24:00 of that day
        value, t = f"{d:%Y-%m-%d}T24:00", t + timedelta(days=1)
    return _Hit(j, "TIME", value, t, t + timedelta(minutes=1), "MIN", zone, "clock")


def _zoned_day(s: _Sent, zone: tzinfo, h: int, mi: int) -> date:
    """Day for "2300 GMT" with no day: the one nearest the previous clock time in the sentence
    (the parenthetical conversion), else nearest noon of the focus day."""
    doc = s.doc
    prev = s.last_time
    if prev:
        target = prev.start.replace(tzinfo=prev.zone or doc.zone)
    else:
        target = (_day(doc.focus_day) + timedelta(hours=12)).replace(tzinfo=doc.zone)
    base = target.astimezone(zone).date()
    candidates = [base + timedelta(days=k) for k in (-1, 0, 1)]
    return min(candidates, key=lambda d: abs((_day(d) + timedelta(hours=h, minutes=mi)).replace(tzinfo=zone) - target))


def _month_day(s: _Sent, i: int) -> _Hit | None:
    """ "July 3", "Feb. 27, 1998", "10 July 2007", "February 1947", "January this year"."""
    w, lex, doc = s.w, s.lex, s.doc
    mo = _month(s, i, loose=True)
    if mo:
        month, j = mo
        day = _day_number(s, j)
        if day and not (j + 1 < len(w) and w[j + 1] in ("-", ":")):
            k = _skip(w, day[1], ",")
            yr = _year(s, k)
            year = yr[0] if yr else _near_year(doc.dct.date(), month, day[0], s.tense(i, day[1]))
            end = yr[1] if yr else day[1]
            return _period_hit(lex, end, datetime(year, month, day[0]), "D", "month-day")
        yr = _year(s, _skip(w, j, ",", "of"))
        if yr:
            return _period_hit(lex, yr[1], datetime(yr[0], month, 1), "M", "month-year")
        rel = lex.match("relative_determiners", w, j)
        if rel and rel[1] < len(w) and w[rel[1]] == "year":
            return _period_hit(lex, rel[1] + 1, datetime(doc.dct.year + rel[0], month, 1), "M", "month-relative-year")
        return None
    day = _day_number(s, i)
    mo = _month(s, day[1], loose=True) if day else None
    if day and mo:
        yr = _year(s, _skip(w, mo[1], ","))
        year = yr[0] if yr else _near_year(doc.dct.date(), mo[0], day[0], s.tense(i, mo[1]))
        return _period_hit(lex, yr[1] if yr else mo[1], datetime(year, mo[0], day[0]), "D", "day-month")
    return None


def _m_date(s: _Sent, i: int) -> _Hit | None:
    """Calendar dates: weekday-prefixed and plain month-day forms, ISO dates, lone months."""
    w, lex, doc = s.w, s.lex, s.doc
    j = _skip(w, i, "the")
    pos, j = _position(s, j)
    wd = _weekday(s, j)
    k = _skip(w, wd[1], ",") if wd else j
    hit = _month_day(s, k) or _iso_date(s, k)
    if hit:
        return replace(
            hit, start=_narrow(hit.start, hit.end, _span(pos))[0], end=_narrow(hit.start, hit.end, _span(pos))[1]
        )
    if wd:
        return None
    mo = _month(s, j, loose=bool(pos) or (i > 0 and w[i - 1] in lex["year_cues"]))
    if mo and (w[i] != "the" or pos):
        year = _near_year(doc.dct.date(), mo[0], None, s.tense(i, mo[1]))
        return _period_hit(lex, mo[1], datetime(year, mo[0], 1), "M", "month", _span(pos))
    return None


def _iso_date(s: _Sent, i: int) -> _Hit | None:
    w = s.w
    if i + 4 < len(w) and _YEAR_RE.fullmatch(w[i]) and w[i + 1] == w[i + 3] == "-":
        if _TWO_DIGITS_RE.fullmatch(w[i + 2]) and _TWO_DIGITS_RE.fullmatch(w[i + 4]):
            return _period_hit(s.lex, i + 5, datetime(int(w[i]), int(w[i + 2]), int(w[i + 4])), "D", "iso-date")
    return None


def _m_year(s: _Sent, i: int) -> _Hit | None:
    """Years, decades and centuries: "since 2001", "fiscal 1989", "mid-1996", "the 1990s", "20th century"."""
    w, lex = s.w, s.lex
    j = _skip(w, i, "the")
    pos, j = _position(s, j)
    fiscal = j < len(w) and w[j] == "fiscal"
    j = _skip(w, j, "fiscal")
    if j >= len(w):
        return None
    m = _DECADE_RE.fullmatch(w[j])
    if m:
        return _period_hit(lex, j + 1, datetime(int(m[1]) * 10, 1, 1), "DE", "decade", _span(pos))
    if w[j] == "'" and j + 1 < len(w) and _SHORT_DECADE_RE.fullmatch(w[j + 1]):
        return _period_hit(lex, j + 2, datetime(1900 + int(w[j + 1][0]) * 10, 1, 1), "DE", "decade", _span(pos))
    m = _ORDINAL_RE.fullmatch(w[j])
    if m and j + 1 < len(w) and w[j + 1] == "century" and 1 <= int(m[1]) <= 30:
        return _period_hit(lex, j + 2, datetime((int(m[1]) - 1) * 100 or 1, 1, 1), "CE", "century", _span(pos))
    yr = _year(s, j)
    if not yr or (w[i] == "the" and not pos):
        return None
    lo, hi = lex["year_range"]
    cued = pos or fiscal or (i > 0 and w[i - 1] in lex["year_cues"])
    nxt = w[yr[1]] if yr[1] < len(w) else ""
    plural_noun = nxt.isalpha() and nxt.islower() and nxt.endswith("s") and not nxt.endswith("ss")
    if not (cued or (lo <= yr[0] <= hi and not plural_noun and nxt != "-")):
        return None
    if not (cued and 1000 <= yr[0] <= 2999) and not lo <= yr[0] <= hi:
        return None
    return _period_hit(lex, yr[1], datetime(yr[0], 1, 1), "Y", "year", _span(pos))


def _m_year_ago(s: _Sent, i: int) -> _Hit | None:
    """ "year-ago" / "year-earlier" used as adjectives: the year before the reference."""
    if s.w[i : i + 3] in (["year", "-", "ago"], ["year", "-", "earlier"]):
        return _period_hit(s.lex, i + 3, datetime(s.doc.dct.year - 1, 1, 1), "Y", "year-ago")
    return None


def _m_spelled_year(s: _Sent, i: int) -> _Hit | None:
    """Years in words: "nineteen ninety-six", "the year two thousand"."""
    j = i + 2 if s.w[i : i + 2] == ["the", "year"] else i
    first = _number(s, j)
    if not first or first[0] is None:
        return None
    if 11 <= first[0] <= 19:
        # in words only: "nineteen ninety-six" is a year, "11 11" two counts
        if s.w[j][:1].isdigit() or (first[1] < len(s.w) and s.w[first[1]][:1].isdigit()):
            return None
        second = _number(s, first[1])
        if not second or second[0] is None or not 10 <= second[0] <= 99:
            return None
        year, end = int(first[0] * 100 + second[0]), second[1]
    elif j > i and first[0] >= 1000 and first[0] == int(first[0]):
        year, end = int(first[0]), first[1]
    else:
        return None
    return _period_hit(s.lex, end, datetime(year, 1, 1), "Y", "spelled-year")


def _m_quarter(s: _Sent, i: int) -> _Hit | None:
    """Quarters and halves: "the third quarter", "third-quarter", "the first half of 1990"."""
    w, lex, doc = s.w, s.lex, s.doc
    j = _skip(w, i, "the", "its")
    yr = _year(s, j)
    rel = lex.match("relative_determiners", w, j)
    if rel and rel[1] + 1 < len(w) and w[rel[1]] == "year" and w[rel[1] + 1] == "'s":
        yr = (doc.dct.year + rel[0], rel[1] + 2)  # "next year's first quarter"
    elif w[j : j + 3] in (["year", "-", "ago"], ["year", "-", "earlier"]):
        yr = (doc.dct.year - 1, j + 3)  # "the year-ago third quarter"
    j = _skip(w, yr[1] if yr else j, "fiscal")
    ordn = lex.match("ordinals", w, j)
    if not ordn or ordn[0] < 1:
        return None
    k = _skip(w, _skip(w, ordn[1], "-"), "fiscal")
    if k >= len(w) or w[k] not in lex["period_fractions"]:
        return None
    k += 1
    after = _year(s, k + 1) if k < len(w) and w[k] == "of" else None
    fixed = after or yr
    year = fixed[0] if fixed else _near_year(doc.dct.date(), 3 * min(ordn[0], 4) - 1, None, s.tense(i, k))
    k = after[1] if after else k
    if w[k - 1] == "half" or (after is None and w[k - 1] != "quarter"):
        if ordn[0] > 2:
            return None
        return _Hit(
            k,
            "DATE",
            f"{year}-H{ordn[0]}",
            datetime(year, 6 * ordn[0] - 5, 1),
            _add_months(datetime(year, 6 * ordn[0] - 5, 1), 6),
            "M",
            rule="half",
        )
    if ordn[0] > 4:
        return None
    return _period_hit(lex, k, datetime(year, 3 * ordn[0] - 2, 1), "Q", "quarter")


def _m_relative(s: _Sent, i: int) -> _Hit | None:
    """Days and periods relative to the reference: "yesterday", "late last week", "this year",
    "last Friday", "earlier this month", "this summer", "tonight", "last night"."""
    w, lex, doc = s.w, s.lex, s.doc
    pos, j = _position(s, i)
    rel = lex.match("relative_days", w, j)
    if rel:
        d = doc.dct.date() + timedelta(days=rel[0]["days"])
        pod = lex.match("parts_of_day", w, rel[1])
        part = lex["parts_of_day"][rel[0]["part"]] if "part" in rel[0] else (pod[0] if pod else None)
        end = pod[1] if pod else rel[1]
        if part:
            return _part_hit(lex, end, d, part, pos, "relative-day-part")
        return _period_hit(lex, end, _day(d), "D", "relative-day", _span(pos))
    j = _skip(w, j, "the")
    det = lex.match("relative_determiners", w, j)
    if not det:
        return None
    step, k = det
    k = _skip(w, k, "fiscal")
    anchored = w[k - 1] in lex["anchored_determiners"] and doc.focus is not None
    return _relative_target(s, i, k, step, pos, doc.focus.start if anchored else doc.dct)


def _relative_target(s: _Sent, i: int, k: int, step: int, pos: dict | None, ref: datetime) -> _Hit | None:
    """What a relative determiner points at: a calendar period, weekday, month, season or part of day."""
    w, lex = s.w, s.lex
    if k >= len(w):
        return None
    if w[k] in lex["calendar_periods"]:
        gran = lex["calendar_periods"][w[k]]
        if gran == "D":
            return None
        if gran == "WE":
            base = ref + timedelta(days=7 * step)
        elif gran == "W":
            base = ref + timedelta(days=7 * step)
        else:
            months = {"M": 1, "Q": 3, "Y": 12, "DE": 120, "CE": 1200}[gran]
            base = _add_months(ref, months * step)
        return _period_hit(lex, k + 1, base, gran, "relative-period", _span(pos))
    wd = _weekday(s, k)
    if wd:
        direction = step or (1 if s.future(i, wd[1]) else -1)
        d = _weekday_date(ref.date(), wd[0], direction, strict=step != 0)
        return _weekday_hit(s, wd[1], d, pos, "relative-weekday")
    mo = _month(s, k, loose=True)
    if mo:
        year = ref.year
        # "last February" written in March is a year back: the month just over is "last month"
        if step < 0 and mo[0] >= ref.month - 1:
            year -= 1
        elif step > 0 and mo[0] <= ref.month:
            year += 1
        return _period_hit(lex, mo[1], datetime(year, mo[0], 1), "M", "relative-month", _span(pos))
    if w[k] in lex["seasons"]:
        return _season_hit(s, k, step, pos)
    pod = lex.match("parts_of_day", w, k)
    if pod:
        return _part_hit(lex, pod[1], ref.date() + timedelta(days=min(step, 0)), pod[0], pos, "relative-part-of-day")
    return None


def _season_hit(s: _Sent, k: int, step: int, pos: dict | None) -> _Hit:
    """This/last/next season: last = the latest one already over, next = the first not begun."""
    lex, ref = s.lex, s.doc.dct
    spec = lex["seasons"][s.w[k]]
    first, last = spec["months"]
    year = ref.year - (1 if spec["code"] == "WI" and ref.month <= 2 else 0)
    idx = ref.month + (12 if spec["code"] == "WI" and ref.month <= 2 else 0)
    if step < 0 and idx <= last:
        year -= 1
    elif step > 0 and idx >= first:
        year += 1
    start = _add_months(datetime(year, 1, 1), first - 1)
    st, en = _narrow(start, _add_months(datetime(year, 1, 1), last), _span(pos))
    return _Hit(k + 1, "DATE", f"{year}-{spec['code']}", st, en, "SE", rule="relative-season")


def _part_hit(lex: _Lex, j: int, d: date, part: dict, pos: dict | None, rule: str) -> _Hit:
    lo, hi = part["hours"]
    s, e = _narrow(_day(d) + timedelta(hours=lo), _day(d) + timedelta(hours=hi), _span(pos))
    return _Hit(j, "TIME", f"{d:%Y-%m-%d}T{part['code']}", s, e, "PD", rule=rule)


def _weekday_hit(s: _Sent, j: int, d: date, pos: dict | None, rule: str) -> _Hit:
    """A weekday, optionally followed by a part of day ("Friday evening") or plural night ("nights" = SET)."""
    pod = s.lex.match("parts_of_day", s.w, j)
    if pod:
        return _part_hit(s.lex, pod[1], d, pod[0], pos, rule + "-part-of-day")
    return _period_hit(s.lex, j, _day(d), "D", rule, _span(pos))


def _m_weekday(s: _Sent, i: int) -> _Hit | None:
    """A bare weekday: the same day as the reference, else the nearest one in the clause's tense."""
    pos, j = _position(s, i)
    wd = _weekday(s, j)
    if not wd:
        return None
    if wd[1] + 1 < len(s.w) and s.w[wd[1]] == "nights":
        return _Hit(wd[1] + 1, "SET", f"XXXX-WXX-{wd[0]}TNI", rule="set-weekday-nights")
    d = _weekday_date(s.doc.dct.date(), wd[0], 1 if s.future(i, wd[1]) else -1)
    return _weekday_hit(s, wd[1], d, pos, "weekday")


def _m_part_of_day(s: _Sent, i: int) -> _Hit | None:
    """ "the morning", "early evening", "overnight": a part of the focus day."""
    w, lex, doc = s.w, s.lex, s.doc
    the = i < len(w) and w[i] == "the"
    pos, j = _position(s, _skip(w, i, "the"))
    pod = lex.match("parts_of_day", w, j)
    if not pod or not (the or pos or w[j] == "overnight"):
        return None
    day = _day_ref(s, pod[1])  # "mid-afternoon yesterday"
    return _part_hit(lex, day[1] if day else pod[1], day[0] if day else doc.focus_day, pod[0], pos, "part-of-day")


def _m_weekend(s: _Sent, i: int) -> _Hit | None:
    """ "the weekend": the last one in a past clause, the next one in a future clause."""
    w = s.w
    if not (i + 1 < len(w) and w[i] == "the" and w[i + 1] == "weekend"):
        return None
    ref = s.doc.dct
    if s.future(i, i + 2):
        base = ref if ref.weekday() >= 5 else ref + timedelta(days=5 - ref.weekday())
    else:
        base = ref if ref.weekday() >= 5 else ref - timedelta(days=ref.weekday() + 1)
    return _period_hit(s.lex, i + 2, base, "WE", "weekend")


_MATCHERS: tuple[Callable[[_Sent, int], _Hit | None], ...] = (
    _m_reference_word,
    _m_clock,
    _m_date,
    _m_quarter,
    _m_year,
    _m_year_ago,
    _m_spelled_year,
    _m_relative,
    _m_weekday,
    _m_weekend,
    _m_part_of_day,
    _m_set,
    _m_duration,
)


# What each matcher can read at its first token: the first words of some lexicon lists' keys, words its code
# names, and the shapes of a digit-led token that can start it (the patterns its code reads there). Tried only
# there (see _dispatch and _digit_matchers).
_MATCHER_STARTS: dict[Callable, tuple[tuple[str, ...], tuple[str, ...], tuple[re.Pattern[str], ...]]] = {
    _m_reference_word: (("reference_words",), (), ()),
    _m_clock: (("modifiers", "clock_words"), (), (_CLOCK_RE, _MILITARY_RE, _DOT_CLOCK_RE)),
    _m_date: (("position_modifiers", "weekdays", "months"), ("the",), (_DAY_RE, _YEAR_RE)),  # "3 July", ISO
    _m_quarter: (("relative_determiners", "ordinals"), ("the", "its", "year", "fiscal"), (_YEAR_RE,)),
    _m_year: (("position_modifiers",), ("the", "fiscal", "'"), (_DECADE_RE, _ORDINAL_RE, _YEAR_RE)),
    _m_year_ago: ((), ("year",), ()),
    # a spelled year never starts with digits ("11 11" is two counts, "2000" a year _m_year reads)
    _m_spelled_year: (("number_words", "vague_numbers"), ("the",), ()),
    _m_relative: (("position_modifiers", "relative_days", "relative_determiners"), ("the",), ()),
    _m_weekday: (("position_modifiers", "weekdays"), ("the",), ()),
    _m_weekend: ((), ("the",), ()),
    _m_part_of_day: (("position_modifiers", "parts_of_day"), ("the",), ()),
    _m_set: (("set_words", "set_determiners", "plural_weekdays"), (), ()),
    _m_duration: (
        ("relative_determiners", "modifiers", "number_words", "vague_numbers", "units", "duration_leads"),
        ("the",),
        (DIGITS_RE,),  # a count, read by _number
    ),
}


# What each matcher that can start at "the" (or "its") can read right after it, as _MATCHER_STARTS: the first words
# of some lists' keys (and the second words of their keys that start with "the": "the past"), words its code names,
# and whether a digit-led token can follow. A "the" is tried only with the matchers the word after it allows (see
# _after_article): "the" is a tenth of all candidates, and most are no time ("the government").
_AFTER_THE: dict[Callable, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    _m_reference_word: (("reference_words",), (), False),  # "the past", "the near future"
    _m_date: (("position_modifiers", "weekdays", "months"), ("the",), True),  # "the early ...", "the 3 July"
    _m_quarter: (("relative_determiners", "ordinals"), ("year", "fiscal"), True),  # "the year-ago", "its 1990"
    _m_year: (("position_modifiers",), ("the", "fiscal", "'"), True),  # "the mid-1990s", "the '90s", "the 1990s"
    _m_spelled_year: ((), ("year",), False),  # "the year two thousand"
    _m_relative: (("position_modifiers", "relative_determiners"), (), False),  # "the following week"
    _m_weekday: (("position_modifiers",), (), False),  # "the early Friday"
    _m_weekend: ((), ("weekend",), False),
    _m_part_of_day: (("position_modifiers", "parts_of_day"), ("the",), False),  # "the morning"
    _m_duration: (  # "the past six months", "the first two days", "the 24 hours"
        ("relative_determiners", "modifiers", "number_words", "vague_numbers", "units", "duration_leads"),
        (),
        True,
    ),
}


def _best(s: _Sent, i: int, matchers: Sequence[Callable[[_Sent, int], _Hit | None]] = _MATCHERS) -> _Hit | None:
    """The longest match starting at token i among matchers (earlier matchers win ties)."""
    best = None
    for matcher in matchers:
        try:
            hit = matcher(s, i)
        except (ValueError, OverflowError):
            # the calendar refuses the date ("Feb. 31", "next year" written in 9999): no expression. Any other
            # error is a bug in a matcher or the lexicon, and raises.
            hit = None
        if hit and hit.j > i and (best is None or hit.j > best.j):
            best = hit
    return best


# ---------------------------------------------------------------- driver


@dataclass
class _Tokens:
    """A sentence's tokens as the rules see them, in columns: hyphen compounds and possessives split ("two-year" ->
    "two" "-" "year", "Friday's" -> "Friday" "'s"), blocked tokens replaced by _BARRIER, and words normalised."""

    raw: list[str]
    w: list[str]
    starts: list[int]
    ends: list[int]
    whole: dict[int, tuple[int, int]]  # a part of a split hyphen compound -> the span of the whole word

    def span(self, i: int, j: int) -> tuple[int, int]:
        """The offsets of tokens i..j-1; a match ending inside "23-year-old" covers the whole word."""
        start, end = self.starts[i], self.ends[j - 1]
        if i in self.whole:
            start = min(start, self.whole[i][0])
        if j - 1 in self.whole:
            end = max(end, self.whole[j - 1][1])
        return start, end


def _sentence_tokens(text: str, span: tuple[int, int], skip: SpanIndex) -> _Tokens:
    raw, starts, ends = token_columns(text, *span)
    whole: dict[int, tuple[int, int]] = {}
    odd = sorted({bisect.bisect_right(starts, m.start()) - 1 for m in _ODD_CHAR_RE.finditer(text, *span)})
    if odd:  # a hyphen or a possessive in the sentence: split the tokens that hold one
        whole = _split_words(raw, starts, ends, odd)
    if skip.overlaps(*span):
        raw = [_BARRIER if skip.overlaps(a, b) else t for t, a, b in zip(raw, starts, ends, strict=True)]
    w = list(map(str.lower, raw))
    for k in compress(count(), map(str.endswith, w, repeat("."))):  # "a.m.", "Feb.", "U.S.": about one a sentence
        w[k] = _norm(w[k])
    return _Tokens(raw, w, starts, ends, whole)


def _split_words(raw: list[str], starts: list[int], ends: list[int], odd: list[int]) -> dict[int, tuple[int, int]]:
    """Split "two-year" into "two", "-", "year" so rules see the parts, and "Friday's" into "Friday" "'s", in the
    three columns; odd are the indices of the tokens that may need it. Returns the whole word's span of each part
    of a hyphen compound."""
    split: list[tuple[int, int, tuple[int, int] | None]] = []  # (index, number of parts, the whole word's span)
    for k in reversed(odd):  # from the end, so that a split leaves the indices still to do in place
        t, a, b = raw[k], starts[k], ends[k]
        if _POSSESSIVE_RE.search(t):
            raw[k : k + 1] = t[:-2], "'s"
            starts[k : k + 1] = a, b - 2
            ends[k : k + 1] = b - 2, b
            split.append((k, 2, None))
        elif "-" in t.strip("-") and len(t) > 1:
            parts = [part for part in _HYPHEN_SPLIT_RE.split(t) if part]
            offsets = list(accumulate(map(len, parts), initial=a))
            raw[k : k + 1] = parts
            starts[k : k + 1] = offsets[:-1]
            ends[k : k + 1] = offsets[1:]
            split.append((k, len(parts), (a, b)))
    whole: dict[int, tuple[int, int]] = {}
    shift = 0
    for k, n, word in reversed(split):  # in text order: the parts before moved each index on
        if word:
            whole.update(dict.fromkeys(range(k + shift, k + shift + n), word))
        shift += n - 1
    return whole


def _to_utc(d: datetime | None, zone: tzinfo) -> datetime | None:
    try:
        return None if d is None else d.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError:  # years 1 and 9999 can leave the calendar once shifted to UTC
        return None


# Frequent words that start an expression only before one of a few words: "the" and "its" before any start
# word or digit; "a"/"an" before a unit, a unit adjective, a multiplier or a hyphen ("a week", "a hundred years").
_GATED_WORDS = frozenset({"the", "its", "a", "an"})
_ARTICLES = frozenset({"the", "its"})  # tried only with the matchers the next word allows (_AFTER_THE)


def _keys(lex: _Lex, name: str) -> list[list[str]]:
    """The keys of a list _MATCHER_STARTS names, as lists of words: a time lexicon list, the plural weekdays, or
    every way a number in words can start (numbers.yaml, read by _number)."""
    if name == "plural_weekdays":  # "Tuesdays" (every Tuesday)
        return [[f"{w}s"] for w in lex["weekdays"]]
    if name == "number_words":
        nw = number_words()
        return [[w] for w in sorted(nw.first_words(_TIME_COUNTS))] + [list(p) for p in nw.phrases]
    return [str(k).lower().split() for k in lex[name]]


@lru_cache(maxsize=4)
def _dispatch() -> tuple[dict[str, tuple], frozenset[str]]:
    """(word -> the matchers that can start at it, in _MATCHERS order; the words that may follow a gated word).
    Tests check the dispatched scan against every matcher at every token, so a start missing here shows as a
    difference, not a silent miss."""
    lex = load_lexicon()
    by_word: dict[str, list] = {}
    for matcher in _MATCHERS:
        lists, words, _ = _MATCHER_STARTS[matcher]
        for word in set(words).union(*({k[0] for k in _keys(lex, name)} for name in lists)):
            by_word.setdefault(word, []).append(matcher)
    names = {name for lists, _, _ in _MATCHER_STARTS.values() for name in lists}
    keys = [k for name in sorted(names) for k in _keys(lex, name)]
    second = {k[1] for k in keys if len(k) > 1 and k[0] in _GATED_WORDS}
    scales = set(number_words().scales) | set(number_words().multiples)
    follow = set(by_word) | second | set(lex["unit_adjectives"]) | scales | {"-", "weekend", "half"}
    return {w: tuple(ms) for w, ms in by_word.items()}, frozenset(follow)


@lru_cache(maxsize=4)
def _after_the() -> tuple[dict[str, frozenset], frozenset]:
    """(word -> the matchers that can start at a "the" before it; the matchers a digit-led word allows), from
    _AFTER_THE."""
    lex = load_lexicon()
    by_word: dict[str, set] = {}
    for matcher, (lists, words, _) in _AFTER_THE.items():
        keys = [k for name in lists for k in _keys(lex, name)]
        allowed = {k[0] for k in keys} | {k[1] for k in keys if len(k) > 1 and k[0] == "the"} | set(words)
        for word in allowed:
            by_word.setdefault(word, set()).add(matcher)
    digits = frozenset(m for m, (_, _, digit) in _AFTER_THE.items() if digit)
    return {w: frozenset(ms) for w, ms in by_word.items()}, digits


@lru_cache(maxsize=8192)
def _after_article(article: str, word: str) -> tuple:
    """The matchers that can start at "the" or "its" (article) before word, in _MATCHERS order."""
    by_word, digits = _after_the()
    allowed = by_word.get(word, frozenset()) | (digits if word[:1].isdigit() else frozenset())
    found = _dispatch()[0].get(article, ())
    if not set(found) <= set(_AFTER_THE):
        raise KeyError(f"a matcher starting at {article!r} has no _AFTER_THE entry")
    return tuple(m for m in found if m in allowed)


@lru_cache(maxsize=8192)
def _digit_matchers(word: str) -> tuple:
    """The matchers that can start at a digit-led token: those whose start words hold it, and those whose digit
    shapes it has ("1,200" starts only a duration; "2007" a clock, date, quarter, year or duration)."""
    listed = _dispatch()[0].get(word, ())
    return tuple(m for m in _MATCHERS if m in listed or any(p.fullmatch(word) for p in _MATCHER_STARTS[m][2]))


def _plan(w: list[str]) -> list[tuple[int, tuple]]:
    """(token index, the matchers that can start there) for the tokens where some can: few. Calling every matcher
    at every token cost most of the tagger's time. The words and digit-led tokens are found by C-level passes over
    the whole sentence; Python looks only at those."""
    by_word, follow = _dispatch()
    listed = compress(count(), map(by_word.__contains__, w))
    numeric = compress(count(), map(str.isdigit, map(_FIRST_CHAR, w)))
    plan = []
    n = len(w)
    for i in sorted({*listed, *numeric}):
        word = w[i]
        if word in _GATED_WORDS and not (i + 1 < n and (w[i + 1] in follow or w[i + 1][:1].isdigit())):
            continue
        if word[:1].isdigit():
            found = _digit_matchers(word)
        elif word in _ARTICLES:
            found = _after_article(word, w[i + 1])  # the gate above saw a word after it
        else:
            found = by_word[word]
        if found:
            plan.append((i, found))
    return plan


def _tag_sentence(
    text: str, span: tuple[int, int], doc: _Doc, skip: SpanIndex, exhaustive: bool = False
) -> list[tuple[int, int, _Hit]]:
    """Scan one sentence left to right, keeping the longest match at each candidate position (at every
    position when exhaustive: the reference the tests compare the pruned scan with)."""
    toks = _sentence_tokens(text, span, skip)
    sent = _Sent(doc, toks.raw, toks.w)
    plan = [(i, _MATCHERS) for i in range(len(toks.w))] if exhaustive else _plan(toks.w)
    k = 0
    while k < len(plan):
        i, matchers = plan[k]
        k += 1
        hit = _best(sent, i, matchers)
        if not hit:
            continue
        sent.hits.append((i, hit))
        if hit.kind == "TIME" and hit.start:
            sent.last_time = hit
        _update_focus(doc, hit)
        while k < len(plan) and plan[k][0] < hit.j:
            k += 1
    _resolve_following_anchors(sent)
    return [(*toks.span(i, hit.j), hit) for i, hit in sent.hits]


def _update_focus(doc: _Doc, hit: _Hit) -> None:
    """Narrative anchoring: later bare times attach to the last day mentioned."""
    if hit.start is None or hit.kind not in ("DATE", "TIME") or hit.offset:
        return
    doc.focus = hit
    if _GRAN.get(hit.gran, 99) <= _GRAN["D"] and hit.zone is None:
        doc.focus_day = hit.start.date()


def _resolve_following_anchors(sent: _Sent) -> None:
    """ "five hours after <...> 4 a.m.": compose with the next point in the sentence, or fall back
    to a plain duration (dropping "after") when there is none."""
    for n, ((i, hit), anchor) in enumerate(zip(sent.hits, _next_points(sent.hits), strict=True)):
        if not hit.offset:
            continue
        try:
            sent.hits[n] = (i, _compose(sent.doc, hit.j, anchor, hit.offset, hit.rule)) if anchor else None
        except (ValueError, OverflowError):
            sent.hits[n] = None  # the composed point falls outside the calendar
        if sent.hits[n] is None:
            sent.hits[n] = (i, replace(hit, j=hit.j - 1, offset=None, rule="duration"))


def _next_points(hits: list[tuple[int, _Hit]]) -> list[_Hit | None]:
    """For each hit, the first later one that is a resolved point (an anchor), found in one pass from the end:
    a scan of the rest from every offset is quadratic in a sentence of thousands of them."""
    out: list[_Hit | None] = [None] * len(hits)
    anchor = None
    for n in range(len(hits) - 1, -1, -1):
        out[n] = anchor
        hit = hits[n][1]
        if hit.start is not None and not hit.offset:
            anchor = hit
    return out


# Lexicon lists whose words anchor every expression the tagger can find; with digits and spelled
# years ("nineteen ninety-six"), a sentence holding none of them is skipped unread.
_TRIGGER_LISTS = (
    "months", "weekdays", "parts_of_day", "clock_words", "meridiem", "time_zones", "units", "vague_plural_units",
    "relative_days", "calendar_periods", "seasons", "reference_words", "set_words",
)  # fmt: skip


@lru_cache(maxsize=4)
def _trigger_words() -> frozenset[str]:
    lex = load_lexicon()
    # one word per key is enough (a key that matches holds all its words): the longest, so that "the past" and
    # "at present" add "past" and "present", not "the" and "at", which would pass every sentence
    keys = [str(key).lower().split() for name in _TRIGGER_LISTS for key in lex[name]]
    words = {k[0] for k in keys if len(k) == 1}
    words |= {max(k, key=len) for k in keys if len(k) > 1 and not words.intersection(k)}
    # spelled years: "nineteen ninety-six" starts with 11..19, "the year two thousand" holds a multiplier
    nw = number_words()
    words |= {k for k, v in nw.units.items() if 11 <= v <= 19}
    return frozenset(words | {k for k, v in nw.scales.items() if v <= 1000} | {"o'clock"})


# A bare count ("3 people") is no expression: digits trigger only as a year or a clock reading ("1998", "2300 GMT",
# "4:30", "4am", "the '90s"); a count with a unit has the unit as its trigger. A trigger word stands alone: no
# letter a-z right before or after it.
_TRIGGER_DIGITS = r"\d{4}|\d:\d|\d0s|\d[ap]\.?m"
# A live blog's time stamp, "21.05" before a dash (the dash is looked at, not matched: a trigger holds no space)
_TRIGGER_STAMP = r"\d{1,2}\.[0-5]\d(?=\s[–—-])"


@lru_cache(maxsize=4)
def _trigger_re() -> re.Pattern[str]:
    """A trigger, searched for in one sentence of the lower-cased text."""
    return re.compile(
        _TRIGGER_DIGITS + "|" + _TRIGGER_STAMP + r"|(?<![a-z])" + alternation(_trigger_words()) + r"(?![a-z])"
    )


@lru_cache(maxsize=4)
def _trigger_scan_re() -> re.Pattern[str]:
    """_trigger_re for one pass over a whole text with a space put before it: each match is a trigger with the
    character before it. Starting with a character class lets the regex engine skip the letters inside words
    in C, where the look-behind of _trigger_re enters the pattern at every character: 3x faster."""
    digits = r"(?<=\d)(?:\d{3}|:\d|0s|[ap]\.?m)"
    return re.compile(
        r"[^a-z](?:" + digits + "|" + _TRIGGER_STAMP + "|" + alternation(_trigger_words()) + r"(?![a-z]))"
    )


def _triggered_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of text holding a trigger (the others hold no expression), found from one pass of
    _trigger_scan_re over the whole text; only the lines holding a trigger are split into sentences. A trigger
    holds no white space, and sentences part at white space, so each lies inside one sentence."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer ("İ"): the offsets of text do not fit low
        trigger = _trigger_re()
        return [span for span in sentences(text) if trigger.search(low, *span)]
    at = [m.end() - 2 for m in _trigger_scan_re().finditer(" " + low)]  # the last character of each, in text
    out: list[tuple[int, int]] = []
    k = 0
    for line_start, line_end in lines(text) if at else ():
        k = bisect.bisect_left(at, line_start, k)
        if k == len(at):
            break
        if at[k] >= line_end:
            continue
        for start, end in line_sentences(text, line_start, line_end):
            k = bisect.bisect_left(at, start, k)
            if k < len(at) and at[k] < end:
                out.append((start, end))
    return out


def tag_times(
    text: str, reference: str, tz: str, skip: Sequence[tuple[int, int]] = (), exhaustive: bool = False
) -> list[TimeExpr]:
    """Find and resolve the time expressions of text written at reference (local time in tz); exhaustive tries
    every token of every sentence (the slow reference scan that tests compare the pruned one with)."""
    zone = ZoneInfo(tz)
    dct = _parse_reference(reference)
    doc = _Doc(load_lexicon(), dct, zone, dct.date())
    found: list[TimeExpr] = []
    skips = SpanIndex(skip)  # asked for every token: a scan of all spans each time is quadratic in a long text
    for span in sentences(text) if exhaustive else _triggered_sentences(text):
        for start, end, hit in _tag_sentence(text, span, doc, skips, exhaustive):
            if skips.overlaps(start, end) or (found and start < found[-1].end):
                continue
            z = hit.zone or zone
            starts, ends = _to_utc(hit.start, z), _to_utc(hit.end, z)
            if starts is None or ends is None:
                starts = ends = None
            found.append(TimeExpr(start, end, text[start:end], hit.kind, hit.value, starts, ends, hit.rule))
    return sorted(found, key=lambda t: t.start)


# ---------------------------------------------------------------- stage

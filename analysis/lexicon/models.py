"""Pydantic models of the lexicon YAML files: one per file, every key declared, unknown keys refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)


class _Lexicon(BaseModel):
    """Shared config: unknown keys are errors, and nothing is coerced."""

    # strict: load() hands callers the raw YAML, not the model, so a value pydantic would coerce
    # ("5" -> 5) would pass validation yet reach the code uncoerced.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ------------------------------------------------------------------------------------ value types


def _lower(text: str) -> str:
    # matching is on lower-cased tokens: an upper-case entry would silently never match
    if text != text.lower():
        raise ValueError("should be lower case")
    return text


def _ordered(pair: list) -> list:
    if None not in pair and pair[0] > pair[1]:
        raise ValueError(f"should be [low, high], got {pair}")
    return pair


def _increasing(pair: list) -> list:
    if pair[0] >= pair[1]:
        raise ValueError(f"should be [from, to) with from < to, got {pair}")
    return pair


def _nonzero(n: int) -> int:
    if n == 0:
        raise ValueError("should not be 0")
    return n


def _clock(pair: list[int]) -> list[int]:
    if pair[0] > 23 or pair[1] > 59:
        raise ValueError(f"should be [hour 0-23, minute 0-59], got {pair}")
    return pair


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


# Any-case phrase (speech: names, titles), non-empty and trimmed.
Text = Annotated[str, StringConstraints(min_length=1, pattern=r"^\S(.*\S)?$")]
# Lower-case phrase: one word or space-separated words.
Word = Annotated[Text, AfterValidator(_lower)]
Words = Annotated[list[Word], Field(min_length=1)]
MaybeWords = list[Word]  # may be empty: an outcome with no cue of that kind
Texts = Annotated[list[Text], Field(min_length=1)]


def _pair(item: object, *checks: Callable[[list], list]) -> object:
    """A two-item YAML list of item, with checks on the pair (strict mode refuses lists as tuples)."""
    return Annotated[list[item], Field(min_length=2, max_length=2), *(AfterValidator(c) for c in checks)]


# Category names that become column values; they mirror analysis/schemas.py (tests/test_lexicon.py checks),
# spelled out here so the extraction modules stay free of the pandas/pandera import schemas.py needs.
Outcome = Literal["killed", "injured", "captured", "freed", "held", "present"]
# schemas.GROUPS minus "mixed": claims.py assigns that to joined groups that differ; no noun names it
Group = Literal["militants", "security_forces", "civilians", "unspecified"]
# schemas.QUALIFIERS that a word can mark, plus "below" ("fewer than 10"), which quantities.py reads as at_most n-1
Qualifier = Literal["approximate", "at_least", "more_than", "at_most", "below"]
# schemas.SOURCE_KINDS minus "unknown", the kind of a speaker no cue matched
SourceKind = Literal["military", "government", "militant", "media", "relief", "analyst", "civilian"]
# TIMEX3 mod values (TimeML 1.2), plus ISO-TimeML's EQUAL ("just")
TimexMod = Literal[
    "BEFORE", "AFTER", "ON_OR_BEFORE", "ON_OR_AFTER", "LESS_THAN", "MORE_THAN", "EQUAL_OR_LESS", "EQUAL_OR_MORE",
    "START", "MID", "END", "APPROX", "EQUAL",
]  # fmt: skip


def _absent_not_null(value: object) -> object:
    # for keys the code reads with .get()/`in`: leaving them out is fine, an explicit null is not
    if value is None:
        raise ValueError("may be left out but not null")
    return value


def _known_keys(values: object, info: ValidationInfo, table: str) -> object:
    """Every listed word must be a key of an earlier table (skipped when that table itself failed)."""
    known = info.data.get(table)
    if known is not None:
        missing = [v for v in values if v not in known]
        if missing:
            raise ValueError(f"not keys of {table}: {missing}")
    return values


# ------------------------------------------------------------------------------------------ claims


class OutcomeCues(_Lexicon):
    """Phrases that mark one outcome: after the count, right before it, or nouns carrying it."""

    after: Words
    adjacent: MaybeWords = []  # only right after the counted noun phrase
    before: MaybeWords
    nouns: MaybeWords


class HeldPlace(_Lexicon):
    """Cues that people counted in a place are held there."""

    cues: Words
    links: Words
    place_modifiers: Words
    subject_gap: Words


class Scope(_Lexicon):
    """Cues that a count is cumulative, from an earlier phase, or from another place."""

    cumulative: Words
    prior: Words
    report_time_openers: Words
    span_before_incident: Words
    earlier_figure_words: Words
    continuation_openers: Words
    referring_incidents: Words
    rates: Words
    other_place_nouns: Words


class Parts(_Lexicon):
    """parts: the cues that make a count a part of a larger count (role 'part')."""

    before: Words
    before_reach: PositiveInt
    victims: Annotated[dict[Outcome, Words], Field(min_length=1)]
    include_verbs: Words
    frame_gap: Words
    frame_pronouns: Words
    frame_list_reach: PositiveInt
    among: Words
    among_gap: Words
    of_them: Words
    subset_nouns: Words
    implied_whole_outcomes: Annotated[list[Outcome], Field(min_length=1)]


class Increments(_Lexicon):
    """increments: the cues that make a count an increment of a toll ("nine more bodies"), a part."""

    words: Words
    before_words: Words
    openers: Words
    opener_reach: PositiveInt
    found_nouns: Words
    found_verbs: Words
    found_reach: PositiveInt
    period_openers: Words
    period_lasts: Words
    period_words: Annotated[dict[Word, PositiveInt], Field(min_length=1)]
    period_reach_after: PositiveInt
    period_reach_before: PositiveInt


class PlaceLinks(_Lexicon):
    """place_links: the words that tie a count to one of the event's places."""

    prepositions: Words
    incident_nouns: Words


class ClaimsLexicon(_Lexicon):
    """claims.yaml: what turns a count into a casualty claim."""

    outcomes: Annotated[dict[Outcome, OutcomeCues], Field(min_length=1)]
    prefilter_stopwords: Words
    prefilter_stopwords_totals: Words
    bridge: Words
    hypothetical: Words
    not_outcomes: Words
    negating_verbs: Words
    pending: Words
    pending_gap: Words
    pending_reach: PositiveInt
    outcome_sequence_join: Words
    simultaneous_outcomes: list[_pair(Outcome)]
    toll_nouns: Words
    total_nouns: Words
    total_verbs: Words
    active_objects: Words
    total_words: Words
    total_change_verbs: Words
    total_phrase_starts: Words
    total_phrase_max: PositiveInt
    total_phrase_ends: Words
    total_earlier_words: Words
    superseded_before: Words
    relative: Words
    relative_max_tokens: PositiveInt
    parenthetical_openers: Words
    parenthetical_max_tokens: PositiveInt
    held_place: HeldPlace
    join: Words
    join_prepositions: Words
    short_phrase_openers: Words
    short_phrase_articles: Words
    anaphoric: Words
    groups: Annotated[dict[Group, Words], Field(min_length=1)]
    civilian_cues: Words
    modifiers: Words
    max_modifiers: PositiveInt
    not_people: Words
    not_counts_after: Words
    percent_words: Words
    age_markers: Words  # not read by any code today
    breakdown_words: Words
    parts: Parts
    increments: Increments
    place_links: PlaceLinks
    scope: Scope


# --------------------------------------------------------------------------------------- furniture


class CommentBox(_Lexicon):
    """A reader-comment box: opening headings, closing calls to action, and how far apart they may be."""

    open: Words
    close: Words
    max_open_chars: PositiveInt
    max_lines: PositiveInt


class FurnitureLexicon(_Lexicon):
    """furniture.yaml: cues for page text around an article that is not the article."""

    comment_box: CommentBox
    subscribe: Words
    teaser_labels: Words
    end_credit: Words
    max_end_credit_chars: PositiveInt
    caption_credit_pattern: Annotated[str, AfterValidator(_regex)]


# -------------------------------------------------------------------------------------- quantities

# [low, high]; null = unbounded/unknown
VagueRange = _pair(NonNegativeInt | None, _ordered)


class QuantitiesLexicon(_Lexicon):
    """quantities.yaml: vague quantity words and qualifiers of count phrases (the number words are numbers.yaml's)."""

    vague: Annotated[dict[Word, VagueRange], Field(min_length=1)]
    vague_compound: dict[Word, VagueRange]
    prefix_qualifiers: Annotated[dict[Qualifier, Words], Field(min_length=1)]
    suffix_qualifiers: dict[Qualifier, Words]
    range_joiners: Words
    range_between: Words
    range_between_joiners: Words
    change_before_from: Words
    change_before_from_reach: PositiveInt
    ordinal_suffixes: Words  # of a day number in a date ("July 3rd"): quantities.py refuses dates
    day_range_joiners: Words  # between two days of one date ("March 11-12")


# ----------------------------------------------------------------------------------------- grammar


class GrammarLexicon(_Lexicon):
    """grammar.yaml: function words the claim rules read by role (analysis/text/grammar.py)."""

    copulas: Words
    partitive_determiners: Words
    frame_determiners: Words
    definite_determiners: Words
    one_person: Words
    indefinite_articles: Words
    plural_endings: Words
    list_joiners: Words
    list_tails: Words


# ----------------------------------------------------------------------------------------- numbers


class NumbersLexicon(_Lexicon):
    """numbers.yaml: the number words every extractor reads (analysis/text/numbers.py)."""

    units: Annotated[dict[Word, NonNegativeInt], Field(min_length=1)]
    tens: Annotated[dict[Word, PositiveInt], Field(min_length=1)]
    scales: Annotated[dict[Word, PositiveInt], Field(min_length=1)]
    multiples: Annotated[dict[Word, PositiveInt], Field(min_length=1)]
    articles: Words
    conjunctions: Words
    halves: Words
    fractions: dict[Word, Annotated[float, Field(gt=0.0, lt=1.0)]]
    phrases: dict[Word, PositiveInt]

    @model_validator(mode="after")
    def _one_reading(self) -> NumbersLexicon:
        # the reader looks a word up in one table after another: a word in two would be read by the first only
        tables = {"units": self.units, "tens": self.tens, "scales": self.scales, "multiples": self.multiples}
        seen: dict[str, str] = {}
        for name, table in tables.items():
            for word in table:
                if word in seen:
                    raise ValueError(f"{word!r} is in both {seen[word]} and {name}")
                seen[word] = name
        return self


# ------------------------------------------------------------------------------------------ speech


class Channels(_Lexicon):
    """Outlets a statement travels through: names, nouns, and the words that introduce them."""

    names: Texts
    nouns: Words
    introducers: Words


class Pronouns(_Lexicon):
    """Pronouns resolved to a named speaker: singular persons and groups."""

    person: Words
    group: Words


class SpeechLexicon(_Lexicon):
    """speech.yaml: who a figure is credited to (speech cues, channels, titles, speaker nouns)."""

    speech_verbs: Annotated[dict[Word, Words], Field(min_length=1)]
    participles: Words
    passive_be: Words
    irregular_participles: Words
    passive_after: dict[Word, Words]
    according_to: Words
    report_nouns: Words
    report_link: Words
    between_subject_and_verb: Words
    adjuncts_after_verb: Words
    audiences: Words
    outlet_modifiers: Words
    closing_conjunctions: Words
    toll_verbs: Words
    toll_objects: Words
    toll_object_reach: PositiveInt
    closing_clause_starts: Words
    channels: Channels
    titles: Texts
    descriptors: Words
    institutions: Words
    quoting_verbs: Words
    report_sources: Words
    quoting_reach: PositiveInt
    speaks_for: Words
    org_connectors: Words
    speaks_for_links: Words
    anonymous: Words
    determiners: Words
    org_words: Words
    pronouns: Pronouns
    anonymity_cues: Words
    kinds: Annotated[dict[SourceKind, Words], Field(min_length=1)]
    not_names: Texts
    name_connectors: Words
    postmodifiers: Texts
    partitives: Words
    postmodifier_reach: PositiveInt
    postmodifier_reach_names: PositiveInt
    name_objects: Words
    clause_joiners: Words
    relative_pronouns: Words
    articles: Words


# -------------------------------------------------------------------------------------------- time

Month = Annotated[int, Field(ge=1, le=12)]
Weekday = Annotated[int, Field(ge=1, le=7)]
HourSpan = _pair(Annotated[int, Field(ge=0, le=48)], _increasing)
# winter runs 12..14: months past 12 are in the next year
SeasonMonths = _pair(Annotated[int, Field(ge=1, le=14)], _ordered)
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class PartOfDay(_Lexicon):
    """A TIMEX3 part-of-day code and its local hour span [from, to); to may pass 24."""

    code: Literal["MO", "AF", "EV", "NI"]
    hours: HourSpan


class Unit(_Lexicon):
    """A duration unit: TIMEX3 letter, whether it is a time (T) unit, and its size in seconds or months."""

    code: Literal["S", "M", "H", "D", "W", "Q", "Y", "DE", "CE"]
    time: bool = False
    seconds: PositiveInt | None = None
    months: PositiveInt | None = None
    factor: PositiveInt = 1

    _not_null = field_validator("seconds", "months", mode="before")(_absent_not_null)

    @model_validator(mode="after")
    def _one_size(self) -> Unit:
        # times.py adds unit.get("months", 0) and unit.get("seconds", 0): a unit with neither moves nothing
        if (self.seconds is None) == (self.months is None):
            raise ValueError("needs exactly one of seconds or months")
        return self


class PositionModifier(_Lexicon):
    """Where inside a period: the fraction [from, to] covered, and the TIMEX3 mod."""

    span: _pair(Fraction, _ordered)
    mod: TimexMod  # not read by times.py today


class RelativeDay(_Lexicon):
    """A day relative to the reference date, with an optional part of day."""

    days: int
    part: Word | None = None

    _not_null = field_validator("part", mode="before")(_absent_not_null)


class Season(_Lexicon):
    """A TIMEX3 season code and its first and last month."""

    code: Literal["SP", "SU", "FA", "WI"]
    months: SeasonMonths


class OffsetWord(_Lexicon):
    """A word turning a duration into a point: direction and what it counts from."""

    sign: Literal[-1, 1]
    anchor: Literal["reference", "previous", "following"]


class TimeLexicon(_Lexicon):
    """time.yaml: every word the time tagger recognises."""

    months: Annotated[dict[Word, Month], Field(min_length=1)]
    ambiguous_months: Words
    weekdays: Annotated[dict[Word, Weekday], Field(min_length=1)]
    weekday_min_length: PositiveInt
    parts_of_day: Annotated[dict[Word, PartOfDay], Field(min_length=1)]
    clock_words: dict[Word, _pair(NonNegativeInt, _clock)]
    meridiem: dict[Word, Literal["am", "pm"]]
    military_hour_words: Words
    military_hour_units: Words
    time_stamp_dashes: Texts
    duration_leads: Words
    period_fractions: Words
    time_zones: dict[Word, Annotated[float, Field(ge=-12, le=14)]]  # hours from UTC
    units: Annotated[dict[Word, Unit], Field(min_length=1)]
    vague_plural_units: Words
    vague_numbers: Words  # an unknown count of units ("several days": X); the number words are numbers.yaml's
    ordinals: dict[Word, Annotated[int, Field(ge=-1), AfterValidator(_nonzero)]]  # -1 = last
    modifiers: dict[Word, TimexMod]
    position_modifiers: dict[Word, PositionModifier]
    relative_days: dict[Word, RelativeDay]
    relative_determiners: dict[Word, int]  # step in periods: -1 last, 0 this, 1 next
    calendar_periods: dict[Word, Literal["D", "W", "WE", "M", "Q", "Y", "DE", "CE"]]
    seasons: dict[Word, Season]
    offset_words: dict[Word, OffsetWord]
    reference_words: dict[Word, Literal["PRESENT_REF", "PAST_REF", "FUTURE_REF"]]
    set_words: dict[Word, Annotated[str, StringConstraints(pattern=r"^P(T?\d+[A-Z]+)$")]]
    set_determiners: Words
    anchored_determiners: Words
    unit_adjectives: Words
    future_cues: Words
    past_cues: Words
    tense_window: _pair(PositiveInt)  # tokens [left, right]
    year_range: _pair(int, _ordered)
    year_cues: Words
    not_a_report_time: Words
    speech_time_gap: Words

    @field_validator("ambiguous_months")
    @classmethod
    def _ambiguous_are_months(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _known_keys(v, info, "months")

    @field_validator("vague_plural_units")
    @classmethod
    def _vague_are_units(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _known_keys(v, info, "units")

    @field_validator("relative_days")
    @classmethod
    def _parts_exist(cls, v: dict[str, RelativeDay], info: ValidationInfo) -> dict[str, RelativeDay]:
        # times.py looks the part up in parts_of_day: an unknown one is a KeyError mid-tagging
        _known_keys([d.part for d in v.values() if d.part is not None], info, "parts_of_day")
        return v

    @field_validator("anchored_determiners")
    @classmethod
    def _anchored_are_determiners(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _known_keys(v, info, "relative_determiners")


MODELS: dict[str, type[_Lexicon]] = {
    "claims": ClaimsLexicon,
    "grammar": GrammarLexicon,
    "furniture": FurnitureLexicon,
    "numbers": NumbersLexicon,
    "quantities": QuantitiesLexicon,
    "speech": SpeechLexicon,
    "time": TimeLexicon,
}

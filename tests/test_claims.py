"""Claims: outcome, group, lists and ellipsis, non-claims and scope, on seed and TimeBank sentences."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import seed_text

from analysis import config
from analysis.config import make_event
from analysis.evaluation.timeml import read_timeml
from analysis.extract.claims import extract
from analysis.text.furniture import find_furniture


def _window(zone: str, start: str, end: str):
    """An event window (aware start and end) in a zone, from local ISO times."""
    event = make_event("test", zone, start, end)
    return event.start, event.end


def _claims(text: str, **kw):
    return [(c.quantity_text, c.outcome, c.group, c.value_low, c.value_high, c.qualifier) for c in extract(text, **kw)]


def _seed_claims(prefix: str):
    text = seed_text(prefix)
    ev = config.load().event
    published = date(2007, 7, 6) if prefix == "000" else date(2007, 7, 10)
    skip = [(s.start, s.end) for s in find_furniture(text)]
    return {c.quantity_text + f"@{c.start}": c for c in extract(text, skip, published, ev.start, ev.end)}


def test_guideline_worked_example():
    text = "Arshad said at least 20 militants were killed in the fighting and 15 injured."
    assert _claims(text) == [
        ("at least 20", "killed", "militants", 20, None, "at_least"),
        ("15", "injured", "militants", 15, 15, "exact"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Our eight soldiers have embraced martyrdom while 29 more are wounded, he said.",
            [
                ("eight", "killed", "security_forces", 8, 8, "exact"),
                ("29", "injured", "security_forces", 29, 29, "exact"),
            ],
        ),
        (
            "Troops launched an operation, leaving 20 rebels and three troops dead.",
            [("20", "killed", "militants", 20, 20, "exact"), ("three", "killed", "security_forces", 3, 3, "exact")],
        ),
        (
            "He accused security forces of killing scores of students.",
            [("scores", "killed", "civilians", 40, 999, "vague")],
        ),
        ("fighting that killed 60 militants and soldiers", [("60", "killed", "mixed", 60, 60, "exact")]),
        ("'Dozens dead' in mosque assault", [("Dozens", "killed", "unspecified", 24, 99, "vague")]),
        (
            "Some 20 children who rushed toward the advancing troops were brought to safety, and 24 other "
            "fleeing people were captured by the security forces.",
            [
                ("Some 20", "freed", "civilians", 20, 20, "approximate"),
                ("24", "captured", "unspecified", 24, 24, "exact"),
            ],
        ),
        (
            "Gen Arshad claimed that the authorities had rescued 80 students, 50 male and 30 female.",
            [("80", "freed", "civilians", 80, 80, "exact")],  # the breakdown restates the total
        ),
        (
            "militants accused of holding about 150 hostages inside",
            [("about 150", "held", "civilians", 150, 150, "approximate")],
        ),
        (
            "Hezbollah fighters killed three Israeli soldiers and seriously wounded six others.",
            [
                ("three", "killed", "security_forces", 3, 3, "exact"),
                ("six", "injured", "security_forces", 6, 6, "exact"),
            ],
        ),
        ("Nearly 300 people were feared dead.", [("Nearly 300", "killed", "unspecified", None, 300, "at_most")]),
        (
            "Police arrested more than a dozen suspects on Monday.",
            [("more than a dozen", "captured", "unspecified", 13, None, "more_than")],
        ),
        # two outcomes in sequence: the later one is where the people ended up
        (
            "There are reports that large numbers of civilians are being rounded up and held by Iraqi troops.",
            [("large numbers", "held", "civilians", None, None, "vague")],
        ),
        ("Three men were captured and later executed.", [("Three", "killed", "unspecified", 3, 3, "exact")]),
        ("Five soldiers were killed and wounded.", [("Five", "killed", "security_forces", 5, 5, "exact")]),
        # a promised or demanded release: still held
        (
            "Iraq has agreed to allow all 880 Soviets in Kuwait to leave, but only by road.",
            [("880", "held", "unspecified", 880, 880, "exact")],
        ),
        ("Iraq allowed 300 women and children to leave.", [("300", "freed", "civilians", 300, 300, "exact")]),
        ("The gunmen threatened to kill 20 hostages.", [("20", "held", "civilians", 20, 20, "exact")]),
        ("They demanded the release of 20 prisoners.", [("20", "captured", "unspecified", 20, 20, "exact")]),
        ("The blast may have killed 20 people.", [("20", "killed", "unspecified", 20, 20, "exact")]),
        # a running total counts the people of the claim before it
        (
            "The attack killed 12 soldiers, bringing the total to 40.",
            [
                ("12", "killed", "security_forces", 12, 12, "exact"),
                ("40", "killed", "security_forces", 40, 40, "exact"),
            ],
        ),
        (
            "Twelve soldiers were wounded on Monday. By Tuesday the total had climbed to 35.",
            [
                ("Twelve", "injured", "security_forces", 12, 12, "exact"),
                ("35", "injured", "security_forces", 35, 35, "exact"),
            ],
        ),
        (
            "A total of about 3,000 Americans were trapped.",
            [("about 3,000", "held", "unspecified", 3000, 3000, "approximate")],
        ),
        # 'Of the N <noun>,' and parts that sum to N: the total, with the parts' shared outcome
        (
            "Of the eight victims, three were stabbed, two were strangled, two were beaten to death and one was "
            "asphyxiated, he said.",
            [("eight", "killed", "unspecified", 8, 8, "exact")],
        ),
        (
            "Of the 12 dead, eight were civilians and four were soldiers.",  # a breakdown by group: the total only
            [("12", "killed", "unspecified", 12, 12, "exact")],
        ),
        (
            "Of the 200 passengers, 150 were rescued and 50 were killed.",  # parts with outcomes of their own
            [("150", "freed", "unspecified", 150, 150, "exact"), ("50", "killed", "unspecified", 50, 50, "exact")],
        ),
        (
            "Five soldiers were wounded and later died in hospital.",
            [("Five", "killed", "security_forces", 5, 5, "exact")],
        ),
        ("Three people were shot and wounded.", [("Three", "injured", "unspecified", 3, 3, "exact")]),
        ("Officials said the number of dead had risen to 80.", [("80", "killed", "unspecified", 80, 80, "exact")]),
        ("The number of people arrested rose to 45.", [("45", "captured", "unspecified", 45, 45, "exact")]),
        (
            "Of the 30 hostages, 12 were released on Monday.",
            [("30", "held", "civilians", 30, 30, "exact"), ("12", "freed", "civilians", 12, 12, "exact")],
        ),
    ],
)
def test_outcome_group_and_bounds(text, expected):
    assert _claims(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ghazi, 43, telephoned a private television channel after the raid began.",  # age
        "Zahid Mahmood has waited four days for word on his brother, a 20-year-old religious student.",  # age, duration
        "Hundreds of men from the army and Pakistan Rangers launched a cautious assault.",  # force size
        "On Monday, 20,000 tribesmen held a protest in the frontier region.",  # crowd ("held a protest")
        "By early evening, 70 percent of the complex had fallen to the military.",  # percentage
        "Soldiers went through the compound's 75 rooms one at a time.",  # objects
        "More than 40 ambulances approached the area.",  # objects
        "The standoff has lasted eight days and cost the city 2 million dollars.",  # durations, money
        "Musharraf has fought a bloody battle with extremism since 2001.",  # a year
        "Ghazi said that no one was being held hostage.",  # "no one" is not a count
        "Officials warned that 40 workers could be killed if the dam fails.",  # hypothetical
        "Doing the sickest first may save a few more lives.",  # saving lives is not a death toll
        "Many more patients who are about to die wait for a donor.",  # expected, not reported
        "The gunmen threatened to kill 20 people.",  # threatened, not done
        "The president vowed to free 40 people within a week.",  # promised, and no custody word
        "A total of 3,000 troops were deployed, bringing the number to 8,000.",  # no claim to count on
    ],
)
def test_non_claims(text):
    assert _claims(text) == []


def test_furniture_is_skipped():
    # 001's teasers ("Hundreds face mass eviction", "About 150 homes") and comment box yield nothing
    claims = _seed_claims("001")
    furniture = find_furniture(seed_text("001"))
    assert claims and all(not any(sp.start <= c.start < sp.end for sp in furniture) for c in claims.values())


def test_scope_on_the_seeds():
    claims002 = {c.quantity_text: c for c in _seed_claims("002").values()}
    assert claims002["More than 1,200"].scope == "prior"  # "earlier in the standoff"
    assert claims002["three"].scope == "other"  # "in the northwestern city of Peshawar"
    assert claims002["at least 20"].scope == "event"
    assert {c.scope for c in _seed_claims("000").values()} == {"prior"}  # published before the assault


def test_headline_claim():
    claims = _seed_claims("004")
    first = min(claims.values(), key=lambda c: c.start)
    assert (first.quantity_text, first.outcome, first.group) == ("150", "held", "civilians")


TIMEBANK_SENTENCES = [
    (
        "APW19980301.0720",
        "nearly 200 Israeli soldiers",
        ("nearly 200", "killed", "security_forces", None, 200, "at_most"),
    ),
    ("APW19980308.0201", "At least 51", ("At least 51", "killed", "unspecified", 51, None, "at_least")),
    (
        "APW19980219.0476",
        "as many as 1.7 million",
        ("as many as 1.7 million", "killed", "unspecified", None, 1_700_000, "at_most"),
    ),
    ("WSJ910225-0066", "thousands of Iraqi", ("thousands", "captured", "security_forces", 2000, 9999, "vague")),
    ("WSJ910225-0066", "above 8,000", ("above 8,000", "captured", "security_forces", 8001, None, "more_than")),
    ("WSJ910225-0066", "large numbers", ("large numbers", "held", "civilians", None, None, "vague")),
    ("AP900815-0044", "880 Soviets", ("880", "held", "unspecified", 880, 880, "exact")),
    ("AP900816-0139", "2,500 Americans", ("2,500", "held", "unspecified", 2500, 2500, "exact")),
    ("AP900816-0139", "more than 450", ("more than 450", "held", "unspecified", 451, None, "more_than")),
    ("NYT19980402.0453", "eight victims", ("eight", "killed", "civilians", 8, 8, "exact")),
]


@pytest.mark.parametrize(("doc_id", "needle", "expected"), TIMEBANK_SENTENCES)
def test_timebank_sentences(timebank_dir, doc_id, needle, expected):
    text = read_timeml(timebank_dir / f"{doc_id}.tml").text
    pos = text.index(needle)
    found = [c for c in extract(text) if c.start <= pos < c.end or c.start == pos]
    assert found, needle
    c = found[0]
    assert (c.quantity_text, c.outcome, c.group, c.value_low, c.value_high, c.qualifier) == expected


def test_every_outcome_phrase_can_pass_the_prefilter():
    from analysis import lexicon
    from analysis.extract.claims import _outcome_words, tokenize_lower

    raw = lexicon.load("claims")
    words = _outcome_words()
    # function words must not pass the pre-filter, or every sentence gets tokenized
    assert not words & {"and", "or", "the", "of", "to", "were", "number", "figure", "count"}
    for forms in raw["outcomes"].values():
        for key in ("after", "before", "nouns"):
            for phrase in forms[key]:
                assert set(tokenize_lower(phrase)) & words, phrase


def test_a_repeated_figure_keeps_its_group():
    text = (
        "Police are investigating the killings of 14 women over five years.\n"
        "Detectives said eight of the cases were linked, and the 14 killings shared a pattern.\n"
    )
    groups = [(c.quantity_text, c.group, c.rule.split("|")[1]) for c in extract(text)]
    assert groups == [("14", "civilians", "group:noun"), ("14", "civilians", "group:same figure earlier;noun")]


def test_people_inside_are_held_when_the_same_source_says_so():
    import pandas as pd

    from analysis.stages.claims import held_by_the_same_source

    rows = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "a", "a", "b"],
            "start": [50, 10, 90, 95, 99, 60],
            "source_id": ["government", "government", "government", "government", None, None],
            "outcome": ["held", "present", "present", "present", "present", "present"],
            "group": ["unspecified", "civilians", "civilians", "militants", "civilians", "civilians"],
            "rule": ["r"] * 6,
        }
    )
    out = held_by_the_same_source(rows)
    # only civilians counted inside after the same source said people are held there become held: not a
    # count before that statement, not militants, not another speaker's count, not another document's
    assert out["outcome"].tolist() == ["held", "present", "held", "present", "present", "present"]
    assert out.loc[2, "rule"].endswith("|outcome:held, as the same source said before")


def test_partitive_takes_the_outcome_and_group_of_its_whole():
    text = "The slayings of 14 women remain unsolved. Police said eight of the 14 killings were linked."
    got = [(c.quantity_text, c.outcome, c.group) for c in extract(text)]
    assert got == [("14", "killed", "civilians"), ("eight", "killed", "civilians"), ("14", "killed", "civilians")]


def test_a_bare_noun_takes_the_group_of_its_fuller_name():
    text = (
        "Columns of Iraqi prisoners of war trudged through the desert. Commanders said 5,500 Iraqi prisoners "
        "were taken, though officials later said the total may have climbed above 8,000."
    )
    got = [(c.quantity_text, c.outcome, c.group, c.value_low) for c in extract(text)]
    assert got == [("5,500", "captured", "security_forces", 5500), ("above 8,000", "captured", "security_forces", 8001)]
    # without the fuller name the prisoners' group is not known
    assert {c.group for c in extract(text.split(". ", 1)[1])} == {"unspecified"}


def test_people_in_a_place_where_the_article_says_people_are_trapped_are_held():
    text = (
        "Worries grew about Westerners trapped in Kuwait. Very few of the 2,500 Americans in occupied Kuwait "
        "complied. About 3,000 Americans, 3,000 Britons and more than 450 Japanese are in Iraq and Kuwait. "
        "About 160,000 Iraqi troops are in Kuwait. Some 400 Americans live in Paris."
    )
    got = [(c.quantity_text, c.outcome, c.value_low) for c in extract(text)]
    assert got == [
        ("2,500", "held", 2500),
        ("About 3,000", "held", 3000),
        ("3,000", "held", 3000),
        ("more than 450", "held", 451),
    ]  # troops in the place are deployed, not held; Paris is not where anyone is held
    assert extract(text.replace("trapped in", "visiting")) == []
    # talks are held in places too: the cue must follow people
    assert extract("Talks were held in Geneva. The 12 delegates in Geneva agreed.") == []


def test_a_noun_phrase_stops_where_the_next_count_starts():
    text = "Some 3,000 Britons and more than 450 Japanese were evacuated."
    assert [(c.quantity_text, c.outcome) for c in extract(text)] == [
        ("Some 3,000", "freed"),
        ("more than 450", "freed"),
    ]


def test_with_him_is_present_only_right_after_the_counted_noun():
    def got(text):
        return [(c.quantity_text, c.outcome) for c in extract(text)]

    assert got("Ghazi said he had nearly 2,000 followers with him.") == [("nearly 2,000", "present")]
    assert got("Reporters said 20 people spoke with him on Monday.") == []
    assert got("Police said 20 people who met with them were later released.") == [("20", "freed")]


def test_a_toll_of_the_focal_incident_stays_event_however_late_it_is_reported():
    from analysis.extract.times import tag_times

    start, end = _window("Europe/Madrid", "2004-03-11T07:37", "2004-03-11T07:40")
    text = (
        "Rescuers said at first light on Friday that 192 people had died in the bombings. "
        "A month on, the March 11 bombings had killed 191 people. "
        "Three years ago this month, 202 people were killed in Bali."
    )
    published = date(2004, 4, 11)
    hints = tag_times(text, "2004-04-11", "Europe/Madrid")
    got = {c.quantity_text: c.scope for c in extract(text, (), published, start, end, hints, ["Madrid"])}
    assert got == {"192": "event", "191": "event", "202": "prior"}


def test_a_fuller_name_counts_only_when_it_comes_before_the_count():
    before = "Iran holds prisoners of war. Iraq said 5,500 prisoners were freed."
    after = "Iraq said 5,500 prisoners were freed. Iran holds prisoners of war."
    assert [c.group for c in extract(before)] == ["security_forces"]
    assert [c.group for c in extract(after)] == ["unspecified"]


def test_a_subset_is_part_of_the_nearest_larger_count_before_it_else_after_it():
    text = "Two Britons were injured. 40 people were injured. Two Britons were injured. 3 were killed."
    whole = text.index("40")
    got = [(c.quantity_text, c.role, c.part_of) for c in extract(text)]
    assert got == [("Two", "part", whole), ("40", "total", None), ("Two", "part", whole), ("3", "total", None)]


def test_a_long_chain_of_partitives_is_read_without_recursion():
    # each count's noun phrase is the next count's, to the end: once per sentence, not once per count
    claims = extract("Ten of the " * 3000 + "two people were killed.")
    assert len(claims) == 3001
    assert {(c.outcome, c.group_text) for c in claims} == {("killed", "people")}


def test_a_named_event_place_does_not_hide_the_sentences_scope_cues():
    start, end = _window("Europe/Madrid", "2004-03-11T07:37", "2004-03-12T00:00")
    text = "Earlier in the week, 20 people were killed in the city of Madrid."
    (claim,) = extract(text, (), date(2004, 3, 11), start, end, (), ["Madrid"])
    assert claim.scope == "prior"  # the cue 'earlier in the' is read from the sentence, not the place's name


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a toll with a phrase saying what it counts, between the noun and "to"/"at"
        ("The blast brought the death toll for both attacks to 201, police said.", [("201", "killed")]),
        ("The toll from the two blasts stood at 30.", [("30", "killed")]),
        ("The death toll in the capital rose to 190 on Friday.", [("190", "killed")]),
        # but not a phrase that does not start right after the noun with a preposition
        ("The toll was unclear but rose to 40.", []),
        # a table or list line: each count takes the outcome of its own label
        ("CITY: Dead: 180  Injured: 1,500", [("180", "killed"), ("1,500", "injured")]),
        ("Wounded: 12. Dead: 3.", [("12", "injured"), ("3", "killed")]),
    ],
)
def test_totals_with_a_phrase_and_labelled_counts(sentence, expected):
    assert [(c.quantity_text, c.outcome) for c in extract(sentence)] == expected


def test_a_subset_of_an_incidents_victims_is_a_part_even_without_its_whole():
    # a report on British victims only: the blasts' whole toll is implied, not stated
    britons = "Two Britons injured in the bomb blasts in Madrid are continuing to recover in hospital."
    assert [(c.quantity_text, c.role, c.part_of, c.subset_text) for c in extract(britons)] == [
        ("Two", "part", None, "Britons")
    ]
    # once the article has named the incident, a later subset count is a part of it too
    quoted = britons + ' "Two British nationals were injured; they are currently in hospital," a spokesman said.'
    assert [(c.quantity_text, c.role, c.subset_text) for c in extract(quoted)] == [
        ("Two", "part", "Britons"),
        ("Two", "part", "British nationals"),
    ]
    # victims whose noun a nationality qualifies are picked out by who they are; an armed group is its own total
    israeli = "Troops killed two gunmen but also found eight dead Israeli hostages in the attack."
    assert [(c.quantity_text, c.role) for c in extract(israeli)] == [("two", "total"), ("eight", "part")]
    pakistani = "Twenty Pakistani soldiers were killed in the attack, and 50 people died."
    assert [c.role for c in extract(pakistani)] == ["total", "total"]
    one = "Officials said that at least one British national was confirmed dead in the attacks."
    assert [(c.role, c.subset_text) for c in extract(one)] == [("part", "British national")]
    # no incident named: the count may be the whole ('the deaths of ... Cambodians' under a regime)
    regime = "The policies led to the deaths of as many as 1.7 million Cambodians when the group held power."
    assert [c.role for c in extract(regime)] == ["total"]
    # a custody count of foreigners may be every hostage: left a total
    hostages = "40 foreigners were taken hostage in the attack on the hotel."
    assert [(c.outcome, c.role) for c in extract(hostages)] == [("held", "total")]
    # an armed group named by who they are is its own total
    taliban = "Twenty Taliban were killed in the attack."
    assert [c.role for c in extract(taliban)] == ["total"]


def test_a_rate_is_not_the_events_toll():
    start, end = _window("Europe/Madrid", "2004-03-11T07:37", "2004-03-11T07:40")
    text = (
        "The World Health Organisation estimates smoking kills about 4 million people a year. "
        "Road accidents kill 3,000 people each year in Spain, officials said. "
        "Within a year, the bombings had killed 191 people."
    )
    got = {c.quantity_text: c.scope for c in extract(text, (), date(2004, 3, 12), start, end)}
    # the rate is read right after the counted noun; 'Within a year' before the count is no rate
    assert got == {"about 4 million": "other", "3,000": "other", "191": "event"}
    # per count, not per sentence: the toll beside a rate in one sentence stays the event's
    text = "The blasts killed 191 people, while road accidents kill 3,000 people each year."
    got = {c.quantity_text: c.scope for c in extract(text, (), date(2004, 3, 12), start, end)}
    assert got == {"191": "event", "3,000": "other"}


MUMBAI_PLACES = {
    "mumbai": None, "bombay": None,  # the city covers the whole event
    "taj": "Taj Mahal hotel", "taj mahal palace": "Taj Mahal hotel",
    "oberoi": "Oberoi-Trident hotel", "trident": "Oberoi-Trident hotel",
    "nariman house": "Nariman House",
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Commandos found 40 bodies in the Taj Mahal Palace on Friday.", "Taj Mahal hotel"),  # a preposition
        ("The Nariman House siege left 6 people dead.", "Nariman House"),  # an incident noun after the place
        ("In Nariman House, 6 hostages were killed.", "Nariman House"),  # opening the sentence
        # the sentence's one event place, its subject: no preposition needed
        ("Another hotel, the Oberoi/Trident, was declared clear late Friday, with 24 bodies found.",
         "Oberoi-Trident hotel"),
        ("At least 101 people were killed in Mumbai.", None),  # the city is the whole event
        # the city, then one of its sites right after it: the site
        ("At least 30 dead in Mumbai Taj siege.", "Taj Mahal hotel"),
        # the whole event's city before the count is no rival of the one site named there
        ("In Mumbai, gunmen opened fire at the Taj, killing 30 people.", "Taj Mahal hotel"),
        # two places before the count: which one holds it is unclear
        ("Gunmen moved from the Taj to the Oberoi, where 30 people were killed.", None),
        ("The Taj and the Oberoi were cleared, with 30 bodies found.", None),  # two places, no preposition
        # where the speaker is, not where the count is
        ("A doctor at a hospital near the Taj said 20 people had died.", None),
    ],
)  # fmt: skip
def test_a_count_is_tied_to_the_event_place_its_sentence_names(text, place):
    (claim,) = extract(text, places=MUMBAI_PLACES)
    assert claim.place == place


def test_an_earlier_incidents_count_takes_no_place_from_its_subject():
    start, end = _window("Asia/Makassar", "2005-10-01T19:30", "2005-10-01T20:00")
    from analysis.extract.times import tag_times

    text = "Kuta, the scene of the 2002 bombings, saw 202 people killed."
    hints = tag_times(text, "2005-10-02", "Asia/Makassar")
    (claim,) = extract(text, (), date(2005, 10, 2), start, end, hints, {"kuta": "Kuta", "bali": None})
    assert (claim.scope, claim.place) == ("prior", None)


def test_a_parenthesis_between_a_count_and_its_verb_is_skipped():
    text = (
        "At least 80 people, including a foreign tourist and four top police officers, were killed "
        "and over 250 injured in the serial attacks."
    )
    got = [(c.quantity_text, c.outcome, c.group, c.role, c.part_of) for c in extract(text)]
    assert got == [
        ("At least 80", "killed", "unspecified", "total", None),
        ("four", "killed", "security_forces", "part", 0),  # a part of the 80, inside the parenthesis
        ("over 250", "injured", "unspecified", "total", None),  # the ellipsis refers to the 80, not the part
    ]
    # a verb closes an 'including' list: the count after it is no list item
    text = "At least 23 people, including foreigners, were killed and 90 others injured in the attack."
    assert [(c.quantity_text, c.outcome, c.role) for c in extract(text)] == [
        ("At least 23", "killed", "total"),
        ("90", "injured", "total"),
    ]
    # no closing comma before the sentence ends: no parenthesis, no claim
    assert extract("Some 300 people, mostly women and children who had fled.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an earlier figure set off by commas, and the new one
        ("The death toll from the blasts, initially 10, has risen to 14, police said.",
         [("10", "killed", True), ("14", "killed", False)]),
        ("The death toll, initially 10, has risen to 14.", [("10", "killed", True), ("14", "killed", False)]),
        # a revised toll names the figure it replaced
        ("The death toll was revised down slightly from 172 after a victim was counted twice.", [("172", "killed", True)]),
        ("The confirmed toll stood at 25, a hospital official said, correcting an earlier figure of 32.",
         [("25", "killed", False), ("32", "killed", True)]),
        ("The police chief revised the death toll downward from an estimate of 25.", [("25", "killed", True)]),
        # what the toll counts is no earlier figure
        ("The toll from the two blasts stood at 30.", [("30", "killed", False)]),
        # a change from one figure to another is two figures, not a range
        ("The death toll rose from 10 to 14 on Friday.", [("10", "killed", True), ("14", "killed", False)]),
        ("Police revised the number of injured upward from 1,200 to 1,500.",
         [("1,200", "injured", True), ("1,500", "injured", False)]),
        ("The number of dead climbed from 170 to 190, officials said.",
         [("170", "killed", True), ("190", "killed", False)]),
    ],
)  # fmt: skip
def test_a_tolls_earlier_figure_is_a_claim_marked_superseded(text, expected):
    assert [(c.quantity_text, c.outcome, c.superseded) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("From 300 to 400 people were injured.", [("From 300 to 400", "injured", 300, 400)]),
        ("Estimates ranged from 300 to 400 dead.", [("from 300 to 400", "killed", 300, 400)]),
    ],
)
def test_from_a_to_b_without_a_change_word_stays_a_range(text, expected):
    assert [(c.quantity_text, c.outcome, c.value_low, c.value_high) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The dead numbered 180, officials said.", [("180", "killed")]),
        ("The number of injured totalled 1,500.", [("1,500", "injured")]),
        ("The wounded numbered about 1,500.", [("about 1,500", "injured")]),
        # no outcome noun before the verb: not a toll
        ("The protesters numbered 5,000.", []),
    ],
)
def test_an_outcome_noun_that_numbered_a_count_is_a_total(text, expected):
    assert [(c.quantity_text, c.outcome) for c in extract(text) if c.role == "total"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the count before an active outcome verb did the killing: no claim of its own
        ("Almost three years after the devastating blasts at two Kuta nightspots which killed 202 people, "
         "terrorism has returned.", [("202", "killed")]),
        ("Two gunmen who killed 20 people were arrested.", [("20", "killed")]),
        ("The blast, which killed 20 people, injured 30 more.", [("20", "killed"), ("30", "injured")]),
        # a reflexive is no object: the bombers died
        ("The three bombers had killed themselves and 19 other people.", [("three", "killed"), ("19", "killed")]),
        # a span after the verb is no object
        ("Twenty people died, 30 injured 2 hours later.", [("Twenty", "killed"), ("30", "injured")]),
        ("Ten people killed in the blast were buried.", [("Ten", "killed")]),
    ],
)  # fmt: skip
def test_the_agent_of_an_outcome_verb_is_not_its_victim(text, expected):
    assert [(c.quantity_text, c.outcome) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a count whose own noun says its people died keeps that outcome in a list with another
        ('"This is big. It cost 25 lives and 100 injured," he said.', [("25", "killed"), ("100", "injured")]),
        # a noun that names who, not what befell them, takes the list's verb
        ("25 hostages and 10 soldiers were killed.", [("25", "killed"), ("10", "killed")]),
    ],
)
def test_a_dead_noun_keeps_its_outcome_in_a_list(text, expected):
    assert [(c.quantity_text, c.outcome) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Indian authorities claim one Briton has died.", [("one", "killed", 1)]),
        ("Indian government officials said that at least one British national was confirmed dead.",
         [("at least one", "killed", 1)]),
        ("At least one soldier was killed.", [("At least one", "killed", 1)]),
        # "one" with no noun naming people is no count, nor is "one of"
        ("One of them died.", []),
        ("Several MEPs were among those barricaded inside the Taj, one of the city's best-known destinations.",
         [("Several", "present", 3)]),
        ("No one was hurt.", []),
    ],
)  # fmt: skip
def test_one_counts_with_a_noun_naming_people(text, expected):
    assert [(c.quantity_text, c.outcome, c.value_low) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A doctor said 11 dead were taken to the hospital and 38 others were admitted with injuries.",
         [("11", "killed"), ("38", "injured")]),
        ('"Many have serious injuries and the toll will go up," a police officer said.', [("Many", "injured")]),
        ("Twelve people sustained injuries in the blast.", [("Twelve", "injured")]),
        ("A rescue services official said there was a multitude of injured at Atocha.", [("a multitude", "injured")]),
        ("My husband and I were hit, as were lots of people who were hurt.", [("lots", "injured")]),
    ],
)  # fmt: skip
def test_hospital_and_injury_wordings_are_injured(text, expected):
    assert [(c.quantity_text, c.outcome) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a toll cut or lowered from one figure to another: the old one superseded, the new one current
        ("Norway police on Monday lowered the combined death toll from the bombing in downtown Oslo and shooting "
         "attack on nearby Utoya island from 93 to 76 people killed.", [("93", True), ("76", False)]),
        # a long phrase saying what the toll counts
        ("Norwegian police raised the death toll from last week's bombing and shooting rampage in the Oslo area "
         "to 77 on Friday.", [("77", False)]),
        ("Death toll increases to 132 after three die in hospitals.", [("132", False), ("three", False)]),
    ],
)  # fmt: skip
def test_tolls_cut_lowered_raised_and_increased(text, expected):
    assert [(c.quantity_text, c.superseded) for c in extract(text) if c.outcome == "killed"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Death toll exceeds 125 in Paris attacks.", [("exceeds 125", "killed", 126, None)]),
        ("Armed hostage-takers have taken up to 700 people hostage.", [("up to 700", "held", None, 700)]),
        ("As many as 118 people alone were massacred at a concert.", [("As many as 118", "killed", None, 118)]),
        ("Islamist gunmen murdered 18 people.", [("18", "killed", 18, 18)]),
        ("Seven more hostages were freed, adding to the more than 100 let go since the crisis began.",
         [("Seven", "freed", 7, 7), ("more than 100", "freed", 101, None)]),
        ("14 arrests made all together.", [("14", "captured", 14, 14)]),
    ],
)  # fmt: skip
def test_outcome_wordings_of_other_events(text, expected):
    assert [(c.quantity_text, c.outcome, c.value_low, c.value_high) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Around 200 people have been injured, 80 seriously.", [("Around 200", "injured"), ("80", "injured")]),
        # the exception of "all but" is no count
        ("All but two of the 118 hostages who died were killed by the gas.", [("118", "killed")]),
    ],
)
def test_a_seriously_injured_ellipsis_and_an_exception(text, expected):
    assert [(c.quantity_text, c.outcome) for c in extract(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The British Embassy said three Britons were among the hostages.", [("three", "held", "part")]),
        ("The 75 foreign hostages include three Americans, as well as Britons.",
         [("75", "held", "total"), ("three", "held", "part")]),
        ("Many of the survivors were suffering from gas poisoning.", [("Many", "injured", "total")]),
        ("We saved more than 750 people.", [("more than 750", "freed", "total")]),
        ("Within an hour all four attackers there were dead.", [("four", "killed", "total")]),
    ],
)  # fmt: skip
def test_hostage_breakdowns_and_siege_wordings(text, expected):
    assert [(c.quantity_text, c.outcome, c.role) for c in extract(text)] == expected


def test_a_previous_toll_is_an_earlier_figure_not_an_earlier_phase():
    start, end = _window("Europe/Oslo", "2011-07-22T15:25", "2011-07-22T18:35")
    text = "Police said 77 people, up from the previous death toll of 76, have been identified."
    assert {c.scope for c in extract(text, (), date(2011, 7, 29), start, end, (), [])} == {"event"}
    earlier = "Earlier this week, 20 people were killed."
    assert [c.scope for c in extract(earlier, (), date(2011, 7, 29), start, end, (), [])] == ["prior"]


@pytest.mark.parametrize("bad", ["", " ", "-"])
def test_an_empty_place_name_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="has no letter or digit"):
        extract("20 people died in Madrid.", places=["Madrid", bad])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an outcome word used as an adjective before the noun it qualifies
        ("Police found 20 dead militants.", [("20", "killed", "militants", "militants")]),
        # a nationality between the adjective and its noun
        ("Troops killed two gunmen but also found eight dead Israeli hostages.",
         [("two", "killed", "militants", "gunmen"), ("eight", "killed", "civilians", "Israeli hostages")]),
        ("The officer confirmed 12 wounded soldiers.", [("12", "injured", "security_forces", "soldiers")]),
        # its own adjective outranks its list's verb
        ("There were six dead foreigners and seven injured.",
         [("six", "killed", "unspecified", "foreigners"), ("seven", "injured", "unspecified", "foreigners")]),
        # its own verb outranks the adjective: rescued, not trapped
        ("The hotel was cleared, with scores of trapped guests rescued.", [("scores", "freed", "civilians", "guests")]),
        # an outcome word standing alone is still the ellipsis it was
        ("The blast left 20 dead, including two children.",
         [("20", "killed", "unspecified", None), ("two", "killed", "civilians", "children")]),
    ],
)  # fmt: skip
def test_an_outcome_adjective_before_the_noun_codes_the_count(text, expected):
    assert [(c.quantity_text, c.outcome, c.group, c.group_text) for c in extract(text)] == expected


def test_increments_are_parts_of_the_toll_they_add_to():
    # real text (the third unseen set, Chicago Tribune, 25 Oct 2002): seven more freed, added to the earlier 100
    moscow = (
        "Russian police said seven more hostages were freed early Friday, adding to the more than 100 let go "
        "since the crisis began."
    )
    assert [(c.quantity_text, c.outcome, c.role, c.subset_text, c.part_of) for c in extract(moscow)] == [
        ("seven", "freed", "part", "more", None),
        ("more than 100", "freed", "total", None, None),
    ]
    # bodies recovered beside a larger toll: a part of that toll
    risen = "The death toll has risen to 68 after nine bodies were recovered from the rubble, officials said."
    got = [(c.quantity_text, c.role, c.part_of) for c in extract(risen)]
    assert got == [("68", "total", None), ("nine", "part", risen.index("68"))]
    # "a further 3 ..., bringing the toll to 201": its whole is the new toll
    further = "A further 3 people died in hospital on Sunday, bringing the toll to 201."
    assert [(c.role, c.subset_text, c.part_of) for c in extract(further)] == [
        ("part", "further", further.index("201")),
        ("total", None, None),
    ]
    # "more" of the group just counted, with another outcome, is that outcome's total
    soldiers = "Three soldiers were killed and six more were wounded."
    assert [(c.outcome, c.role) for c in extract(soldiers)] == [("killed", "total"), ("injured", "total")]
    # with no cue, bodies are a toll; "more than" is a qualifier, not an increment
    for text in ("Police recovered 13 bodies from the hotel.", "More than 20 people were killed in the attack."):
        assert [c.role for c in extract(text)] == ["total"]


def test_a_count_over_a_recent_period_is_an_increment_only_after_the_events_first_day():
    start, end = _window("Africa/Nairobi", "2013-09-21T12:00", "2013-09-24T18:00")
    text = "Officials said 10 bodies had been retrieved from the building in the last 24 hours."
    three_days_on = extract(text, published_on=date(2013, 9, 24), event_start=start, event_end=end)
    assert [(c.role, c.subset_text) for c in three_days_on] == [("part", "in the last 24 hours")]
    # the same words on the attack's day count its whole toll
    same_day = extract(text, published_on=date(2013, 9, 21), event_start=start, event_end=end)
    assert [c.role for c in same_day] == ["total"]
    # a toll word keeps the count a toll however recent the period
    toll = "The toll rose to 68 in the past 24 hours."
    assert [c.role for c in extract(toll, published_on=date(2013, 9, 24), event_start=start, event_end=end)] == [
        "total"
    ]


def test_the_sentence_prefilter_passes_every_outcome_phrase_but_not_its_words_scattered():
    from analysis import lexicon
    from analysis.extract import claims as claims_module

    f = claims_module._phrase_filter()
    raw = lexicon.load("claims")["outcomes"]
    phrases = [
        p for forms in raw.values() for key in ("after", "adjacent", "before", "nouns") for p in forms.get(key, [])
    ]
    for phrase in phrases:  # a sentence holding the phrase is read, whatever else it holds
        assert f.passes(claims_module._WORD_RE.findall(f"officials said 20 people {phrase} on monday"))
    # words of multi-word phrases ("held captive", "with them") apart from their phrase are not read
    assert not f.passes("the board held a meeting with the 12 analysts and thanked them".split())
    assert not f.passes("the 12 men who were with the minister".split())  # "with" and "the": not "with them"
    assert f.passes("12 people were held captive".split())


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # an outcome verb, "the", then the count
        ("Security forces ended the siege after they killed the four attackers.", [("four", "killed")]),
        # a short phrase between the counted noun and its verb, without commas
        ("Three staff members from the school were also injured.", [("Three", "injured")]),
        ("A total of 146 people were killed, while 113 people including children were injured.",
         [("146", "killed"), ("113", "injured")]),
        # but "of": the verb belongs to the people of the phrase
        ("About two dozen relatives of people trapped inside the complex waited at the cordon.", []),
        # an appositive naming who they are
        ("Two others, a Briton and an Algerian, died on Wednesday.", [("Two", "killed")]),
        # wordings: "able to escape", "involved", "perish", "neutralized", "left injured"
        ("Officials said 30 nationals were able to escape from their captors.", [("30", "freed")]),
        ("Four of the gunmen involved were killed by security forces.", [("Four", "killed")]),
        ("147 students perish in university attack", [("147", "killed")]),
        ("The ministry said two terrorists have been neutralized.", [("two", "killed")]),
        ("132 children died and 121 more were left injured.", [("132", "killed"), ("121", "injured")]),
        # a toll phrase opening with "at"
        ("The death toll at a university in northeastern Kenya has reached 147.", [("147", "killed")]),
    ],
)  # fmt: skip
def test_wordings_added_after_the_fourth_blind_run(sentence, expected):
    assert [(c.quantity_text, c.outcome) for c in extract(sentence)] == expected


def test_a_victims_frame_with_words_between_or_a_pronoun_opens_a_list_of_parts():
    gapped = "Confirmed dead so far include six from the Philippines, three from Britain and two from Romania."
    assert [(c.quantity_text, c.outcome, c.role) for c in extract(gapped)] == [
        ("six", "killed", "part"),
        ("three", "killed", "part"),
        ("two", "killed", "part"),
    ]
    pronoun = "The dead were mostly students, but they also include one soldier, a policeman and two guards."
    assert [(c.quantity_text, c.outcome, c.group, c.role) for c in extract(pronoun)] == [
        ("one", "killed", "security_forces", "part"),
        ("two", "killed", "security_forces", "part"),
    ]
    # a pronoun with no victims noun before it opens no frame
    assert extract("They include six analysts from the bank.") == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a fate unknown, or people merely caught up in an incident: no claim
        ("More than 100 foreign nationals were freed on Friday, but about 30 foreigners remain unaccounted for.",
         [("More than 100", "freed", "unspecified")]),
        ("Eight Scots caught up in the incident were safe.", []),
        # a modal before "have" hedges a past outcome: reported
        ("Officials feared as many as 50 captives may have died.", [("as many as 50", "killed", "unspecified")]),
        ("As many as 50 people could be killed.", []),
        # a verb before the count outranks a location after it
        ("Troops killed 20 militants inside the mosque.", [("20", "killed", "militants")]),
        ("Special forces shot dead three of the militants inside the school.", [("three", "killed", "militants")]),
        ("Police said 20 militants were inside.", [("20", "present", "militants")]),
        # hostage-takers are militants, staff are civilians
        ("At least seven hostages died and 11 of their captors were gunned down.",
         [("At least seven", "killed", "civilians"), ("11", "killed", "militants")]),
        ("An additional 121 students and three staffers were wounded.",
         [("121", "injured", "civilians"), ("three", "injured", "civilians")]),
    ],
)  # fmt: skip
def test_fates_unknown_hedged_pasts_and_verbs_before_a_location(sentence, expected):
    assert [(c.quantity_text, c.outcome, c.group) for c in extract(sentence)] == expected


def test_said_earlier_dates_the_statement_not_the_incident():
    start, end = _window("Asia/Karachi", "2014-12-16T10:30", "2014-12-16T18:00")
    text = "A spokesman for the chief minister said earlier that 126 people were killed."
    claims = extract(text, published_on=date(2014, 12, 16), event_start=start, event_end=end)
    assert [(c.quantity_text, c.scope) for c in claims] == [("126", "event")]
    day = "Earlier that day 12 people were killed in another town."
    assert [c.scope for c in extract(day, published_on=date(2014, 12, 16), event_start=start, event_end=end)] == [
        "prior"
    ]


def test_a_total_noun_of_a_counted_phrase_and_its_group():
    hostages = "An Algerian security official had put the remaining number of foreign hostages at 10."
    assert [(c.quantity_text, c.outcome, c.group) for c in extract(hostages)] == [("10", "held", "civilians")]
    killed = "Officials put the number of people killed in the attack at 20."
    assert [(c.quantity_text, c.outcome) for c in extract(killed)] == [("20", "killed")]
    soldiers = "The death toll among soldiers rose to 20."
    assert [(c.outcome, c.group) for c in extract(soldiers)] == [("killed", "security_forces")]
    # a group word qualifying another noun is not the toll's group
    attacks = "Authorities have revised the current death toll from Friday's terrorist attacks back down to 129."
    assert [(c.outcome, c.group) for c in extract(attacks)] == [("killed", "unspecified")]
    # a number of people with no outcome is no claim
    assert extract("The number of foreign workers at the plant was 700.") == []


def test_list_items_under_an_outcome_heading_take_its_outcome():
    # the shape of an AP update (the fourth unseen set, x05): a heading, then dash items with blank lines between
    text = (
        "Here's the latest information on the dead and missing:\n\nTHE DEAD:\n\n"
        "— 32 Islamist militants, according to the Algerian government.\n\n"
        "— 23 hostages, according to Algeria. Another former hostage died in hospital.\n\n"
        "THE MISSING:\n\n— 24 foreign workers.\n"
    )
    got = [(c.quantity_text, c.outcome, c.group) for c in extract(text)]
    assert got == [("32", "killed", "militants"), ("23", "killed", "civilians")]
    # a heading that names no outcome, or a line between, ends the list
    other = "THE MISSING:\n\n— 24 foreign workers.\n\nTHE DEAD:\nOfficials gave no figure.\n— 12 workers.\n"
    assert extract(other) == []


def test_an_appositive_naming_nationalities_makes_a_part_and_a_day_after_the_verb_dates_it():
    text = "At least 35 people were killed. Two others, a Briton and an Algerian, died on Wednesday."
    got = [(c.quantity_text, c.role, c.subset_text, c.part_of) for c in extract(text)]
    assert got == [("At least 35", "total", None, None), ("Two", "part", "a Briton and an Algerian", 0)]
    # without the appositive, "others" names nobody: a total
    plain = "At least 35 people were killed. Two others died on Wednesday."
    assert [c.role for c in extract(plain)] == ["total", "total"]
    # an appositive of occupations is no nationality
    jobs = "At least 35 people were killed. Two people, a policeman and a student, died."
    assert [c.role for c in extract(jobs)] == ["total", "total"]


def test_still_in_hospital_is_injured_and_executed_is_killed():
    # the third unseen set (w06, w04), development text
    hospital = (
        "The Interfax news agency reported that 405 former hostages, including nine children, remained "
        "hospitalized Monday."
    )
    assert [(c.quantity_text, c.outcome, c.role) for c in extract(hospital)] == [
        ("405", "injured", "total"),
        ("nine", "injured", "part"),
    ]
    executed = "Troops forced their way in after rebels executed two male hostages."
    assert [(c.quantity_text, c.outcome) for c in extract(executed)] == [("two", "killed")]


def test_a_state_after_of_them_names_no_subset():
    text = "On Sunday, doctors had said 646 people remained hospitalized, 45 of them in very serious condition."
    assert [(c.quantity_text, c.role, c.subset_text) for c in extract(text)] == [
        ("646", "total", None),
        ("45", "part", "people"),
    ]


def test_the_situation_refers_back_to_an_earlier_incident_named_in_the_sentence_before():
    # the fourth unseen set (x15, City A.M. on the Peshawar attack), development text
    start, end = _window("Asia/Karachi", "2014-12-16T10:30", "2014-12-16T18:30")
    from analysis.extract.times import tag_times

    text = (
        "It follows yesterday's hostage situation in Australia, where a lone gunman took the Lindt cafe in Sydney. "
        "After several hours, the situation ended with the death of three people, including the perpetrator."
    )
    times = tag_times(text, "2014-12-16", "Asia/Karachi")
    claims = extract(text, [], date(2014, 12, 16), start, end, times)
    assert [(c.quantity_text, c.scope) for c in claims] == [("three", "prior")]
    # the same words with no earlier incident named before: the focal event's
    focal = "Troops stormed the school at noon. After several hours, the siege ended with the death of 140 people."
    times = tag_times(focal, "2014-12-16", "Asia/Karachi")
    claims = extract(focal, [], date(2014, 12, 16), start, end, times)
    assert [(c.quantity_text, c.scope) for c in claims] == [("140", "event")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # the third unseen set (w04), development text: a count set off by commas after a plural group noun
        ("Nearly all the rebels, 34, were killed.", [("34", "killed", "militants")]),
        ("The gunmen, 11, were killed.", [("11", "killed", "militants")]),
        # after a name or a singular noun it is an age
        ("John Smith, 34, of Boston, was killed.", []),
        ("The victim, 34, was killed.", []),
    ],
)
def test_a_count_in_apposition_after_a_plural_group(sentence, expected):
    assert [(c.quantity_text, c.outcome, c.group) for c in extract(sentence)] == expected

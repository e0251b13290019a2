"""Timeline stage: distinct figures, revisions, the per-hour consensus, parts and places, and the seeds' story."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pandera.errors
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import columns, config
from analysis.cli import main
from analysis.config import make_event
from analysis.report import tables as report
from analysis.schemas import TollConsensus, TollParts, TollTimeline
from analysis.stages import timeline

ROOT = Path(__file__).resolve().parent.parent
PROCESSED = ROOT / "data" / "processed"
EVENT = make_event("test", "Asia/Karachi", "2007-07-10T04:00", "2007-07-12T00:00")
T0 = pd.Timestamp("2007-07-09T23:00", tz="UTC")  # 04:00 local, the event start
H = pd.Timedelta(hours=1)


def _claims(rows: list[dict]) -> pd.DataFrame:
    """Minimal claims rows: defaults for every column the timeline reads (as_of's interval: as_of itself)."""
    out = []
    for i, r in enumerate(rows):
        base = {
            "claim_id": f"{r.get('doc_id', 'd1')}:{r.get('start', i * 10)}",
            "doc_id": "d1",
            "start": i * 10,
            "quantity_text": str(r.get("value_low")),
            "value_low": None,
            "value_high": None,
            "qualifier": "exact",
            "outcome": "killed",
            "group": "militants",
            "scope": "event",
            "role": "total",
            "subset_text": None,
            "part_of": None,
            "place": None,
            "source_id": None,
            "as_of": T0,
        }
        base.update(r)
        base.setdefault("as_of_low", base["as_of"])
        base.setdefault("as_of_high", base["as_of"])
        if "value_high" not in r and base["qualifier"] in ("exact", "approximate"):
            base["value_high"] = base["value_low"]
        out.append(base)
    df = pd.DataFrame(out)
    for c in ("value_low", "value_high"):
        df[c] = df[c].astype("Int64")
    for c in ("as_of", "as_of_low", "as_of_high"):
        df[c] = pd.to_datetime(df[c], utc=True).astype("datetime64[us, UTC]")
    return df


DOCS = pd.DataFrame(
    {
        "doc_id": ["d1", "d2", "d3"],
        "outlet": ["Outlet A", "Outlet A", "Outlet B"],
        "agency": [None, None, "W"],
        "published_on": [pd.Timestamp("2007-07-10").date()] * 3,
    }
)
SOURCES = pd.DataFrame({"source_id": ["spokesman"], "name": ["A Spokesman"]})


def _timeline(rows: list[dict]) -> pd.DataFrame:
    out = timeline.build_timeline(_claims(rows), DOCS, SOURCES, EVENT)
    TollTimeline.validate(out, lazy=True)
    return out


@pytest.mark.parametrize(
    ("low", "high", "qualifier", "text"),
    [
        (20, 20, "exact", "20"),
        (40, 40, "approximate", "about 40"),
        (3, None, "at_least", "at least 3"),
        (1201, None, "more_than", "more than 1,200"),
        (None, 2000, "at_most", "at most 2,000"),
        (300, 400, "range", "300–400"),
        (24, 99, "vague", "vague: 24–99"),
        (None, None, "vague", "vague: unquantified"),
        (None, 99, "vague", "vague: ?–99"),
        (1234567, 1234567, "exact", "1,234,567"),
        (1000, 25000, "range", "1,000–25,000"),
        (999, 999, "approximate", "about 999"),
    ],
)
def test_figure_text(low, high, qualifier, text):
    assert columns.figure_text(low, high, qualifier) == text


def test_repeated_figure_counts_once_keeping_its_earliest_mention():
    t = _timeline(
        [
            {"value_low": 20, "as_of": T0 + pd.Timedelta(hours=3)},
            {"value_low": 20, "as_of": T0},  # same figure, stated as current earlier, later in the text
            {"value_low": 20, "source_id": "spokesman", "as_of": T0},  # another source: another figure
            {"value_low": 20, "doc_id": "d2", "as_of": T0},  # another document: another figure
        ]
    )
    assert len(t) == 3
    first = t[(t["doc_id"] == "d1") & t["source_id"].isna()].iloc[0]
    assert first["n_mentions"] == 2 and first["start"] == 10
    assert first["as_of_local"] == "2007-07-10T04:00+05:00" and first["hours_since_event_start"] == 0
    assert t.loc[t["source_id"] == "spokesman", "source_name"].item() == "A Spokesman"


def test_the_interval_comes_from_the_earliest_mention_with_local_strings():
    t = _timeline(
        [
            {"value_low": 20, "as_of": T0 + 3 * H, "as_of_low": T0, "as_of_high": T0 + 19 * H},
            {"value_low": 20, "as_of": T0 + 1 * H, "as_of_high": T0 + 2 * H},
            {"value_low": 7, "as_of": None, "as_of_low": None, "as_of_high": None},
        ]  # fmt: skip
    )
    first = t.set_index("figure_id").loc["d1:10"]  # the second mention is the earlier statement: it is kept
    assert (first["as_of_low"], first["as_of_high"]) == (T0 + 1 * H, T0 + 2 * H)
    assert (first["as_of_low_local"], first["as_of_high_local"]) == ("2007-07-10T05:00+05:00", "2007-07-10T06:00+05:00")
    unknown = t.set_index("figure_id").loc["d1:20"]
    assert unknown[["as_of_low", "as_of_high", "as_of_low_local", "as_of_high_local"]].isna().all()


def test_interval_columns_follow_as_of_local():
    cols = list(TollTimeline.to_schema().columns)
    at = cols.index("as_of_local")
    assert cols[at + 1 : at + 5] == ["as_of_low", "as_of_high", "as_of_low_local", "as_of_high_local"]


# A four-hour interval around T0.
AROUND = {"as_of_low": T0 - 2 * H, "as_of_high": T0 + 2 * H}


def _outside(t: pd.DataFrame, column: str, delta: pd.Timedelta) -> pd.DataFrame:
    t = t.copy()
    t.loc[0, column] = t.loc[0, "as_of"] + delta
    return t


@pytest.mark.parametrize(
    ("column", "delta"),
    [("as_of_high", -pd.Timedelta(minutes=1)), ("as_of_low", pd.Timedelta(hours=1))],
    ids=["as_of after as_of_high", "as_of before as_of_low"],
)
def test_schema_rejects_as_of_outside_its_interval(column, delta):
    t = _timeline([{"value_low": 20, **AROUND}])
    with pytest.raises(pandera.errors.SchemaErrors, match="as_of_within_bounds"):
        TollTimeline.validate(_outside(t, column, delta), lazy=True)


def test_schema_checks_the_interval_only_where_all_three_are_known():
    t = _timeline([{"value_low": 20, **AROUND}])
    t.loc[0, ["as_of_low", "as_of_low_local"]] = [pd.NaT, None]
    TollTimeline.validate(t, lazy=True)


def test_revises_names_the_outlets_previous_figure_in_the_same_series():
    t = _timeline(
        [
            {"value_low": 20, "as_of": T0},
            {"value_low": 40, "qualifier": "approximate", "doc_id": "d2", "as_of": T0 + pd.Timedelta(hours=5)},
            {
                "value_low": 40,
                "qualifier": "approximate",
                "source_id": "spokesman",
                "doc_id": "d2",
                "as_of": T0 + pd.Timedelta(hours=6),
            },  # a repeat of the numbers: no revision
            {"value_low": 3, "group": "security_forces", "as_of": T0 + pd.Timedelta(hours=5)},  # other series
            {"value_low": 50, "doc_id": "d3", "as_of": T0 + pd.Timedelta(hours=9)},  # other outlet
            {"value_low": 12, "scope": "prior", "as_of": T0 + pd.Timedelta(hours=7)},  # other scope
        ]  # fmt: skip
    )
    rev = t.set_index("figure_id")["revises"].dropna().to_dict()
    assert rev == {"d2:10": "20 → about 40"}
    assert t.set_index("figure_id").loc["d2:10", "revises_figure_id"] == "d1:0"


def test_simultaneous_figures_do_not_revise_each_other():
    t = _timeline([{"value_low": 3, "qualifier": "vague", "value_high": 9}, {"value_low": 30}])
    assert t["revises"].isna().all()


def test_consensus_uses_each_outlets_latest_figure_at_or_before_the_hour():
    t = _timeline(
        [
            {"value_low": 20, "as_of": T0},
            {
                "value_low": 20,
                "qualifier": "at_least",
                "value_high": None,
                "doc_id": "d2",
                "as_of": T0 + pd.Timedelta(hours=3),
            },
            {"value_low": 40, "qualifier": "approximate", "doc_id": "d3", "as_of": T0 + pd.Timedelta(minutes=90)},
            {
                "value_low": 24,
                "value_high": 99,
                "qualifier": "vague",
                "doc_id": "d3",
                "as_of": T0 + pd.Timedelta(hours=4),
            },
        ]  # fmt: skip
    )
    c = timeline.build_consensus(t, EVENT)
    TollConsensus.validate(c, lazy=True)
    by_hour = c.set_index("hours_since_event_start")
    assert list(by_hour.index) == [0, 1, 2, 3, 4]
    assert by_hour.loc[0, ["n_outlets", "lowest_figure", "highest_figure", "conservative_estimate"]].tolist() == [
        1, 20, 20, 20,
    ]  # fmt: skip
    # 01:30's "about 40" counts from the 02:00 row on
    assert by_hour.loc[1, "n_outlets"] == 1 and by_hour.loc[2, "highest_figure"] == 40
    # at 04:00 outlet B's latest is the vague "dozens" (24-99): it widens the band, but a number
    # ("at least 20") is the conservative estimate
    row = by_hour.loc[4]
    assert (row["lowest_figure"], row["highest_figure"], row["conservative_estimate"]) == (20, 99, 20)
    assert row["conservative_outlets"] == "Outlet A"


def test_consensus_falls_back_to_vague_words_when_no_outlet_gives_a_number():
    t = _timeline([{"value_low": 24, "value_high": 99, "qualifier": "vague"}])
    c = timeline.build_consensus(t, EVENT)
    assert c["conservative_estimate"].tolist() == [24]


def test_consensus_ignores_other_scopes_and_unknown_times():
    t = _timeline([{"value_low": 12, "scope": "prior"}, {"value_low": 5, "as_of": None}])
    assert timeline.build_consensus(t, EVENT).empty
    TollConsensus.validate(timeline.build_consensus(t, EVENT))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["d1", "d2", "d3"]),
            st.integers(0, 30),  # hours after the start
            st.integers(1, 500),
            st.sampled_from(["exact", "approximate", "at_least", "at_most", "range", "vague"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_consensus_invariants(figs):
    rows = []
    for doc, hours, value, q in figs:
        low, high = {"at_least": (value, None), "at_most": (None, value), "range": (value, value + 10),
                     "vague": (value, value * 4)}.get(q, (value, value))  # fmt: skip
        rows.append({"doc_id": doc, "value_low": low, "value_high": high, "qualifier": q,
                     "as_of": T0 + pd.Timedelta(hours=hours)})  # fmt: skip
    t = timeline.build_timeline(_claims(rows), DOCS, SOURCES, EVENT)
    c = timeline.build_consensus(t, EVENT)
    TollTimeline.validate(t, lazy=True)
    TollConsensus.validate(c, lazy=True)
    assert (c["n_outlets"] <= 2).all()
    assert (c["lowest_figure"] <= c["highest_figure"]).all()
    assert c["hour"].is_monotonic_increasing


# --- which toll: parts stay out of the series, each place is a series of its own -----------------------------

# Outlet A (d1, d2) on a killing of civilians: a whole-event total, a part of it ("including 9 Britons") and a
# total for one place, then revisions of the whole and of the place. Interleaved in time, so that a series keyed
# without place, or one taking parts in, would show "180 → 200" or "191 → 9".
WHICH_TOLL = [
    {"doc_id": "d1", "start": 0, "value_low": 191, "group": "civilians", "as_of": T0 + 2 * H},
    {"doc_id": "d1", "start": 40, "value_low": 9, "group": "civilians", "role": "part", "subset_text": "Britons",
     "part_of": "d1:0", "quantity_text": "9", "as_of": T0 + 4 * H},
    {"doc_id": "d1", "start": 80, "value_low": 180, "group": "civilians", "place": "Madrid", "as_of": T0 + 3 * H},
    {"doc_id": "d2", "start": 0, "value_low": 185, "group": "civilians", "place": "Madrid", "as_of": T0 + 5 * H},
    {"doc_id": "d2", "start": 50, "value_low": 200, "group": "civilians", "as_of": T0 + 6 * H},
    # a part whose whole the article does not name
    {"doc_id": "d3", "start": 0, "value_low": 6, "group": "civilians", "role": "part", "subset_text": "children",
     "as_of": T0 + 6 * H},
]  # fmt: skip


@pytest.fixture(scope="module")
def which_toll() -> dict[str, pd.DataFrame]:
    claims = _claims(WHICH_TOLL)
    t = timeline.build_timeline(claims, DOCS, SOURCES, EVENT)
    return {
        "claims": claims,
        "timeline": t,
        "consensus": timeline.build_consensus(t, EVENT),
        "parts": timeline.build_parts(claims, DOCS, SOURCES, EVENT),
    }


def test_parts_are_not_in_the_timeline_nor_the_consensus(which_toll):
    t, c = which_toll["timeline"], which_toll["consensus"]
    TollTimeline.validate(t, lazy=True)
    assert sorted(t["figure_id"]) == ["d1:0", "d1:80", "d2:0", "d2:50"]
    assert not t["value_low"].isin([9, 6]).any()
    # the whole event's consensus never falls to a part's count
    assert c.loc[c["place"].isna(), "lowest_figure"].min() == 191


def test_parts_table_holds_each_part_with_its_wholes_figure(which_toll):
    parts = which_toll["parts"]
    TollParts.validate(parts, lazy=True)
    assert parts["claim_id"].tolist() == ["d1:40", "d3:0"]  # mention order (as_of)
    britons = parts.set_index("claim_id").loc["d1:40"]
    assert (britons["subset_text"], britons["figure_text"], britons["part_of"], britons["whole_figure_text"]) == (
        "Britons", "9", "d1:0", "191",
    )  # fmt: skip
    assert (britons["outlet"], britons["as_of_local"]) == ("Outlet A", "2007-07-10T08:00+05:00")
    children = parts.set_index("claim_id").loc["d3:0"]
    assert children["outlet"] == "Outlet B" and pd.isna(children["part_of"]) and pd.isna(children["whole_figure_text"])


def test_a_place_is_a_series_of_its_own(which_toll):
    t = which_toll["timeline"].set_index("figure_id")
    assert t.loc["d1:80", "place"] == "Madrid" and t.loc["d2:0", "place"] == "Madrid"
    assert t.loc[["d1:0", "d2:50"], "place"].isna().all()
    # each revision stays within its place: never 180 → 200, nor 191 → 185
    revised = t["revises_figure_id"].dropna().to_dict()
    assert revised == {"d2:0": "d1:80", "d2:50": "d1:0"}
    assert t.loc["d2:0", "revises"] == "180 → 185" and t.loc["d2:50", "revises"] == "191 → 200"


def test_the_same_numbers_for_the_whole_event_and_a_place_are_two_figures():
    t = _timeline([{"value_low": 20}, {"value_low": 20, "place": "Madrid"}])
    assert sorted(t["place"].fillna("-")) == ["-", "Madrid"] and t["n_mentions"].tolist() == [1, 1]


def test_consensus_is_keyed_by_place_whole_event_first(which_toll):
    c = which_toll["consensus"]
    TollConsensus.validate(c, lazy=True)
    whole, madrid = c[c["place"].isna()], c[c["place"] == "Madrid"]
    assert len(whole) + len(madrid) == len(c)
    assert whole.index.max() < madrid.index.min()  # the whole event's series before its places'
    assert whole["hours_since_event_start"].tolist() == [2, 3, 4, 5, 6]
    assert madrid["hours_since_event_start"].tolist() == [3, 4, 5, 6]
    assert whole["highest_figure"].tolist() == [191, 191, 191, 191, 200]
    assert madrid["highest_figure"].tolist() == [180, 180, 185, 185]
    # the same hour, outcome and group twice, told apart by place
    assert c.duplicated(["hour", "outcome", "group"]).any()


def test_schema_rejects_a_duplicate_hour_outcome_group_and_place(which_toll):
    c = which_toll["consensus"]
    for place in (None, "Madrid"):
        row = c[c["place"].isna()].iloc[[0]] if place is None else c[c["place"] == place].iloc[[0]]
        with pytest.raises(pandera.errors.SchemaErrors, match="multiple_fields_uniqueness"):
            TollConsensus.validate(pd.concat([c, row], ignore_index=True), lazy=True)


def test_parts_schema_rejects_a_whole_without_part_of(which_toll):
    parts = which_toll["parts"].copy()
    parts.loc[parts["part_of"].isna(), "whole_figure_text"] = "20"
    with pytest.raises(pandera.errors.SchemaErrors, match="whole_only_with_part_of"):
        TollParts.validate(parts, lazy=True)


def test_the_stage_writes_parts_with_the_timeline(tmp_path, which_toll):
    which_toll["claims"].to_parquet(tmp_path / "claims.parquet", index=False)
    DOCS.to_parquet(tmp_path / "documents.parquet", index=False)
    SOURCES.to_parquet(tmp_path / "sources.parquet", index=False)
    timeline.run(tmp_path, EVENT)
    written = pd.read_parquet(tmp_path / "toll_parts.parquet")
    assert written["claim_id"].tolist() == ["d1:40", "d3:0"]
    assert set(pd.read_parquet(tmp_path / "toll_timeline.parquet")["figure_id"]) == {"d1:0", "d1:80", "d2:0", "d2:50"}


def test_the_notebooks_parts_section(which_toll, capsys):
    shown = report.show_parts(which_toll["parts"], DOCS)
    assert capsys.readouterr().out == ""
    assert shown[["outlet", "subset_text", "figure_text", "part_of_whole", "place"]].values.tolist() == [
        ["Outlet A", "Britons", "9", "191", "whole event"],
        ["Outlet B (W)", "children", "6", "(not stated)", "whole event"],
    ]
    assert report.show_parts(which_toll["parts"].iloc[0:0], DOCS) is None
    assert capsys.readouterr().out == report.NO_PARTS + "\n"


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    """The timeline stage run through the CLI on a copy of the seeds' processed tables."""
    out = tmp_path_factory.mktemp("processed")
    for name in ("documents", "claims", "sources"):
        shutil.copy(PROCESSED / f"{name}.parquet", out / f"{name}.parquet")
    assert main(["timeline", "--out-dir", str(out)]) == 0
    return out


def test_stage_output_matches_the_committed_tables(seeds_out):
    for name in ("toll_timeline", "toll_consensus", "toll_parts"):
        assert (seeds_out / f"{name}.parquet").read_bytes() == (PROCESSED / f"{name}.parquet").read_bytes()


def _series(t: pd.DataFrame, outcome: str, group: str) -> list[tuple[str, str]]:
    rows = t[(t["outcome"] == outcome) & (t["group"] == group) & (t["scope"] == "event")]
    return list(zip(rows["outlet"], rows["figure_text"], strict=True))


def test_the_seeds_story_told_in_the_readme(seeds_out):
    """The README's paragraph on the main figure, checked against the tables it was read from."""
    t = pd.read_parquet(seeds_out / "toll_timeline.parquet")
    militants = _series(t, "killed", "militants")
    assert militants[0] == ("Agence France-Presse", "20")
    assert ("Pravda.Ru", "about 40") in militants and militants[-1] == ("IANS", "about 50")
    soldiers = _series(t, "killed", "security_forces")
    assert soldiers[0][1] == "3" and soldiers[-1] == ("IANS", "8")
    assert _series(t, "injured", "security_forces")[-1] == ("IANS", "29")
    # each outlet's body credits its militant figure to Arshad; the leads give the same numbers in the
    # outlet's own voice (AFP) or from "the army" (AP)
    militant_rows = t[(t["outcome"] == "killed") & (t["group"] == "militants")]
    by_outlet = militant_rows.groupby("outlet")["source_name"].agg(lambda s: set(s.dropna()))
    assert all("Waheed Arshad" in names and names <= {"Waheed Arshad", "army"} for names in by_outlet)
    assert ("Pravda.Ru", "about 150") in _series(t, "held", "civilians")
    assert ("Agence France-Presse", "vague: 200–999") in _series(t, "held", "unspecified")
    c = pd.read_parquet(seeds_out / "toll_consensus.parquet")
    last = c[(c["outcome"] == "killed") & (c["group"] == "militants")].iloc[-1]
    assert (last["lowest_figure"], last["highest_figure"], last["conservative_estimate"]) == (20, 50, 20)
    militants = c[(c["outcome"] == "killed") & (c["group"] == "militants")].set_index("hour")
    assert militants.iloc[0][["lowest_figure", "highest_figure"]].tolist() == [20, 20]  # AFP alone from 07:00
    at_nine = militants.loc[pd.Timestamp("2007-07-10T09:00+05:00")]  # AP's about 40 joins at 09:00
    assert (at_nine["lowest_figure"], at_nine["highest_figure"]) == (20, 40)
    last = c[(c["outcome"] == "killed") & (c["group"] == "security_forces")].iloc[-1]
    assert (last["lowest_figure"], last["highest_figure"], last["conservative_estimate"]) == (3, 8, 3)
    # one article per outlet on 10 July, and an article's figures share its reporting time: AFP's lead "20"
    # and Arshad's "at least 20" are one moment's figures, not a revision (they were, at 04:00 and 07:00)
    assert t["revises"].isna().all()


def test_timeline_rows_carry_the_event_clock(seeds_out):
    t = pd.read_parquet(seeds_out / "toll_timeline.parquet")
    p = config.load()
    known = t[t["as_of"].notna()]
    local = pd.to_datetime(known["as_of"]).dt.tz_convert(p.event.zone).dt.strftime("%Y-%m-%dT%H:%M%z")
    assert (local.str[:-2] + ":" + local.str[-2:] == known["as_of_local"]).all()
    hours = (known["as_of"] - pd.Timestamp(p.event.start)).dt.total_seconds() / 3600
    assert (hours.round(3) == known["hours_since_event_start"].astype(float).round(3)).all()


TABLES = ("claims", "documents", "sources")


@pytest.fixture(scope="module")
def bundled() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled claims and the timeline built from them in memory with the project's event."""
    claims, documents, sources = (pd.read_parquet(PROCESSED / f"{n}.parquet") for n in TABLES)
    return claims, timeline.build_timeline(claims, documents, sources, config.load().event)


def test_timeline_interval_is_the_claims_interval_on_the_bundled_data(bundled):
    claims, t = bundled
    TollTimeline.validate(t, lazy=True)
    source = claims.set_index("claim_id").loc[t["figure_id"]]
    for col in ("as_of", "as_of_low", "as_of_high"):
        assert t[col].tolist() == source[col].tolist(), col
    assert t["as_of_low"].notna().all() and (t["as_of_low"] < t["as_of_high"]).all()


def test_timeline_interval_in_local_time_on_the_bundled_data(bundled):
    _, t = bundled
    by_id = t.set_index("figure_id")
    # a figure pinned to its hour: current from 19:00 until the end of the publication day
    ians = by_id.loc["003_b6bca6c20c28e29c:1506"]
    assert (ians["figure_text"], ians["as_of_local"]) == ("8", "2007-07-10T19:00+05:00")
    assert (ians["as_of_low_local"], ians["as_of_high_local"]) == ("2007-07-10T19:00+05:00", "2007-07-11T00:00+05:00")
    # a figure known only to the day: the point estimate lies inside the day from the event start on
    day = by_id.loc["001_44019b8f78dfa651:1"]
    assert (day["as_of_low_local"], day["as_of_local"], day["as_of_high_local"]) == (
        "2007-07-10T04:00+05:00", "2007-07-10T14:00+05:00", "2007-07-11T00:00+05:00",
    )  # fmt: skip
    zone = config.load().event.zone
    for col in ("as_of_low", "as_of_high"):
        local = t[col].dt.tz_convert(zone).dt.strftime("%Y-%m-%dT%H:%M%z")
        assert (local.str[:-2] + ":" + local.str[-2:] == t[f"{col}_local"]).all(), col


# --- the as-of logic on hand-made frames: an outlet's current figure at each hour, and what a figure revises ----


def _figures(rows: list[tuple]) -> pl.DataFrame:
    """Timeline rows (outlet, hours after T0, doc_id, start, value_low, value_high) of one series."""

    def qualifier(lo, hi) -> str:
        return "vague" if lo is None and hi is None else "at_most" if lo is None else "exact"

    return pl.DataFrame(
        [(o, (T0 + h * H).to_pydatetime(), T0.date(), d, s, lo, hi, qualifier(lo, hi)) for o, h, d, s, lo, hi in rows],
        schema={"outlet": pl.String, "as_of": pl.Datetime("us", "UTC"), "published_on": pl.Date, "doc_id": pl.String,
                "start": pl.Int64, "value_low": pl.Int64, "value_high": pl.Int64, "qualifier": pl.String},
        orient="row",
    )  # fmt: skip


def _current_at(figures: pl.DataFrame, outlets: list[str], hours: list[float]) -> dict[tuple[str, float], int]:
    """current_figures asked for each outlet at each hour after T0: {(outlet, hour): value_high}."""
    at = pl.DataFrame(
        [(o, (T0 + h * H).to_pydatetime()) for o in outlets for h in hours],
        schema={"outlet": pl.String, "hour": pl.Datetime("us", "UTC")},
        orient="row",
    )
    current = timeline.current_figures(figures, at, by=["outlet"])
    return {(r["outlet"], (pd.Timestamp(r["hour"]) - T0) / H): r["value_high"] for r in current.iter_rows(named=True)}


def test_an_outlets_current_figure_at_each_hour():
    figures = _figures([("A", 1.5, "a1", 0, 20, 20), ("A", 3, "a2", 0, 40, 40), ("B", 2, "b1", 0, 7, 7)])
    # nobody has a figure at 01:00; a figure stated at the hour itself is current at it (B at 02:00, A at 03:00)
    assert _current_at(figures, ["A", "B"], [1, 2, 3, 4]) == {
        ("A", 2): 20, ("B", 2): 7, ("A", 3): 40, ("B", 3): 7, ("A", 4): 40, ("B", 4): 7,
    }  # fmt: skip


def test_a_later_figure_replaces_an_earlier_one_even_a_smaller_one():
    figures = _figures([("A", 1, "a1", 0, 50, 50), ("A", 2, "a2", 0, 30, 30), ("A", 2.5, "a3", 0, None, 45)])
    # the latest figure is current, not the largest so far: 50, then 30, then "at most 45"
    assert _current_at(figures, ["A"], [1, 2, 3]) == {("A", 1): 50, ("A", 2): 30, ("A", 3): 45}


def test_an_outlets_simultaneous_figures_go_to_the_largest_then_the_last_mentioned():
    """One article's '107 killed' and 'six dead foreigners' share its reporting time: the toll is the 107.
    Equal numbers at one moment go to the one mentioned last; a figure with no number never wins a tie."""
    figures = _figures(
        [
            ("Standard", 0, "s", 10, 107, 107), ("Standard", 0, "s", 400, 6, 6), ("Standard", -5, "s0", 5, 200, 200),
            ("Guardian", 0, "g", 3, None, 99),
            ("Post", 0, "p", 50, 20, 20), ("Post", 0, "p", 5, 20, 25), ("Post", 0, "p", 90, None, None),
        ]
    )  # fmt: skip
    # the earlier 200 is no longer current (a later figure replaced it); of those at noon, the larger wins
    # the Post's two 20s: the one at offset 50 is mentioned after the one at 5, so it is current ("20", not 20-25)
    assert _current_at(figures, ["Standard", "Guardian", "Post"], [0]) == {
        ("Standard", 0): 107, ("Guardian", 0): 99, ("Post", 0): 20,
    }  # fmt: skip
    assert _current_at(figures, ["Standard"], [-1]) == {("Standard", -1): 200}


def test_a_revision_follows_the_last_figure_mentioned_at_the_earlier_moment():
    t = _timeline(
        [
            {"doc_id": "d1", "start": 0, "value_low": 3, "as_of": T0},
            {"doc_id": "d1", "start": 50, "value_low": 30, "as_of": T0},  # the same moment, mentioned later
            {"doc_id": "d2", "start": 0, "value_low": 40, "as_of": T0 + 2 * H},
            {"doc_id": "d2", "start": 20, "value_low": 40, "source_id": "spokesman", "as_of": T0 + 2 * H},
            {"doc_id": "d2", "start": 90, "value_low": 30, "as_of": T0 + 5 * H},
        ]
    )
    revised = t.set_index("figure_id")[["revises", "revises_figure_id"]].dropna()
    # 40 revises the 30 (not the 3) at T0; both 40s (two sources) revise it, and the 30 at +5 h revises the
    # spokesman's 40, the last mentioned of the two at +2 h; the 3 and 30 of one moment revise nothing
    assert revised.to_dict("index") == {
        "d2:0": {"revises": "30 → 40", "revises_figure_id": "d1:50"},
        "d2:20": {"revises": "30 → 40", "revises_figure_id": "d1:50"},
        "d2:90": {"revises": "40 → 30", "revises_figure_id": "d2:20"},
    }


def test_a_repeat_of_the_last_figure_at_the_earlier_moment_is_no_revision():
    t = _timeline(
        [
            {"doc_id": "d1", "start": 0, "value_low": 3, "as_of": T0},
            {"doc_id": "d1", "start": 50, "value_low": 30, "as_of": T0},
            {"doc_id": "d2", "start": 0, "value_low": 30, "as_of": T0 + 2 * H},
        ]
    )
    assert t["revises"].isna().all()


def test_the_consensus_carries_each_hours_figures_forward_to_the_corpus_end():
    t = _timeline(
        [
            {"doc_id": "d1", "value_low": 20, "as_of": T0 + pd.Timedelta(minutes=10)},
            {"doc_id": "d2", "value_low": 40, "as_of": T0 + 4 * H},
            {"doc_id": "d3", "value_low": 5, "group": "civilians", "as_of": T0 + 2 * H},
            {"doc_id": "d3", "value_low": 60, "as_of": T0 + pd.Timedelta(minutes=330)},
        ]
    )
    c = timeline.build_consensus(t, EVENT)
    militants = c[c["group"] == "militants"].set_index("hours_since_event_start")
    # 00:10's 20 counts from 01:00 and holds until outlet A's 40 at 04:00; B's 60 at 05:30 counts from 06:00
    assert militants["highest_figure"].to_dict() == {1: 20, 2: 20, 3: 20, 4: 40, 5: 40, 6: 60}
    assert militants.loc[6, "outlets"] == "Outlet A; Outlet B" and militants.loc[5, "n_outlets"] == 1
    # a series with one figure runs on to the hour of the corpus's last event figure
    civilians = c[c["group"] == "civilians"]
    assert civilians["hours_since_event_start"].tolist() == [2, 3, 4, 5, 6]
    assert civilians["highest_figure"].tolist() == [5] * 5


# Minutes after T0 (and seconds) with what hours_since makes of them: half a minute rounds to the even minute,
# and 92 minutes is the quotient polars' division by a constant gets wrong in the last digit.
CLOCK = [(0, 30, 0), (1, 30, 2 / 60), (2, 30, 2 / 60), (92, 0, 92 / 60), (91, 45, 92 / 60), (-2, 30, -2 / 60),
         (0, -30, 0.0), (-181, 0, -181 / 60), (1439, 59, 1440 / 60)]  # fmt: skip


def test_hours_since_the_start_match_the_scalar_to_the_last_digit():
    rows = [{"value_low": i + 1, "as_of": T0 + pd.Timedelta(minutes=m, seconds=s)} for i, (m, s, _) in enumerate(CLOCK)]
    t = _timeline(rows).sort_values("value_low")
    hours = t["hours_since_event_start"].tolist()
    assert hours == [h for _, _, h in CLOCK]
    # Python's own arithmetic, independent of the polars expression: minutes rounded half to even, over 60
    assert hours == [round((a - pd.Timestamp(EVENT.start)).total_seconds() / 60) / 60 for a in t["as_of"]]


MADRID = make_event("madrid", "Europe/Madrid", "2004-03-11T07:30", "2004-03-12T00:00")


def test_local_times_cross_daylight_saving_as_the_scalar_does():
    utc = ["2004-03-28T00:59Z", "2004-03-28T01:00Z", "2004-10-31T00:30Z", "2004-10-31T01:30Z"]
    rows = [{"value_low": i + 1, "as_of": pd.Timestamp(u)} for i, u in enumerate(utc)]
    t = timeline.build_timeline(_claims(rows), DOCS, SOURCES, MADRID).sort_values("value_low")
    local = t["as_of_local"].tolist()
    # spring forward skips 02:00-03:00; falling back, 02:30 comes twice, an hour apart, told apart by the offset
    assert local == ["2004-03-28T01:59+01:00", "2004-03-28T03:00+02:00", "2004-10-31T02:30+02:00",
                     "2004-10-31T02:30+01:00"]  # fmt: skip
    # Python's zoneinfo, independent of polars' own time zone database
    assert local == [a.to_pydatetime().astimezone(MADRID.zone).isoformat(timespec="minutes") for a in t["as_of"]]


def test_a_ceiling_gives_way_to_a_stated_figure_of_the_same_moment():
    """Astro Awani (the fourth unseen set, x06): the premier's 38 and, in the same article, fears that 'as many
    as 50' died: the outlet's current figure is the 38, not the larger ceiling."""
    figures = _figures([("Awani", 0, "x06", 583, None, 50), ("Awani", 0, "x06", 852, 38, 38)])
    assert _current_at(figures, ["Awani"], [0]) == {("Awani", 0): 38}
    # alone, a ceiling is the outlet's figure
    assert _current_at(_figures([("Awani", 0, "x06", 583, None, 50)]), ["Awani"], [0]) == {("Awani", 0): 50}

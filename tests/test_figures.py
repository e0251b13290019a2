"""Figures: byte-stable files, readable labels, panels chosen from the data, any time span."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import config
from analysis.config import make_event
from analysis.report import figures
from analysis.stages import timeline

ROOT = Path(__file__).resolve().parent.parent
PROCESSED = ROOT / "data" / "processed"


@pytest.fixture(scope="module")
def seeds():
    """The committed inputs of the timeline stage, and its tables built from them in memory (the code under test,
    not a committed table that may predate it)."""
    tables = {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in ("documents", "claims", "sources")}
    event = config.load().event
    tables["toll_timeline"] = timeline.build_timeline(tables["claims"], tables["documents"], tables["sources"], event)
    tables["toll_consensus"] = timeline.build_consensus(tables["toll_timeline"], event)
    return tables


DRAW = """
import sys
import pandas as pd
from analysis import config
from analysis.report import figures
d = "{processed}"
t = {{n: pd.read_parquet(f"{{d}}/{{n}}.parquet") for n in ("documents", "claims", "toll_timeline", "toll_consensus")}}
fig = figures.plot_toll(t["toll_timeline"], t["toll_consensus"], t["documents"], config.load().event)
figures.save_figure(fig, "toll", sys.argv[1])
figures.save_figure(figures.plot_claims_by_outlet(t["claims"], t["documents"]), "claims", sys.argv[1])
"""


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_fresh_process_redraws_the_committed_figures_byte_for_byte(tmp_path):
    """The committed figures were drawn by the notebooks stage in other processes; the layout solver's float
    noise differs between processes, and save_figure must keep it out of the files."""
    subprocess.run([sys.executable, "-c", DRAW.format(processed=PROCESSED), str(tmp_path)], check=True)
    fresh = _digests(tmp_path)
    committed = _digests(ROOT / "reports" / "figures")
    assert fresh == {
        name.replace("toll_by_outlet_and_hour", "toll").replace("claims_by_outlet", "claims"): digest
        for name, digest in committed.items()
    }


def test_saved_files_carry_no_date_or_software_stamp(tmp_path, seeds):
    fig = figures.plot_claims_by_outlet(seeds["claims"], seeds["documents"])
    paths = figures.save_figure(fig, "claims", tmp_path)
    assert b"Software" not in paths["png"].read_bytes()[:2000]
    svg = paths["svg"].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert not list(tmp_path.glob(".*")), "no temp files left behind"


@pytest.mark.parametrize(
    ("low", "high", "qualifier", "text", "label"),
    [
        (20, 20, "exact", "20", "20"),
        (40, 40, "approximate", "about 40", "~40"),
        (3, None, "at_least", "At least three", "≥3"),
        (1201, None, "more_than", "More than 1,200", ">1,200"),
        (None, 2000, "at_most", "nearly 2,000", "≤2,000"),
        (300, 400, "range", "300-400", "300–400"),
        (24, 99, "vague", "Dozens", "dozens"),
    ],
)
def test_short_figure(low, high, qualifier, text, label):
    row = {"value_low": low, "value_high": high, "qualifier": qualifier, "quantity_text": text}
    assert figures.short_figure(row) == label


def test_outlet_label_names_the_wire_only_when_it_differs():
    assert figures.outlet_label("Pravda.Ru", "AP") == "Pravda.Ru (AP)"
    assert figures.outlet_label("IANS", "IANS") == "IANS"
    assert figures.outlet_label("Al Jazeera", None) == "Al Jazeera"


def test_time_unit_follows_the_span():
    assert figures.time_unit(pd.Timedelta(hours=15)) == "hours"
    assert figures.time_unit(pd.Timedelta(days=13)) == "days"


def test_panels_and_what_is_left_out_on_the_seeds(seeds):
    event = config.load().event
    panels = figures.choose_panels(seeds["toll_timeline"], event)
    assert [p.title for p in panels] == [p.title for p in figures.PANELS]
    left_out = figures.not_drawn(seeds["toll_timeline"], event)
    shown = len(seeds["toll_timeline"]) - len(left_out)
    assert shown > 0 and set(left_out["reason"]) >= {"scope cumulative", "no number (vague word)"}
    assert not (left_out["outcome"].isin(["killed", "injured"]) & (left_out["scope"] == "event")
                & left_out["value_low"].notna()).any()  # fmt: skip


def test_band_group_is_the_first_panel_group_with_a_consensus(seeds):
    held = next(p for p in figures.PANELS if p.outcome == "held")
    assert figures.band_group(seeds["toll_consensus"], held) == "civilians"
    assert figures.band_group(seeds["toll_consensus"].iloc[0:0], held) is None


def test_plot_toll_on_a_days_long_event_without_a_before_phase(tmp_path, seeds):
    """Another zone, a span of days, no figures before the start: still one readable figure."""
    t = seeds["toll_timeline"].copy()
    t = t[t["scope"] == "event"].copy()
    shift = pd.to_timedelta(range(len(t)), unit="h") * 20
    for col in ("as_of", "as_of_low", "as_of_high"):
        t[col] = t[col] + shift
    event = make_event("shifted", "America/New_York", "2007-07-09T00:00", "2007-07-30T00:00")

    fig = figures.plot_toll(t, timeline.build_consensus(t, event), seeds["documents"], event)
    ax = fig.axes[0]
    assert "days since the event start (compressed scale)" in [c.get_xlabel() for a in fig.axes for c in a.child_axes]
    assert ax.get_xlabel() == "" or "local time" in ax.get_xlabel()
    paths = figures.save_figure(fig, "days", tmp_path)
    assert paths["png"].stat().st_size > 10_000


def test_plot_toll_with_nothing_to_draw(tmp_path, seeds):
    empty = seeds["toll_timeline"].iloc[0:0]
    fig = figures.plot_toll(empty, seeds["toll_consensus"].iloc[0:0], seeds["documents"], config.load().event)
    assert figures.save_figure(fig, "empty", tmp_path)["svg"].exists()


# --- the interval in which each figure may have been current: a whisker behind its marker ----------------------

ZONE = "Asia/Karachi"
EVENT = make_event("synthetic", ZONE, "2007-07-10T04:00", "2007-07-12T00:00")
DOCS = pd.DataFrame(
    {
        "doc_id": ["a", "b"],
        "outlet": ["Outlet A", "Outlet B"],
        "agency": [None, None],
        "published_on": [pd.Timestamp("2007-07-10").date()] * 2,
    }
)
SOURCES = pd.DataFrame({"source_id": pd.Series([], dtype="str"), "name": pd.Series([], dtype="str")})


def _claim(doc: str, value, at: str, low: str | None, high: str | None, **kw) -> dict:
    """A killed-militants event claim stated at local time at, current from low to high (local; None unknown)."""
    row = {"doc_id": doc, "start": len(at) + (value or 0), "quantity_text": str(value), "value_low": value,
           "value_high": value, "qualifier": "exact", "outcome": "killed", "group": "militants", "scope": "event",
           "role": "total", "subset_text": None, "part_of": None, "place": None,
           "source_id": None, "as_of": at, "as_of_low": low, "as_of_high": high, **kw}  # fmt: skip
    row["claim_id"] = f"{doc}:{row['start']}"
    return row


def _synthetic_timeline(rows: list[dict]) -> pd.DataFrame:
    claims = pd.DataFrame(rows)
    for c in ("value_low", "value_high"):
        claims[c] = claims[c].astype("Int64")
    for c in ("as_of", "as_of_low", "as_of_high"):
        local = pd.to_datetime(claims[c]).dt.tz_localize(ZONE)
        claims[c] = local.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    return timeline.build_timeline(claims, DOCS, SOURCES, EVENT)


def _whiskers(fig) -> dict[float, object]:
    """The figure's whiskers by the height they are drawn at."""
    lines = [line for ax in fig.axes for line in ax.lines if line.get_label() == figures.WHISKER_LABEL]
    by_y = {float(line.get_ydata()[0]): line for line in lines}
    assert len(by_y) == len(lines), "one whisker per figure height in this test"
    return by_y


def _x(text: str) -> float:
    return mdates.date2num(pd.Timestamp(text))


@pytest.fixture(scope="module")
def synthetic_figure():
    t = _synthetic_timeline(
        [
            _claim("a", 20, "2007-07-10T04:00", "2007-07-10T04:00", "2007-07-10T06:00"),  # pinned to two hours
            _claim("b", 30, "2007-07-10T06:00", "2007-07-10T05:00", "2007-07-11T00:00"),  # the day: runs off the axis
            _claim("a", 40, "2007-07-10T08:00", "2007-07-10T08:00", "2007-07-10T08:00"),  # zero-length: no whisker
            _claim("b", 50, "2007-07-10T10:00", None, None),  # unknown interval: no whisker
            # no number: not drawn, whatever its interval
            _claim("a", None, "2007-07-10T07:00", "2007-07-10T04:00", "2007-07-11T00:00", qualifier="vague"),
            _claim("b", 12, "2007-07-08T12:00", "2007-07-08T10:00", "2007-07-08T14:00", scope="prior"),  # before
        ]
    )
    fig = figures.plot_toll(t, timeline.build_consensus(t, EVENT), DOCS, EVENT)
    yield t, fig
    plt.close(fig)


def test_one_whisker_per_drawn_figure_with_a_non_zero_interval(synthetic_figure):
    t, fig = synthetic_figure
    assert len(figures.drawable(t)) == 5  # the figure without a number is not drawn
    whiskers = _whiskers(fig)
    assert sorted(whiskers) == [12.0, 20.0, 30.0]  # not the zero-length 40 nor the unknown 50
    colors = figures.outlet_colors(DOCS["outlet"])
    outlets = ("Outlet B", "Outlet A", "Outlet B")
    assert [whiskers[y].get_color() for y in (12.0, 20.0, 30.0)] == [colors[o] for o in outlets]


def test_whiskers_span_the_interval_in_local_time_clipped_to_the_axis(synthetic_figure):
    _, fig = synthetic_figure
    whiskers = _whiskers(fig)
    pinned = whiskers[20.0]
    assert list(pinned.get_xdata()) == [_x("2007-07-10T04:00"), _x("2007-07-10T06:00")]
    assert pinned.get_markevery() == [0, 1]  # both ends are the interval's own: capped
    day = whiskers[30.0]
    right = day.axes.get_xlim()[1]
    assert right < _x("2007-07-11T00:00")
    assert list(day.get_xdata()) == [_x("2007-07-10T05:00"), right]  # runs to the edge, not past it
    assert day.get_markevery() == [0]  # no cap where the axis cuts it
    before = whiskers[12.0]
    assert before.axes is not day.axes  # the narrow panel of the days before the start
    assert list(before.get_xdata()) == [_x("2007-07-08T10:00"), _x("2007-07-08T14:00")]


def test_the_legend_explains_the_whisker(synthetic_figure):
    _, fig = synthetic_figure
    texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "thin line: when the figure may have been current" in texts


def _moment(text: str | None):
    return pd.NaT if text is None else pd.Timestamp(text)


@pytest.mark.parametrize(
    ("low", "high", "drawn"),
    [
        ("2007-07-10T05:00", "2007-07-10T05:00", None),  # zero-length
        (None, "2007-07-10T05:00", None),  # unknown start
        ("2007-07-10T20:00", "2007-07-10T22:00", None),  # off the axis
        ("2007-07-10T00:00", "2007-07-11T00:00", ("2007-07-10T04:00", "2007-07-10T10:00")),  # cut at both edges
    ],
)
def test_whisker_draws_only_a_visible_non_zero_interval(low, high, drawn):
    fig, ax = plt.subplots()
    ax.set_xlim(pd.Timestamp("2007-07-10T04:00"), pd.Timestamp("2007-07-10T10:00"))
    figures._whisker(ax, _moment(low), _moment(high), 0.0, 5.0, "#0072B2", 0.0)
    got = [list(line.get_xdata()) for line in ax.lines]
    plt.close(fig)
    assert got == ([] if drawn is None else [[_x(drawn[0]), _x(drawn[1])]])


# --- which toll: the whole event's totals first, a place's series in panels of its own, parts never drawn ----------


def _markers(ax) -> list[float]:
    """Heights of the figure markers drawn in an axes."""
    marks = set(figures.GROUP_MARKERS.values())
    return sorted(float(y) for line in ax.lines if line.get_marker() in marks and line.get_linestyle() == "None"
                  for y in line.get_ydata())  # fmt: skip


def _estimates(ax) -> set[float]:
    """Values of the conservative-estimate step line in an axes."""
    steps = [line for line in ax.lines if line.get_drawstyle() == "steps-post"]
    return {float(y) for line in steps for y in line.get_ydata()}


@pytest.fixture(scope="module")
def places_figure():
    at = ("2007-07-10T05:00", "2007-07-10T07:00")
    whole = _claim("a", 191, "2007-07-10T06:00", *at, group="civilians")
    britons = {"role": "part", "subset_text": "Britons", "part_of": whole["claim_id"]}  # "including 9 Britons"
    t = _synthetic_timeline(
        [
            whole,
            _claim("a", 9, "2007-07-10T07:00", *at, group="civilians", **britons),
            _claim("b", 180, "2007-07-10T08:00", *at, group="civilians", place="Madrid"),
            _claim("a", 15, "2007-07-10T09:00", *at, outcome="injured", group="civilians"),
            _claim("b", 12, "2007-07-10T10:00", *at, outcome="injured", group="civilians", place="Madrid"),
        ]
    )
    fig = figures.plot_toll(t, timeline.build_consensus(t, EVENT), DOCS, EVENT)
    yield t, fig
    plt.close(fig)


def test_the_whole_events_totals_come_first_then_each_places(places_figure):
    t, fig = places_figure
    others = "Killed: civilians, mixed or group not stated"
    panels = figures.choose_panels(t, EVENT)
    assert [(p.title, p.place) for p in panels] == [
        (others, None), ("Injured", None), (f"Madrid — {others}", "Madrid"), ("Madrid — Injured", "Madrid"),
    ]  # fmt: skip
    assert [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")] == [p.title for p in panels]
    assert figures.not_drawn(t, EVENT).empty


def test_a_place_is_drawn_apart_from_the_whole_event_and_a_part_never(places_figure):
    _, fig = places_figure
    by_title = {ax.get_title(loc="left"): ax for ax in fig.axes}
    others = "Killed: civilians, mixed or group not stated"
    assert _markers(by_title[others]) == [191.0]  # not the part's 9, not Madrid's 180
    assert _markers(by_title[f"Madrid — {others}"]) == [180.0]
    assert _markers(by_title["Injured"]) == [15.0] and _markers(by_title["Madrid — Injured"]) == [12.0]
    assert 9.0 not in [y for ax in fig.axes for y in _markers(ax)]
    # each panel's band is its own place's consensus
    assert _estimates(by_title[others]) == {191.0} and _estimates(by_title[f"Madrid — {others}"]) == {180.0}


def test_band_group_looks_only_at_the_panels_place(places_figure):
    t, _ = places_figure
    consensus = timeline.build_consensus(t, EVENT)
    killed = next(p for p in figures.PANELS if p.outcome == "killed" and "civilians" in p.groups)
    assert figures.band_group(consensus, figures.place_panel(killed, "Madrid")) == "civilians"
    assert figures.band_group(consensus, figures.place_panel(killed, "Toledo")) is None


# --- the time axis: linear for a day or three, compressed (and saying so) for an event reported over weeks ---------


def _marker_xs(ax) -> list[float]:
    """Date numbers of the figure markers drawn in an axes."""
    marks = set(figures.GROUP_MARKERS.values())
    return sorted(float(x) for line in ax.lines if line.get_marker() in marks and line.get_linestyle() == "None"
                  for x in line.get_xdata())  # fmt: skip


def _screen_x(ax, x: float) -> float:
    return float(ax.transData.transform((x, 1.0))[0])


def _main_axes(fig):
    return next(ax for ax in fig.axes if ax.get_title(loc="left") == "Militants killed")


@pytest.mark.parametrize("compressed", [False, True])
def test_time_scale_round_trips_every_moment(compressed):
    ts = figures.TimeScale(_x("2007-07-10T04:00"), compressed)
    moments = [_x(t) for t in ("2007-07-09T22:00", "2007-07-10T04:00", "2007-07-10T04:10", "2007-07-13T00:00")]
    moments.append(_x("2009-07-10T04:00"))
    forward = [float(v) for v in (ts.forward(m) for m in moments)]
    assert forward == sorted(forward) and len(set(forward)) == len(forward)  # strictly increasing
    assert [float(ts.inverse(f)) for f in forward] == pytest.approx(moments, abs=1e-9)  # within a millisecond
    assert ts.nudge(moments[1], 0.0) == pytest.approx(moments[1], abs=1e-12)
    if not compressed:
        assert forward == moments


WEEKS = [
    _claim("a", 20, "2007-07-10T05:00", "2007-07-10T04:00", "2007-07-10T06:00"),
    _claim("b", 30, "2007-07-10T09:00", "2007-07-10T09:00", "2007-07-10T09:00"),
    _claim("a", 45, "2007-07-10T18:00", None, None),
    _claim("b", 50, "2007-07-12T12:00", None, None),
    _claim("a", 52, "2007-08-10T12:00", "2007-08-10T00:00", "2007-08-11T00:00"),  # a month later: the anniversary
]


@pytest.fixture(scope="module")
def weeks_figure():
    t = _synthetic_timeline(WEEKS)
    fig = figures.plot_toll(t, timeline.build_consensus(t, EVENT), DOCS, EVENT)
    fig.canvas.draw()
    yield t, fig
    plt.close(fig)


def test_a_weeks_long_timeline_gives_the_first_day_a_quarter_of_the_axis(weeks_figure):
    _, fig = weeks_figure
    ax = _main_axes(fig)
    assert ax.get_xscale() == "function"
    left, right = (_screen_x(ax, x) for x in ax.get_xlim())
    start, day = _screen_x(ax, _x("2007-07-10T04:00")), _screen_x(ax, _x("2007-07-11T04:00"))
    assert (day - start) / (right - left) >= 0.25  # on a linear axis it would be under 3%
    assert (day - start) / (right - left) <= 0.6  # and the month after it still has room
    widths = [_screen_x(ax, _x(f"2007-07-{d + 1:02d}T04:00")) - _screen_x(ax, _x(f"2007-07-{d:02d}T04:00"))
              for d in (10, 11, 17, 30)]  # fmt: skip
    assert widths == sorted(widths, reverse=True) and widths[-1] > 0  # each later day narrower


def test_on_a_compressed_axis_marks_stay_at_their_true_times(weeks_figure):
    t, fig = weeks_figure
    ax = _main_axes(fig)
    assert _marker_xs(ax) == pytest.approx([_x(c["as_of"]) for c in WEEKS], abs=1e-9)  # no two share a moment
    whiskers = _whiskers(fig)
    assert list(whiskers[20.0].get_xdata()) == pytest.approx([_x("2007-07-10T04:00"), _x("2007-07-10T06:00")])
    assert list(whiskers[52.0].get_xdata()) == pytest.approx([_x("2007-08-10T00:00"), _x("2007-08-11T00:00")])
    assert figures.drawable(t)["value_low"].tolist() == [20, 30, 45, 50, 52]


def test_a_compressed_axis_has_ordered_labelled_ticks_and_says_it_is_compressed(weeks_figure):
    _, fig = weeks_figure
    ax = _main_axes(fig)
    ticks = list(ax.get_xticks())
    labels = [label.get_text() for label in ax.get_xticklabels()]
    x0, x1 = ax.get_xlim()
    assert len(ticks) >= 5 and ticks == sorted(ticks) and all(x0 <= x <= x1 for x in ticks)
    assert all(labels) and "11 Jul" in labels and any(":" in label for label in labels)  # days, and hours early on
    screen = [_screen_x(ax, x) for x in ticks]
    assert min(b - a for a, b in zip(screen, screen[1:], strict=False)) >= 0.07 * (
        _screen_x(ax, x1) - _screen_x(ax, x0)
    )
    assert len(ax.get_xticks(minor=True)) >= 30  # a small tick at every local midnight shows the squeeze
    assert "compressed scale" in ax.get_xlabel() and "2007" in ax.get_xlabel()


def test_the_since_start_axis_lines_up_with_the_clock_axis(weeks_figure):
    _, fig = weeks_figure
    ax = _main_axes(fig)
    (top,) = ax.child_axes
    days = list(top.get_xticks())
    assert days[0] == 0 and 1 in days and 28 in days and days == sorted(days)
    assert [label.get_text() for label in top.get_xticklabels()][days.index(1)] == "1"
    for d in days:
        moment = _x("2007-07-10T04:00") + d
        assert float(top.transData.transform((d, 0))[0]) == pytest.approx(_screen_x(ax, moment), abs=0.5)


def test_a_single_day_timeline_keeps_a_linear_axis(synthetic_figure):
    _, fig = synthetic_figure
    main = [ax for ax in fig.axes if ax.get_title(loc="left") == "Militants killed"]
    assert [ax.get_xscale() for ax in main] == ["linear"]
    assert "compressed" not in main[0].get_xlabel()
    assert [c.get_xlabel() for c in main[0].child_axes] == ["hours since the event start"]


def test_clock_labels_name_the_day_once():
    ticks = [pd.Timestamp(t) for t in ("2008-11-26T21:00", "2008-11-27", "2008-11-27T06:00", "2008-11-29T12:00")]
    assert figures.clock_labels(ticks) == ["26 Nov\n21:00", "27 Nov", "06:00", "29 Nov\n12:00"]


def test_a_figure_before_the_start_from_another_year_shows_its_year():
    """A toll of an earlier event (Lockerbie's 270 in a Madrid article) must not read as a date of the event's year."""
    t = _synthetic_timeline(
        [
            _claim("a", 20, "2007-07-10T05:00", None, None),
            _claim("b", 270, "1988-12-21T19:00", None, None, scope="prior"),
        ]
    )
    fig = figures.plot_toll(t, timeline.build_consensus(t, EVENT), DOCS, EVENT)
    fig.canvas.draw()
    before = next(ax for ax in fig.axes if ax.get_title(loc="left") == "before")
    assert [label.get_text() for label in before.get_xticklabels()] == ["21 Dec 1988\n19:00"]
    plt.close(fig)


def test_the_legend_fits_a_one_column_figure(weeks_figure):
    _, fig = weeks_figure
    (legend,) = fig.legends
    box, page = legend.get_window_extent(), fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1

"""Figures of the reported toll, drawn from the timeline tables and saved byte-stable as PNG and SVG."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend_handler import HandlerLine2D  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox, offset_copy  # noqa: E402

from analysis import columns  # noqa: E402
from analysis.config import Event  # noqa: E402
from analysis.io import AtomicFiles

# Everything that affects the pixels is fixed here, not taken from the user's matplotlibrc.
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "svg.hashsalt": "tollwatch",
    "svg.fonttype": "path",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "path.simplify": True,
}
# Okabe–Ito colour-blind-safe palette, yellow last.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#F0E442"]
GROUP_MARKERS = {"militants": "o", "security_forces": "s", "civilians": "D", "mixed": "P", "unspecified": "X"}
GROUP_WORDS = {
    "militants": "militants",
    "security_forces": "security forces",
    "civilians": "civilians",
    "mixed": "mixed groups",
    "unspecified": "group not stated",
}
SHORT_GROUP_WORDS = {
    "militants": "militants",
    "security_forces": "security",
    "civilians": "civilians",
    "mixed": "mixed",
    "unspecified": "people",
}
OUTCOME_WORDS = {
    "killed": "killed",
    "injured": "injured",
    "captured": "captured",
    "freed": "freed or escaped",
    "held": "held (hostages, trapped)",
    "present": "present",
}
BAND_COLOR = "#9a9a9a"
# How the interval a figure may have been current in is drawn: thin and light, so it sits behind the marker.
WHISKER_STYLE = {"lw": 1.0, "alpha": 0.6, "ms": 5, "solid_capstyle": "butt"}
# Points between the whiskers of two outlets at the same height: they run side by side instead of hiding each other.
WHISKER_LANE = 1.5
# Whiskers carry this label: legend-hidden (leading underscore), and a handle for finding them among the artists.
WHISKER_LABEL = "_as_of_interval"


# A span of the event longer than this gets a compressed time axis (see TimeScale); up to it the axis is linear.
COMPRESS_AFTER = pd.Timedelta(days=3)
# The compressed axis is linear over about its first COMPRESS_HOURS hours, then logarithmic: equal widths of the
# axis hold 6 h, then 18 h, 2.5 days, ... (each a bit under three times the one before).
COMPRESS_HOURS = 6.0
# Where the compressed axis can put its ticks, in order of preference: local clock hours (midnights first), and
# offsets from the start for the top axis, in days (a day, a week, four weeks first).
CLOCK_TIERS = ((0,), (12,), (6, 18), (3, 9, 15, 21))
SINCE_START_DAYS = (0, 1, 7, 28, 1 / 4, 1 / 2, 2, 3, 14, 91, 365, 1 / 8, 4, 5, 10, 21, 42, 56, 182, 730, 1461)
# The least distance between two ticks of the compressed axis, as a share of its width (labels must not touch).
TICK_GAP = 0.075


@dataclass(frozen=True)
class TimeScale:
    """The main panels' x axis, in matplotlib date numbers of local wall-clock time. Linear (forward and inverse
    are the identity) unless compressed: then an axis unit is log1p(hours since the start / COMPRESS_HOURS)
    from the start on, and hours / COMPRESS_HOURS before it (the same slope at the start, so no kink). Every
    mark is still placed at its true time; only the spacing of the times changes."""

    start: float
    compressed: bool = False

    def forward(self, x):
        """Date numbers to axis units (arrays or floats)."""
        if not self.compressed:
            return x
        h = (np.asarray(x, dtype=float) - self.start) * (24.0 / COMPRESS_HOURS)
        return np.where(h >= 0, np.log1p(np.maximum(h, 0.0)), h)

    def inverse(self, u):
        """Axis units back to date numbers."""
        if not self.compressed:
            return u
        u = np.asarray(u, dtype=float)
        h = np.where(u >= 0, np.expm1(np.clip(u, 0.0, 700.0)), u)
        return self.start + h * (COMPRESS_HOURS / 24.0)

    def nudge(self, x: float, by: float) -> float:
        """A date number moved sideways by `by` axis units (a fixed distance on the page, compressed or not)."""
        return x + by if not self.compressed else float(self.inverse(self.forward(x) + by))

    def fraction(self, x: float, lo: float, hi: float) -> float:
        """Where x falls across the axis from lo to hi (0 to 1)."""
        f = self.forward
        return (x - lo) / (hi - lo) if not self.compressed else float((f(x) - f(lo)) / (f(hi) - f(lo)))


LINEAR = TimeScale(0.0)


@dataclass(frozen=True)
class Panel:
    """One panel of the toll figure: an outcome and the groups it shows, of the whole event (place None) or of
    one place; the consensus band drawn is the first of those groups that has one (one band per panel, named
    under the title)."""

    title: str
    outcome: str
    groups: tuple[str, ...]
    place: str | None = None


ALL_GROUPS = tuple(GROUP_MARKERS)
# The whole event's panels, in order: the killed and injured of the event as a journalist reads the toll
# first, then the per-group series where the data has them. A place's panels repeat them (see place_panel).
PANELS = (
    Panel("Killed: civilians, mixed or group not stated", "killed", ("unspecified", "mixed", "civilians")),
    Panel("Injured", "injured", ("security_forces", "militants", "civilians", "mixed", "unspecified")),
    Panel("Militants killed", "killed", ("militants",)),
    Panel("Security forces killed", "killed", ("security_forces",)),
    Panel("Freed or escaped", "freed", ("civilians", "unspecified", "militants", "security_forces", "mixed")),
    Panel("Held (hostages, trapped)", "held", ("civilians", "unspecified", "militants", "security_forces", "mixed")),
)


def freeze_layout(fig: Figure) -> None:
    """Run the figure's layout engine once, then pin every axes at its position rounded to 1e-6 of the figure
    and switch the engine off: the constrained-layout solver's last-digit noise (it varies between processes)
    cannot reach the files, and PNG and SVG share one layout."""
    if fig.get_layout_engine() is None:
        return
    fig.canvas.draw()
    for ax in fig.axes:
        ax.set_position([round(float(v), 6) for v in ax.get_position().bounds])
    fig.set_layout_engine("none")


def save_figure(fig: Figure, name: str, figures_dir: Path) -> dict[str, Path]:
    """The one way figures are written: <name>.png and <name>.svg, byte-stable (fixed style, no date or
    software metadata, fixed SVG id salt, pinned layout), atomically; closes fig."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    with plt.rc_context(STYLE):
        freeze_layout(fig)
        with AtomicFiles() as files:  # both formats land together, or neither
            for fmt, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
                path = figures_dir / f"{name}.{fmt}"
                fig.savefig(files.temp(path), format=fmt, metadata=metadata, dpi=STYLE["savefig.dpi"])
                paths[fmt] = path
    plt.close(fig)
    return paths


def outlet_label(outlet: str, agency) -> str:
    """'Pravda.Ru (AP)': the outlet, with the wire it credits when that is another name."""
    return outlet if pd.isna(agency) or agency == outlet else f"{outlet} ({agency})"


def outlet_colors(outlets) -> dict[str, str]:
    """A fixed colour per outlet, in sorted order of names."""
    return {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(sorted(set(outlets)))}


def time_unit(span: pd.Timedelta) -> str:
    """'hours' for a span up to three days, else 'days': the unit of the 'since the event start' axis."""
    return "hours" if span <= pd.Timedelta(days=3) else "days"


def local_naive(moments: pd.Series, zone) -> pd.Series:
    """UTC moments as naive local wall-clock times (what the axis shows)."""
    return pd.to_datetime(moments, utc=True).dt.tz_convert(zone).dt.tz_localize(None)


def short_figure(row) -> str:
    """A compact figure for a point label: '20', '~40', '≥20', '>1,200', '≤2,000', '300–400', 'dozens'."""
    return columns.short_figure(row["value_low"], row["value_high"], row["qualifier"], row["quantity_text"])


def who(row) -> str:
    """Who the figure is credited to: the source's name, or 'own report' (the outlet's voice)."""
    return "own report" if pd.isna(row["source_name"]) else str(row["source_name"])


def drawable(timeline: pd.DataFrame) -> pd.DataFrame:
    """Figures that can be placed: a statement time and at least one number."""
    return timeline[timeline["as_of"].notna() & (timeline["value_low"].notna() | timeline["value_high"].notna())]


def split_by_phase(timeline: pd.DataFrame, event: Event) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(before, during): placeable figures stated before the event start (any scope), and the focal event's
    figures (scope 'event') stated from the start on."""
    figs = drawable(timeline)
    start = pd.Timestamp(event.start)
    before = figs[figs["as_of"] < start]
    during = figs[(figs["as_of"] >= start) & (figs["scope"] == "event")]
    return before, during


def in_place(df: pd.DataFrame, place: str | None) -> pd.Series:
    """Rows (of the timeline or the consensus) of one place's series, or of the whole event's for None."""
    return df["place"].isna() if place is None else df["place"].eq(place).fillna(False).astype(bool)


def panel_rows(df: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    """The rows a panel shows (timeline or consensus): its outcome and groups, in its place (a place's count is
    never in a whole-event panel, nor the whole event's in a place's)."""
    return df[(df["outcome"] == panel.outcome) & df["group"].isin(panel.groups) & in_place(df, panel.place)]


def place_panel(panel: Panel, place: str) -> Panel:
    """A whole-event panel redone for one place, titled with the place."""
    return Panel(f"{place} — {panel.title}", panel.outcome, panel.groups, place)


def choose_panels(timeline: pd.DataFrame, event: Event) -> list[Panel]:
    """The panels that have at least one figure to draw: the whole event's PANELS in order, then each place's
    (places sorted by name) where the data has them."""
    before, during = split_by_phase(timeline, event)
    both = pd.concat([before, during])
    places = sorted(set(both["place"].dropna()))
    candidates = [*PANELS, *(place_panel(p, place) for place in places for p in PANELS)]
    return [p for p in candidates if len(panel_rows(both, p))]


def not_drawn(timeline: pd.DataFrame, event: Event) -> pd.DataFrame:
    """Timeline rows the toll figure leaves out, with the reason (other scope, no time, no number, no panel)."""
    panels = choose_panels(timeline, event)
    before, during = split_by_phase(timeline, event)
    shown = pd.concat([pd.concat([panel_rows(before, p), panel_rows(during, p)]) for p in panels]) if panels else None
    shown_ids = set() if shown is None else set(shown["figure_id"])
    out = timeline[~timeline["figure_id"].isin(shown_ids)].copy()

    def reason(r) -> str:
        if pd.isna(r["as_of"]):
            return "no statement time"
        if pd.isna(r["value_low"]) and pd.isna(r["value_high"]):
            return "no number (vague word)"
        if r["scope"] != "event" and r["as_of"] >= pd.Timestamp(event.start):
            return f"scope {r['scope']}"
        return f"no panel for {r['outcome']} {r['group']}"

    out["reason"] = [reason(r) for _, r in out.iterrows()]
    return out


# --- drawing -------------------------------------------------------------------------------------------


def _y_scale(values: list[float]) -> str:
    positive = [v for v in values if v and v > 0]
    if not positive:
        return "linear"
    return "log" if max(positive) / min(positive) > 25 else "linear"


def _point(row) -> tuple[float, float | None, float | None]:
    """(y of the marker, bar bottom, bar top) for a figure."""
    low = None if pd.isna(row["value_low"]) else float(row["value_low"])
    high = None if pd.isna(row["value_high"]) else float(row["value_high"])
    if low is None:
        return high, None, None
    if high is None or high == low:
        return low, None, None
    return low, low, high


def _arrow(ax, x, y, up: bool, color: str, scale: str) -> None:
    """An open-ended bound: a short arrow from the marker (up for 'at least', down for 'at most')."""
    if scale == "log":
        end = y * (1.6 if up else 1 / 1.6)
    else:
        lo, hi = ax.get_ylim()
        end = y + (0.13 if up else -0.13) * (hi - lo)
    ax.annotate("", xy=(x, end), xytext=(x, y), arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.3}, zorder=3)


def _whisker(ax, low, high, shift: float, y: float, color: str, lift: float, ts: TimeScale = LINEAR) -> None:
    """The interval in which a figure may have been current (local naive low and high), as a thin line at the
    figure's height (lifted by lift points, the outlet's lane), moved sideways with its marker's nudge (shift,
    in units of the axis ts: date units on a linear one) and clipped to the axis. A cap marks each end that is
    the interval's own, not the axis edge. Nothing for an unknown or zero-length interval, or one off the axis."""
    if pd.isna(low) or pd.isna(high):
        return
    x0, x1 = ax.get_xlim()
    lo, hi = ts.nudge(mdates.date2num(low), shift), ts.nudge(mdates.date2num(high), shift)
    a, b = max(lo, x0), min(hi, x1)
    if b <= a:  # zero-length, or off the axis
        return
    caps = [i for i, own in enumerate((lo >= x0, hi <= x1)) if own]
    ax.plot(
        [a, b],
        [y, y],
        color=color,
        marker="|" if caps else "none",
        markevery=caps or None,
        transform=offset_copy(ax.transData, fig=ax.figure, y=lift, units="points"),
        zorder=1.8,
        label=WHISKER_LABEL,
        **WHISKER_STYLE,
    )


def _draw_figures(ax, rows: pd.DataFrame, zone, colors: dict, scale: str, dodge: float, ts=LINEAR) -> list:
    """Markers, bars, arrows and interval whiskers for the rows; figures stated at the same moment by different
    outlets or for different groups are nudged sideways (one slot each, dodge axis units apart) so none hides
    another. Returns the labels to place."""
    labels = []
    many_groups = rows["group"].nunique() > 1
    moments = list(local_naive(rows["as_of"], zone))
    lows, highs = local_naive(rows["as_of_low"], zone), local_naive(rows["as_of_high"], zone)
    lanes = {o: (i - (len(colors) - 1) / 2) * WHISKER_LANE for i, o in enumerate(colors)}
    for (_, r), xr, low, high in zip(rows.iterrows(), moments, lows, highs, strict=True):
        color = colors[r["outlet"]]
        same_time = rows[[m == xr for m in moments]]
        slots = sorted(set(zip(same_time["outlet"], same_time["group"], strict=True)))
        xi = ts.nudge(mdates.date2num(xr), dodge * (slots.index((r["outlet"], r["group"])) - (len(slots) - 1) / 2))
        y, bar_lo, bar_hi = _point(r)
        shift = ts.forward(xi) - ts.forward(mdates.date2num(xr))
        _whisker(ax, low, high, shift, y, color, lanes[r["outlet"]], ts)
        vague = r["qualifier"] == "vague"
        marker = GROUP_MARKERS[r["group"]]
        if bar_lo is not None:
            ax.vlines(xi, bar_lo, bar_hi, color=color, lw=2.2 if not vague else 1.6, ls=":" if vague else "-", zorder=2)
            if not vague:
                ax.plot([xi, xi], [bar_lo, bar_hi], ls="none", marker="_", ms=9, color=color, zorder=2)
        face = "white" if vague else color
        ax.plot([xi], [y], ls="none", marker=marker, ms=7, mfc=face, mec=color, mew=1.6, zorder=6)
        if r["qualifier"] in ("at_least", "more_than"):
            _arrow(ax, xi, y, True, color, scale)
        elif r["qualifier"] == "at_most" or (pd.isna(r["value_low"]) and not pd.isna(r["value_high"])):
            _arrow(ax, xi, y, False, color, scale)
        group = f" {SHORT_GROUP_WORDS[r['group']]}" if many_groups else ""
        labels.append((xi, y, f"{short_figure(r)}{group} · {who(r)}", color))
    return labels


def _text_box(annotation, renderer):
    """The window extent of an annotation's text alone (not its leader line), at its current offset."""
    annotation.update_positions(renderer)
    return Text.get_window_extent(annotation, renderer)


def _overlap_y(a, b) -> float:
    """Vertical overlap of two display boxes that overlap horizontally (0 if they do not touch)."""
    if a.x1 <= b.x0 or b.x1 <= a.x0:
        return 0.0
    return max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))


def _label_text(ax, xi: float, y: float, text: str, color: str, right: bool):
    """A label's annotation beside its point: to the point's left when it is in the right part of the axis."""
    return ax.annotate(
        text,
        xy=(xi, y),
        # just above the point's height, so the figure's interval whisker shows under the label
        xytext=(-7 if right else 7, 2.5),
        textcoords="offset points",
        ha="right" if right else "left",
        va="bottom",
        fontsize=7.5,
        color=color,
        zorder=5,
        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        arrowprops={"arrowstyle": "-", "color": color, "lw": 0.5, "shrinkA": 0, "shrinkB": 4},
    )


def _marker_boxes(ax, labels: list) -> list:
    """The display box of each label's point marker (a marker's size square about the point)."""
    half = 6 * ax.figure.dpi / 72  # half a marker, in pixels
    return [
        Bbox.from_bounds(mx - half, my - half, 2 * half, 2 * half)
        for mx, my in (ax.transData.transform((xi, y)) for xi, y, _, _ in labels)
    ]


def _nudge_label(text, pixels: float, points_per_pixel: float) -> None:
    """Move a label's text up (or down, pixels negative) from where it is now."""
    dx, dy = text.xyann
    text.xyann = (dx, dy + pixels * points_per_pixel)


def _separation_pass(texts: list, boxes: list, marks: list, points_per_pixel: float) -> bool:
    """One pass over the labels (boxes: where they were at its start): each pair that overlaps is pushed apart,
    each label that covers another point's marker is pushed off it; True if any label moved."""
    moved = False
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            overlap = _overlap_y(boxes[i], boxes[j])
            if overlap > 0:
                lower, upper = (i, j) if (boxes[i].y0, i) <= (boxes[j].y0, j) else (j, i)
                _nudge_label(texts[lower], -(overlap / 2 + 0.5), points_per_pixel)
                _nudge_label(texts[upper], overlap / 2 + 0.5, points_per_pixel)
                moved = True
        for k, mark in enumerate(marks):
            overlap = _overlap_y(boxes[i], mark) if k != i else 0.0
            if overlap > 0:
                up = (boxes[i].y0 + boxes[i].y1) / 2 >= (mark.y0 + mark.y1) / 2
                _nudge_label(texts[i], (overlap + 0.5) * (1 if up else -1), points_per_pixel)
                moved = True
    return moved


def _push_apart(texts: list, marks: list, renderer, points_per_pixel: float) -> None:
    """Separation passes until nothing moves, at most 200 (a fixed bound keeps the result deterministic)."""
    for _ in range(200):
        boxes = [_text_box(t, renderer) for t in texts]
        if not _separation_pass(texts, boxes, marks, points_per_pixel):
            break


def _place_labels(ax, labels: list, renderer, ts: TimeScale = LINEAR) -> None:
    """Write labels beside their points (to the left in the right part of the axis ts), then push them
    vertically off each other and off other points' markers (a fixed number of deterministic passes)."""
    if not labels:
        return
    x0, x1 = ax.get_xlim()
    labels = sorted(labels, key=lambda t: (t[1], t[0], t[2]))
    texts = [_label_text(ax, xi, y, text, color, ts.fraction(xi, x0, x1) > 0.72) for xi, y, text, color in labels]
    marks = _marker_boxes(ax, labels)
    _push_apart(texts, marks, renderer, 72 / ax.figure.dpi)


def band_group(consensus: pd.DataFrame, panel: Panel) -> str | None:
    """The group whose consensus band a panel shows: the first of its groups with consensus rows in its place."""
    present = set(panel_rows(consensus, panel)["group"])
    return next((g for g in panel.groups if g in present), None)


def _draw_consensus(ax, consensus: pd.DataFrame, panel: Panel, zone, x_end) -> None:
    """The band from the lowest to the highest current figure, and the conservative estimate, as steps."""
    group = band_group(consensus, panel)
    if group is not None:
        series = panel_rows(consensus, panel)
        series = series[series["group"] == group]
        series = series.sort_values("hour")
        x = list(local_naive(series["hour"], zone)) + [x_end]
        lo = [float(v) if not pd.isna(v) else math.nan for v in series["lowest_figure"]]
        hi = [float(v) if not pd.isna(v) else math.nan for v in series["highest_figure"]]
        est = [float(v) if not pd.isna(v) else math.nan for v in series["conservative_estimate"]]
        lo, hi, est = lo + lo[-1:], hi + hi[-1:], est + est[-1:]
        ax.fill_between(x, lo, hi, step="post", color=BAND_COLOR, alpha=0.22, lw=0, zorder=1)
        ax.step(x, est, where="post", color="#333333", lw=1.1, ls=(0, (4, 2)), zorder=1.5)


def _hours_axis(ax, event: Event, unit: str, ts: TimeScale = LINEAR) -> None:
    """A second x axis on top: time since the event start, in hours or days; on a compressed axis ts, in days,
    with ticks at round offsets (6 h, 1, 2, 7, 14 ... days) spaced as the axis below them."""
    start = mdates.date2num(pd.Timestamp(event.start).tz_convert(event.zone).tz_localize(None))
    per_day = 24.0 if unit == "hours" else 1.0
    top = ax.secondary_xaxis("top", functions=(lambda d: (d - start) * per_day, lambda h: h / per_day + start))
    if ts.compressed:
        # matplotlib spaces a secondary axis as if its parent were linear (or log): give it the parent's spacing
        # (it keeps it while the parent's scale, set before, does not change)
        top.set_xscale("function", functions=(lambda d: ts.forward(d + start), lambda u: ts.inverse(u) - start))
        x0, x1 = ax.get_xlim()
        days = _spread([d for d in SINCE_START_DAYS if x0 <= start + d <= x1], lambda d: ts.fraction(start + d, x0, x1))
        top.set_xticks(days, [f"{d * 24:g} h" if 0 < d < 1 else f"{d:g}" for d in days])
    top.tick_params(labelsize=7, colors="#555555")
    return top


def _spread(candidates: list, where, gap: float = TICK_GAP) -> list:
    """The candidates (in order of preference) that keep at least gap apart, where(c) being a candidate's place
    across the axis (0 to 1); sorted by place."""
    kept: list = []
    for c in candidates:
        if all(abs(where(c) - where(k)) >= gap for k in kept):
            kept.append(c)
    return sorted(kept, key=where)


def clock_ticks(ts: TimeScale, lo_x: pd.Timestamp, hi_x: pd.Timestamp) -> list[pd.Timestamp]:
    """Ticks of a compressed axis from lo_x to hi_x (local naive): local midnights first, then noons, then 6 and
    18 h, then every 3 h, wherever they keep TICK_GAP of the axis apart (the first hours get the hourly ones)."""
    x0, x1 = mdates.date2num(lo_x), mdates.date2num(hi_x)
    hours = [t for t in pd.date_range(lo_x.ceil("h"), hi_x, freq="h") if t.minute == 0]
    ranked = [t for tier in CLOCK_TIERS for t in hours if t.hour in tier]
    return _spread(ranked, lambda t: ts.fraction(mdates.date2num(t), x0, x1))


def clock_labels(ticks: list[pd.Timestamp]) -> list[str]:
    """'27 Nov' at a midnight, '06:00' after a tick of the same day, else '26 Nov\n21:00'."""
    out, previous = [], None
    for t in ticks:
        if t.hour == 0:
            out.append(f"{t:%d %b}")
        elif previous is not None and previous.date() == t.date():
            out.append(f"{t:%H:%M}")
        else:
            out.append(f"{t:%d %b}\n{t:%H:%M}")
        previous = t
    return out


def _x_axis(ax, ts: TimeScale, lo_x: pd.Timestamp, hi_x: pd.Timestamp) -> None:
    """The main panel's clock axis: dates and hours as before on a linear one; on a compressed one, ticks at
    round local times (clock_ticks) and a small tick at every local midnight, which narrow with the days."""
    if not ts.compressed:
        _date_format(ax, (hi_x - lo_x) / pd.Timedelta(days=1), lo_x.date() == hi_x.date())
        return
    ax.set_xscale("function", functions=(ts.forward, ts.inverse))
    ticks = clock_ticks(ts, lo_x, hi_x)
    ax.set_xticks([mdates.date2num(t) for t in ticks], clock_labels(ticks))
    midnights = pd.date_range(lo_x.ceil("D"), hi_x, freq="D")
    ax.set_xticks([mdates.date2num(t) for t in midnights] if len(midnights) <= 400 else [], minor=True)


def _date_format(ax, span_days: float, single_day: bool) -> None:
    if single_day and span_days <= 1.5:
        ax.xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, 2 if span_days < 0.75 else 3)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    elif span_days <= 3:
        ax.xaxis.set_major_locator(mdates.HourLocator(byhour=[0, 6, 12, 18]))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M"))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))


def _limits(moments: pd.Series, minimum: pd.Timedelta, ts: TimeScale = LINEAR) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Axis limits around the moments with 8% padding, widened about their middle to at least minimum; on a
    compressed axis ts, 8% of its width (to the minute)."""
    if ts.compressed:
        f = ts.forward(mdates.date2num(moments))
        pad = (f.max() - f.min()) * 0.08
        ends = (mdates.num2date(float(ts.inverse(v))).replace(tzinfo=None) for v in (f.min() - pad, f.max() + pad))
        return tuple(pd.Timestamp(t).round("min") for t in ends)
    first, last = moments.min(), moments.max()
    if last - first < minimum:
        middle = first + (last - first) / 2
        first, last = middle - minimum / 2, middle + minimum / 2
    pad = (last - first) * 0.08
    return first - pad, last + pad


def _y_limits(ax, values: list[float], scale: str) -> None:
    top = max(values) if values else 1.0
    if scale == "log":
        bottom = min(v for v in values if v > 0)
        ax.set_yscale("log")
        ax.set_ylim(bottom / 1.8, top * 2.2)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    else:
        ax.set_ylim(0, top * 1.3 + 1)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=5, integer=True))


def _panel_values(rows: pd.DataFrame, consensus_rows: pd.DataFrame) -> list[float]:
    vals = [float(v) for c in ("value_low", "value_high") for v in rows[c].dropna()]
    vals += [float(v) for c in ("lowest_figure", "highest_figure") for v in consensus_rows[c].dropna()]
    return vals


@dataclass(frozen=True, eq=False)
class _TollLayout:
    """What every panel of the toll figure shares: the figures by phase, the panels, colours and the time axes."""

    zone: object
    before: pd.DataFrame
    during: pd.DataFrame
    panels: list[Panel]
    colors: dict[str, str]
    start_local: pd.Timestamp
    before_x: pd.Series
    unit: str
    ts: TimeScale
    lo_x: pd.Timestamp
    hi_x: pd.Timestamp
    has_before: bool
    ncols: int
    nrows: int


def _time_axis(during: pd.DataFrame, event: Event) -> tuple[pd.Timestamp, str, TimeScale, pd.Timestamp, pd.Timestamp]:
    """(local start, unit since the start, time scale, axis limits) of the main panels, from the event's figures."""
    zone = event.zone
    start_local = pd.Timestamp(event.start).tz_convert(zone).tz_localize(None)
    during_x = local_naive(during["as_of"], zone)
    span = (during_x.max() - start_local) if len(during) else pd.Timedelta(hours=1)
    # on a linear axis a span of days crowds the first hours together: past COMPRESS_AFTER the axis is compressed
    ts = TimeScale(mdates.date2num(start_local), compressed=span > COMPRESS_AFTER)
    lo_x, hi_x = _limits(pd.concat([during_x, pd.Series([start_local])]), pd.Timedelta(hours=2), ts)
    return start_local, time_unit(span), ts, lo_x, hi_x


def _toll_layout(timeline: pd.DataFrame, event: Event) -> _TollLayout:
    """The shared layout of the toll figure: two panels a row where there are several."""
    before, during = split_by_phase(timeline, event)
    panels = choose_panels(timeline, event)
    start_local, unit, ts, lo_x, hi_x = _time_axis(during, event)
    ncols = 2 if len(panels) > 1 else 1
    return _TollLayout(
        zone=event.zone,
        before=before,
        during=during,
        panels=panels,
        colors=outlet_colors(pd.concat([before["outlet"], during["outlet"]])),
        start_local=start_local,
        before_x=local_naive(before["as_of"], event.zone),
        unit=unit,
        ts=ts,
        lo_x=lo_x,
        hi_x=hi_x,
        has_before=len(before) > 0,
        ncols=ncols,
        nrows=max(1, math.ceil(len(panels) / ncols)),
    )


def _toll_canvas(lay: _TollLayout):
    """The figure and its grid: each panel a cell, with a narrow cell on its left when there are figures before
    the start."""
    fig = plt.figure(figsize=(7.6 * lay.ncols, 3.5 * lay.nrows + 2.1), layout="constrained")
    fig.get_layout_engine().set(w_pad=0.02, wspace=0.01)
    ratios = [1, 5.5] * lay.ncols if lay.has_before else [1] * lay.ncols
    return fig, fig.add_gridspec(lay.nrows, len(ratios), width_ratios=ratios)


def _draw_main(ax, rows_d, cons, panel: Panel, values: list[float], scale: str, lay: _TollLayout, pending) -> None:
    """A main panel's axes, consensus band, the event's figures (their labels queued in pending) and start line."""
    ax.set_xlim(lay.lo_x, lay.hi_x)
    _y_limits(ax, values, scale)
    _x_axis(ax, lay.ts, lay.lo_x, lay.hi_x)
    _draw_consensus(ax, cons, panel, lay.zone, lay.hi_x)
    # the sideways nudge is a share of the axis as drawn, so it looks the same on a compressed axis
    dodge = (lay.ts.forward(mdates.date2num(lay.hi_x)) - lay.ts.forward(mdates.date2num(lay.lo_x))) * 0.024
    pending.append((ax, _draw_figures(ax, rows_d, lay.zone, lay.colors, scale, dodge, lay.ts), lay.ts))
    ax.axvline(lay.start_local, color="#444444", lw=0.8, ls="-", zorder=0.5)


def _panel_titles(ax, panel: Panel, cons: pd.DataFrame) -> None:
    """The panel's title, and on the right the group its band shows where the panel has several groups."""
    ax.set_title(panel.title, loc="left", fontweight="bold")
    group = band_group(cons, panel)
    if len(panel.groups) > 1 and group is not None:
        ax.set_title(f"band: {GROUP_WORDS[group]}", loc="right", fontsize=7.5, color="#555555")


def _top_axis(ax, event: Event, lay: _TollLayout, first_row: bool) -> None:
    """The 'since the event start' axis on top, named on the first row of panels only."""
    top = _hours_axis(ax, event, lay.unit, lay.ts)
    if first_row:
        squeezed = " (compressed scale)" if lay.ts.compressed else ""
        top.set_xlabel(f"{lay.unit} since the event start{squeezed}", fontsize=8, color="#555555")


def _side_panel(fig, cell, col: int, main_ax, rows_b, scale: str, lay: _TollLayout, pending) -> None:
    """The narrow 'before' panel in cell (sharing the main panel's y axis) where there is one, and the y label on
    the leftmost panel of a row."""
    if lay.has_before:
        b_ax = fig.add_subplot(cell, sharey=main_ax)
        _draw_before(b_ax, rows_b, lay.before_x, lay.colors, scale, lay.zone, pending, lay.start_local.year)
        main_ax.tick_params(labelleft=False)
        if col == 0:
            b_ax.set_ylabel("people (reported)")
    elif col == 0:
        main_ax.set_ylabel("people (reported)")


def _draw_panel(fig, grid, k: int, panel: Panel, consensus: pd.DataFrame, lay: _TollLayout, event, pending) -> None:
    """Panel k, row by row: its main axes and what is drawn in them, its titles and top axis, the panel before
    the start beside it, and the clock label under the last panel of a column."""
    row, col = divmod(k, lay.ncols)
    main_ax = fig.add_subplot(grid[row, col * 2 + 1] if lay.has_before else grid[row, col])
    rows_d, cons, rows_b = panel_rows(lay.during, panel), panel_rows(consensus, panel), panel_rows(lay.before, panel)
    values = _panel_values(pd.concat([rows_d, rows_b]), cons)
    scale = _y_scale(values)
    _draw_main(main_ax, rows_d, cons, panel, values, scale, lay, pending)
    _panel_titles(main_ax, panel, cons)
    _top_axis(main_ax, event, lay, row == 0)
    if not len(rows_d):
        main_ax.text(0.5, 0.5, "no figures for the event", transform=main_ax.transAxes, ha="center", color="#777777")
    _side_panel(fig, grid[row, col * 2] if lay.has_before else None, col, main_ax, rows_b, scale, lay, pending)
    if row == lay.nrows - 1 or k + lay.ncols >= len(lay.panels):
        main_ax.set_xlabel(_clock_label(lay.lo_x, lay.hi_x, event, lay.ts))


def plot_toll(timeline: pd.DataFrame, consensus: pd.DataFrame, documents: pd.DataFrame, event: Event) -> Figure:
    """Each outlet's reported totals against the local clock, one panel per outcome (and group) of the whole
    event, then of each place, the consensus band behind them, and the days before the event start in a narrow
    panel of their own. Parts are not in the timeline, so never drawn as a series."""
    lay = _toll_layout(timeline, event)
    labels = {r.outlet: outlet_label(r.outlet, r.agency) for r in documents.itertuples()}
    with plt.rc_context(STYLE):
        fig, grid = _toll_canvas(lay)
        renderer = fig.canvas.get_renderer()
        pending = []  # (axes, labels, time scale): labels are placed once every panel is drawn
        if not lay.panels:
            fig.text(0.5, 0.5, "No figures with a statement time and a number.", ha="center")
        for k, panel in enumerate(lay.panels):
            _draw_panel(fig, grid, k, panel, consensus, lay, event, pending)
        for ax, lab, ax_scale in pending:
            _place_labels(ax, lab, renderer, ax_scale)
        _legend(fig, lay.colors, labels, lay.panels, lay.during, lay.before, lay.ncols > 1)
        fig.suptitle(
            f"{event.name}: the toll as each outlet reported it",
            fontsize=12,
            fontweight="bold",
            x=0.01,
            ha="left",
        )
    return fig


def _clock_label(lo_x, hi_x, event: Event, ts: TimeScale = LINEAR) -> str:
    if lo_x.date() == hi_x.date():
        return f"local time ({event.timezone}), {lo_x:%d %B %Y}".replace(" 0", " ")
    if ts.compressed:
        years = f"{lo_x:%Y}" if lo_x.year == hi_x.year else f"{lo_x:%Y}–{hi_x:%Y}"
        return f"local time ({event.timezone}), {years} — compressed scale: each later day is drawn narrower"
    return f"local time ({event.timezone})"


def _draw_before(b_ax, rows_b, before_x_all, colors, scale, zone, pending, year: int) -> None:
    """The narrow panel of the days before the event start, on its own compressed time axis: a tick at each
    figure's time, with its year when one is not the event's (year), as a toll of an earlier event may be."""
    lo_b, hi_b = _limits(before_x_all, pd.Timedelta(hours=12))
    b_ax.set_xlim(lo_b, hi_b)
    b_ax.set_xticks(sorted(set(before_x_all)))
    same_year = all(t.year == year for t in before_x_all)
    b_ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M" if same_year else "%d %b %Y\n%H:%M"))
    b_ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    b_ax.grid(axis="x", visible=False)
    dodge = (mdates.date2num(hi_b) - mdates.date2num(lo_b)) * 0.04
    pending.append((b_ax, _draw_figures(b_ax, rows_b, zone, colors, scale, dodge), LINEAR))
    b_ax.set_title("before", loc="left", fontsize=8, color="#555555")
    b_ax.set_facecolor("#f4f4f4")
    b_ax.spines["right"].set_visible(True)
    b_ax.spines["right"].set_linestyle((0, (2, 2)))
    if not len(rows_b):
        b_ax.text(0.5, 0.5, "none", transform=b_ax.transAxes, ha="center", va="center", color="#999999", fontsize=8)


def _outlet_handles(colors: dict, labels: dict) -> list:
    """A colour patch per outlet, named with the wire it credits."""
    return [Patch(color=c, label=labels.get(o, o)) for o, c in colors.items()]


def _whisker_handle() -> Line2D:
    """The legend's sample of an interval whisker."""
    return Line2D(
        [], [], color="#444444", marker="|", label="thin line: when the figure may have been current", **WHISKER_STYLE
    )


def _group_handles(shown: pd.DataFrame) -> list:
    """A marker per group the panels show, in GROUP_MARKERS order."""
    groups = [g for g in GROUP_MARKERS if g in set(shown["group"])]
    return [
        Line2D([], [], ls="none", marker=GROUP_MARKERS[g], color="#444444", mfc="#444444", ms=7, label=GROUP_WORDS[g])
        for g in groups
    ]


def _key_handles(whisker: Line2D) -> list:
    """How a figure is drawn (vague word, range, interval, open-ended bound), then the band, estimate and start."""
    return [
        Line2D(
            [],
            [],
            ls="none",
            marker="o",
            color="#444444",
            mfc="white",
            mew=1.5,
            ms=7,
            label="vague word (dotted bar = its range)",
        ),
        Line2D([], [], ls="-", marker="_", color="#444444", lw=2, ms=9, label="stated range (low–high)"),
        whisker,
        Line2D(
            [],
            [],
            ls="none",
            marker="$\u2191$",
            color="#444444",
            ms=9,
            label="open-ended: 'at least' (↑) / 'at most' (↓)",
        ),
        Patch(color=BAND_COLOR, alpha=0.35, label="consensus: lowest to highest current figure"),
        Line2D([], [], color="#333333", lw=1.1, ls=(0, (4, 2)), label="most conservative current estimate"),
        Line2D([], [], color="#444444", lw=0.8, label="event start"),
    ]


def _legend_title(wide: bool) -> str:
    """How to read a marker: on one line under a wide figure, else on two."""
    return (
        "Each marker is a figure as first stated in an article, placed at the time it was stated as current"
        + (" " if wide else "\n")
        + "(sideways nudges keep simultaneous figures apart). Label: the figure · who said it."
    )


def _legend(fig, colors, labels, panels, during, before, wide: bool) -> None:
    """One legend under the panels: outlets, groups, how bounds and intervals are drawn, the band; in four
    columns under a figure two panels wide (wide), else in two, so it fits a one-column figure."""
    shown = pd.concat([panel_rows(pd.concat([during, before]), p) for p in panels]) if panels else during
    handles = _outlet_handles(colors, labels)
    whisker = _whisker_handle()
    handles += _group_handles(shown)
    handles += _key_handles(whisker)
    fig.legend(
        handles=handles,
        handler_map={whisker: HandlerLine2D(numpoints=2)},  # a cap at each end, as drawn
        loc="outside lower center",
        ncol=4 if wide else 2,
        frameon=False,
        title=_legend_title(wide),
        title_fontsize=8.5,
    )


def plot_claims_by_outlet(claims: pd.DataFrame, documents: pd.DataFrame) -> Figure:
    """Claims per outlet, stacked by outcome (horizontal bars)."""
    docs = documents[["doc_id", "outlet", "agency"]]
    merged = claims.merge(docs, on="doc_id", how="left")
    labels = {r.outlet: outlet_label(r.outlet, r.agency) for r in docs.itertuples()}
    table = pd.crosstab(merged["outlet"], merged["outcome"]).reindex(sorted(set(docs["outlet"])), fill_value=0)
    table = table[[o for o in OUTCOME_WORDS if o in table.columns]]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.55 * len(table) + 1.8), layout="constrained")
        left = pd.Series(0, index=table.index)
        for i, outcome in enumerate(table.columns):
            ax.barh(
                [labels[o] for o in table.index],
                table[outcome],
                left=left,
                color=PALETTE[i],
                label=OUTCOME_WORDS[outcome],
            )
            left = left + table[outcome]
        for y, total in enumerate(left):
            ax.text(total + 0.2, y, str(int(total)), va="center", fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("claims (mentions of a count of people)")
        ax.grid(axis="y", visible=False)
        fig.legend(loc="outside right upper", frameon=False, title="outcome")
        ax.set_title("Claims extracted per outlet, by outcome", loc="left", fontweight="bold")
    return fig

"""Stage `report`: one self-contained HTML page a journalist can open: the toll figure, a reading of it, the tables."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.config import Event
from analysis.io import InputError, read_table, run_fingerprint, write_text_atomic
from analysis.report import figures
from analysis.report import tables as report
from analysis.stages.timeline import consensus_series

MAIN_FIGURE = "toll_by_outlet_and_hour"
INPUTS = ("documents", "claims", "toll_timeline", "toll_consensus", "toll_parts")
# What the page may load: its own inline style and data: images, nothing from anywhere else.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font: 15px/1.5 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 2em auto; max-width: 1240px;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 2em; }
.meta, .note, figcaption { color: #555; font-size: 0.9em; }
.reading { font-size: 1.05em; max-width: 60em; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; white-space: nowrap; }
td.sentence { min-width: 24em; max-width: 40em; } td.time { white-space: nowrap; }
"""
# How some columns are laid out (see STYLE).
CELL_CLASS = {"sentence": "sentence", "as_of_local": "time", "hour_local": "time"}
FIGURE_CAPTION = (
    "Each marker is a figure as first stated in an article, placed at the time it was stated as current (local "
    "clock below, time since the event start above), coloured by outlet and labelled with who said it. Bars are "
    "stated ranges, hollow markers vague words, arrows open-ended figures ('at least 20'); a thin line spans "
    "when the figure may have been current. The grey band runs from the lowest to the highest figure the "
    "outlets currently give; the dashed line is the most conservative current estimate."
)


# --- the reading: first and latest figure per series, biggest revision, spread between outlets ---------------


def series_words(outcome: str, group: str, place) -> str:
    """'militants killed', 'people held (hostages, trapped) in Atocha': a series as a reader says it."""
    noun = "people" if group == "unspecified" else figures.GROUP_WORDS[group]
    return f"{noun} {figures.OUTCOME_WORDS[outcome]}" + ("" if pd.isna(place) else f" in {place}")


def clock(focal: pd.DataFrame, zone) -> Callable[[object], str]:
    """How the reading writes a moment: '07:00' when every figure was stated on one local day (the opening
    names it), else '10 Jul 07:00'."""
    days = {pd.Timestamp(t).tz_convert(zone).date() for t in focal["as_of"]}

    def when(moment) -> str:
        local = pd.Timestamp(moment).tz_convert(zone)
        return f"{local:%H:%M}" if days == {local.date()} else f"{local.day} {local:%b %H:%M}"

    return when


def said(row) -> str:
    """'Agence France-Presse, citing Waheed Arshad' or 'IANS, own voice'."""
    who = "own voice" if pd.isna(row["source_name"]) else f"citing {row['source_name']}"
    return f"{row['outlet']}, {who}"


def stated(row) -> float:
    """The most conservative number a figure states (its lower bound, else its upper bound); NaN for a vague word
    with no number ("many")."""
    value = row["value_low"] if not pd.isna(row["value_low"]) else row["value_high"]
    return math.nan if pd.isna(value) else float(value)


def prose_figure(row) -> str:
    """A figure as a sentence gives it: '20', 'about 50', and a vague word as written ('dozens')."""
    return f"'{row['quantity_text'].lower()}'" if row["qualifier"] == "vague" else row["figure_text"]


def event_figures(timeline: pd.DataFrame) -> pd.DataFrame:
    """The focal event's figures that have a statement time and a number (what the chart draws)."""
    rows = figures.drawable(timeline)
    return rows[rows["scope"] == "event"]


def _reading_order(key: tuple) -> tuple:
    """Series in the chart's order: killed, then injured, ...; militants, then security forces, ...; the whole
    event before its places."""
    outcome, group, place = key
    places = (0, "") if pd.isna(place) or place == report.WHOLE_EVENT else (1, str(place))
    return (list(figures.OUTCOME_WORDS).index(outcome), list(figures.GROUP_MARKERS).index(group), *places)


def in_chart_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with outcome, group and place columns sorted stably into the chart's series order."""
    keys = [_reading_order(k) for k in zip(rows["outcome"], rows["group"], rows["place"], strict=True)]
    order = sorted(range(len(rows)), key=lambda i: keys[i])
    return rows.iloc[order].reset_index(drop=True)


def first_and_latest(focal: pd.DataFrame, when: Callable[[object], str]) -> list[tuple[str, str]]:
    """Per series (outcome, group, place), in the chart's order: its name and a sentence on its first figure
    and its latest. Figures current at the same moment go to a number with a lower bound over a ceiling, then
    to the largest number, as in the consensus."""
    out = []
    for (outcome, group, place), series in sorted(consensus_series(focal), key=lambda s: _reading_order(s[0])):
        definite = series["value_low"].notna() & (series["qualifier"] != "vague")  # as timeline.current_figures
        # a figure with no number ranks lowest among those of its moment, as in timeline.current_figures
        ordered = series.assign(_low=definite, _n=[stated(r) for _, r in series.iterrows()]).fillna({"_n": -1.0})
        ordered = ordered.sort_values(["as_of", "_low", "_n"], kind="stable")
        first, last = ordered.iloc[0], ordered.iloc[-1]
        head = f"{prose_figure(first)} at {when(first['as_of'])} ({said(first)})"
        if len(series) == 1:
            text = f"{head}, the only figure."
        else:
            text = f"{head} first, {prose_figure(last)} at {when(last['as_of'])} ({said(last)}) latest."
        out.append((series_words(outcome, group, place).capitalize(), text))
    return out


def biggest_revision(timeline: pd.DataFrame, when: Callable[[object], str]) -> str:
    """The revision that moved a figure the most (by its most conservative number), or why there is none."""
    rows = timeline[timeline["revises_figure_id"].notna()]
    if rows.empty:
        return "No outlet revised a figure: none gave a later figure with other numbers for the same series."
    previous = timeline.set_index("figure_id")
    change = [abs(stated(r) - stated(previous.loc[r["revises_figure_id"]])) for _, r in rows.iterrows()]
    # a revision to or from a vague word with no number ("many") has no size: it comes first, never the biggest
    row = rows.assign(_change=change).sort_values("_change", kind="stable", na_position="first").iloc[-1]
    label = series_words(row["outcome"], row["group"], row["place"])
    return (
        f"The biggest revision: {row['outlet']} moved its figure for {label} ({row['scope']}) from "
        f"{row['revises'].replace(' → ', ' to ')} at {when(row['as_of'])}."
    )


def widest_spread(consensus: pd.DataFrame, when: Callable[[object], str]) -> str:
    """The hour and series where the outlets' current figures were furthest apart, or why there is none."""
    shared = consensus[consensus["n_outlets"] >= 2].dropna(subset=["lowest_figure", "highest_figure"])
    if shared.empty:
        return "No two outlets gave a figure for the same series at the same time, so there is no spread between them."
    spread = (shared["highest_figure"] - shared["lowest_figure"]).astype(int)
    row = shared.assign(_spread=spread).sort_values("_spread", ascending=False, kind="stable").iloc[0]
    label = series_words(row["outcome"], row["group"], row["place"])
    if row["_spread"] == 0:
        return "The outlets agreed: where two or more gave a figure for the same series, they gave the same number."
    return (
        f"The outlets were furthest apart on {label}: from {row['lowest_figure']:,} to {row['highest_figure']:,} "
        f"at {when(row['hour'])} ({row['n_outlets']} outlets: {row['outlets']}); the most conservative "
        f"estimate then was {row['conservative_estimate']:,} ({row['conservative_outlets']})."
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def reading_parts(tables: dict[str, pd.DataFrame], event: Event) -> list[tuple[str, str]]:
    """The reading of the chart as (lead, sentence) pairs, lead empty where a sentence has none."""
    timeline, documents = tables["toll_timeline"], tables["documents"]
    focal = event_figures(timeline)
    opening = (
        f"{_count(len(documents), 'article')} from {_count(documents['outlet'].nunique(), 'outlet')} give "
        f"{_count(len(focal), 'distinct figure')} with a time and a number for the event itself"
    )
    if focal.empty:
        return [("", opening + ".")]
    days = sorted({pd.Timestamp(t).tz_convert(event.zone).date() for t in focal["as_of"]})
    first, last = (f"{d.day} {d:%B %Y}" for d in (days[0], days[-1]))
    when_stated = f"on {first}" if len(days) == 1 else f"from {first} to {last}"
    when = clock(focal, event.zone)
    return [
        ("", f"{opening}, stated {when_stated} (local time)."),
        *first_and_latest(focal, when),
        ("", biggest_revision(timeline, when)),
        ("", widest_spread(tables["toll_consensus"], when)),
    ]


def reading(tables: dict[str, pd.DataFrame], event: Event) -> str:
    """One paragraph on the chart, computed from the tables: first and latest figure per series, the biggest
    revision, the widest spread between outlets."""
    return " ".join(f"{lead}: {text}" if lead else text for lead, text in reading_parts(tables, event))


def reading_html(tables: dict[str, pd.DataFrame], event: Event) -> str:
    """The reading as one HTML paragraph, each series' name in bold."""
    parts = reading_parts(tables, event)
    text = " ".join(f"<b>{html.escape(lead)}</b>: {html.escape(t)}" if lead else html.escape(t) for lead, t in parts)
    return f'<p class="reading">{text}</p>'


# --- the tables ------------------------------------------------------------------------------------------------


def consensus_table(consensus: pd.DataFrame, zone, unit: str) -> pd.DataFrame:
    """The consensus where it changes: hour by hour, or (for a span of days) at the end of each local day."""
    if unit == "days" and not consensus.empty:
        day = report.local(consensus["hour"], zone).str[:10]
        keys = [consensus["outcome"], consensus["group"], consensus["place"].fillna(""), day]
        consensus = consensus[~consensus.groupby(keys, sort=False).cumcount(ascending=False).astype(bool)]
    return in_chart_order(report.consensus_changes(consensus, zone, unit))


def article_link(url, doc_id: str) -> str:
    """An HTML link to the article where its URL is a web address, else the document id as text."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f'<a href="{html.escape(url)}">{html.escape(doc_id)}</a>'
    return html.escape(doc_id)


def every_figure(tables: dict[str, pd.DataFrame], event: Event, unit: str) -> pd.DataFrame:
    """Every distinct figure (toll_timeline) by series and time: who said it, when, the sentence, the article,
    and whether the chart draws it (else why not). The article column is HTML."""
    timeline, documents, claims = tables["toll_timeline"], tables["documents"], tables["claims"]
    left_out = figures.not_drawn(timeline, event).set_index("figure_id")["reason"]
    rows = in_chart_order(report.by_series(timeline, ["as_of", "outlet"]))
    urls = documents.set_index("doc_id")["url"]
    out = pd.DataFrame(
        {
            "series": [series_words(*k) for k in zip(rows["outcome"], rows["group"], rows["place"], strict=True)],
            "scope": rows["scope"],
            "outlet": rows["outlet"].map(report.outlet_names(documents)),
            "figure": rows["figure_text"],
            "said_by": rows["source_name"].fillna("own report"),
            "as_of_local": rows["as_of_local"].fillna("").str.replace("T", " ").str[:16],
            f"{unit}_since_start": report.since_start(rows["hours_since_event_start"], unit),
            "in_the_chart": rows["figure_id"].map(left_out).fillna("yes"),
            "sentence": rows["figure_id"].map(claims.set_index("claim_id")["sentence"]).str.replace("\n", " "),
            "article": [article_link(urls.get(d), d) for d in rows["doc_id"]],
        }
    )
    return out


def _cell(value) -> str:
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def html_table(df: pd.DataFrame, raw: tuple[str, ...] = ()) -> str:
    """A table as HTML, every cell escaped except the columns in raw (already HTML); numbers right-aligned."""
    head = "".join(f"<th>{html.escape(str(c).replace('_', ' '))}</th>" for c in df.columns)
    numeric = {c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])}
    body = []
    for row in df.itertuples(index=False, name=None):
        cells = []
        for col, value in zip(df.columns, row, strict=True):
            cls = ' class="num"' if col in numeric else f' class="{CELL_CLASS[col]}"' if col in CELL_CLASS else ""
            text = str(value) if col in raw else _cell(value.item() if hasattr(value, "item") else value)
            cells.append(f"<td{cls}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"


def section(title: str, intro: str, table: pd.DataFrame | None, empty: str, raw: tuple[str, ...] = ()) -> str:
    """An h2 section: a sentence, then the table, or the empty sentence when there are no rows."""
    parts = [f"<h2>{html.escape(title)}</h2>", f'<p class="note">{html.escape(intro)}</p>']
    if table is None or table.empty:
        parts.append(f"<p>{html.escape(empty)}</p>")
    else:
        parts.append(html_table(table, raw))
    return "\n".join(parts)


# --- the page --------------------------------------------------------------------------------------------------


def figure_image(figures_dir: Path) -> str:
    """The main figure as an <img> with its SVG embedded (base64 data: URI: no fetch, no id clash)."""
    path = Path(figures_dir) / f"{MAIN_FIGURE}.svg"
    if not path.is_file():
        raise InputError(f"{path}: figure not found (run the notebooks stage, which draws it, first)")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = "The reported toll by outlet against the local clock, one panel per outcome and group"
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{alt}">'


def page_meta(documents: pd.DataFrame, event: Event, unit: str) -> str:
    """The line under the title: the event window in local time, the unit of time since the start, the corpus."""
    start = pd.Timestamp(event.start).tz_convert(event.zone)
    end = pd.Timestamp(event.end).tz_convert(event.zone)
    return (
        f"Event window {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}, local time ({event.timezone}). "
        f"Time since the event start is in {unit}. Corpus fingerprint {documents.attrs.get('corpus') or 'none'}."
    )


def revisions_section(tables: dict[str, pd.DataFrame], unit: str) -> str:
    """The section of every revision an outlet made to its own figure."""
    return section(
        "Revisions",
        "A revision is an outlet's new figure for the same outcome, group, scope and place, stated later than "
        "its previous one and with other numbers.",
        report.revision_table(tables["toll_timeline"], tables["documents"], unit),
        "No revisions: no outlet gave a later figure with other numbers for the same series.",
    )


def consensus_section(consensus: pd.DataFrame, event: Event, unit: str) -> str:
    """The section of the consensus where it changes, by hour or (for a span of days) by day."""
    return section(
        f"The consensus by {'hour' if unit == 'hours' else 'day'}",
        "Each series' first "
        + ("hour and every hour" if unit == "hours" else "day and every day")
        + " at which the number of outlets, the lowest or highest current figure or the most conservative "
        "estimate changes; an outlet's current figure is its latest one stated by then.",
        consensus_table(consensus, event.zone, unit),
        "No consensus: no figure for the event has a time and a number.",
    )


def figures_section(tables: dict[str, pd.DataFrame], event: Event, unit: str) -> str:
    """The section of every distinct figure with its sentence, source and article link."""
    return section(
        "Every figure, with its sentence and source",
        "Each distinct figure an article gives (repeats within an article count once), by series and time, "
        "with the sentence it was read from, who said it, and whether the chart draws it.",
        every_figure(tables, event, unit),
        "No figures were found.",
        raw=("article",),
    )


def parts_sections(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The section of the parts of a toll as a list: empty, no section at all, when there are no parts."""
    parts_rows = tables["toll_parts"]
    if parts_rows.empty:
        return []
    return [
        section(
            "Parts of a toll",
            "A part counts a subset of the victims picked out by who they are within a larger count "
            "('including 9 Britons'); it is never drawn or summed as a toll of its own.",
            report.parts_table(parts_rows, tables["documents"]),
            "",
        )
    ]


def html_document(title: str, body: list[str]) -> str:
    """The page around its body: the head with the content policy and inline style, nothing fetched."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'  # else the browser asks for /favicon.ico
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def build_page(tables: dict[str, pd.DataFrame], image: str, event: Event) -> str:
    """The whole page as text: nothing in it depends on when or where it was made."""
    unit = report.time_unit(tables["toll_timeline"], event)
    title = f"{event.name}: the toll as each outlet reported it"
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(page_meta(tables["documents"], event, unit))}</p>',
        reading_html(tables, event),
        f"<figure>{image}<figcaption>{html.escape(FIGURE_CAPTION)}</figcaption></figure>",
        revisions_section(tables, unit),
        consensus_section(tables["toll_consensus"], event, unit),
        figures_section(tables, event, unit),
        *parts_sections(tables),
    ]
    return html_document(title, body)


def write_report(processed_dir: Path, figures_dir: Path, out_path: Path, event: Event) -> Path:
    """Read the tables and the main figure, write the report page atomically; returns its path."""
    tables = {name: read_table(Path(processed_dir) / f"{name}.parquet") for name in INPUTS}
    run_fingerprint({}, tables)  # tables of two different runs are refused with one sentence
    page = build_page(tables, figure_image(figures_dir), event)
    write_text_atomic(Path(out_path), page)
    return Path(out_path)

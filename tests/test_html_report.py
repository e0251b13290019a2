"""The report page: its reading of the chart from the tables, its tables, and that it is one self-contained file
that headless Chromium (Debian's package) renders with the figure and tables and no console error."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import config, io
from analysis.stages import report as html_report

P = config.load()
ROOT = Path(__file__).resolve().parent.parent

# --- headless Chromium over the DevTools protocol on a pipe (no port, no extra package) ---------------------

CHROMIUM = "chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",  # tests run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
    "--remote-debugging-pipe",
]
TIMEOUT = 60.0


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, width: int = 1280, height: int = 900):
        exe = shutil.which(CHROMIUM)
        if exe is None:
            raise RuntimeError("chromium not found: `make chromium` installs Debian's package")
        self.profile = tempfile.TemporaryDirectory(prefix="tollwatch-chromium-")
        to_child, self._write = os.pipe()  # Chromium reads commands on fd 3 ...
        self._read, from_child = os.pipe()  # ... and writes replies and events on fd 4

        def fds() -> None:
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # Debian's wrapper script and Chromium itself chatter there
            preexec_fn=fds,
            pass_fds=(3, 4),
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read)
        self.profile.cleanup()

    def _message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise RuntimeError("chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        """Send one command and return its result; events that arrive meanwhile are kept in self.events."""
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._write, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        """The first event of that name (already received, or the next to come)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._message(deadline))

    def open(self, path: Path) -> None:
        """Load a local file and wait for its load event (every image decoded by then)."""
        self.call("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=True)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and browser log errors (blocked or failed loads)."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                out.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                out.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
        return out

    def requests(self) -> list[str]:
        """Every URL the page requested."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """A PNG of the page (the whole length of it with full_page)."""
        params: dict = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
            params |= {"captureBeyondViewport": True, "clip": {**size, "x": 0, "y": 0, "scale": 1}}
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: io.read_table(P.processed_dir / f"{name}.parquet") for name in html_report.INPUTS}


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    return html_report.write_report(P.processed_dir, P.figures_dir, out, P.event)


# --- the reading, from the tables --------------------------------------------------------------------------


def test_reading_gives_first_and_latest_figure_per_series(tables):
    text = html_report.reading(tables, P.event)
    assert text.startswith("5 articles from 4 outlets give 33 distinct figures with a time and a number for the "
                           "event itself, stated on 10 July 2007 (local time).")  # fmt: skip
    assert ("Militants killed: 20 at 07:00 (Agence France-Presse, own voice) first, about 50 at 19:00 (IANS, citing "
            "Waheed Arshad) latest.") in text  # fmt: skip
    assert "Security forces killed: 3 at 07:00 (Agence France-Presse, own voice) first, 8 at 19:00" in text
    assert "Mixed groups killed: 60 at 19:00 (IANS, own voice), the only figure." in text
    # killed before injured, as the chart's panels
    assert text.index("Militants killed") < text.index("Militants injured") < text.index("Civilians held")


def test_reading_names_the_widest_spread_between_outlets(tables):
    text = html_report.reading(tables, P.event)
    assert ("The outlets were furthest apart on civilians held (hostages, trapped): from 150 to 400 at 09:00 "
            "(2 outlets: Agence France-Presse; Pravda.Ru); the most conservative estimate then was 150 (Pravda.Ru).") in text  # fmt: skip
    assert "No outlet revised a figure" in text  # none in the bundled case


def test_biggest_revision_is_the_largest_move(tables):
    timeline = tables["toll_timeline"].copy()
    ids = timeline.set_index("figure_id")
    # pretend IANS's later figures revised AFP's: militants 20 -> about 50 (+30), soldiers 3 -> 8 (+5)
    for new, old in (("003_b6bca6c20c28e29c:1609", "002_786e792f34019fa1:196"),
                     ("003_b6bca6c20c28e29c:1506", "002_786e792f34019fa1:210")):  # fmt: skip
        at = timeline.index[timeline["figure_id"] == new]
        timeline.loc[at, "revises"] = f"{ids.loc[old, 'figure_text']} → {ids.loc[new, 'figure_text']}"
        timeline.loc[at, "revises_figure_id"] = old
    when = html_report.clock(html_report.event_figures(timeline), P.event.zone)
    assert html_report.biggest_revision(timeline, when) == (
        "The biggest revision: IANS moved its figure for militants killed (event) from 20 to about 50 at 19:00."
    )


def test_a_revision_from_a_word_with_no_number_is_never_the_biggest(tables):
    # the new-user Garissa run crashed here: a figure with neither bound ("many") has no size
    timeline = tables["toll_timeline"].copy()
    ids = timeline.set_index("figure_id")
    revisions = (("003_b6bca6c20c28e29c:1609", "002_786e792f34019fa1:196"),  # 20 -> about 50
                 ("003_b6bca6c20c28e29c:1506", "002_786e792f34019fa1:210"))  # 3 -> 8  # fmt: skip
    for new, old in revisions:
        at = timeline.index[timeline["figure_id"] == new]
        timeline.loc[at, "revises"] = f"{ids.loc[old, 'figure_text']} → {ids.loc[new, 'figure_text']}"
        timeline.loc[at, "revises_figure_id"] = old
    numberless = timeline.index[timeline["figure_id"] == "002_786e792f34019fa1:196"]
    timeline.loc[numberless, ["value_low", "value_high"]] = pd.NA  # AFP's 20 as if it were "many"
    when = html_report.clock(html_report.event_figures(timeline), P.event.zone)
    assert html_report.biggest_revision(timeline, when).startswith(
        "The biggest revision: IANS moved its figure for security forces killed (event) from 3 to 8"
    )


def test_no_spread_when_no_two_outlets_overlap(tables):
    alone = tables["toll_consensus"][tables["toll_consensus"]["n_outlets"] == 1]
    when = html_report.clock(html_report.event_figures(tables["toll_timeline"]), P.event.zone)
    assert html_report.widest_spread(alone, when).startswith("No two outlets gave a figure for the same series")


def test_a_second_day_is_named_in_every_time():
    moments = pd.DataFrame({"as_of": pd.to_datetime(["2007-07-10T02:00Z", "2007-07-11T03:00Z"], utc=True)})
    when = html_report.clock(moments, P.event.zone)
    assert when(moments["as_of"][0]) == "10 Jul 07:00" and when(moments["as_of"][1]) == "11 Jul 08:00"


def test_consensus_by_day_keeps_each_local_day_s_last_state_where_it_changes():
    from analysis.schemas import TollConsensus

    hours = pd.date_range("2007-07-09T19:00Z", periods=60, freq="h")  # from local midnight, 10 July, for 2.5 days
    records = [{"hour": h, "hours_since_event_start": float(i), "outcome": "killed", "group": "militants",
                "place": None, "n_outlets": 1 + (i >= 30), "outlets": "A" if i < 30 else "A; B", "lowest_figure": 20,
                "highest_figure": 20 if i < 30 else 50, "conservative_estimate": 20, "conservative_outlets": "A"}
               for i, h in enumerate(hours)]  # fmt: skip
    by_day = html_report.consensus_table(io.frame(records, TollConsensus), P.event.zone, "days")
    assert list(by_day["hour_local"]) == ["2007-07-10 23:00", "2007-07-11 23:00"]
    assert list(by_day["highest_figure"]) == [20, 50] and list(by_day["days_since_start"]) == [1.0, 2.0]


# --- the page: self-contained, deterministic, escaped --------------------------------------------------------


def test_page_is_self_contained(page):
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "@import" not in text and "url(" not in text
    sources = re.findall(r'(?:src|href)="([^"]*)"', text)
    assert sources and all(s.startswith("data:") for s in sources)  # no article URLs in the bundled manifest
    assert text.count('src="data:image/svg+xml;base64,') == 1
    assert html_report.CSP in text


def test_page_is_byte_deterministic_and_honours_the_umask(tmp_path, page):
    old = os.umask(0o077)
    try:
        again = html_report.write_report(P.processed_dir, P.figures_dir, tmp_path / "again.html", P.event)
    finally:
        os.umask(old)
    assert again.read_bytes() == page.read_bytes()
    assert again.stat().st_mode & 0o777 == 0o600


def test_every_figure_is_listed_with_its_sentence_and_source(tables):
    table = html_report.every_figure(tables, P.event, "hours")
    assert len(table) == len(tables["toll_timeline"])
    row = table[table["sentence"].str.contains("leaving 20 rebels", regex=False)
                & (table["series"] == "militants killed")].iloc[0]  # fmt: skip
    assert (row["outlet"], row["figure"], row["said_by"], row["in_the_chart"]) == (
        "Agence France-Presse (AFP)", "20", "own report", "yes")  # fmt: skip
    left_out = table[table["figure"] == "at least 67"].iloc[0]
    assert left_out["in_the_chart"] == "scope cumulative"


def test_article_links_only_to_web_addresses():
    assert html_report.article_link("https://example.org/a?b=1&c=2", "d1") == (
        '<a href="https://example.org/a?b=1&amp;c=2">d1</a>'
    )
    assert html_report.article_link("javascript:alert(1)", "d1") == "d1"
    assert html_report.article_link(None, "<d>") == "&lt;d&gt;"


def test_text_from_the_articles_is_escaped():
    df = pd.DataFrame({"sentence": ['<img src=x onerror="alert(1)">'], "n": [3]})
    out = html_report.html_table(df)
    assert "<img" not in out and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in out
    assert '<td class="num">3</td>' in out


def test_missing_figure_is_an_input_error_and_nothing_is_written(tmp_path):
    out = tmp_path / "report.html"
    with pytest.raises(io.InputError, match="toll_by_outlet_and_hour.svg: figure not found"):
        html_report.write_report(P.processed_dir, tmp_path / "no-figures", out, P.event)
    assert not out.exists()


def test_committed_report_is_current(page):
    committed = ROOT / "reports" / "report.html"
    assert committed.read_bytes() == page.read_bytes(), "reports/report.html is stale: run `dvc repro report`"


# --- in a browser ----------------------------------------------------------------------------------------------

PAGE_FACTS = """JSON.stringify({
  images: [...document.images].map(i => ({complete: i.complete, width: i.naturalWidth, shown: i.width})),
  headings: [...document.querySelectorAll('h2')].map(h => h.textContent),
  tables: [...document.querySelectorAll('table')].map(t => t.rows.length),
  reading: document.querySelector('p.reading').textContent,
  bold: document.querySelectorAll('p.reading b').length
})"""


def test_chromium_renders_the_figure_and_tables_without_errors(page, tables, tmp_path):
    with Browser() as browser:
        browser.open(page)
        facts = json.loads(browser.evaluate(PAGE_FACTS))
        shot = browser.screenshot(tmp_path / "report.png")
        problems, requests = browser.problems(), browser.requests()
    assert problems == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    (image,) = facts["images"]
    assert image["complete"] and image["width"] > 1000 and image["shown"] > 800
    assert facts["headings"] == ["Revisions", "The consensus by hour", "Every figure, with its sentence and source",
                                 "Parts of a toll"]  # fmt: skip
    consensus = html_report.consensus_table(tables["toll_consensus"], P.event.zone, "hours")
    # header row + one row per consensus change, per figure, per part
    assert facts["tables"] == [len(consensus) + 1, len(tables["toll_timeline"]) + 1, len(tables["toll_parts"]) + 1]
    assert facts["reading"] == html_report.reading(tables, P.event)
    assert facts["bold"] == 14  # one name per series
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[20:24], "big") > 3000  # the whole page


def test_the_browser_check_sees_errors_and_fetches(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png">'
                   '<script>console.error("broken"); undefinedFunction();</script></body></html>', encoding="utf-8")  # fmt: skip
    with Browser() as browser:
        browser.open(bad)
        problems, requests = browser.problems(), browser.requests()
    assert any("broken" in p for p in problems) and any("undefinedFunction" in p for p in problems)
    assert "http://127.0.0.1:9/x.png" in requests

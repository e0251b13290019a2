"""Property tests over the whole `extract` path: long news-like texts in, valid and consistent tables out."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.extract.claims import extract
from analysis.io import read_table

FRAGMENTS = [
    "Police said {n} people were killed in the blast.",
    "At least {n} militants died, the army said.",
    "Gen. A. B. Khan told reporters that {n} soldiers were wounded.",
    '"We have found {n} bodies," said Dr. J. Smith of the U.N. mission.',
    "On March 11, {n} people were injured, including {m} Britons.",
    "The death toll rose to {n} by 7 p.m. on Tuesday.",
    "About {n} hostages remained inside the hotel, officials said.",
    "Mr. Lee, 43, said {n} of them were children.",
    "The St. Louis-based group said 1 300 people fled; {n} were rescued.",
    "Earlier, {n} suspects were arrested in the city of Lyon.",
    "It rained. There was no news at 4 a.m. or at noon.",
    "\ufeffThe headline\r\nBy Staff\rLISBON - The bombing killed {n}.",
]

article = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(2, 9_999), st.integers(1, 1)), min_size=20, max_size=60
).map(lambda parts: " ".join(f.format(n=n, m=m) for f, n, m in parts))


def _corpus(folder: Path, texts: list[str]) -> Path:
    raw = folder / "raw"
    raw.mkdir(parents=True)
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "outlet", "published_on"])
        for k, text in enumerate(texts):
            (raw / f"d{k}.txt").write_text(text, encoding="utf-8", newline="")
            w.writerow([f"d{k}", f"Outlet {k % 3}", f"2020-03-0{2 + k % 3}T{10 + k}:15+01:00"])
    return raw


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(article, min_size=1, max_size=4))
def test_extract_on_long_news_like_texts_keeps_every_invariant(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("corpus")
    raw, out = _corpus(folder, texts), folder / "out"
    args = ["--raw-dir", str(raw), "--out-dir", str(out), "--timezone", "Europe/Lisbon"]
    assert main(["extract", *args, "--event-start", "2020-03-02T09:00", "--event-end", "2020-03-03T00:00"]) == 0
    tables = {n: read_table(out / f"{n}.parquet") for n in ("documents", "times", "claims", "sources")}
    assert len({t.attrs["corpus"] for t in tables.values()}) == 1  # one run, one fingerprint
    docs = tables["documents"].set_index("doc_id")
    claims = tables["claims"]
    for row in claims.itertuples():
        from analysis.stages.ingest import read_text

        text = read_text(raw / docs.loc[row.doc_id, "file"])[0]
        assert 0 <= row.start < row.end <= len(text) and text[row.start : row.end] == row.quantity_text
        if pd.notna(row.as_of):
            assert row.as_of_low <= row.as_of <= row.as_of_high
            assert row.as_of_high <= docs.loc[row.doc_id, "published_at"]  # nothing current after publication
    assert set(claims["doc_id"]) <= set(docs.index)
    assert claims["value_low"].dropna().le(10_000_000_000).all()
    # the same corpus again gives the same bytes
    again = folder / "again"
    assert main(["extract", *args[:2], "--out-dir", str(again), *args[4:], "--event-start", "2020-03-02T09:00",
                 "--event-end", "2020-03-03T00:00"]) == 0  # fmt: skip
    for name in ("claims", "times", "sources"):
        assert (out / f"{name}.parquet").read_bytes() == (again / f"{name}.parquet").read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toll=st.integers(1, 5000), found=st.integers(1, 5000), repeat=st.integers(1, 40))
def test_bodies_found_are_a_part_only_beside_a_larger_toll(toll, found, repeat):
    """'The toll rose to T after F bodies were recovered': F is a part of T when T > F, else a total, in any
    position of a long text."""
    # thousands with a comma: a bare four-digit number may be a year, never a count
    sentence = f"The death toll rose to {toll:,} after {found:,} bodies were recovered. "
    text = "Nothing happened here. " * repeat + sentence
    got = [(c.value_low, c.role, c.part_of) for c in extract(text)]
    at = text.index(sentence) + len("The death toll rose to ")
    if toll > found:
        assert got == [(toll, "total", None), (found, "part", at)]
    else:
        assert got == [(toll, "total", None), (found, "total", None)]

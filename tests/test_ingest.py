"""Ingest: manifest rules, bad inputs (clear error, nothing written), documents table, furniture."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, SEED_IDS, seed_text

from analysis import ingest
from analysis.cli import main
from analysis.furniture import find_furniture
from analysis.io import InputError
from analysis.schemas import Documents
from analysis.timeml import read_corpus


def _rewrite_manifest(raw: Path, edit) -> None:
    path = raw / "manifest.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    rows = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def test_manifest_lists_every_seed_with_dates():
    rows = ingest.read_manifest(RAW)
    assert [r.doc_id for r in rows] == SEED_IDS
    dates = {r.doc_id[:3]: r.published_on.isoformat() for r in rows}
    assert dates == {"000": "2007-07-06", **{f"00{i}": "2007-07-10" for i in range(1, 5)}}
    outlets = {r.doc_id[:3]: (r.outlet, r.agency) for r in rows}
    assert outlets["002"] == ("Agence France-Presse", "AFP")
    assert outlets["004"] == ("Pravda.Ru", "AP")
    assert outlets["000"] == ("Al Jazeera", None)


def test_ingest_writes_valid_documents(tmp_path):
    ingest.run(RAW, tmp_path)
    docs = pd.read_parquet(tmp_path / "documents.parquet")
    Documents.validate(docs, lazy=True)
    assert docs["doc_id"].tolist() == SEED_IDS
    by_id = docs.set_index(docs["doc_id"].str[:3])
    assert by_id.loc["001", "headline"] == "'Dozens dead' in Red Mosque assault"
    assert by_id.loc["003", "byline"] == "By IANS"
    assert by_id.loc["002", "dateline"] == "ISLAMABAD"
    assert by_id.loc["003", "dateline"] == "Islamabad/New Delhi"
    assert pd.isna(by_id.loc["000", "headline"])  # opens with a long sentence, not a headline
    assert by_id.loc["000", "n_chars"] == len(seed_text("000"))


# What furniture detection must find in each seed: (kind, first words of the span, last words).
EXPECTED_FURNITURE = {
    "000": [
        ("comment_box", "Your Views", "Send us\xa0your views"),
        ("caption", "The\xa0government\xa0has demanded", "surrender unconditionally [AFP]"),
    ],
    "001": [
        ("caption", "Ambulances rushing", "take away casualties [AFP]"),
        ("comment_box", "Your Views", "Send us your views"),
        ("teaser", "Interactive: Coding like a girl", "helped colour the country's identity."),
    ],
    "002": [],
    "003": [],
    "004": [("subscribe", "Subscribe to Pravda.Ru", "YouTube, RSS!")],
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED_FURNITURE))
def test_furniture_in_each_seed(prefix):
    text = seed_text(prefix)
    found = [(sp.kind, text[sp.start : sp.end]) for sp in find_furniture(text)]
    expected = EXPECTED_FURNITURE[prefix]
    assert len(found) == len(expected), found
    for (kind, span), (ekind, head, tail) in zip(found, expected, strict=True):
        assert kind == ekind
        assert span.startswith(head) and span.endswith(tail), span


def test_furniture_keeps_the_article():
    # the claims in 001 around the comment box stay outside furniture
    text = seed_text("001")
    spans = find_furniture(text)
    for phrase in ("around 30 children", "Hundreds remained inside", "nearly 2,000 followers"):
        pos = text.index(phrase)
        assert not any(sp.start <= pos < sp.end for sp in spans), phrase


def test_furniture_finds_nothing_in_timebank(timebank_dir):
    hits = [(d.doc_id, sp) for d in read_corpus(timebank_dir) for sp in find_furniture(d.text)]
    assert hits == []


def test_furniture_general_cues_on_unseen_layout():
    text = (
        "Five people died in the flood, officials said.\n\n"
        "Rescuers pulled 12 survivors from the river [Reuters]\n\n"
        "Have your say\nReaders write in.\nSend us your comments\n\n"
        "Follow us on Twitter for updates\n"
    )
    kinds = [sp.kind for sp in find_furniture(text)]
    assert kinds == ["caption", "comment_box", "subscribe"]


# --- bad input: a clear error naming the file and the problem, and nothing written ---


def _assert_fails(raw: Path, tmp_path: Path, *fragments: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        ingest.run(raw, out)
    for frag in fragments:
        assert frag in str(err.value), str(err.value)
    assert not out.exists() or not any(out.iterdir())


def test_not_utf8(raw_copy, tmp_path):
    (raw_copy / "002_786e792f34019fa1.txt").write_bytes(b"Agence\nFrance \xff\xfe Presse")
    _assert_fails(raw_copy, tmp_path, "002_786e792f34019fa1.txt", "not valid UTF-8", "line 2")


def test_empty_file(raw_copy, tmp_path):
    (raw_copy / "003_b6bca6c20c28e29c.txt").write_bytes(b"  \n")
    _assert_fails(raw_copy, tmp_path, "003_b6bca6c20c28e29c.txt", "empty")


def test_file_without_manifest_row(raw_copy, tmp_path):
    (raw_copy / "005_extra.txt").write_text("Ten people died.", encoding="utf-8")
    _assert_fails(raw_copy, tmp_path, "005_extra.txt", "no manifest row")


def test_manifest_row_without_file(raw_copy, tmp_path):
    (raw_copy / "004_14a8191fc3539fc6.txt").unlink()
    _assert_fails(raw_copy, tmp_path, "manifest.csv, line 6", "004_14a8191fc3539fc6.txt", "not found")


def test_duplicate_doc_id(raw_copy, tmp_path):
    _rewrite_manifest(raw_copy, lambda rows: rows + [rows[1]])
    _assert_fails(raw_copy, tmp_path, "line 7", "duplicate doc_id", "first on line 3")


@pytest.mark.parametrize("bad", ["10/07/2007", "2007-13-01", "2007-07-10T04:00", ""])
def test_malformed_date(raw_copy, tmp_path, bad):
    def edit(rows):
        rows[2]["published_on"] = bad
        return rows

    _rewrite_manifest(raw_copy, edit)
    _assert_fails(raw_copy, tmp_path, "manifest.csv, line 4", "not an ISO date")


def test_missing_manifest(raw_copy, tmp_path):
    (raw_copy / "manifest.csv").unlink()
    _assert_fails(raw_copy, tmp_path, "manifest.csv", "manifest not found")


def test_manifest_without_file_column_uses_doc_id(tmp_path):
    raw = tmp_path / "corpus"
    raw.mkdir()
    (raw / "a1.txt").write_text("Two soldiers were killed on Monday.", encoding="utf-8")
    (raw / "manifest.csv").write_text("doc_id,outlet,published_on\na1,Example News,2020-01-06\n", encoding="utf-8")
    ingest.run(raw, tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs.loc[0, "file"] == "a1.txt" and pd.isna(docs.loc[0, "agency"])


def test_existing_outputs_survive_a_failed_run(raw_copy, tmp_path):
    out = tmp_path / "out"
    ingest.run(raw_copy, out)
    before = (out / "documents.parquet").read_bytes()
    (raw_copy / "000_6c29411ee84dcfa5.txt").write_bytes(b"")
    with pytest.raises(InputError):
        ingest.run(raw_copy, out)
    assert (out / "documents.parquet").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["documents.parquet", "furniture.parquet"]


def test_cli_reports_bad_input_and_exits_2(raw_copy, tmp_path, capsys):
    (raw_copy / "001_44019b8f78dfa651.txt").write_bytes(b"")
    code = main(["ingest", "--raw-dir", str(raw_copy), "--out-dir", str(tmp_path / "o")])
    assert code == 2
    assert "001_44019b8f78dfa651.txt: file is empty" in capsys.readouterr().err

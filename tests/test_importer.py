"""`python -m analysis import`: a CSV or JSON Lines export of articles -> raw/<id>.txt + the manifest ingest reads."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import seed_text

from analysis import importer
from analysis.cli import main
from analysis.io import InputError
from analysis.stages import ingest

SEEDS = {"000": "Al Jazeera", "002": "Agence France-Presse", "004": "Pravda.Ru"}


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def _seed_rows() -> list[list[str]]:
    return [
        [f"s{k}", outlet, f"2007-07-10 0{n}:30", seed_text(k), f"https://example.org/{k}"]
        for n, (k, outlet) in enumerate(SEEDS.items())
    ]


def test_a_csv_of_real_articles_becomes_texts_and_a_manifest_ingest_reads(tmp_path, capsys):
    src = _write_csv(tmp_path / "articles.csv", ["id", "outlet", "published", "text", "url", "section"],
                     [[*row, "world"] for row in _seed_rows()])  # fmt: skip
    assert main(["import", str(src), "--into", str(tmp_path / "ev")]) == 0
    raw = tmp_path / "ev" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == ["manifest.csv", "s000.txt", "s002.txt", "s004.txt"]
    # each text byte for byte as the export holds it (CRLF and all: offsets index the file)
    for k in SEEDS:
        assert (raw / f"s{k}.txt").read_bytes() == seed_text(k).encode("utf-8")
    rows = ingest.read_manifest(raw, "manifest.csv", "Asia/Karachi")
    assert [(r.doc_id, r.file, r.outlet, r.url) for r in rows] == [
        ("s000", "s000.txt", "Al Jazeera", "https://example.org/000"),
        ("s002", "s002.txt", "Agence France-Presse", "https://example.org/002"),
        ("s004", "s004.txt", "Pravda.Ru", "https://example.org/004"),
    ]
    # '2007-07-10 01:30', a spreadsheet's ISO, is naive: 01:30 in Karachi (UTC+5) is 20:30 UTC the day before
    assert rows[1].published_on == date(2007, 7, 10)
    assert rows[1].published_at == datetime(2007, 7, 9, 20, 30, tzinfo=UTC)
    err = capsys.readouterr().err
    assert "import: 3 articles" in err and "columns not used: section" in err


def test_json_lines_with_renamed_columns_numeric_ids_and_rss_dates(tmp_path):
    lines = [
        {"guid": 17, "source": "Wire Two", "pubDate": "Tue, 10 Jul 2007 06:22:00 +0500", "body": "Twelve died.",
         "link": "https://w2.example/17", "credit": "AP"},
        {"guid": "18", "source": "Daily One", "pubDate": "2007-07-10T09:00Z", "body": "Police said 31 died.\n"},
    ]  # fmt: skip
    src = tmp_path / "feed.ndjson"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    cols = importer.Columns(id="guid", outlet="source", published="pubDate", text="body", url="link", agency="credit")
    importer.import_articles(src, tmp_path / "ev", cols)
    raw = tmp_path / "ev" / "raw"
    manifest = (raw / "manifest.csv").read_text(encoding="utf-8")
    assert manifest == (
        "doc_id,outlet,published_on,agency,url\n"
        "17,Wire Two,2007-07-10T06:22+05:00,AP,https://w2.example/17\n"
        "18,Daily One,2007-07-10T09:00Z,,\n"
    )
    assert (raw / "18.txt").read_text(encoding="utf-8") == "Police said 31 died.\n"
    row = ingest.read_manifest(raw)[0]
    assert (row.agency, row.published_at) == ("AP", datetime(2007, 7, 10, 1, 22, tzinfo=UTC))


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["s9", "", "2007-07-10", "Text."], "line 6: empty outlet (column 'outlet')"),
        (["s9", "Wire", "yesterday", "Text."], "line 6: published time 'yesterday' is not an ISO date"),
        (["s9", "Wire", "2007-13-10", "Text."], "line 6: published time '2007-13-10' is not an ISO date"),
        (["s9", "Wire", "1807-07-10", "Text."], "line 6: published time '1807-07-10' is out of range"),
        (["s9", "Wire", "2007-07-10", "  \n "], "line 6: empty text (column 'text')"),
        (["../s9", "Wire", "2007-07-10", "Text."], "line 6: id '../s9' starts with '.'"),
        (["a/b", "Wire", "2007-07-10", "Text."], "line 6: id 'a/b' contains '/'"),
        (["a\\b", "Wire", "2007-07-10", "Text."], "line 6: id 'a\\\\b' contains '\\\\'"),
        (["a\tb", "Wire", "2007-07-10", "Text."], "line 6: id 'a\\tb' contains an invisible or control character"),
        (["S0", "Wire", "2007-07-10", "Text."], "line 6: id 'S0' is already the id of line 2"),
        (["s9", "Wire", "2007-07-10"], "line 6: 3 cells for the header's 4 columns"),
    ],
)
def test_a_bad_row_is_an_error_naming_its_line_and_nothing_is_written(tmp_path, cells, message):
    # the second record's text runs over lines 3 and 4, so the bad record starts on line 6
    rows = [["s0", "Wire", "2007-07-10", "One."], ["s1", "Wire", "2007-07-10", "Two,\nover two lines."],
            ["s2", "Wire", "2007-07-10", "Three."], cells]  # fmt: skip
    src = _write_csv(tmp_path / "a.csv", ["id", "outlet", "published", "text"], rows)
    with pytest.raises(InputError) as err:
        importer.import_articles(src, tmp_path / "ev")
    assert str(err.value).startswith(f"{src}, ") and message in str(err.value)
    assert not (tmp_path / "ev" / "raw").exists() or not any((tmp_path / "ev" / "raw").iterdir())


def test_missing_columns_name_the_flag_to_map_them(tmp_path, capsys):
    src = _write_csv(tmp_path / "a.csv", ["guid", "outlet", "date", "body"], [["1", "W", "2007-07-10", "T."]])
    assert main(["import", str(src), "--into", str(tmp_path / "ev")]) == 2
    err = capsys.readouterr().err
    assert "no column 'id' (id), 'published' (published), 'text' (text)" in err
    assert "columns found: 'guid', 'outlet', 'date', 'body'" in err and "--id-column" in err
    assert main(["import", str(src), "--into", str(tmp_path / "ev"), "--id-column", "guid",
                 "--published-column", "date", "--text-column", "body"]) == 0  # fmt: skip
    assert (tmp_path / "ev" / "raw" / "1.txt").read_text(encoding="utf-8") == "T."


def test_bad_json_lines_name_their_line(tmp_path):
    src = tmp_path / "a.jsonl"
    good = json.dumps({"id": "a", "outlet": "W", "published": "2007-07-10", "text": "T."})
    src.write_text(f"{good}\n\n{{'id': 'b'}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.jsonl, line 3: not valid JSON"):
        importer.import_articles(src, tmp_path / "ev")
    src.write_text(f"{good}\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: a JSON object with the article's fields is needed, found list"):
        importer.import_articles(src, tmp_path / "ev")
    src.write_text(json.dumps({"id": "a", "outlet": ["W"], "published": "2007-07-10", "text": "T."}), encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: outlet \(column 'outlet'\) is list, not text"):
        importer.import_articles(src, tmp_path / "ev")


def test_an_import_never_mixes_into_a_corpus_already_there(tmp_path):
    src = _write_csv(tmp_path / "a.csv", ["id", "outlet", "published", "text"], [["a", "W", "2007-07-10", "T."]])
    raw = tmp_path / "ev" / "raw"
    raw.mkdir(parents=True)
    (raw / "manifest.csv").write_text("doc_id,outlet,published_on,agency,url\n", encoding="utf-8")  # init's template
    importer.import_articles(src, tmp_path / "ev")
    assert (raw / "a.txt").is_file() and "a,W,2007-07-10" in (raw / "manifest.csv").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="already holds 1 text"):
        importer.import_articles(src, tmp_path / "ev")
    (raw / "a.txt").unlink()
    with pytest.raises(InputError, match="already lists 1 document"):
        importer.import_articles(src, tmp_path / "ev")


def test_unknown_suffix_and_empty_files_are_clear_errors(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("id,outlet\n", encoding="utf-8")
    with pytest.raises(InputError, match="give --format csv or jsonl"):
        importer.import_articles(src, tmp_path / "ev")
    src = _write_csv(tmp_path / "b.csv", ["id", "outlet", "published", "text"], [])
    with pytest.raises(InputError, match="no articles in the file"):
        importer.import_articles(src, tmp_path / "ev")


def test_published_forms():
    assert importer.published_iso("2007-07-10") == "2007-07-10"
    assert importer.published_iso(" 2007-07-10 06:22:05+05:00 ") == "2007-07-10T06:22:05+05:00"
    assert importer.published_iso("Tue, 10 Jul 2007 06:22:00 GMT") == "2007-07-10T06:22+00:00"
    assert importer.published_iso("10 Jul 2007 06:22:00 -0000") == "2007-07-10T06:22"  # -0000: zone unknown
    with pytest.raises(ValueError, match="nor RFC 2822"):
        importer.published_iso("July 10, 2007")

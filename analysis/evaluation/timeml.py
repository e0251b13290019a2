"""Read TimeML (TimeBank / TempEval-3) files: plain text, creation time and gold TIMEX3 spans."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GoldTimex:
    """One gold TIMEX3 with offsets into the document's plain text."""

    tid: str
    start: int
    end: int
    text: str
    timex_type: str
    value: str


@dataclass(frozen=True)
class TimeMLDoc:
    """A TimeML document reduced to what the project uses."""

    doc_id: str
    text: str
    dct: str  # creation time value, e.g. "1998-02-27T07:56:00" or "1998-02-27"
    timexes: tuple[GoldTimex, ...]

    @property
    def published_on(self) -> str:
        """The creation date as an ISO date."""
        return self.dct[:10]


def _walk(node: ET.Element, parts: list[str], timexes: list[GoldTimex], pos: int) -> int:
    """Append the text under node to parts, recording TIMEX3 offsets; return the new position."""
    start = pos
    if node.text:
        parts.append(node.text)
        pos += len(node.text)
    for child in node:
        pos = _walk(child, parts, timexes, pos)
        if child.tail:
            parts.append(child.tail)
            pos += len(child.tail)
    if node.tag == "TIMEX3":
        text = "".join(parts)[start:pos]
        timexes.append(
            GoldTimex(
                tid=node.get("tid", ""),
                start=start,
                end=pos,
                text=text,
                timex_type=node.get("type", ""),
                value=node.get("value", ""),
            )
        )
    return pos


def read_timeml(path: str | Path) -> TimeMLDoc:
    """Parse one .tml file; the plain text is the content of <TEXT> with every tag removed."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{path}: not valid TimeML XML ({exc})") from exc
    text_node = root.find("TEXT")
    if text_node is None:
        raise ValueError(f"{path}: no <TEXT> element")
    dct_node = root.find("DCT/TIMEX3")
    if dct_node is None or not dct_node.get("value"):
        raise ValueError(f"{path}: no creation time (DCT/TIMEX3 value)")
    parts: list[str] = []
    timexes: list[GoldTimex] = []
    # the TEXT node itself is not a TIMEX3, so its own span is never recorded
    _walk(text_node, parts, timexes, 0)
    doc_id = (root.findtext("DOCID") or path.stem).strip()
    timexes.sort(key=lambda t: (t.start, t.end))
    return TimeMLDoc(doc_id=doc_id, text="".join(parts), dct=dct_node.get("value"), timexes=tuple(timexes))


def read_corpus(folder: str | Path) -> list[TimeMLDoc]:
    """Read every .tml file in folder, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: TimeML corpus folder not found")
    return [read_timeml(p) for p in sorted(folder.glob("*.tml"))]

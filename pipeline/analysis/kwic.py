"""Keyword in context across the corpus, from SQLite FTS5 over the segmented sentences.

The segment stage indexes each sentence as its jieba words joined by spaces, so a
search term is segmented the same way and matched as a phrase of whole words: 待遇
finds 待遇 but not 优待遇见. Each hit carries its document, the innermost unit that
holds it (with the unit's label) and the text on either side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipeline.records import Document, Unit


@dataclass(frozen=True)
class KwicLine:
    """One occurrence of a term, with its context and where it stands."""

    doc_id: str
    source: str
    place: str
    unit_id: str | None
    label: str | None
    left: str
    match: str
    right: str


def fts_phrase(words: Iterable[str]) -> str:
    """An FTS5 phrase query for the given words (quotes escaped)."""
    cleaned = [w.replace('"', '""') for w in words if w.strip()]
    return '"' + " ".join(cleaned) + '"' if cleaned else '""'


def place_of(doc: Document) -> str:
    """A document's place as one string ("unknown" when it has none)."""
    return "".join(filter(None, (doc.region.province, doc.region.city,
                                 doc.region.county))) or "unknown"


def innermost_unit(units: list[Unit], start: int, end: int) -> Unit | None:
    """The deepest unit whose span holds [start, end)."""
    holding = [u for u in units if u.start <= start and end <= u.end]
    return max(holding, key=lambda u: (u.level, u.start), default=None)


def kwic_lines(hits: Iterable[tuple[str, int, int]], term: str,
               document: Callable[[str], Document], units_of: Callable[[str], list[Unit]],
               *, width: int = 30, label: str | None = None,
               place: str | None = None) -> list[KwicLine]:
    """Turn sentence hits into keyword-in-context lines, filtered by label and place."""
    lines = []
    for doc_id, start, end in hits:
        doc = document(doc_id)
        where = place_of(doc)
        if place and place not in where:
            continue
        unit = innermost_unit(units_of(doc_id), start, end)
        if label and (unit is None or unit.label != label):
            continue
        sentence = doc.text[start:end]
        at = sentence.find(term)
        if at < 0:
            continue
        absolute = start + at
        lines.append(KwicLine(
            doc_id=doc_id, source=doc.source, place=where,
            unit_id=unit.unit_id if unit else None, label=unit.label if unit else None,
            left=doc.text[max(0, absolute - width):absolute].replace("\n", " "),
            match=term,
            right=doc.text[absolute + len(term):absolute + len(term) + width].replace("\n", " "),
        ))
    return lines

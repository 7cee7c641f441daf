"""Typed records passed between stages.

Every stage reads and writes these frozen dataclasses (through the store), never
loose dicts or tuples, so a reader can see what a stage consumes and produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class Region:
    """A report's place: official full names and the most specific admin code."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None

    @property
    def level(self) -> str | None:
        """'county', 'city', 'province' or None, the most specific level known."""
        if self.county:
            return "county"
        if self.city:
            return "city"
        if self.province:
            return "province"
        return None


@dataclass(frozen=True)
class Extracted:
    """Raw text pulled out of one file, before cleaning."""

    text: str
    fmt: str  # txt | docx | pdf | html
    encoding: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. "undecodable bytes replaced: 3"
    title: str | None = None  # a title the format carries outside the text (html <title>)


@dataclass(frozen=True)
class Cleaned:
    """Cleaned simplified text with a map back to the raw text.

    ``offsets[i]`` is the index in the raw text of cleaned character ``i``;
    ``offsets`` has ``len(text) + 1`` entries so spans map too.
    """

    text: str
    offsets: Sequence[int]  # an array("q") from Tracked
    script: str = "simplified"  # simplified | traditional (of the original)
    captions: tuple[tuple[int, int], ...] = ()  # spans in ``text`` that are figure/table captions
    removed: tuple[str, ...] = ()  # a short sample of what was dropped, for the log
    title_hint: str | None = None  # a title read off site chrome (本文标题:…), if any


@dataclass(frozen=True)
class Metadata:
    """What ingest reads off a document's text."""

    title: str | None = None
    region: Region = field(default_factory=Region)
    year: int | None = None
    authors: tuple[str, ...] = ()
    placeholders: bool = False


@dataclass(frozen=True)
class Document:
    """One report, as written to docs.jsonl."""

    doc_id: str
    source: str
    status: str  # ok | error | duplicate
    text: str = ""
    title: str | None = None
    region: Region = field(default_factory=Region)
    year: int | None = None
    authors: tuple[str, ...] = ()
    script: str = "simplified"
    placeholders: bool = False
    error: str | None = None
    duplicate_of: str | None = None
    fmt: str | None = None
    encoding: str | None = None
    warnings: tuple[str, ...] = ()
    captions: tuple[tuple[int, int], ...] = ()
    note: str | None = None  # why a duplicate is one (and which copy was kept)


@dataclass(frozen=True)
class CorpusFile:
    """One file of the corpus as ingest plans it: readable source name, real path, hash."""

    source: str  # path under the corpus, decoded for display (GBK names included)
    path: str  # the real path (may hold undecodable bytes as surrogates)
    file_sha: str
    mtime: float = 0.0


@dataclass(frozen=True)
class IngestedPart:
    """One report of a file (or the file's error), as ingest computes and caches it."""

    part: int  # 1-based position in its file
    parts: int  # how many reports the file held
    status: str  # ok | error
    file_sha: str | None = None
    text: str = ""
    error: str | None = None
    title: str | None = None
    region: Region = field(default_factory=Region)
    year: int | None = None
    authors: tuple[str, ...] = ()
    script: str = "simplified"
    placeholders: bool = False
    fmt: str | None = None
    encoding: str | None = None
    warnings: tuple[str, ...] = ()
    captions: tuple[tuple[int, int], ...] = ()
    offset_runs: tuple[tuple[int, int, int], ...] = ()  # (clean start, raw start, length)

    def source_of(self, file_source: str) -> str:
        """The document's source: the file's path, with ``#N`` for a part of a split file."""
        return file_source if self.parts == 1 else f"{file_source}#{self.part}"

    def to_json(self) -> dict:
        """A cacheable dict of the part."""
        # what ``asdict`` gives, without its deep copy of every offset run (the main
        # process did that for each file while the workers waited for it)
        plain = {f.name: getattr(self, f.name) for f in fields(self)}
        plain["region"] = asdict(self.region)
        return plain

    @classmethod
    def from_json(cls, data: dict) -> IngestedPart:
        """Rebuild a cached part."""
        return cls(**{
            **data, "region": Region(**data.get("region") or {}),
            "authors": tuple(data.get("authors") or ()),
            "warnings": tuple(data.get("warnings") or ()),
            "captions": tuple(tuple(c) for c in data.get("captions") or ()),
            "offset_runs": tuple(tuple(r) for r in data.get("offset_runs") or ()),
        })


@dataclass(frozen=True)
class UnitSpan:
    """One unit found by the structure parser, before ids and labels.

    ``parent`` is the index of the parent span in the returned list, or None.
    ``kind`` is heading | enum | paragraph | part.
    """

    start: int
    end: int
    level: int
    marker: str
    headline: str
    kind: str
    parent: int | None = None


@dataclass(frozen=True)
class Unit:
    """A unit of a document, as written to units.jsonl."""

    doc_id: str
    unit_id: str
    parent_id: str | None
    level: int
    marker: str
    headline: str
    start: int
    end: int
    kind: str
    label: str | None = None
    label_score: float | None = None

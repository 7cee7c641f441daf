"""What the comparison report shows: the contract between the stage that fills it and the
HTML writer (``pipeline.outputs.report_html``).

Everything is a frozen dataclass of str, int, float, None and tuples, so ``to_json()`` is
plain ``dataclasses.asdict`` and ``ReportData.from_json`` rebuilds an equal value.

Conventions the filling stage keeps:

- A place is its full name from the province down ("四川省巴中市", "甘肃省张掖市临泽县");
  ``UNKNOWN_PLACE`` for documents with no place.
- Counts (``n_docs``) are complete; ``evidence`` tuples are examples behind a count, not
  every unit: the stage keeps a few per item (one per document first, ``EVIDENCE_LIMIT``
  in total) so that the report stays a few megabytes at thousands of documents.
- A quote is short: a unit's headline or its first sentence, trimmed to about
  ``QUOTE_CHARS`` characters.
- Theme ids are unique across both kinds (e.g. "p12", "c7"); graph node ids are theme ids.

Invented data of this shape, for demos and tests: ``pipeline.outputs.report_example``.
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Union, get_args, get_origin, get_type_hints

SCHEMA_VERSION = 1
UNKNOWN_PLACE = "unknown"
EVIDENCE_LIMIT = 20  # examples kept per cell, edge or theme by the filling stage
QUOTE_CHARS = 200
PROBLEM = "problem"
COUNTERMEASURE = "countermeasure"


@dataclass(frozen=True)
class PlaceCount:
    """Documents in one place or within it (a province counts its cities' documents)."""

    place: str
    level: str  # province | city | county | unknown
    n_docs: int


@dataclass(frozen=True)
class YearCount:
    """Documents of one year (``year`` None: no year found)."""

    year: int | None
    n_docs: int


@dataclass(frozen=True)
class StatusCount:
    """How many corpus files or parts ended with one ingest status (ok, error, duplicate…)."""

    status: str
    n: int


@dataclass(frozen=True)
class IngestIssue:
    """One file or part that ingest did not keep, with its one-line reason."""

    source: str
    status: str  # error | skipped | duplicate
    reason: str
    doc_id: str | None = None


@dataclass(frozen=True)
class CorpusOverview:
    """The corpus at a glance: documents by place and year, and what ingest made of it."""

    n_documents: int
    places: tuple[PlaceCount, ...] = ()
    years: tuple[YearCount, ...] = ()
    statuses: tuple[StatusCount, ...] = ()
    issues: tuple[IngestIssue, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One unit of one document behind a number: where it is and what it says."""

    doc_id: str
    source: str  # the document's file under the corpus ("巴中/2019调研.docx#2")
    unit_id: str
    quote: str


@dataclass(frozen=True)
class Theme:
    """A cross-report theme of problem units or of countermeasure units."""

    theme_id: str
    kind: str  # problem | countermeasure
    label: str
    n_docs: int
    terms: tuple[str, ...] = ()  # the words that characterise it, most telling first


@dataclass(frozen=True)
class MatrixCell:
    """Documents of ``place`` naming ``theme_id``, with examples of the units that do."""

    place: str
    theme_id: str
    n_docs: int
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class PlaceThemeMatrix:
    """Place × theme document counts of one kind; cells absent from ``cells`` are zero."""

    kind: str  # problem | countermeasure
    places: tuple[str, ...]  # row order: most documents first
    themes: tuple[Theme, ...]  # column order: most documents first
    cells: tuple[MatrixCell, ...] = ()


@dataclass(frozen=True)
class GraphNode:
    """A theme as a node of the problem → countermeasure graph."""

    node_id: str
    kind: str  # problem | countermeasure
    label: str
    size: int  # units in the theme
    n_docs: int
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeEvidence:
    """One report's problem unit and the countermeasure unit it links to that problem."""

    doc_id: str
    source: str
    place: str
    problem_unit: str
    problem_quote: str
    countermeasure_unit: str
    countermeasure_quote: str


@dataclass(frozen=True)
class GraphEdge:
    """Reports that answer problem theme ``source`` with countermeasure theme ``target``."""

    source: str
    target: str
    weight: float  # the graph stage's edge weight (linked unit pairs, copies counted once)
    n_docs: int
    n_places: int
    evidence: tuple[EdgeEvidence, ...] = ()

    @property
    def edge_id(self) -> str:
        """The id the report's script and ``data-edge`` attributes use: ``source->target``."""
        return edge_id(self.source, self.target)


@dataclass(frozen=True)
class ThemeGraph:
    """Problem themes linked to the countermeasure themes reports propose for them."""

    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[GraphEdge, ...] = ()


@dataclass(frozen=True)
class TopicSummary:
    """A topic of the topic model: its label, its top terms and passages that load on it."""

    topic_id: int
    label: str
    terms: tuple[str, ...] = ()
    examples: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class TopicPrevalence:
    """Estimated share of one topic in one place's documents, with an interval."""

    topic_id: int
    label: str
    place: str
    mean: float
    low: float
    high: float
    n_docs: int = 0  # documents of the place the estimate rests on


@dataclass(frozen=True)
class DistinctiveTheme:
    """A theme one place names that few or no other places do."""

    place: str
    theme_id: str
    kind: str
    label: str
    n_docs: int  # documents of this place naming it
    n_other_places: int  # other places naming it (0: only this one)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class UnansweredProblem:
    """A problem theme that no report links to any countermeasure."""

    theme_id: str
    label: str
    n_docs: int
    places: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class DocChange:
    """A document the latest run added, changed, removed or failed on."""

    doc_id: str
    source: str
    change: str  # added | changed | removed | failed
    reason: str = ""


@dataclass(frozen=True)
class EdgeRef:
    """A graph edge named by its ends (new edges in the changelog)."""

    source: str
    target: str


@dataclass(frozen=True)
class Changelog:
    """What the latest (nightly) run changed compared with the run before it."""

    run_date: str  # ISO 8601
    previous_run_date: str | None = None
    documents: tuple[DocChange, ...] = ()
    new_themes: tuple[Theme, ...] = ()
    new_edges: tuple[EdgeRef, ...] = ()
    new_places: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything the comparison report shows, as one JSON-serialisable value."""

    run_date: str  # ISO 8601 date-time of the run the report describes
    corpus: CorpusOverview
    problem_matrix: PlaceThemeMatrix
    countermeasure_matrix: PlaceThemeMatrix
    graph: ThemeGraph = ThemeGraph()
    topics: tuple[TopicSummary, ...] = ()
    prevalence: tuple[TopicPrevalence, ...] = ()
    distinctive: tuple[DistinctiveTheme, ...] = ()
    unanswered: tuple[UnansweredProblem, ...] = ()
    changelog: Changelog | None = None
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists and scalars (tuples become lists)."""
        return _plain(self)

    def to_json(self) -> str:
        """Compact UTF-8 JSON (Chinese kept as characters, not \\u escapes)."""
        return joined_json(field_json(self))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ReportData:
        """Rebuild a ReportData from ``to_dict()`` output or parsed ``to_json()``."""
        return _build(cls, raw)

    @classmethod
    def from_json(cls, text: str) -> ReportData:
        """Rebuild a ReportData from ``to_json()`` output."""
        return cls.from_dict(json.loads(text))


def plain_json(plain: dict[str, Any]) -> str:
    """``to_json()`` of the ReportData whose ``to_dict()`` is ``plain``."""
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def field_json(data: ReportData) -> dict[str, str]:
    """Each field of ``data`` as the compact JSON ``to_json()`` holds for it, in field order.

    Encoded straight from the dataclasses (json's C encoder asks ``_fields_of`` for each
    one) rather than through ``to_dict()``: a thousand reports' data is ~400,000 values,
    and the report stage needs the JSON twice (its key leaves out the date and changelog),
    which ``joined_json`` of these parts gives without encoding anything again.
    """
    return {name: _compact(getattr(data, name)) for name in _field_names(ReportData)}


def joined_json(parts: dict[str, str]) -> str:
    """The JSON object of ``parts`` (name → encoded value): ``plain_json`` of the values."""
    return "{" + ",".join(f"{_compact(name)}:{value}" for name, value in parts.items()) + "}"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_fields_of)


def _fields_of(value: Any) -> dict[str, Any]:
    if is_dataclass(value) and not isinstance(value, type):
        return {name: getattr(value, name) for name in _field_names(type(value))}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies of every leaf (a report of a
    thousand reports holds ~250,000 values: asdict spent seconds copying strings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def edge_id(source: str, target: str) -> str:
    """The id of the edge from problem theme ``source`` to countermeasure theme ``target``."""
    return f"{source}->{target}"


def _build(cls: type, raw: dict[str, Any]) -> Any:
    """An instance of dataclass ``cls`` from a dict, nested values decoded by type hint."""
    hints = get_type_hints(cls)
    kwargs = {f.name: _decode(hints[f.name], raw[f.name]) for f in fields(cls) if f.name in raw}
    return cls(**kwargs)


def _decode(hint: Any, value: Any) -> Any:
    """``value`` as the type ``hint`` names: dataclasses rebuilt, lists made tuples."""
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        # Only ``X | None`` occurs in this module, so the one non-None member decides.
        (inner,) = [arg for arg in get_args(hint) if arg is not type(None)]
        return _decode(inner, value)
    if origin is tuple:
        item_hint = get_args(hint)[0]
        return tuple(_decode(item_hint, item) for item in value)
    if is_dataclass(hint):
        return _build(hint, value)
    return value

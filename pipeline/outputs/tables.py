"""Tabular exports a researcher opens in Excel, pandas, R or Gephi: views of the store.

Every table has fixed columns with fixed types (documented in the README's "Tables"
and in ``TABLE_COLUMNS``); column names are stable across versions — new columns
are only ever added at the end. CSV is UTF-8 with a BOM so Excel opens Chinese
correctly; Parquet (pyarrow, an optional extra) keeps the types; JSONL is one object
a row.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.records import Document

# name → ((column, type), …); types: string, int, float, bool (nullable everywhere)
TABLE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "docs": (
        ("doc_id", "string"), ("source", "string"), ("status", "string"), ("title", "string"),
        ("province", "string"), ("city", "string"), ("county", "string"), ("code", "string"),
        ("place", "string"), ("year", "int"), ("authors", "string"), ("script", "string"),
        ("placeholders", "bool"), ("error", "string"), ("duplicate_of", "string"),
        ("format", "string"), ("encoding", "string"), ("chars", "int"),
    ),
    "units": (
        ("doc_id", "string"), ("unit_id", "string"), ("parent_id", "string"), ("level", "int"),
        ("marker", "string"), ("headline", "string"), ("start", "int"), ("end", "int"),
        ("kind", "string"), ("label", "string"), ("label_score", "float"), ("theme", "string"),
    ),
    "links": (
        ("doc_id", "string"), ("source_unit", "string"), ("target_unit", "string"),
        ("score", "float"), ("reasons", "string"),
    ),
    "topics": (
        ("model", "string"), ("item_id", "string"), ("doc_id", "string"), ("topic", "int"),
        ("weight", "float"),
    ),
    "themes": (
        ("theme_id", "string"), ("kind", "string"), ("label", "string"), ("size", "int"),
        ("n_docs", "int"), ("places", "string"),
    ),
    "county_theme": (
        ("province", "string"), ("city", "string"), ("county", "string"), ("place", "string"),
        ("theme_id", "string"), ("kind", "string"), ("theme_label", "string"),
        ("n_units", "int"), ("n_docs", "int"),
    ),
}
FORMATS = ("csv", "parquet", "jsonl")
UNKNOWN_PLACE = "unknown"


def place_of(doc: Document) -> str:
    """A document's place as one string ("unknown" when it has none)."""
    return "".join(filter(None, (doc.region.province, doc.region.city,
                                 doc.region.county))) or UNKNOWN_PLACE


def table_rows(store: Any, name: str) -> Iterator[tuple[Any, ...]]:
    """Rows of one table, in the order of ``TABLE_COLUMNS[name]``."""
    return _ROWS[name](store)


def _doc_rows(store: Any) -> Iterator[tuple[Any, ...]]:
    for d in store.iter_documents():
        r = d.region
        yield (d.doc_id, d.source, d.status, d.title, r.province, r.city, r.county, r.code,
               place_of(d) if d.status == "ok" else None, d.year, "、".join(d.authors),
               d.script, d.placeholders, d.error, d.duplicate_of, d.fmt, d.encoding,
               len(d.text))


def _unit_rows(store: Any) -> Iterator[tuple[Any, ...]]:
    themes = store.get_unit_themes()
    for u in store.iter_units():
        yield (u.doc_id, u.unit_id, u.parent_id, u.level, u.marker, u.headline, u.start,
               u.end, u.kind, u.label, u.label_score, themes.get(u.unit_id, (None, None))[0])


def _link_rows(store: Any) -> Iterator[tuple[Any, ...]]:
    for doc_id, source, target, score, reasons in store.iter_links():
        yield doc_id, source, target, score, "; ".join(reasons)


def _topic_rows(store: Any) -> Iterator[tuple[Any, ...]]:
    models = [name for name, _key, _data in store.iter_results("topics:")]
    for model in models:
        for item_id, doc_id, weights in store.iter_item_topics(model):
            for topic, weight in enumerate(weights):
                yield model, item_id, doc_id, topic, weight


def _theme_rows(store: Any) -> Iterator[tuple[Any, ...]]:
    for theme_id, kind, label, info in store.iter_themes():
        yield (theme_id, kind, label, info.get("size"), info.get("n_docs"),
               "、".join(info.get("places", [])))


def _county_theme_rows(store: Any) -> Iterator[tuple[Any, ...]]:
    """Place × theme: how many units and documents of each place fall in each theme."""
    docs = {d.doc_id: d for d in store.iter_documents(status="ok", with_text=False)}
    themes = {t[0]: t for t in store.iter_themes()}
    places = {doc_id: place_of(doc) for doc_id, doc in docs.items()}  # once, not per unit
    units: Counter[tuple[str, str]] = Counter()
    doc_sets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _unit_id, doc_id, _kind, theme_id, _score in store.iter_unit_themes():
        if theme_id is None or doc_id not in docs:
            continue
        key = (doc_id, theme_id)
        units[key] += 1
        doc_sets[(places[doc_id], theme_id)].add(doc_id)
    totals: Counter[tuple[str, str]] = Counter()
    for (doc_id, theme_id), count in units.items():
        totals[(places[doc_id], theme_id)] += count
    first_doc = {places[d.doc_id]: d for d in reversed(list(docs.values()))}
    for (place, theme_id), count in sorted(totals.items()):
        region = first_doc[place].region if place != UNKNOWN_PLACE else None
        _id, kind, label, _info = themes.get(theme_id, (theme_id, None, None, {}))
        yield (region.province if region else None, region.city if region else None,
               region.county if region else None, place, theme_id, kind, label, count,
               len(doc_sets[(place, theme_id)]))


_ROWS = {"docs": _doc_rows, "units": _unit_rows, "links": _link_rows, "topics": _topic_rows,
         "themes": _theme_rows, "county_theme": _county_theme_rows}


def write_table(path: Path, name: str, rows: Iterable[tuple[Any, ...]], fmt: str) -> int:
    """Write one table as csv (UTF-8 with BOM), parquet or jsonl; returns the row count."""
    columns = TABLE_COLUMNS[name]
    rows = list(rows)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c for c, _ in columns])
            writer.writerows(["" if v is None else v for v in row] for row in rows)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(dict(zip([c for c, _ in columns], row, strict=True)),
                                        ensure_ascii=False) + "\n")
    elif fmt == "parquet":
        write_parquet(path, columns, rows)
    else:
        raise ValueError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    return len(rows)


def write_parquet(path: Path, columns: tuple[tuple[str, str], ...],
                  rows: list[tuple[Any, ...]]) -> None:
    """Write rows with an explicit Arrow schema (types stay stable even for empty tables)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise RuntimeError("Parquet needs pyarrow: pip install 'diaoyan[research]'") from exc
    arrow_types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(),
                   "bool": pa.bool_()}
    schema = pa.schema([(name, arrow_types[kind]) for name, kind in columns])
    data = {name: [row[i] for row in rows] for i, (name, _) in enumerate(columns)}
    pq.write_table(pa.table(data, schema=schema), path)


def export_tables(store: Any, folder: Path, fmt: str,
                  names: Iterable[str] = tuple(TABLE_COLUMNS)) -> dict[str, int]:
    """Write the named tables into ``folder`` as ``<name>.<fmt>``; returns row counts."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: write_table(folder / f"{name}.{fmt}", name, table_rows(store, name), fmt)
            for name in names}


def write_stage_exports(store: Any, folder: Path) -> int:
    """Write the files stages rendered into the store (topics.json, graph.gexf …), copied
    chunk by chunk; CSV files get a BOM so that Excel reads them as UTF-8."""
    count = 0
    for _name, file_name, chunks in store.iter_result_export_chunks():
        with (folder / file_name).open("wb") as handle:
            if file_name.endswith(".csv"):
                handle.write(codecs.BOM_UTF8)
            for chunk in chunks:
                handle.write(chunk)
        count += 1
    return count


def write_county_theme_csv(store: Any, folder: Path) -> int:
    """The place × theme table every run exports (county_theme.csv)."""
    return write_table(folder / "county_theme.csv", "county_theme",
                       table_rows(store, "county_theme"), "csv")

"""The store's schema: registered migrations, applied in order and recorded once.

Each entry is (name, SQL); a new table or column is a new entry at the end, never an
edit of an old one, so every existing store upgrades itself (as sqlite-utils does).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

from pipeline.records import Document, Region

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE documents (
            doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, status TEXT NOT NULL,
            text TEXT NOT NULL DEFAULT '', title TEXT, province TEXT, city TEXT, county TEXT,
            code TEXT, year INTEGER, authors TEXT, script TEXT, placeholders INTEGER,
            error TEXT, duplicate_of TEXT, fmt TEXT, encoding TEXT, warnings TEXT,
            captions TEXT, content_hash TEXT, ord INTEGER
        );
        CREATE TABLE ingest_cache (
            file_key TEXT PRIMARY KEY, source TEXT NOT NULL, payload TEXT NOT NULL,
            created REAL NOT NULL
        );
        CREATE TABLE offsets (doc_id TEXT PRIMARY KEY, data BLOB NOT NULL);
        CREATE TABLE signatures (content_hash TEXT PRIMARY KEY, data BLOB NOT NULL);
        CREATE TABLE work (
            stage TEXT NOT NULL, item TEXT NOT NULL, key TEXT NOT NULL,
            PRIMARY KEY (stage, item)
        );
        CREATE TABLE units (
            unit_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, parent_id TEXT, level INTEGER,
            marker TEXT, headline TEXT, start INTEGER, end INTEGER, kind TEXT,
            label TEXT, label_score REAL, ord INTEGER
        );
        CREATE INDEX units_doc ON units(doc_id, ord);
        CREATE TABLE sentences (
            doc_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER, end INTEGER,
            PRIMARY KEY (doc_id, idx)
        );
        CREATE TABLE tokens (doc_id TEXT PRIMARY KEY, data BLOB NOT NULL);
        CREATE TABLE models (name TEXT PRIMARY KEY, key TEXT, data BLOB, info TEXT);
        CREATE TABLE runs (
            run_id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL, ended REAL,
            status TEXT, command TEXT, config_hash TEXT, config TEXT, versions TEXT,
            seeds TEXT, stages TEXT
        );
        CREATE TABLE run_files (
            run_id INTEGER, source TEXT, outcome TEXT, reason TEXT,
            PRIMARY KEY (run_id, source)
        );
        """,
    ),
    (
        "0002_doc_errors",
        """
        CREATE TABLE doc_errors (
            stage TEXT NOT NULL, doc_id TEXT NOT NULL, key TEXT NOT NULL, reason TEXT NOT NULL,
            PRIMARY KEY (stage, doc_id)
        );
        """,
    ),
    (
        "0003_document_note_and_skipped",
        """
        ALTER TABLE documents ADD COLUMN note TEXT;
        CREATE TABLE skipped_files (source TEXT PRIMARY KEY, reason TEXT NOT NULL);
        """,
    ),
    (
        "0004_analysis",
        """
        CREATE TABLE links (
            doc_id TEXT NOT NULL, source_unit TEXT NOT NULL, target_unit TEXT NOT NULL,
            score REAL, reasons TEXT, PRIMARY KEY (source_unit, target_unit)
        );
        CREATE INDEX links_doc ON links(doc_id);
        CREATE TABLE themes (theme_id TEXT PRIMARY KEY, kind TEXT, label TEXT, info TEXT);
        CREATE TABLE unit_themes (
            unit_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, kind TEXT, theme_id TEXT, score REAL
        );
        CREATE INDEX unit_themes_doc ON unit_themes(doc_id);
        CREATE TABLE item_topics (
            model TEXT NOT NULL, item_id TEXT NOT NULL, doc_id TEXT NOT NULL, weights TEXT,
            PRIMARY KEY (model, item_id)
        );
        CREATE INDEX item_topics_doc ON item_topics(doc_id);
        CREATE TABLE results (name TEXT PRIMARY KEY, key TEXT, data TEXT);
        """,
    ),
    (
        "0005_sentence_search",
        """
        CREATE VIRTUAL TABLE sentence_fts USING fts5(
            words, doc_id UNINDEXED, start UNINDEXED, end UNINDEXED, tokenize='unicode61'
        );
        """,
    ),
    (
        "0006_reviews",
        """
        CREATE TABLE reviews (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, unit_id TEXT NOT NULL, label TEXT NOT NULL,
            coder TEXT, note TEXT, file TEXT, at REAL
        );
        CREATE INDEX reviews_unit ON reviews(unit_id);
        """,
    ),
    (
        # A result's rendered files (graph.gexf, report.html …) apart from its data, so that
        # reading a result's key or data does not parse tens of megabytes of export text.
        "0007_result_exports",
        """
        CREATE TABLE result_exports (
            name TEXT NOT NULL, file TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (name, file)
        );
        INSERT INTO result_exports SELECT results.name, part.key, part.value
            FROM results, json_each(results.data, '$.exports') AS part
            WHERE json_valid(results.data) AND json_type(results.data, '$.exports') = 'object';
        UPDATE results SET data = json_remove(data, '$.exports')
            WHERE json_valid(data) AND json_type(data, '$.exports') = 'object'
        """,
    ),
]

# Tables whose rows derive from one document (dropped with it, or when it turns duplicate).
DERIVED_TABLES = ("units", "sentences", "tokens", "doc_errors", "links", "unit_themes",
                  "item_topics")


def document_row(doc: Document, content_hash: str | None, ord_: int) -> dict[str, Any]:
    """Flatten a Document into a documents-table row."""
    row = asdict(doc)
    region = row.pop("region")
    row.update(region)
    row["authors"] = json.dumps(list(doc.authors), ensure_ascii=False)
    row["warnings"] = json.dumps(list(doc.warnings), ensure_ascii=False)
    row["captions"] = json.dumps([list(c) for c in doc.captions])
    row["placeholders"] = int(doc.placeholders)
    row["content_hash"] = content_hash
    row["ord"] = ord_
    return row


def document_from_row(row: sqlite3.Row) -> Document:
    """Rebuild a Document from a documents-table row."""
    return Document(
        doc_id=row["doc_id"], source=row["source"], status=row["status"], text=row["text"],
        title=row["title"],
        region=Region(row["province"], row["city"], row["county"], row["code"]),
        year=row["year"], authors=tuple(json.loads(row["authors"] or "[]")),
        script=row["script"] or "simplified", placeholders=bool(row["placeholders"]),
        error=row["error"], duplicate_of=row["duplicate_of"], fmt=row["fmt"],
        encoding=row["encoding"], warnings=tuple(json.loads(row["warnings"] or "[]")),
        captions=tuple(tuple(c) for c in json.loads(row["captions"] or "[]")),
        note=row["note"],
    )

"""The store's analysis tables: sentence search, links, themes, topic weights, results.

A mixin of :class:`pipeline.store.Store` (all SQL stays in the store modules); it uses
the connection the store opened.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from pipeline.records import Unit

# Rendered files move between disk and the store in pieces of this size, so that a
# 150 MB graph.gexf at 10,000 reports never sits in memory as one string.
EXPORT_CHUNK = 1 << 20
# Unit's columns in its field order: units are read as plain tuples (a sqlite3.Row looked
# up by name per column took half the read of 120,000 units)
UNIT_FIELDS = ", ".join(f"u.{f.name}" for f in fields(Unit))


class AnalysisTables:
    """Methods over the tables the analysis stages (segment search, topics, graph) write."""

    conn: sqlite3.Connection

    # -- keyword search over segmented sentences ------------------------------------------
    def replace_sentence_words(self, doc_id: str,
                               rows: Iterable[tuple[int, int, str]]) -> None:
        """Index one document's sentences (start, end, space-joined words) for search."""
        self.delete_sentence_words([doc_id])
        self.add_sentence_words(doc_id, rows)

    def delete_sentence_words(self, doc_ids: Iterable[str]) -> None:
        """Drop the search rows of several documents in one pass.

        FTS5 cannot index its doc_id column, so each DELETE scans the whole table: one
        statement per batch of documents, never one per document (quadratic at 10,000).
        """
        ids = json.dumps(list(doc_ids))
        if ids != "[]":
            self.conn.execute("DELETE FROM sentence_fts WHERE doc_id IN "
                              "(SELECT value FROM json_each(?))", (ids,))

    def add_sentence_words(self, doc_id: str, rows: Iterable[tuple[int, int, str]]) -> None:
        """Index one document's sentences; its old rows must be gone already."""
        self.conn.executemany("INSERT INTO sentence_fts (words, doc_id, start, end) "
                              "VALUES (?, ?, ?, ?)", [(w, doc_id, s, e) for s, e, w in rows])

    def search_sentences(self, query: str, limit: int) -> Iterator[tuple[str, int, int]]:
        """(doc_id, start, end) of sentences matching an FTS5 query, in document order."""
        rows = self.conn.execute(
            "SELECT f.doc_id, f.start, f.end FROM sentence_fts f JOIN documents d "
            "USING (doc_id) WHERE sentence_fts MATCH ? AND d.status='ok' "
            "ORDER BY d.ord, f.start LIMIT ?", (query, limit))
        yield from ((d, int(s), int(e)) for d, s, e in rows)


    # -- analysis: links, themes, topic weights, corpus-level results -------------------
    def replace_links(self, doc_id: str,
                      links: Iterable[tuple[str, str, float, list[str]]]) -> None:
        """Replace one document's problem → countermeasure links."""
        self.conn.execute("DELETE FROM links WHERE doc_id=?", (doc_id,))
        self.conn.executemany(
            "INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, ?)",
            [(doc_id, s, t, score, json.dumps(list(r), ensure_ascii=False))
             for s, t, score, r in links])

    def iter_links(self) -> Iterator[tuple[str, str, str, float, list[str]]]:
        """(doc_id, source_unit, target_unit, score, reasons) in document order."""
        rows = self.conn.execute(
            "SELECT l.* FROM links l JOIN documents d USING (doc_id) "
            "ORDER BY d.ord, l.source_unit, l.target_unit")
        for doc_id, source, target, score, reasons in rows:
            yield doc_id, source, target, score, json.loads(reasons or "[]")

    def replace_themes(self, themes: Iterable[tuple[str, str, str, dict[str, Any]]],
                       assignments: Iterable[tuple[str, str, str, str | None, float | None]]
                       ) -> None:
        """Replace all themes (id, kind, label, info) and unit → theme assignments."""
        self.conn.execute("DELETE FROM themes")
        self.conn.execute("DELETE FROM unit_themes")
        self.conn.executemany("INSERT INTO themes VALUES (?, ?, ?, ?)",
                              [(i, k, lab, json.dumps(info, ensure_ascii=False))
                               for i, k, lab, info in themes])
        self.conn.executemany("INSERT OR REPLACE INTO unit_themes VALUES (?, ?, ?, ?, ?)",
                              list(assignments))

    def iter_themes(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """(theme_id, kind, label, info) of every theme."""
        for theme_id, kind, label, info in self.conn.execute(
                "SELECT * FROM themes ORDER BY kind, theme_id"):
            yield theme_id, kind, label, json.loads(info or "{}")

    def iter_unit_themes(self) -> Iterator[tuple[str, str, str, str | None, float | None]]:
        """(unit_id, doc_id, kind, theme_id or None, score) of every clustered unit."""
        yield from self.conn.execute("SELECT * FROM unit_themes ORDER BY doc_id, unit_id")

    def get_unit_themes(self) -> dict[str, tuple[str | None, float | None]]:
        """unit_id → (theme_id or None when unassigned, score)."""
        return {u: (t, s) for u, _d, _k, t, s in self.conn.execute("SELECT * FROM unit_themes")}

    def iter_theme_members(self) -> Iterator[tuple[str, Unit]]:
        """(theme_id, unit) of every unit in a theme, in ``iter_unit_themes`` order: only
        the units a theme holds, read in one join."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            f"SELECT t.theme_id, {UNIT_FIELDS} FROM unit_themes t JOIN units u USING (unit_id) "
            "WHERE t.theme_id IS NOT NULL AND t.theme_id != '' ORDER BY t.doc_id, t.unit_id")
        for theme_id, *row in rows:
            yield theme_id, Unit(*row)

    def iter_unit_json_lines(self) -> Iterator[str]:
        """units.jsonl's lines (``export.unit_json`` with each unit's theme), made by
        SQLite: at 10,000 reports Python objects for 400,000 units cost seconds."""
        rows = self.conn.execute(
            "SELECT json_object('doc_id', u.doc_id, 'unit_id', u.unit_id, "
            "'parent_id', u.parent_id, 'level', u.level, 'marker', u.marker, "
            "'headline', u.headline, 'start', u.start, 'end', u.end, 'kind', u.kind, "
            "'label', u.label, 'label_score', round(u.label_score, 4), 'theme', t.theme_id) "
            "FROM units u JOIN documents d USING (doc_id) "
            "LEFT JOIN unit_themes t ON t.unit_id = u.unit_id ORDER BY d.ord, u.ord")
        yield from (line for (line,) in rows)

    def replace_item_topics(self, model: str, rows: Iterable[tuple[str, str, list[float]]],
                            keep_others: bool = False) -> None:
        """Store topic weights of modelling items (item_id, doc_id, weights) for a model."""
        if not keep_others:
            self.conn.execute("DELETE FROM item_topics WHERE model=?", (model,))
        self.conn.executemany("INSERT OR REPLACE INTO item_topics VALUES (?, ?, ?, ?)",
                              [(model, i, d, json.dumps(w)) for i, d, w in rows])

    def iter_item_topics(self, model: str) -> Iterator[tuple[str, str, list[float]]]:
        """(item_id, doc_id, weights) of a topic model's items."""
        for item, doc, weights in self.conn.execute(
                "SELECT item_id, doc_id, weights FROM item_topics WHERE model=? ORDER BY item_id",
                (model,)):
            yield item, doc, json.loads(weights)

    def put_result(self, name: str, key: str, data: Any,
                   files: Mapping[str, Path] | None = None) -> None:
        """Store a corpus-level result (JSON-ready) under a name and the key it was made for;
        its ``exports`` (file name → text) and ``files`` (file name → path of a rendered
        file, copied in chunks) are kept apart (``get_result_exports``)."""
        exports = data.get("exports") if isinstance(data, dict) else None
        if isinstance(exports, dict):
            data = {k: v for k, v in data.items() if k != "exports"}
        self.conn.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                          (name, key, json.dumps(data, ensure_ascii=False, sort_keys=True)))
        self.conn.execute("DELETE FROM result_exports WHERE name=?", (name,))
        self.conn.executemany("INSERT INTO result_exports VALUES (?, ?, ?)",
                              [(name, file, text) for file, text in (exports or {}).items()])
        for file, path in sorted((files or {}).items()):
            self._put_export_file(name, file, Path(path))

    def _put_export_file(self, name: str, file: str, path: Path) -> None:
        """Copy a rendered file into ``result_exports`` chunk by chunk (as UTF-8 bytes)."""
        row = self.conn.execute("INSERT INTO result_exports VALUES (?, ?, zeroblob(?))",
                                (name, file, path.stat().st_size)).lastrowid
        with self.conn.blobopen("result_exports", "text", row, readonly=False) as blob, \
                path.open("rb") as handle:
            while chunk := handle.read(EXPORT_CHUNK):
                blob.write(chunk)

    def iter_results(self, prefix: str) -> Iterator[tuple[str, str, Any]]:
        """(name, key, data) of the stored results whose name starts with ``prefix``."""
        rows = self.conn.execute("SELECT name, key, data FROM results WHERE name LIKE ? "
                                 "ORDER BY name", (prefix.replace("%", "") + "%",))
        for name, key, data in rows:
            yield name, key, json.loads(data)

    def get_result(self, name: str) -> tuple[str, Any] | None:
        """(key, data) of a stored corpus-level result (without its exports)."""
        row = self.conn.execute("SELECT key, data FROM results WHERE name=?", (name,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def get_result_key(self, name: str) -> str | None:
        """The key a stored result was made for, without reading its data."""
        row = self.conn.execute("SELECT key FROM results WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def get_result_exports(self, name: str) -> dict[str, str]:
        """file name → text of the files a stored result rendered."""
        return {file: _text(text) for file, text in self.conn.execute(
            "SELECT file, text FROM result_exports WHERE name=? ORDER BY file", (name,))}

    def iter_result_export_chunks(self) -> Iterator[tuple[str, str, Iterator[bytes]]]:
        """(result name, file name, its UTF-8 bytes in chunks) of every rendered file, for
        writing large exports without holding them in memory; read each file's chunks
        before moving to the next."""
        rows = self.conn.execute(
            "SELECT name, file, rowid FROM result_exports ORDER BY name, file").fetchall()
        for name, file, row in rows:
            yield name, file, self._export_chunks(row)

    def _export_chunks(self, row: int) -> Iterator[bytes]:
        with self.conn.blobopen("result_exports", "text", row) as blob:
            while chunk := blob.read(EXPORT_CHUNK):
                yield chunk

    def get_result_export_json(self, name: str, file: str) -> Any:
        """One rendered JSON file of a stored result, parsed (None when there is none)."""
        row = self.conn.execute("SELECT text FROM result_exports WHERE name=? AND file=?",
                                (name, file)).fetchone()
        return json.loads(row[0]) if row else None

    def iter_result_export_items(self, name: str, file: str, path: str,
                                 fields: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """Chosen fields of the elements of one JSON array (``path``, e.g. ``$.links``) in a
        rendered file, read by SQLite without parsing the whole file in Python."""
        columns = ", ".join("json_extract(part.value, ?)" for _ in fields)
        rows = self.conn.execute(
            f"SELECT {columns} FROM result_exports, "  # noqa: S608 (placeholders only)
            "json_each(CAST(result_exports.text AS TEXT), ?) AS part "
            "WHERE result_exports.name=? AND result_exports.file=? ORDER BY part.id",
            (*(f"$.{f}" for f in fields), path, name, file))
        yield from (tuple(row) for row in rows)


def _text(value: str | bytes) -> str:
    """A stored export as text (files copied in chunks are stored as UTF-8 bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else value

"""The SQLite store: one database per output folder, all SQL lives here.

Tables hold documents, units, segmented tokens, models, per-stage work keys and
run provenance; every export is a view of them. Schema changes are small
registered migrations recorded in the ``migrations`` table (as sqlite-utils does).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.records import Document, Unit
from pipeline.store_analysis import UNIT_FIELDS, AnalysisTables
from pipeline.store_runs import RunRecords
from pipeline.store_schema import (  # noqa: F401  (row mappers re-exported)
    DERIVED_TABLES,
    MIGRATIONS,
    document_from_row,
    document_row,
)

STORE_FILENAME = "diaoyan.sqlite"



DOC_COLUMNS = (
    "doc_id source status text title province city county code year authors script "
    "placeholders error duplicate_of fmt encoding warnings captions content_hash ord note"
).split()
UNIT_COLUMNS = (
    "unit_id doc_id parent_id level marker headline start end kind label label_score ord"
).split()


class StoreDamaged(RuntimeError):
    """The store file is not a usable database; the message says what to do."""


class Store(AnalysisTables, RunRecords):
    """A thin typed layer over one SQLite database."""

    def __init__(self, path: Path | str, *, read_only: bool = False):
        self.path = str(path)
        self.read_only = read_only
        try:
            self.conn = _connect(self.path, read_only)
            self.conn.row_factory = sqlite3.Row
            if not read_only:
                if self.path != ":memory:":
                    self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
            else:
                self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreDamaged(damaged_message(self.path, exc)) from None

    @classmethod
    def for_output(cls, out_dir: Path) -> Store:
        """Open (creating if needed) the store of an output folder."""
        out_dir.mkdir(parents=True, exist_ok=True)
        return cls(out_dir / STORE_FILENAME)

    @classmethod
    def for_reading(cls, out_dir: Path) -> Store:
        """Open an output folder's store read-only (for users who can only read OUT)."""
        return cls(out_dir / STORE_FILENAME, read_only=True)

    def quick_check(self) -> str | None:
        """None when ``PRAGMA quick_check`` finds the database sound, else its first complaint."""
        try:
            answer = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return None if answer == "ok" else str(answer)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def _migrate(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, at REAL)")
        done = {row[0] for row in self.conn.execute("SELECT name FROM migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                for statement in filter(str.strip, sql.split(";")):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block inside one transaction; roll back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- work keys: "has this stage already done this item with this key?" ------------
    def get_work_key(self, stage: str, item: str) -> str | None:
        """The key under which ``stage`` last finished ``item``, if any."""
        row = self.conn.execute(
            "SELECT key FROM work WHERE stage=? AND item=?", (stage, item)
        ).fetchone()
        return row[0] if row else None

    def get_work_keys(self, stage: str) -> dict[str, str]:
        """All items a stage has finished, with their keys."""
        rows = self.conn.execute("SELECT item, key FROM work WHERE stage=?", (stage,))
        return {item: key for item, key in rows}

    def put_work_key(self, stage: str, item: str, key: str) -> None:
        """Record that ``stage`` finished ``item`` under ``key``."""
        self.conn.execute("INSERT OR REPLACE INTO work VALUES (?, ?, ?)", (stage, item, key))

    def delete_work(self, stage: str, items: Iterable[str] | None = None) -> None:
        """Forget a stage's work (all of it, or for some items)."""
        if items is None:
            self.conn.execute("DELETE FROM work WHERE stage=?", (stage,))
        else:
            self.conn.executemany(
                "DELETE FROM work WHERE stage=? AND item=?", [(stage, i) for i in items]
            )

    # -- ingest cache: per-file results keyed by file hash + ingest config -------------
    def get_ingest_cache(self, file_key: str) -> list[dict[str, Any]] | None:
        """Cached ingest result (list of document dicts) for a file key."""
        row = self.conn.execute(
            "SELECT payload FROM ingest_cache WHERE file_key=?", (file_key,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put_ingest_cache(self, file_key: str, source: str, docs: list[dict[str, Any]]) -> None:
        """Cache the documents one file produced."""
        self.conn.execute(
            "INSERT OR REPLACE INTO ingest_cache VALUES (?, ?, ?, ?)",
            (file_key, source, json.dumps(docs, ensure_ascii=False), time.time()),
        )

    def prune_ingest_cache(self, keep_keys: set[str]) -> int:
        """Drop cache entries for files no longer in the corpus; returns how many."""
        keys = [row[0] for row in self.conn.execute("SELECT file_key FROM ingest_cache")]
        stale = [k for k in keys if k not in keep_keys]
        self.conn.executemany("DELETE FROM ingest_cache WHERE file_key=?", [(k,) for k in stale])
        return len(stale)

    # -- documents ---------------------------------------------------------------------
    def replace_documents(self, docs: list[Document], hashes: dict[str, str | None]) -> None:
        """Make the documents table exactly ``docs`` (in order); drop dependents of removed ones."""
        new_ids = {d.doc_id for d in docs}
        old_ids = {row[0] for row in self.conn.execute("SELECT doc_id FROM documents")}
        self.delete_documents(old_ids - new_ids)
        for ord_, doc in enumerate(docs):
            row = document_row(doc, hashes.get(doc.doc_id), ord_)
            self.conn.execute(
                f"INSERT OR REPLACE INTO documents ({','.join(DOC_COLUMNS)}) "
                f"VALUES ({','.join('?' * len(DOC_COLUMNS))})",
                [row[c] for c in DOC_COLUMNS],
            )

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Delete documents and everything derived from them."""
        ids = [(d,) for d in doc_ids]
        for table in ("documents", "offsets", *DERIVED_TABLES):
            self.conn.executemany(f"DELETE FROM {table} WHERE doc_id=?", ids)
        self.delete_sentence_words(d for (d,) in ids)  # one scan, not one per document
        self.conn.executemany("DELETE FROM work WHERE item=?", ids)

    def iter_documents(self, status: str | None = None,
                       with_text: bool = True) -> Iterator[Document]:
        """Documents in corpus order, optionally only those with ``status``; with
        ``with_text=False`` their text is left empty (metadata readers skip reading
        megabytes of text)."""
        sql = "SELECT * FROM documents" if with_text else "SELECT {} FROM documents".format(
            ", ".join("'' AS text" if c == "text" else c for c in DOC_COLUMNS))
        args: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status=?"
            args = (status,)
        for row in self.conn.execute(sql + " ORDER BY ord", args):
            yield document_from_row(row)

    def get_content_hashes(self) -> dict[str, str]:
        """doc_id → hash of the cleaned text, for documents that have text."""
        rows = self.conn.execute(
            "SELECT doc_id, content_hash FROM documents WHERE content_hash IS NOT NULL"
        )
        return {doc_id: h for doc_id, h in rows}

    def put_offsets(self, doc_id: str, data: bytes) -> None:
        """Store the compressed cleaned→raw offset map of a document."""
        self.conn.execute("INSERT OR REPLACE INTO offsets VALUES (?, ?)", (doc_id, data))

    def get_offsets(self, doc_id: str) -> bytes | None:
        """The compressed offset map of a document."""
        row = self.conn.execute("SELECT data FROM offsets WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def get_signature(self, content_hash: str) -> bytes | None:
        """A cached MinHash signature for a cleaned text."""
        row = self.conn.execute(
            "SELECT data FROM signatures WHERE content_hash=?", (content_hash,)
        ).fetchone()
        return row[0] if row else None

    def put_signature(self, content_hash: str, data: bytes) -> None:
        """Cache a MinHash signature."""
        self.conn.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?)", (content_hash, data))

    # -- units and sentences -----------------------------------------------------------
    def replace_units(self, doc_id: str, units: list[Unit]) -> None:
        """Replace all units of one document."""
        self.conn.execute("DELETE FROM units WHERE doc_id=?", (doc_id,))
        self.conn.executemany(
            f"INSERT INTO units ({','.join(UNIT_COLUMNS)}) "
            f"VALUES ({','.join('?' * len(UNIT_COLUMNS))})",
            [[*(getattr(u, c) for c in UNIT_COLUMNS[:-1]), i] for i, u in enumerate(units)],
        )

    def iter_units(self, doc_id: str | None = None,
                   doc_ids: Sequence[str] | None = None) -> Iterator[Unit]:
        """Units of one document (or of some, or all, grouped by document order)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples in Unit's field order (``UNIT_FIELDS``)
        if doc_ids is not None:
            # one JSON parameter, not one per id: a chunk may hold more ids than SQLite's limit
            rows = cursor.execute(f"SELECT {UNIT_FIELDS} FROM units u "
                                  "JOIN documents d USING (doc_id) "
                                  "WHERE doc_id IN (SELECT value FROM json_each(?)) "
                                  "ORDER BY d.ord, u.ord", (json.dumps(list(doc_ids)),))
        elif doc_id is None:
            rows = cursor.execute(f"SELECT {UNIT_FIELDS} FROM units u "
                                  "JOIN documents d USING (doc_id) ORDER BY d.ord, u.ord")
        else:
            rows = cursor.execute(f"SELECT {UNIT_FIELDS} FROM units u WHERE doc_id=? ORDER BY ord",
                                  (doc_id,))
        for row in rows:
            yield Unit(*row)

    def iter_unit_outlines(self) -> Iterator[tuple[str, str, str | None, str, bool]]:
        """(doc_id, unit_id, parent_id, headline, labelled) of every unit, in document order:
        what a pass over the whole corpus needs of its units, without building them."""
        rows = self.conn.execute("SELECT doc_id, unit_id, parent_id, headline, "
                                 "label IS NOT NULL FROM units u JOIN documents d USING (doc_id) "
                                 "ORDER BY d.ord, u.ord")
        for doc_id, unit_id, parent_id, headline, labelled in rows:
            yield doc_id, unit_id, parent_id, headline, bool(labelled)

    def put_labels(self, labels: Iterable[tuple[str, str, float]]) -> None:
        """Set (unit_id, label, score) on existing units."""
        self.conn.executemany(
            "UPDATE units SET label=?, label_score=? WHERE unit_id=?",
            [(label, score, unit_id) for unit_id, label, score in labels],
        )

    def replace_sentences(self, doc_id: str, spans: list[tuple[int, int]]) -> None:
        """Replace the sentence spans of one document."""
        self.conn.execute("DELETE FROM sentences WHERE doc_id=?", (doc_id,))
        self.conn.executemany(
            "INSERT INTO sentences VALUES (?, ?, ?, ?)",
            [(doc_id, i, s, e) for i, (s, e) in enumerate(spans)],
        )

    def iter_sentences(self, doc_id: str) -> Iterator[tuple[int, int]]:
        """Sentence spans (start, end) of a document, in order."""
        rows = self.conn.execute(
            "SELECT start, end FROM sentences WHERE doc_id=? ORDER BY idx", (doc_id,)
        )
        yield from ((s, e) for s, e in rows)

    # -- tokens and models -------------------------------------------------------------
    def put_tokens(self, doc_id: str, data: bytes) -> None:
        """Store the serialized segmented Doc of a document."""
        self.conn.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?)", (doc_id, data))

    def get_tokens(self, doc_id: str) -> bytes | None:
        """The serialized segmented Doc of a document."""
        row = self.conn.execute("SELECT data FROM tokens WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def put_model(self, name: str, key: str, data: bytes, info: dict[str, Any]) -> None:
        """Store a trained model under a name, with the key it was trained for."""
        self.conn.execute(
            "INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?)",
            (name, key, data, json.dumps(info, ensure_ascii=False)),
        )

    def get_model(self, name: str) -> tuple[str, bytes, dict[str, Any]] | None:
        """(key, data, info) of a stored model."""
        row = self.conn.execute("SELECT key, data, info FROM models WHERE name=?", (name,))
        found = row.fetchone()
        return (found[0], found[1], json.loads(found[2])) if found else None

    def replace_skipped(self, skipped: Iterable[tuple[str, str]]) -> None:
        """Make the list of corpus files skipped as not reports exactly ``skipped``."""
        self.conn.execute("DELETE FROM skipped_files")
        self.conn.executemany("INSERT OR REPLACE INTO skipped_files VALUES (?, ?)", skipped)

    def iter_skipped(self) -> Iterator[tuple[str, str]]:
        """(source, reason) of corpus files that are not reports."""
        yield from self.conn.execute("SELECT source, reason FROM skipped_files ORDER BY source")

    # -- per-document failures of a stage ------------------------------------------------
    def put_doc_error(self, stage: str, doc_id: str, key: str, reason: str) -> None:
        """Record that ``stage`` failed on a document (under the key it would have written)."""
        self.conn.execute("INSERT OR REPLACE INTO doc_errors VALUES (?, ?, ?, ?)",
                          (stage, doc_id, key, reason))

    def clear_doc_error(self, stage: str, doc_id: str) -> None:
        """Forget a stage's failure on a document (it succeeded or the document went)."""
        self.conn.execute("DELETE FROM doc_errors WHERE stage=? AND doc_id=?", (stage, doc_id))

    def iter_doc_errors(self) -> Iterator[tuple[str, str, str, str]]:
        """(stage, doc_id, key, reason) of every recorded per-document failure."""
        yield from self.conn.execute("SELECT stage, doc_id, key, reason FROM doc_errors")

    def drop_derived(self, doc_ids: Iterable[str], keep_documents: bool = True) -> None:
        """Delete units, tokens, sentences, work keys and errors of documents (not the rows)."""
        ids = [(d,) for d in doc_ids]
        for table in DERIVED_TABLES:
            self.conn.executemany(f"DELETE FROM {table} WHERE doc_id=?", ids)
        self.delete_sentence_words(d for (d,) in ids)  # one scan, not one per document
        self.conn.executemany("DELETE FROM work WHERE item=?", ids)
        if not keep_documents:
            self.conn.executemany("DELETE FROM documents WHERE doc_id=?", ids)

    # -- human review codes ------------------------------------------------------------
    def put_reviews(self, codes: Iterable[Any], file: str) -> int:
        """Store review codes (objects with unit_id, label, coder, note) read from ``file``."""
        rows = [(c.unit_id, c.label, c.coder, c.note, file, time.time()) for c in codes]
        self.conn.executemany("INSERT INTO reviews (unit_id, label, coder, note, file, at) "
                              "VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def count_documents(self) -> int:
        """How many documents (any status) the store holds."""
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def get_review_labels(self) -> dict[str, str]:
        """unit_id → the label of its latest review code."""
        rows = self.conn.execute("SELECT unit_id, label FROM reviews ORDER BY seq")
        return {unit_id: label for unit_id, label in rows}


def _connect(path: str, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        return sqlite3.connect(path, timeout=30, isolation_level=None)
    uri = Path(path).resolve().as_uri()
    try:  # a WAL database needs its -shm file; a reader who cannot create it opens immutable
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)


def damaged_message(path: str, exc: Exception) -> str:
    """One line saying the store is damaged and how to recover."""
    return (f"the store {path} is damaged ({exc}); move it aside and rebuild from the corpus "
            "with `diaoyan run CORPUS --out OUT --rebuild`")

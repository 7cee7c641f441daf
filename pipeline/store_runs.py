"""The store's run records: each run's command, configuration, versions, seeds, stages and
each file's outcome (the provenance a reproducible analysis needs).

A mixin of :class:`pipeline.store.Store` (all SQL stays in the store modules); it uses
the connection the store opened.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any


class RunRecords:
    """Methods over the ``runs`` and ``run_files`` tables."""

    conn: sqlite3.Connection

    def mark_killed_runs(self) -> list[int]:
        """Runs still marked running when a new run holds the lock were killed: say so."""
        ids = [r[0] for r in self.conn.execute("SELECT run_id FROM runs WHERE status='running'")]
        self.conn.executemany("UPDATE runs SET status='killed' WHERE run_id=?",
                              [(i,) for i in ids])
        return ids

    def start_run(self, command: str, config: dict[str, Any], config_hash: str,
                  versions: dict[str, str], seeds: dict[str, int]) -> int:
        """Record the start of a run; returns its id."""
        cur = self.conn.execute(
            "INSERT INTO runs (started, status, command, config_hash, config, versions, seeds)"
            " VALUES (?, 'running', ?, ?, ?, ?, ?)",
            (time.time(), command, config_hash, json.dumps(config, ensure_ascii=False),
             json.dumps(versions), json.dumps(seeds)),
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, stages: list[dict[str, Any]]) -> None:
        """Record the end of a run and what each stage did."""
        self.conn.execute(
            "UPDATE runs SET ended=?, status=?, stages=? WHERE run_id=?",
            (time.time(), status, json.dumps(stages, ensure_ascii=False), run_id),
        )

    def put_run_files(self, run_id: int, outcomes: Iterable[tuple[str, str, str | None]]) -> None:
        """Record each file's outcome in a run."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO run_files VALUES (?, ?, ?, ?)",
            [(run_id, src, outcome, reason) for src, outcome, reason in outcomes],
        )

    def last_run(self) -> dict[str, Any] | None:
        """The most recent run record."""
        row = self.conn.execute("SELECT * FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        return dict(row) if row else None

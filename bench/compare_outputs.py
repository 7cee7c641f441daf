"""Compare two diaoyan output folders: every table of the store and every exported file.

For checking that a speed-up changed no output: run old and new code on the same corpus
(a full run, then an add-one run on copies of one store) and compare the folders.

    .venv/bin/python bench/compare_outputs.py OUT_OLD OUT_NEW

Only run dates and timings may differ, so they are masked: the timestamps of the runs,
migrations and ingest_cache tables, "seconds" in the runs' stage records, date-times in
rendered files and changelogs, and the key of the stored run state (``complete_state``:
a digest that includes diaoyan's own code, so it must differ between two versions).
Prints each difference and a summary line; exits 1 when anything differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

RE_DATETIME = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")
RE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IGNORED_COLUMNS = {"migrations": {"at"}, "ingest_cache": {"created"}, "runs": {"started", "ended"}}
CODE_DIGEST_RESULT = "complete_state"


def mask(value: object) -> object:
    """``value`` with date-times replaced by a placeholder."""
    if isinstance(value, str):
        return RE_DATETIME.sub(b"<when>", value.encode()).decode()
    if isinstance(value, bytes):
        return RE_DATETIME.sub(b"<when>", value)
    return value


def stage_records(text: str | None) -> str:
    """A run's stage records without their seconds."""
    records = json.loads(text) if text else text
    for record in records if isinstance(records, list) else []:
        if isinstance(record, dict):
            record.pop("seconds", None)
    return json.dumps(records, sort_keys=True, ensure_ascii=False)


def table_rows(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[tuple]]:
    """The compared columns of ``table`` and its rows (masked, sorted)."""
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")]
    keep = [c for c in columns if c not in IGNORED_COLUMNS.get(table, set())]
    quoted = ", ".join(f'"{c}"' for c in keep)
    rows = []
    for found in conn.execute(f"SELECT {quoted} FROM '{table}'"):  # noqa: S608 (own names)
        row = list(found)
        if table == "results" and row[0] == CODE_DIGEST_RESULT:
            row[1] = "<digest of inputs and code>"
        if table == "runs" and "stages" in keep:
            row[keep.index("stages")] = stage_records(row[keep.index("stages")])
        rows.append(tuple(mask(v) for v in row))
    return keep, sorted(rows, key=repr)


def table_names(conn: sqlite3.Connection) -> list[str]:
    """Every table of a store."""
    return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"))


def compare_store(a: Path, b: Path) -> tuple[list[str], dict[str, int]]:
    """Differences between two stores, and each table's row count."""
    ca = sqlite3.connect(f"file:{a}?mode=ro", uri=True)
    cb = sqlite3.connect(f"file:{b}?mode=ro", uri=True)
    ta, tb = table_names(ca), table_names(cb)
    problems = [f"tables differ: {sorted(set(ta) ^ set(tb))}"] if ta != tb else []
    counts = {}
    for table in sorted(set(ta) & set(tb)):
        cols_a, rows_a = table_rows(ca, table)
        cols_b, rows_b = table_rows(cb, table)
        counts[table] = len(rows_a)
        if cols_a != cols_b:
            problems.append(f"{table}: columns differ")
        elif rows_a != rows_b:
            other = set(rows_b)
            example = [str(r)[:200] for r in rows_a if r not in other][:3]
            problems.append(f"{table}: {len(rows_a)} vs {len(rows_b)} rows differ; e.g. {example}")
    return problems, counts


def file_digest(path: Path) -> str:
    """A file's hash with its date-times masked."""
    return hashlib.sha1(RE_DATETIME.sub(b"<when>", path.read_bytes())).hexdigest()


def exported_files(out: Path) -> dict[str, Path]:
    """name → path of the current snapshot's files, the changelogs and OUT's symlinks."""
    current = (out / "current").resolve()
    files = {f"current/{p.name}": p for p in current.iterdir() if p.is_file()}
    for path in sorted((out / "changes").glob("*")):
        files[f"changes/{RE_DATE.sub('DATE', path.name)}"] = path
    for path in out.iterdir():
        if path.is_symlink():
            files[f"link/{path.name}"] = path
    return files


def compare_files(a: Path, b: Path) -> tuple[list[str], int]:
    """Differences between two folders' exports, and how many files were compared."""
    fa, fb = exported_files(a), exported_files(b)
    problems = [f"files differ: {sorted(set(fa) ^ set(fb))}"] if set(fa) != set(fb) else []
    for name in sorted(set(fa) & set(fb)):
        if name.startswith("link/"):
            if os.readlink(fa[name]) != os.readlink(fb[name]):
                problems.append(f"{name}: link target differs")
        elif file_digest(fa[name]) != file_digest(fb[name]):
            problems.append(f"{name}: content differs")
    return problems, len(fa)


def main(argv: list[str]) -> int:
    """Compare OUT_A and OUT_B; print the differences and a summary."""
    a, b = Path(argv[0]), Path(argv[1])
    store_problems, counts = compare_store(a / "diaoyan.sqlite", b / "diaoyan.sqlite")
    file_problems, n_files = compare_files(a, b)
    problems = store_problems + file_problems
    for line in problems:
        print("DIFF", line)
    print(f"{a.name} vs {b.name}: {len(counts)} tables ({sum(counts.values())} rows), "
          f"{n_files} files: {'DIFFERENT' if problems else 'IDENTICAL'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

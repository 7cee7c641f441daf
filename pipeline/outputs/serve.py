"""``diaoyan serve``: the store in Datasette, with table notes, facets and canned queries.

Datasette (an optional extra: ``pip install 'diaoyan[research]'``) is the tool many
researchers already know for browsing SQLite. The store is opened immutable, so a
running pipeline is never blocked and nothing can be written through the browser.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipeline.store import STORE_FILENAME

DATABASE = "diaoyan"

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "problems_of_a_place": {
        "title": "Problems a place names",
        "description": "Problem and cause units of documents whose place contains :place.",
        "sql": (
            "SELECT d.source, coalesce(d.province,'') || coalesce(d.city,'') || "
            "coalesce(d.county,'') AS place, d.year, u.marker, u.headline, u.label "
            "FROM units u JOIN documents d USING (doc_id) "
            "WHERE d.status = 'ok' AND u.label IN ('problem', 'cause') AND "
            "(coalesce(d.province,'') || coalesce(d.city,'') || coalesce(d.county,'')) "
            "LIKE '%' || :place || '%' ORDER BY d.ord, u.ord"
        ),
    },
    "countermeasures_for_a_theme": {
        "title": "Countermeasures linked to a problem theme",
        "description": "Countermeasures that answer problems in themes whose label has :term.",
        "sql": (
            "SELECT t.label AS problem_theme, p.headline AS problem, c.headline AS "
            "countermeasure, d.source, l.score FROM links l "
            "JOIN unit_themes ut ON ut.unit_id = l.source_unit "
            "JOIN themes t ON t.theme_id = ut.theme_id "
            "JOIN units p ON p.unit_id = l.source_unit JOIN units c ON c.unit_id = l.target_unit "
            "JOIN documents d ON d.doc_id = l.doc_id "
            "WHERE t.label LIKE '%' || :term || '%' ORDER BY l.score DESC"
        ),
    },
    "keyword_in_context": {
        "title": "Keyword in context",
        "description": "Sentences whose segmented words match :term (a word, or words in quotes).",
        "sql": (
            "SELECT d.source, substr(d.text, f.start + 1, f.end - f.start) AS sentence "
            "FROM sentence_fts f JOIN documents d ON d.doc_id = f.doc_id "
            "WHERE sentence_fts MATCH :term ORDER BY d.ord, f.start LIMIT 500"
        ),
    },
}

TABLE_NOTES: dict[str, dict[str, Any]] = {
    "documents": {"description": "One row per report (status ok, error or duplicate).",
                  "facets": ["status", "province", "city", "county", "year"]},
    "units": {"description": "Headings, enumeration items and lead paragraphs with labels.",
              "facets": ["label", "kind", "level"]},
    "links": {"description": "Problem/cause unit → countermeasure unit within a report."},
    "themes": {"description": "Cross-report problem and countermeasure themes.",
               "facets": ["kind"]},
    "unit_themes": {"description": "Each clustered unit's theme (null: unassigned).",
                    "facets": ["kind"]},
    "runs": {"description": "Provenance: versions, config and seeds of every run.",
             "facets": ["status"]},
}


def datasette_metadata() -> dict[str, Any]:
    """Datasette metadata: title, table notes and facets, canned queries."""
    return {
        "title": "diaoyan",
        "description": "Problems and countermeasures in Chinese investigative reports.",
        "databases": {DATABASE: {"tables": TABLE_NOTES, "queries": CANNED_QUERIES}},
    }


def serve_command(out_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The command line that serves ``out_dir``'s store (metadata written beside it)."""
    executable = shutil.which("datasette", path=str(Path(sys.executable).parent)) or \
        shutil.which("datasette")
    if executable is None:
        raise RuntimeError("diaoyan serve needs Datasette: pip install 'diaoyan[research]'")
    metadata = out_dir / "datasette-metadata.json"
    metadata.write_text(json.dumps(datasette_metadata(), ensure_ascii=False, indent=1),
                        encoding="utf-8")
    return [executable, "serve", "-i", str(out_dir / STORE_FILENAME), "--metadata",
            str(metadata), "--host", host, "--port", str(port),
            "--setting", "sql_time_limit_ms", "5000"]


def serve(out_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette on the store until it is stopped; returns its exit code."""
    return subprocess.call(serve_command(out_dir, host, port))

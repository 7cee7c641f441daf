"""The real pipeline on reports written in styles the outline fixtures do not use.

Each ``fixtures/generalise/NN_name.txt`` is an invented report; ``NN_name.json`` lists
the units a reader expects (marker, headline prefix, level, kind, label; a null label
is not checked), in document order.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.runner import run_pipeline

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "generalise"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def units_by_source(tmp_path_factory) -> dict[str, list[dict]]:
    """Units of every fixture report, from one run of the whole pipeline."""
    corpus = tmp_path_factory.mktemp("generalise") / "corpus"
    corpus.mkdir()
    for path in FIXTURES.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    out = tmp_path_factory.mktemp("generalise-out")
    run_pipeline(out, load_config(corpus=corpus), corpus=corpus)
    docs = [json.loads(line) for line in (out / "docs.jsonl").read_text("utf-8").splitlines()]
    units = [json.loads(line) for line in (out / "units.jsonl").read_text("utf-8").splitlines()]
    return {
        doc["source"]: [unit for unit in units if unit["doc_id"] == doc["doc_id"]]
        for doc in docs
    }


@pytest.mark.parametrize("name", NAMES)
def test_expected_units_found_and_labelled(units_by_source, name: str) -> None:
    units = units_by_source[f"{name}.txt"]
    expected = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    position, problems = 0, []
    for want in expected:
        found = next(
            (k for k in range(position, len(units))
             if _norm(units[k]["marker"]) == _norm(want["marker"])
             and _norm(units[k]["headline"]).startswith(_norm(want["headline_prefix"]))),
            None,
        )
        if found is None:
            problems.append(f"missing {want['marker']}{want['headline_prefix']}")
            continue
        position, unit = found + 1, units[found]
        got = (unit["level"], unit["kind"], unit["label"] if want["label"] else None)
        if got != (want["level"], want["kind"], want["label"]):
            problems.append(f"{want['marker']}{want['headline_prefix']}: {got}")
    assert not problems, problems

"""Shared fixtures: paths to the sample corpus and the real seeds, and one pipeline run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "corpus"  # synthetic sample reports, in the repo

# The shared folder beside the repo (real reports and gold; absent on a fresh clone).
# Every test reads these paths from here; a test that needs one skips when it is missing.
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"  # the four seed reports
GOLD = SHARED / "gold" / "seeds-partial.json"  # partial gold labels of the seeds
PROVINCES = SHARED / "corpus" / "provinces-2026"  # provincial government work reports 2026
REAL_DEV = SHARED / "corpus" / "real-dev"  # real reports for development


def need_seeds() -> None:
    """Skip the calling test when the real seeds are not beside the repo."""
    if not SEEDS.is_dir() or not GOLD.is_file():
        pytest.skip("../shared/corpus/seeds not present")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The whole pipeline run once on corpus/ (copied), with the report of each run."""
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline

    corpus = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    out = tmp_path_factory.mktemp("out")
    config = load_config(corpus=corpus)
    first = run_pipeline(out, config, corpus=corpus)
    return corpus, out, first


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory):
    """The whole pipeline run once on the real seeds (skips when absent)."""
    need_seeds()
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline

    out = tmp_path_factory.mktemp("seeds-out")
    run_pipeline(out, load_config(), corpus=SEEDS)
    return out


@pytest.fixture(scope="session")
def provinces_run(tmp_path_factory):
    """The whole pipeline run once on the 27 provincial reports (skips when absent)."""
    if not PROVINCES.is_dir():
        pytest.skip("../shared/corpus/provinces-2026 not present")
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline

    out = tmp_path_factory.mktemp("provinces-out")
    run_pipeline(out, load_config(), corpus=PROVINCES)
    return out

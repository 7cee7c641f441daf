"""Configuration: documented defaults in sync with the code, overrides, errors."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config, load_defaults

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
make_default_config = importlib.import_module("make_default_config")


def test_default_file_is_generated_from_the_options_classes():
    shipped = (make_default_config.TARGET).read_text(encoding="utf-8")
    assert shipped == make_default_config.render(), (
        "run: .venv/bin/python scripts/make_default_config.py"
    )


def test_every_section_builds_its_options():
    config = load_config()
    for section, module, name, _ in make_default_config.SECTIONS:
        cls = make_default_config.options_class(module, name)
        assert config.options(section, cls) == cls()


def test_corpus_config_overrides_and_changes_only_its_digest(tmp_path):
    (tmp_path / "diaoyan.toml").write_text("[dedup]\nthreshold = 0.9\n", encoding="utf-8")
    config = load_config(corpus=tmp_path)
    assert config.section("dedup")["threshold"] == 0.9
    defaults = load_config()
    assert config.digest("dedup") != defaults.digest("dedup")
    assert config.digest("outline") == defaults.digest("outline")


@pytest.mark.parametrize("text, message", [
    ("[nonsense]\na = 1\n", "unknown section"),
    ("[dedup]\nthreshhold = 0.9\n", "threshhold"),
    ("[dedup\n", "cannot read config"),
])
def test_bad_config_files_are_clear_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_defaults_have_every_stage_section():
    assert {"ingest", "read", "clean", "layout", "metadata", "region", "split", "dedup",
            "outline", "segment", "tag"} <= set(load_defaults())


def test_a_renamed_key_still_loads_under_its_new_name(tmp_path, caplog):
    path = tmp_path / "diaoyan.toml"
    path.write_text("[topics]\nrefit_growth = 0.2\n", encoding="utf-8")
    config = load_config(path)
    assert config.section("topics")["refit_share"] == 0.2
    assert "refit_growth is now called refit_share" in caplog.text

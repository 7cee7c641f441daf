"""Configuration: one TOML file with a section per stage, over documented defaults.

The defaults live in ``pipeline/resources/diaoyan.default.toml`` (the documented
reference). A project overrides any key in ``diaoyan.toml`` in the corpus folder or
in a file given with ``--config``. Unknown sections or keys are an error, so a typo
never silently falls back to a default, and every value is checked against the type of
its documented default and its allowed range when the file is loaded: a run refuses to
start on ``jobs = "two"`` rather than failing halfway.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

CONFIG_FILENAME = "diaoyan.toml"
DEFAULTS_RESOURCE = "diaoyan.default.toml"

T = TypeVar("T")

# Keys whose value is a share or probability, in [0, 1].
UNIT_INTERVAL_KEYS = frozenset({
    "max_shrink", "max_replacement_ratio", "max_control_ratio", "traditional_min_ratio",
    "wrap_tolerance", "full_line_share", "min_wrapped_share", "soft_blank_ratio", "min_share",
    "dominance", "threshold", "toc_min_repeated", "retrain_growth", "comparison_factor",
    "signal_factor", "early_position", "relevance_lambda", "ci", "no_above", "refit_share",
    "link_threshold", "theme_threshold", "match_threshold", "min_stability", "recluster_share",
})
# Keys renamed in a release: (section, old name) → new name. An old diaoyan.toml still
# loads; the message says what to write instead.
RENAMED_KEYS = {("topics", "refit_growth"): "refit_share"}
# Keys that count workers or things that must exist: at least 1.
POSITIVE_KEYS = frozenset({"jobs", "n_process", "batch_size", "num_perm", "num_bands",
                           "shingle_chars", "max_pdf_pages", "passes", "iterations",
                           "chunk_units"})
YEAR_KEYS = frozenset({"min_year", "max_year"})
# Keys that change how work is scheduled, never what it gives: left out of the digests that
# key stored work, so changing them recomputes nothing.
SCHEDULING_KEYS = frozenset({("tag", "chunk_units"), ("outline", "parallel_min_chars"),
                             ("run", "isolate_min_docs")})


class ConfigError(ValueError):
    """A configuration file that cannot be used, with a one-line reason."""


@dataclasses.dataclass(frozen=True)
class Config:
    """The merged configuration: ``sections[name]`` is a plain dict of that section's keys."""

    sections: dict[str, dict[str, Any]]
    source: str = "defaults"

    def section(self, name: str) -> dict[str, Any]:
        """The keys of one section (empty dict when the section has none)."""
        return dict(self.sections.get(name, {}))

    def options(self, name: str, cls: type[T]) -> T:
        """Build a stage's frozen options dataclass from its section."""
        return options_from(cls, self.section(name))

    def digest(self, *names: str) -> str:
        """A stable hash of the named sections (all sections when none are named)."""
        chosen = {n: {key: value for key, value in self.sections.get(n, {}).items()
                      if (n, key) not in SCHEDULING_KEYS}
                  for n in (names or sorted(self.sections))}
        blob = json.dumps(chosen, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def load_defaults() -> dict[str, dict[str, Any]]:
    """The documented defaults shipped with the package."""
    text = resources.files("pipeline.resources").joinpath(DEFAULTS_RESOURCE).read_text("utf-8")
    return tomllib.loads(text)


def load_config(path: Path | None = None, corpus: Path | None = None) -> Config:
    """Merge ``path`` (or ``corpus/diaoyan.toml`` when present) over the defaults."""
    sections = load_defaults()
    if path is None and corpus is not None and (corpus / CONFIG_FILENAME).is_file():
        path = corpus / CONFIG_FILENAME
    if path is None:
        return Config(sections)
    try:
        overrides = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    for name, values in overrides.items():
        if name not in sections or not isinstance(values, dict):
            raise ConfigError(f"{path}: unknown section [{name}]")
        values = _renamed(name, values, path)
        unknown = set(values) - set(sections[name])
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) in [{name}]: {', '.join(sorted(unknown))}")
        for key, value in values.items():
            problem = check_value(key, value, sections[name][key])
            if problem:
                raise ConfigError(f"{path}: [{name}] {key} = {value!r}: {problem}")
        sections[name] = {**sections[name], **values}
    check_relations(sections, str(path))
    return Config(sections, source=str(path))


def _renamed(section: str, values: dict[str, Any], path: Path) -> dict[str, Any]:
    """``values`` with renamed keys under their new names (a warning for each)."""
    renamed = dict(values)
    for key in list(values):
        new = RENAMED_KEYS.get((section, key))
        if new and new not in values:
            logger.warning("%s: [%s] %s is now called %s", path, section, key, new)
            renamed[new] = renamed.pop(key)
    return renamed


def check_value(key: str, value: Any, default: Any) -> str | None:
    """Why ``value`` cannot replace ``default`` (its type or range), or None when it can."""
    expected = type(default)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):  # an integer is a fine float
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        expected = list
    elif isinstance(default, dict):
        ok = isinstance(value, dict)
    else:
        ok = isinstance(value, expected)
    if not ok:
        names = {list: "a list of strings", int: "an integer", float: "a number",
                 bool: "true or false", str: "a string", dict: "a table"}
        wanted = names.get(expected, expected.__name__)
        return f"must be {wanted}, not {type(value).__name__}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if key in UNIT_INTERVAL_KEYS and not 0 <= value <= 1:
        return "must be between 0 and 1"
    if key in POSITIVE_KEYS and value < 1:
        return "must be at least 1"
    if key in YEAR_KEYS and not 1000 <= value <= 3000:
        return "must be a year"
    if value < 0:
        return "must not be negative"
    return None


def check_relations(sections: dict[str, dict[str, Any]], source: str) -> None:
    """Checks that involve two keys (a range's ends, LSH bands that divide permutations)."""
    meta = sections.get("metadata", {})
    if meta.get("min_year", 0) > meta.get("max_year", 9999):
        raise ConfigError(f"{source}: [metadata] min_year is after max_year")
    dedup = sections.get("dedup", {})
    if dedup.get("num_perm", 1) % max(1, dedup.get("num_bands", 1)):
        raise ConfigError(f"{source}: [dedup] num_bands must divide num_perm")


def options_from(cls: type[T], values: dict[str, Any]) -> T:
    """Instantiate an options dataclass, turning TOML lists into tuples where fields want them."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            continue  # section keys used by the stage itself, not by this options class
        kwargs[key] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)

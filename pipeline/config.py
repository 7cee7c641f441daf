"""Configuration: one TOML file with a section per stage, over documented defaults.

The defaults live in ``pipeline/resources/diaoyan.default.toml`` (the documented
reference). A project overrides any key in ``diaoyan.toml`` in the corpus folder or
in a file given with ``--config``. Unknown sections or keys are an error, so a typo
never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

CONFIG_FILENAME = "diaoyan.toml"
DEFAULTS_RESOURCE = "diaoyan.default.toml"

T = TypeVar("T")


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
        chosen = {n: self.sections.get(n, {}) for n in (names or sorted(self.sections))}
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
        unknown = set(values) - set(sections[name])
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) in [{name}]: {', '.join(sorted(unknown))}")
        sections[name] = {**sections[name], **values}
    return Config(sections, source=str(path))


def options_from(cls: type[T], values: dict[str, Any]) -> T:
    """Instantiate an options dataclass, turning TOML lists into tuples where fields want them."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            continue  # section keys used by the stage itself, not by this options class
        kwargs[key] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)

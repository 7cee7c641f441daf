"""The pipeline stages, one module each, each exposing ``run(store, config, …) -> StageResult``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class StageResult:
    """What a stage did: counts for the run log and the provenance record."""

    stage: str
    processed: int = 0  # items computed this run
    reused: int = 0  # items whose key was unchanged
    errors: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view for the runs table."""
        return {
            "stage": self.stage, "processed": self.processed, "reused": self.reused,
            "errors": self.errors, "seconds": round(self.seconds, 3), "notes": self.notes,
        }

    def summary(self) -> str:
        """One line for the terminal."""
        text = f"{self.stage}: {self.processed} computed, {self.reused} unchanged"
        if self.errors:
            text += f", {self.errors} errors"
        text += f" ({self.seconds:.1f}s)"
        return "; ".join([text, *self.notes])


def work_key(*parts: object) -> str:
    """A stable hash of a stage's name, version, config digest and input ids."""
    blob = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]

"""Walk a corpus folder: every file in a stable order, problems as entries, never an exception.

Hidden files, Office lock files and the corpus's own ``metadata.csv`` and
``diaoyan.toml`` are skipped; unreadable folders, broken symlinks, symlink loops and
FIFOs become entries with a one-line ``error``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.readers.common import MB, os_reason


def file_digest(path: Path) -> str:
    """sha256 hex of a file's bytes, read in 1 MB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class CorpusEntry:
    """One file (or unreadable directory) found in the corpus; ``error`` set if unusable."""

    rel_path: str
    path: Path
    error: str | None = None


def skip_name(name: str, skip_names: tuple[str, ...]) -> bool:
    """Hidden files, Office lock files (~$报告.docx) and configured names are not documents."""
    return name.startswith((".", "~$")) or name in skip_names


def iter_corpus(
    root: Path, *, skip_names: tuple[str, ...] = ("metadata.csv", "diaoyan.toml")
) -> Iterator[CorpusEntry]:
    """Yield every file under ``root`` in sorted order; problems become error entries."""
    root = Path(root)
    try:
        if root.is_file():
            yield CorpusEntry(root.name, root)
            return
        root_id = dir_identity(root)
    except OSError as exc:
        yield CorpusEntry(".", root, f"unreadable corpus folder: {os_reason(exc)}")
        return
    yield from walk(root, root, (root_id,), skip_names)


def dir_identity(path: Path) -> tuple[int, int]:
    """(device, inode) of a directory, following symlinks."""
    info = path.stat()
    return info.st_dev, info.st_ino


def walk(
    root: Path, folder: Path, ancestors: tuple[tuple[int, int], ...], skip_names: tuple[str, ...]
) -> Iterator[CorpusEntry]:
    """Depth-first walk of ``folder``; ``ancestors`` are the directories above, for loops."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except PermissionError:
        yield CorpusEntry(rel(root, folder), folder, "unreadable directory: permission denied")
        return
    except OSError as exc:
        yield CorpusEntry(rel(root, folder), folder, f"unreadable directory: {os_reason(exc)}")
        return
    for entry in entries:
        if skip_name(entry.name, skip_names):
            continue
        path = Path(entry.path)
        try:
            info = path.stat()  # follows symlinks
        except OSError as exc:
            reason = os_reason(exc)
            if entry.is_symlink() and isinstance(exc, FileNotFoundError):
                reason = "broken symlink"
            yield CorpusEntry(rel(root, path), path, reason)
            continue
        if stat.S_ISDIR(info.st_mode):
            identity = (info.st_dev, info.st_ino)
            if identity in ancestors:
                yield CorpusEntry(rel(root, path), path, "symlink loop")
                continue
            yield from walk(root, path, (*ancestors, identity), skip_names)
        elif stat.S_ISREG(info.st_mode):
            yield CorpusEntry(rel(root, path), path)
        else:  # FIFOs and devices would block or never end when read
            yield CorpusEntry(rel(root, path), path, "not a regular file")


def rel(root: Path, path: Path) -> str:
    """Path relative to the corpus root, with forward slashes."""
    return path.relative_to(root).as_posix()

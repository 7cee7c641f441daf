"""Tables derived from large read-only files, cached beside them in the temp folder.

Parsing jieba's 350,000-line ``dict.txt`` costs most of a second in every process that
needs a table from it, which an add-one run pays for a single report. ``marshal_cached``
keeps the table in ``$TMPDIR/diaoyan.<name>.<key>.marshal`` (marshal reads plain dicts,
frozensets and strings back in a tenth of the parse), keyed by the source file's path,
size and modification time and whatever else the table depends on, so a changed source
or option is parsed afresh. A missing or unwritable temp folder only costs the parse.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
KEY_CHARS = 16  # hex digits of the key in a cache file's name


def cache_path(name: str, source: Path, *parts: object) -> Path:
    """Where the table ``name`` of ``source`` (and ``parts``) is cached."""
    info = source.stat()
    key = "|".join([str(source), str(info.st_size), str(info.st_mtime_ns), *map(str, parts)])
    digest = hashlib.sha1(key.encode()).hexdigest()[:KEY_CHARS]
    return Path(tempfile.gettempdir()) / f"diaoyan.{name}.{digest}.marshal"


def marshal_cached(name: str, source: Path, build: Callable[[], T], *parts: object) -> T:
    """``build()``, or what an earlier call with the same source file and ``parts`` stored."""
    cache = cache_path(name, source, *parts)
    try:
        return marshal.loads(cache.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        pass
    table = build()
    try:  # written aside and renamed: a concurrent reader never sees half a file
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps(table))
        os.replace(partial, cache)
    except OSError:  # no writable temp folder: parse again next time
        pass
    return table

"""One run per output folder: a lock file the second run waits on or refuses clearly."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILENAME = ".diaoyan.lock"
OWNER_FILENAME = ".diaoyan.lock.owner"


class OutputBusy(RuntimeError):
    """Another run holds the output folder."""


@contextmanager
def exclusive_output(out_dir: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the output folder's lock; raise OutputBusy if another run keeps it past the wait.

    The lock is an OS-level file lock, so a killed run releases it automatically.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_FILENAME))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise OutputBusy(busy_message(out_dir)) from None
    try:
        owner = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        (out_dir / OWNER_FILENAME).write_text(json.dumps(owner), encoding="utf-8")
        yield
    finally:
        (out_dir / OWNER_FILENAME).unlink(missing_ok=True)
        lock.release()


def busy_message(out_dir: Path) -> str:
    """Say who holds the folder, as far as the owner file tells."""
    try:
        owner = json.loads((out_dir / OWNER_FILENAME).read_text(encoding="utf-8"))
        who = f"pid {owner['pid']}, started {owner['started']}"
    except (OSError, ValueError, KeyError):
        who = "another process"
    return (f"{out_dir} is in use by another diaoyan run ({who}); "
            "wait for it to finish or pass --wait SECONDS")

"""Worker processes that never outlive the run that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # prctl option: signal this process when its parent dies


def die_with_parent() -> None:
    """Pool initializer: on Linux, ask the kernel to kill this worker when its parent dies.

    Without it a ``kill -9`` of the main process leaves forked workers behind, holding
    memory and file handles until they finish their queue.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)

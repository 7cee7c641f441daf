"""Worker processes that never outlive the run that started them, and steps run in a
child process so that their memory ends with them."""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")

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


class ChildDied(RuntimeError):
    """A child process ended without handing back its result (killed, out of memory)."""


def call_in_child(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a forked child process: its result, pickled back, or what it
    raised, raised here; ``ChildDied`` when it ends without either.

    The child's heap goes back to the system when it ends, so a memory-hungry step leaves
    neither its pages nor its fragments to the steps after it (nor to their forked
    workers, which would count them again). The child dies with this process.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        _serve_child(read_end, write_end, function, args)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # interrupted here: the child must not go on alone
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if not data:
        raise ChildDied(_ended(status))
    succeeded, value = pickle.loads(data)
    if succeeded:
        return value
    raise value


def _serve_child(read_end: int, write_end: int, function: Callable[..., Any],
                 args: tuple[Any, ...]) -> NoReturn:
    """The child's side of ``call_in_child``: run, send the outcome, exit without cleanup
    (the parent's objects it inherited are the parent's to close)."""
    code = 1
    try:
        os.close(read_end)
        die_with_parent()
        try:
            outcome: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:
            outcome = (False, exc)
        try:
            payload = pickle.dumps(outcome)
        except Exception as exc:  # an exception (or result) that cannot be pickled
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a closed or broken stream: nothing more to say
                pass
        os._exit(code)


def _ended(status: int) -> str:
    """How a child process ended, from its wait status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"was killed by signal {number} ({signal.Signals(number).name})"
    return f"exited with status {os.WEXITSTATUS(status)} without a result"

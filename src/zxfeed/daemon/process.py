"""Settings of the daemon's own process: the CPU core it runs on and malloc's arenas.

Its threads share one interpreter lock; on two cores a thread that takes the lock
after another often runs on the other core, with cold caches, and the same work
costs about twice the CPU (bench/README.md, results D). One core avoids that.
"""

from __future__ import annotations

import ctypes
import os

_unpinned: set[int] | None = None  # the cores this process had before pin_to_one_core


def pin_to_one_core() -> int | None:
    """Bind this process to one of the CPU cores it may use (Linux); return the core."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    core = allowed[os.getpid() % len(allowed)]  # several daemons on one machine spread out
    global _unpinned
    _unpinned = set(allowed)
    _set_all_threads({core})
    return core


def unpin() -> None:
    """Give back the cores :func:`pin_to_one_core` took away (a daemon stopped inside a larger
    process, such as a test runner, must not leave it and its children on one core)."""
    global _unpinned
    if _unpinned is not None:
        _set_all_threads(_unpinned)
        _unpinned = None


def _set_all_threads(cores: set[int]) -> None:
    # Affinity is per thread on Linux: set it on the threads already running, too.
    tasks = [int(t) for t in os.listdir("/proc/self/task")] if os.path.isdir("/proc/self/task") else [0]
    for tid in tasks:
        try:
            os.sched_setaffinity(tid, cores)
        except OSError:  # a thread that just ended
            continue


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (default 8 per core): threads of one pinned process gain
    nothing from more, and each keeps freed memory of its own (measured: −15 MB RSS at 3,000 sources)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        return False  # not glibc: nothing to do


def raise_fd_limit() -> int:
    """Raise the soft limit on open files to the hard one (systemd's soft default is 1,024)."""
    try:
        import resource
    except ImportError:
        return -1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft

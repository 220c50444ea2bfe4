"""The first thing a worker process runs: ask to end with its parent, then load the face models.

Kept apart from batch.py and importing nothing but the standard library, so a spawned worker makes its
request before it imports numpy, ONNX Runtime and dlib. Those imports can take ten seconds or more on a busy
machine, and a worker killed -9's parent left alone that long would otherwise live on (the crash harness
caught one). The analyser's settings come pickled, for the same reason: unpickling them imports the engine."""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
log = logging.getLogger(__name__)

# A worker peaks at about 550 MB on 12 MP photos (bench/batch_speed.py); three of them and the
# window stay under the 2 GB a school laptop can spare, whatever the number of cores.
MAX_DEFAULT_WORKERS = 3


def default_workers() -> int:
    """Worker processes for a batch: one a core, up to the memory budget. Here rather than in batch.py, so
    `App.open` and `rws vet` can size the pool without importing the engine."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def start_worker(pickled_settings: bytes, spawned_by_main_thread: bool = False) -> None:
    """The worker pool's initializer."""
    exit_with_parent(spawned_by_main_thread)
    from .batch import set_up_worker  # the engine's imports, only now

    set_up_worker(pickle.loads(pickled_settings))


def exit_with_parent(spawned_by_main_thread: bool) -> None:
    """End this worker as soon as its parent process is gone, however it died (even kill -9).

    On Linux, when the main thread spawned it, the kernel does it at once (PR_SET_PDEATHSIG; it fires when the
    spawning *thread* ends, which is why a worker spawned by another thread, such as the window's, does not
    ask for it). Everywhere, a thread also waits on the parent's end of a pipe, which closes when the parent
    dies; it needs the GIL, so it acts between dlib calls, within a second or so of a photo."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if spawned_by_main_thread and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            log.warning("PR_SET_PDEATHSIG is not available; the pipe watch alone ends this worker with its parent")
        if os.getppid() != parent.pid:  # the parent died before the request took effect
            os._exit(1)

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()

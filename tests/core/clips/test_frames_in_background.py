"""The safe clip's frames are made in a thread of their own while the caller encodes: order kept,
errors raised to the caller, and a caller that stops early stops the thread."""
from __future__ import annotations

import threading

import pytest

from rws_desktop.core.clips.pipeline import in_background


def test_items_arrive_in_order_and_all_of_them():
    """Every item the thread makes reaches the caller, in the order made (audio and video interleave)."""
    assert list(in_background(iter(range(50)), depth=3)) == list(range(50))


def test_an_error_in_the_thread_is_raised_to_the_caller_after_the_items_before_it():
    """A damaged frame's error, raised while making items, reaches the caller after the items before it."""
    def items():
        yield 1
        yield 2
        raise ValueError("damaged")

    received = []
    with pytest.raises(ValueError, match="damaged"):
        for item in in_background(items()):
            received.append(item)
    assert received == [1, 2]


def test_a_caller_that_stops_early_stops_the_thread():
    """Cancelling (the caller leaves the loop) ends the making thread: it is not left decoding the clip."""
    made = []

    def items():
        for number in range(10_000):
            made.append(number)
            yield number

    before = threading.active_count()
    for item in in_background(items(), depth=2):
        if item == 5:
            break
    assert threading.active_count() == before
    assert len(made) < 20  # stopped a few items ahead, not at the end

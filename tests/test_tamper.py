"""The tamper harness (bench/tamper.py --quick) in CI: every kind of tampering it tries is caught."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "tamper.py"


def load_harness():
    spec = importlib.util.spec_from_file_location("tamper_harness", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_tampering_case_is_caught(capsys):
    """A changed byte, a deleted tail, swapped entries, a forged append, a consent row edited in SQL, and full
    rewrites without and with the key (against a checkpoint) each make `rws audit verify` fail; the untouched
    copy verifies (the harness raises otherwise)."""
    outcomes = load_harness().run(quick=True)
    printed = capsys.readouterr().out
    assert len(outcomes) == 9 and [o.case for o in outcomes if not o.caught] == []
    assert "9 cases, 9 caught, 0 missed" in printed
    by_case = {o.case: o.how for o in outcomes}
    assert "verify names the row: True" in by_case["withdrawn consent set back to granted in the table"]
    assert "against the checkpoint" in by_case["full recomputed rewrite with the key, against the checkpoint"]

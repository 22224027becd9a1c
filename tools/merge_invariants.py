"""Merge a store written by `chaoslit invariants --out FILE` into the package's `chaoslit/data/invariants.json`.

    python tools/merge_invariants.py FILE

Each system measured in FILE replaces the package's record of it; the package's other records stay. This is how a
whole-catalogue measurement that spans several sessions lands piece by piece.
"""
import json
import sys
from pathlib import Path

from chaoslit.invariants.catalogue import write_store

PACKAGE_STORE = Path(__file__).resolve().parents[1] / "chaoslit" / "data" / "invariants.json"

if len(sys.argv) != 2:
    sys.exit(__doc__)
new = json.loads(Path(sys.argv[1]).read_text())
stored = json.loads(PACKAGE_STORE.read_text())
write_store(PACKAGE_STORE, {**stored, **new})
print(f"{PACKAGE_STORE}: {len(stored | new)} systems, {len(new)} from {sys.argv[1]}")

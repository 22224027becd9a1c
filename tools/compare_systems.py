"""Whether two checkouts of chaoslit define the same systems: every system's right-hand side at a random state (float64,
bit for bit), its parameters, initial condition, time scale, reference and measured invariants, periodic coordinates,
description, citation and notes. For refactors that move systems between files, which change the benchmark's
file-level fingerprint (`benchmark.run_fingerprint`) without changing what any task computes.

    python tools/compare_systems.py /path/to/other/checkout   # compares it with this checkout
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

DUMP = r'''
import json, sys, zlib
from pathlib import Path
import numpy as np
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import chaoslit
from chaoslit import systems

if Path(chaoslit.__file__).resolve().parents[1] != Path(sys.argv[2]).resolve():
    sys.exit(f"{sys.argv[2]} holds no chaoslit package (Python found the one in {Path(chaoslit.__file__).parent})")
out = {}
for name in systems.names():
    system = systems.get(name)
    meta = system.metadata
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # a state of its own: adding a system moves no other's
    y = np.asarray(system.initial_condition) * rng.uniform(0.5, 1.5, system.dim) + rng.normal(0, 0.3, system.dim)
    if system.kind == "map":
        value = system.next_state(jnp.asarray(y))
    elif system.delay:
        value = system.delayed_vector_field(1.3, jnp.asarray(y), jnp.asarray(y[::-1]))
    else:
        value = system.vector_field(1.3, jnp.asarray(y))
    out[name] = {"value": np.asarray(value).tolist(), "module": type(system).__module__,
                 "parameters": {k: np.asarray(v).tolist() for k, v in meta.parameters.items()},
                 "initial_condition": [float(v) for v in meta.initial_condition], "period": meta.period,
                 "reference": repr(meta.reference), "invariants": repr(meta.invariants),
                 "periodic": repr(system.periodic_coordinates()), "description": meta.description,
                 "citation": meta.citation, "notes": meta.notes}
json.dump(out, open(sys.argv[1], "w"))
'''


def dump(checkout: Path, target: Path) -> dict:
    "The systems of the chaoslit in `checkout`, as the script above describes them (run from an empty folder)."
    done = subprocess.run([sys.executable, "-c", DUMP, str(target), str(checkout)],
                          env={"PYTHONPATH": str(checkout), "PATH": ""}, cwd=target.parent)
    if done.returncode:  # the child said why on stderr
        sys.exit(f"could not read the systems of {checkout}")
    return json.loads(target.read_text())


def main(other: str) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        ours = dump(Path(__file__).resolve().parents[1], Path(scratch) / "ours.json")
        theirs = dump(Path(other).resolve(), Path(scratch) / "theirs.json")
    only = sorted(set(ours) ^ set(theirs))
    differ = [(name, key) for name in sorted(set(ours) & set(theirs)) for key in ours[name]
              if key != "module" and ours[name][key] != theirs[name].get(key)]
    moved = sum(ours[name]["module"] != theirs[name]["module"] for name in set(ours) & set(theirs))
    print(f"{len(set(ours) & set(theirs))} systems in both, {moved} in another module; only in one: {only or 'none'}; "
          f"differing: {differ or 'none'}")
    return 1 if only or differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

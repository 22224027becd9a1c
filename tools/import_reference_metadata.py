"""Copy the reference database's metadata (dysts 0.96) into chaoslit's package data, as data with its source named.

    python tools/import_reference_metadata.py    # needs dysts==0.96 (a test-only dependency)

Writes chaoslit/data/reference_database.json: for every flow and map of the database, its description, citation,
parameter values, initial condition, time scale and estimated invariants. chaoslit's systems read their metadata from
this file; the equations themselves are chaoslit's own code. Rerun only when moving to another dysts release.
"""
import json
import pathlib

import dysts

SOURCE = f"dysts {dysts.__version__ if hasattr(dysts, '__version__') else '0.96'} metadata"
FLOW_KEYS = {  # the database's field -> chaoslit's name for it
    "description": "description", "citation": "citation", "parameters": "parameters",
    "initial_conditions": "initial_condition", "period": "period", "dt": "dt", "nonautonomous": "nonautonomous",
    "delay": "delay", "hamiltonian": "hamiltonian", "unbounded_indices": "unbounded_indices",
    "embedding_dimension": "embedding_dimension", "mean": "mean", "std": "std",
}
INVARIANT_KEYS = {
    "lyapunov_spectrum_estimated": "dysts_lyapunov_spectrum", "maximum_lyapunov_estimated": "dysts_maximum_lyapunov",
    "kaplan_yorke_dimension": "dysts_kaplan_yorke_dimension", "correlation_dimension": "dysts_correlation_dimension",
    "pesin_entropy": "dysts_pesin_entropy", "multiscale_entropy": "dysts_multiscale_entropy",
}


def convert(entry: dict, keys: dict) -> dict:
    out = {ours: entry[theirs] for theirs, ours in keys.items() if theirs in entry}
    reference = {ours: entry[theirs] for theirs, ours in INVARIANT_KEYS.items() if entry.get(theirs) is not None}
    return dict(out, reference=reference)


def main():
    data = pathlib.Path(dysts.__file__).parent / "data"
    flows = json.loads((data / "chaotic_attractors.json").read_text())
    maps = json.loads((data / "discrete_maps.json").read_text())
    map_keys = {k: v for k, v in FLOW_KEYS.items() if k in ("description", "citation", "parameters", "initial_conditions", "hamiltonian")}
    out = {
        "source": "dysts 0.96 (Gilpin 2021, 'Chaos as an interpretable benchmark for forecasting and data-driven "
                  "modelling', NeurIPS Datasets and Benchmarks), files chaotic_attractors.json and discrete_maps.json",
        "flows": {name: convert(entry, FLOW_KEYS) for name, entry in sorted(flows.items())},
        "maps": {name: convert(entry, map_keys) for name, entry in sorted(maps.items())},
    }
    target = pathlib.Path(__file__).resolve().parents[1] / "chaoslit" / "data" / "reference_database.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out['flows'])} flows and {len(out['maps'])} maps to {target}")


if __name__ == "__main__":
    main()

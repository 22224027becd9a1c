"The vector fields agree with dysts', the field's reference database, given the same parameter values."
import json
import pathlib

import dysts
import numpy as np
import pytest

from chaoslit import float64_mode, systems
from oracles import dysts_map, dysts_system

FOUNDATION_SYSTEMS = ["Lorenz", "Rossler", "Thomas", "Halvorsen", "Chen", "Aizawa", "Lorenz96"]
MAPS = systems.names(kind="map")


@pytest.mark.parametrize("name", FOUNDATION_SYSTEMS)
def test_right_hand_side_matches_dysts(name):
    system = systems.get(name)
    oracle = dysts_system(name, system.parameters)
    rng = np.random.default_rng(0)
    scale = np.abs(system.initial_condition).max()
    states = system.initial_condition + scale * rng.standard_normal((100, system.dim))
    with float64_mode():
        ours = np.array([np.asarray(system(0.0, s)) for s in states])
    theirs = np.array([oracle.rhs(s, 0.0) for s in states])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12 * np.abs(theirs).max())


@pytest.mark.parametrize("name", FOUNDATION_SYSTEMS)
def test_reference_database_defaults_are_kept_or_documented(name):
    "chaoslit's defaults are dysts' unless the published value is more precise, and then the notes say so."
    system = systems.get(name)
    data = json.loads((pathlib.Path(dysts.__file__).parent / "data" / "chaotic_attractors.json").read_text())[name]
    for key, value in data["parameters"].items():
        ours = float(np.asarray(system.parameters[key]))
        if not np.isclose(ours, value, rtol=1e-12):
            assert np.isclose(ours, value, rtol=2e-3), (key, ours, value)  # a rounding, not a different system
            assert key in system.notes, f"{name}.{key}: {ours} differs from dysts' {value} without a note"
    np.testing.assert_allclose(system.initial_condition, data["initial_conditions"], rtol=0)
    assert system.period == data["period"]


@pytest.mark.parametrize("name", MAPS)
def test_map_update_matches_dysts(name):
    system = systems.get(name)
    oracle = dysts_map(name, system.parameters)
    rng = np.random.default_rng(1)
    states = system.initial_condition + 0.2 * rng.standard_normal((100, system.dim))
    with float64_mode():
        ours = np.array([np.asarray(system(s)) for s in states])
    theirs = oracle.rhs(states)
    if system.dim == 1:  # dysts returns a one-dimensional map's images as a row
        theirs = theirs.reshape(-1, 1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", MAPS)
def test_map_defaults_are_the_reference_databases(name):
    system = systems.get(name)
    data = json.loads((pathlib.Path(dysts.__file__).parent / "data" / "discrete_maps.json").read_text())[name]
    assert {k: float(np.asarray(v)) for k, v in system.parameters.items()} == data["parameters"]
    np.testing.assert_array_equal(system.initial_condition, data["initial_conditions"])

"""The catalogue against the field's reference database, dysts 0.96, as a test oracle: every flow's right-hand side,
every delay equation's, every map's update, and the published defaults."""
import json
import pathlib

import dysts
import dysts.flows
import dysts.maps
import numpy as np
import pytest

from chaoslit import float64_mode, systems
from oracles import dysts_map, dysts_system

DATA = pathlib.Path(dysts.__file__).parent / "data"
DYSTS_FLOWS = json.loads((DATA / "chaotic_attractors.json").read_text())
DYSTS_MAPS = json.loads((DATA / "discrete_maps.json").read_text())
FLOWS = [name for name in systems.names(kind="flow", delay=False) if name in DYSTS_FLOWS]
DELAYS = systems.names(delay=True)
MAPS = [name for name in systems.names(kind="map") if getattr(systems.get(name), "reference_name", name) in DYSTS_MAPS]
WITHOUT_EQUATIONS = {"EndCap", "ZeraouliaSprott"}  # dysts lists them, but has no code for them (see the maps notebook)


def test_the_whole_reference_database_is_here():
    assert set(FLOWS) | set(DELAYS) == set(DYSTS_FLOWS)
    assert len(FLOWS) + len(DELAYS) == 135
    ours = {getattr(systems.get(name), "reference_name", name) for name in MAPS}
    assert ours == set(DYSTS_MAPS) - WITHOUT_EQUATIONS
    assert all(not hasattr(dysts.maps, name) for name in WITHOUT_EQUATIONS)


def states_near_attractor(name: str, dim: int, n: int = 100, seed: int = 0) -> np.ndarray:
    "`n` states around the database's initial condition, spread by a tenth of its attractor's standard deviation."
    entry = DYSTS_FLOWS[name]
    rng = np.random.default_rng(seed)
    start = np.asarray(entry["initial_conditions"], dtype=float)[:dim]
    spread = np.asarray(entry.get("std") or np.abs(start) + 1.0, dtype=float)[:dim]
    return start + 0.1 * spread * rng.standard_normal((n, dim))


def assert_close(ours, theirs):
    "Agreement to 1e-10, relative to each value or, for values near zero, to the largest value of the batch."
    ok = np.isfinite(theirs).all(axis=-1)
    assert ok.mean() > 0.5, "the oracle is not finite at most test states"
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=1e-10, atol=1e-10 * np.abs(theirs[ok]).max())


@pytest.mark.parametrize("name", FLOWS)
def test_right_hand_side_matches_dysts(name):
    system = systems.get(name)
    oracle = dysts_system(name, system.parameters)
    states = states_near_attractor(name, system.dim)
    times = np.random.default_rng(1).uniform(0.0, 10 * system.period, len(states))  # forced systems: any time
    with float64_mode():
        ours = np.array([np.asarray(system(t, s)) for t, s in zip(times, states)])
    theirs = np.array([oracle.rhs(s, t) for t, s in zip(times, states)], dtype=float)
    assert_close(ours, theirs)


@pytest.mark.parametrize("name", DELAYS)
def test_delay_right_hand_side_matches_dysts(name):
    system = systems.get(name)
    oracle = dysts_system(name, system.parameters)
    rng = np.random.default_rng(2)
    now, delayed = (states_near_attractor(name, 1, seed=seed)[:, 0] for seed in (3, 4))
    times = rng.uniform(0.0, 10.0, len(now))
    with float64_mode():
        ours = np.array([np.asarray(system(t, [x], [x_tau]))[0] for t, x, x_tau in zip(times, now, delayed)])
    theirs = np.array([oracle._rhs(x, x_tau, t, *oracle.param_list) for t, x, x_tau in zip(times, now, delayed)])
    assert_close(ours[:, None], theirs[:, None])


@pytest.mark.parametrize("name", FLOWS + DELAYS)
def test_reference_database_defaults_are_kept_or_documented(name):
    "chaoslit's defaults are dysts' unless the published value is more precise, and then the notes say so."
    system = systems.get(name)
    data = DYSTS_FLOWS[name]
    for key, value in data["parameters"].items():
        ours = np.asarray(system.parameters[key], dtype=float)
        if not np.allclose(ours, value, rtol=1e-12, atol=0):
            assert np.allclose(ours, value, rtol=2e-3), (key, ours, value)  # a rounding, not a different system
            assert key in system.notes, f"{name}.{key}: {ours} differs from dysts' {value} without a note"
    assert set(system.parameters) == set(data["parameters"])
    expected = data["initial_conditions"][:1] if system.delay else data["initial_conditions"]
    np.testing.assert_allclose(system.initial_condition, expected, rtol=0)
    assert system.period == data["period"]
    assert system.nonautonomous == data["nonautonomous"]


def zaslavskii_numpy(states, eps, nu, r):
    "Zaslavskii's (1978) map as written in the paper, in NumPy: dysts has no code for it to compare with."
    x, y = states.T
    mu = (1 - np.exp(-r)) / r
    x_next = np.mod(x + nu * (1 + mu * y) + eps * nu * mu * np.cos(2 * np.pi * x), 1.0)
    return np.column_stack([x_next, np.exp(-r) * (y + eps * np.cos(2 * np.pi * x))])


def test_zaslavskii_matches_the_paper():
    system = systems.get("Zaslavskii")
    states = np.random.default_rng(5).uniform([0, -1], [1, 1], (100, 2))
    with float64_mode():
        ours = np.array([np.asarray(system(s)) for s in states])
    assert_close(ours, zaslavskii_numpy(states, 5.0, 0.2, 2.0))


@pytest.mark.parametrize("name", [name for name in MAPS if name != "Zaslavskii"])
def test_map_update_matches_dysts(name):
    system = systems.get(name)
    reference_name = getattr(system, "reference_name", name)
    oracle = dysts_map(reference_name, system.parameters)
    rng = np.random.default_rng(1)
    states = system.initial_condition + 0.2 * rng.standard_normal((100, system.dim))
    with float64_mode():
        ours = np.array([np.asarray(system(s)) for s in states])
    if name == "BlinkingVortexMap":  # one period: dysts' blink, a half turn, dysts' blink again, the turn back
        half_turn = np.array([0.0, np.pi])
        theirs = oracle.rhs(oracle.rhs(states) + half_turn) - half_turn
        theirs[:, 1] = np.mod(theirs[:, 1] + np.pi, 2 * np.pi) - np.pi
    else:
        theirs = oracle.rhs(states).reshape(ours.shape)  # dysts returns a one-dimensional map's images as a row
    assert_close(ours, theirs)


@pytest.mark.parametrize("name", MAPS)
def test_map_defaults_are_the_reference_databases(name):
    system = systems.get(name)
    data = DYSTS_MAPS[getattr(system, "reference_name", name)]
    assert {k: float(np.asarray(v)) for k, v in system.parameters.items()} == data["parameters"]
    np.testing.assert_array_equal(system.initial_condition, data["initial_conditions"])

"""Every system of the catalogue integrates (or iterates) 100 characteristic periods from its default initial
condition, with default settings, to a finite trajectory that stays on the scale of its attractor.

The whole catalogue is slow (about six minutes on two cores: CHAOSLIT_SLOW=1); a sample covering every kind of
system runs by default."""
import json
import pathlib

import dysts
import numpy as np
import pytest

from chaoslit import systems
from chaoslit.integrate import iterate, trajectory

DYSTS_FLOWS = json.loads((pathlib.Path(dysts.__file__).parent / "data" / "chaotic_attractors.json").read_text())
# coordinates that grow without bound by construction: a forcing's phase, angles not reduced modulo 2 pi
UNBOUNDED = {name: entry["unbounded_indices"] for name, entry in DYSTS_FLOWS.items()} | {"Circle": [0], "Chirikov": [1]}
SAMPLE = ["Lorenz84", "HyperRossler", "Duffing", "DoublePendulum", "MacArthur", "TwoScaleLorenz96", "MackeyGlass",
          "SprottDelay", "Chebyshev", "BlinkingVortexMap", "Rulkov"]


def check_100_periods(name):
    system = systems.get(name)
    if system.kind == "map":
        states = iterate(system, 10_000, transient=0)
    else:
        _, states = trajectory(system, 1000, points_per_period=10, transient=0.0)
    assert np.isfinite(states).all()
    bounded = np.delete(states, UNBOUNDED.get(name, []), axis=1)
    if bounded.shape[1] == 0:  # every coordinate is an angle or a phase (ArnoldBeltramiChildress, Circle)
        bounded = np.cos(states)
    scale = np.abs(bounded[: len(bounded) // 10]).max()  # the first tenth: the start and its neighbourhood
    later = np.abs(bounded[len(bounded) // 2 :]).max()
    assert later <= 10 * scale + 1e-9, f"{name} drifts from {scale:.3g} to {later:.3g}"
    assert np.ptp(states[len(states) // 2 :], axis=0).max() > 0, f"{name} stopped moving"


def test_sample_covers_every_kind():
    kinds = {(systems.get(name).kind, systems.get(name).delay, systems.get(name).nonautonomous) for name in SAMPLE}
    assert kinds == {("flow", False, False), ("flow", False, True), ("flow", True, False), ("map", False, False)}


@pytest.mark.parametrize("name", SAMPLE)
def test_a_sample_integrates_100_periods(name):
    check_100_periods(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(systems.names()) - set(SAMPLE)))
def test_every_system_integrates_100_periods(name):
    check_100_periods(name)

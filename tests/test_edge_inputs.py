"""Edge inputs an adversarial user tries (issue 23): each gets a ChaoslitError naming the argument, before any work or
allocation, or exit code 2 on the command line."""
import numpy as np
import pytest

from chaoslit import forecasters, systems
from chaoslit.cli import main
from chaoslit.core import ChaoslitError
from chaoslit.integrate import iterate, trajectory
from chaoslit.invariants.lyapunov import lyapunov_spectrum

LORENZ = systems.get("Lorenz")

CASES = {
    "a step of 1e300": (lambda: trajectory(LORENZ, 10, dt=1e300), "at most"),
    "a transient of 1e300 periods": (lambda: trajectory(LORENZ, 10, transient=1e300), "at most"),
    "a step too small to tell times apart": (lambda: trajectory(LORENZ, 100, dt=1e-300), "too small"),
    "a billion-point trajectory": (lambda: trajectory(LORENZ, 10**9), "CHAOSLIT_MAX_MEMORY_GB"),
    "a billion iterations": (lambda: iterate(systems.get("Henon"), 10**9), "CHAOSLIT_MAX_MEMORY_GB"),
    "a billion-step forecast": (lambda: forecasters.get("var").fit(trajectory(LORENZ, 500)[1]).predict(
        trajectory(LORENZ, 50)[1], 10**9), "CHAOSLIT_MAX_MEMORY_GB"),
    "initial conditions of strings": (lambda: trajectory(LORENZ, 10, y0=["a", "b", "c"]), "must be numbers"),
    "an empty batch of initial conditions": (lambda: trajectory(LORENZ, 10, y0=np.zeros((0, 3))), "no initial"),
    "a seed of letters": (lambda: lyapunov_spectrum(LORENZ, seed="abc"), "seed must be"),
    "a complex parameter": (lambda: systems.get("Lorenz", rho=28 + 5j), "real number"),
    "an infinite ridge": (lambda: forecasters.get("esn", ridge=float("inf")), "ridge must be"),
    "training data without coordinates": (lambda: forecasters.get("var").fit(np.zeros((100, 0))), "no coordinates"),
    "a fractional map transient": (lambda: iterate(systems.get("Henon"), 10, transient=10.5), "integer"),
}


@pytest.mark.parametrize("case", CASES)
def test_edge_input_is_a_named_error(case, monkeypatch):
    monkeypatch.delenv("CHAOSLIT_MAX_MEMORY_GB", raising=False)  # the memory limit of this machine
    call, message = CASES[case]
    with pytest.raises(ChaoslitError, match=message):
        call()


@pytest.mark.parametrize("transient", ["nan", "2.5", "-1"])
def test_simulate_a_map_with_a_bad_transient_exits_2(tmp_path, transient):
    with pytest.raises(SystemExit) as exit_:
        main(["simulate", "Henon", "--transient", transient, "--out", str(tmp_path / "h.npz")])
    assert exit_.value.code == 2
    assert not (tmp_path / "h.npz").exists()

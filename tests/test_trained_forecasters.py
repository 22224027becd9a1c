"""The gradient-trained forecasters trained for real on Lorenz (the standard protocol), against the bars the field sets.

Slow (minutes each on two cores): run with CHAOSLIT_SLOW=1 pytest tests/test_trained_forecasters.py."""
import numpy as np
import pytest

from chaoslit import forecasters
from chaoslit.forecasters.plrnn import symbolic_code
from chaoslit.forecasters.trained import reconstruction_quality
from chaoslit.metrics import valid_prediction_time
from chaoslit.protocol import Protocol, evaluate, make_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lorenz():
    return make_data(Protocol())


def test_neural_ode_forecasts_five_lyapunov_times(lorenz):
    "Collocation then segments (the defaults): median valid prediction time of at least 5 Lyapunov times (nRMSE 0.5)."
    fitted = forecasters.get("neural_ode").fit(lorenz.train, key=0)
    result = evaluate(fitted, lorenz)
    assert result.n_failed == 0
    assert np.median(result.vpt_nrmse) >= 5.0, np.median(result.vpt_nrmse)


@pytest.mark.parametrize("name", ["shplrnn", "alrnn"])
def test_reconstruction_keeps_the_attractor(name, lorenz):
    "Largest Lyapunov exponent within 15%, state-space divergence (30 bins per coordinate) at most 1.0."
    fitted = forecasters.get(name).fit(lorenz.train, key=0)
    quality = reconstruction_quality(fitted, lorenz)
    assert quality.lyapunov_error <= 0.15, (quality.lyapunov_exponent, quality.true_lyapunov_exponent)
    assert quality.state_space_divergence <= 1.0, quality.state_space_divergence


def test_alrnn_recovers_the_minimal_lorenz_structure(lorenz):
    """With two ReLUs: one subregion per lobe (each holding one sign of x), whose fixed points sit near Lorenz's C+- and
    turn like them (a complex pair of multipliers, unstable, at Lorenz's angle per step within 20%)."""
    from chaoslit import systems
    from chaoslit.forecasters.plrnn import flow_multipliers, subregions

    fitted = forecasters.get("alrnn", latent=20, n_relu=2).fit(lorenz.train, key=0)
    code = symbolic_code(fitted, lorenz.test.context[0], 20_000)
    right = {s: np.mean(code.observations[code.symbols == s, 0] > 0) for s in code.visited
             if np.mean(code.symbols == s) > 0.1}
    lobes = {"C+": [s for s, f in right.items() if f > 0.99], "C-": [s for s, f in right.items() if f < 0.01]}
    assert all(len(found) == 1 for found in lobes.values()), right
    system = systems.get("Lorenz")
    c = np.sqrt(system.beta * (system.rho - 1))
    regions = {region.symbol: region for region in subregions(fitted)}
    for name, sign in (("C+", 1), ("C-", -1)):
        point = np.array([sign * c, sign * c, system.rho - 1])
        region = regions[lobes[name][0]]
        assert np.linalg.norm(region.fixed_point - point) < 0.15 * np.linalg.norm(point), (name, region.fixed_point)
        lorenz_turn = np.abs(np.angle(flow_multipliers(system, point, lorenz.dt)[0]))
        leading = region.eigenvalues[:2]
        assert abs(leading[0].imag) > 0 and np.isclose(leading[0], np.conj(leading[1])) and abs(leading[0]) > 1, leading
        assert abs(np.abs(np.angle(leading[0])) / lorenz_turn - 1) < 0.2, (np.angle(leading[0]), lorenz_turn)


def test_alrnn_recovers_the_rossler_spiral():
    """With one ReLU on Rossler: the subregion the run spends most time in holds the spiral, whose fixed point sits at
    Rossler's inner fixed point and turns at its angle per step (within 20%); the other holds the fold (high z)."""
    from chaoslit import systems
    from chaoslit.forecasters.plrnn import flow_multipliers, subregions

    data = make_data(Protocol(system="Rossler"))
    fitted = forecasters.get("alrnn", latent=20, n_relu=1).fit(data.train, key=0)
    code = symbolic_code(fitted, data.test.context[0], 20_000)
    spiral = int(np.argmax(code.occupancy))
    fold = 1 - spiral
    assert np.mean(code.observations[code.symbols == fold, 2]) > np.percentile(data.train[:, 2], 80)
    system = systems.get("Rossler")
    a, b, c = float(system.a), float(system.b), float(system.c)
    x = (c - np.sqrt(c**2 - 4 * a * b)) / 2
    inner = np.array([x, -x / a, x / a])
    region = subregions(fitted)[spiral]
    assert np.linalg.norm(region.fixed_point - inner) < 0.05 * data.train.std(axis=0).sum(), region.fixed_point
    turn = np.abs(np.angle(flow_multipliers(system, inner, data.dt)[0]))
    assert abs(np.abs(np.angle(region.eigenvalues[0])) / turn - 1) < 0.2, (region.eigenvalues[:2], turn)


def test_mamba_beats_phyxmamba_published_lorenz_figure(lorenz):
    """Valid prediction time by the cumulative-sMAPE-below-30 convention, against PhyxMamba's 5.06 Lyapunov times
    (trained by its default 2,000 full-batch L-BFGS iterations; 5.75 measured with seed 0, 6.44 with seed 1)."""
    fitted = forecasters.get("mamba").fit(lorenz.train, key=0)
    result = evaluate(fitted, lorenz)
    forecasts = np.where(np.isfinite(result.forecasts), result.forecasts, 1e100)
    vpt = valid_prediction_time(lorenz.test.target, forecasts, dt=lorenz.dt, lyapunov_exponent=lorenz.lyapunov_exponent,
                                criterion="smape", cumulative=True)
    assert np.median(vpt.lyapunov_times) > 5.06, np.median(vpt.lyapunov_times)


@pytest.mark.parametrize("name", ["lstm", "gru", "s4d", "transformer", "hybrid_ode"])
def test_sequence_models_and_hybrid_train_for_real(name, lorenz):
    "Each trains to forecasts beyond half a Lyapunov time (an untrained one holds a few steps) with no diverged window."
    from chaoslit import systems

    extra = dict(physics=systems.get("Lorenz", rho=25.0), dt=lorenz.dt) if name == "hybrid_ode" else {}
    fitted = forecasters.get(name, **extra).fit(lorenz.train, key=0)
    result = evaluate(fitted, lorenz)
    assert result.n_failed == 0
    assert np.median(result.vpt_nrmse) > 0.5, np.median(result.vpt_nrmse)

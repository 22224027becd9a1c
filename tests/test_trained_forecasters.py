"""The gradient-trained forecasters trained for real on Lorenz (the standard protocol), against the bars the field sets.

Slow (minutes each on two cores): run with CHAOSLIT_SLOW=1 pytest tests/test_trained_forecasters.py."""
import numpy as np
import pytest

from chaoslit import forecasters
from chaoslit.forecasters.plrnn import symbolic_code
from chaoslit.forecasters.training import reconstruction_quality
from chaoslit.metrics import valid_prediction_time
from chaoslit.protocol import Protocol, evaluate, make_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lorenz():
    return make_data(Protocol())


@pytest.mark.xfail(strict=True, reason="not reached yet: median VPT 4.76 Lyapunov times measured (width 128, 5,000 steps)")
def test_neural_ode_forecasts_five_lyapunov_times(lorenz):
    fitted = forecasters.get("neural_ode").fit(lorenz.train, key=0)
    result = evaluate(fitted, lorenz)
    assert result.n_failed == 0
    assert np.median(result.vpt_nrmse) >= 5.0, np.median(result.vpt_nrmse)


@pytest.mark.parametrize("name", ["shplrnn", pytest.param("alrnn", marks=pytest.mark.xfail(
    strict=True, reason="not reached yet: the AL-RNN's free run falls to a fixed point or diverges after 3,000 steps"))])
def test_reconstruction_keeps_the_attractor(name, lorenz):
    "Largest Lyapunov exponent within 15%, state-space divergence (30 bins per coordinate) at most 1.0."
    fitted = forecasters.get(name).fit(lorenz.train, key=0)
    quality = reconstruction_quality(fitted, lorenz)
    assert quality.lyapunov_error <= 0.15, (quality.lyapunov_exponent, quality.true_lyapunov_exponent)
    assert quality.state_space_divergence <= 1.0, quality.state_space_divergence


@pytest.mark.xfail(strict=True, reason="needs an AL-RNN that reconstructs Lorenz (see above)")
def test_alrnn_codes_the_lorenz_lobes(lorenz):
    "With two ReLUs, the AL-RNN's subregions separate the attractor's two lobes (the sign of x)."
    fitted = forecasters.get("alrnn").fit(lorenz.train, key=0)
    code = symbolic_code(fitted, lorenz.test.context[0], 20_000)
    lobe = code.observations[:, 0] > 0
    share = lambda s, cls: np.mean(code.symbols[lobe == cls] == s)
    says_right = np.isin(code.symbols, [s for s in code.visited if share(s, True) > share(s, False)])
    balanced_accuracy = 0.5 * (np.mean(says_right[lobe]) + np.mean(~says_right[~lobe]))
    assert balanced_accuracy >= 0.9, balanced_accuracy


@pytest.mark.xfail(strict=True, reason="not reached yet: 2.0 to 2.2 Lyapunov times measured (2,000 steps)")
def test_mamba_beats_phyxmamba_published_lorenz_figure(lorenz):
    "Valid prediction time by the cumulative-sMAPE-below-30 convention, against PhyxMamba's 5.06 Lyapunov times."
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

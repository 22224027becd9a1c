"Every registered forecaster through the common interface: shapes, batching, determinism, save/load, errors."
import numpy as np
import pytest

from chaoslit import forecasters, systems
from chaoslit.core import ChaoslitError
from chaoslit.integrate import trajectory
from chaoslit.protocol import Protocol, make_data

# Small versions, so that the whole sweep takes seconds; the gradient-trained ones train for a few steps only (their
# real training is in tests/test_trained_forecasters.py, marked slow).
TRAINING = dict(steps=20, eval_every=10)
SMALL = {"esn": dict(units=50), "random_features": dict(n_features=50), "hankel_dmd": dict(delays=8, rank=8),
         "edmd": dict(degree=2),
         "neural_ode": dict(width=16, depth=1, collocation=10, **TRAINING),
         "hybrid_ode": dict(width=16, depth=1, collocation=10, physics=systems.get("Lorenz", rho=25.0), dt=systems.get("Lorenz").period / 100,
                            **TRAINING),
         "shplrnn": dict(hidden=16, window=20, **TRAINING), "alrnn": dict(latent=8, n_relu=2, window=20, burn_in=5, forcing_interval=4, **TRAINING),
         "lstm": dict(hidden=8, window=25, **TRAINING), "gru": dict(hidden=8, window=25, **TRAINING),
         "s4d": dict(hidden=8, state=4, window=25, **TRAINING),
         "mamba": dict(hidden=8, state=4, window=40, lag=5, burn_in=12, free_steps=10, geometry=0.1, lbfgs=10, **TRAINING),
         "transformer": dict(width=8, n_heads=2, window=9, **TRAINING)}
# Training on a batch of trajectories is one code path for all gradient-trained models: checked on one (each recompiles).
BATCH_FIT = set(forecasters.names()) - {"neural_ode", "hybrid_ode", "alrnn", "lstm", "gru", "s4d", "mamba", "transformer"}


@pytest.fixture(scope="module")
def data():
    return make_data(Protocol(n_train=1500, n_validation=1, n_test=3, context=100, horizon=40))


@pytest.mark.parametrize("name", forecasters.names())
def test_fit_predict_save_load(name, data, tmp_path):
    forecaster = forecasters.get(name, **SMALL.get(name, {}))
    fitted = forecaster.fit(data.train, key=3)
    batch = fitted.predict(data.test.context, 40)
    assert batch.shape == (3, 40, 3) and batch.dtype == np.float64
    assert np.isfinite(batch).all()
    single = fitted.predict(data.test.context[1], 40)
    # A batched and a single compiled program differ in the last bits, and a free run amplifies that: 40 steps of the
    # VAR that ridge="auto" fits here (penalty 1e-10) grow it to 6e-9. A batching bug would differ at order one.
    np.testing.assert_allclose(single, batch[1], rtol=1e-9, atol=1e-7)
    # A batch of trajectories trains too, and the same key gives the same model.
    if name in BATCH_FIT:
        again = forecaster.fit(np.stack([data.train[:700], data.train[700:1400]]), key=3)
        assert np.isfinite(again.predict(data.test.context[:1], 5)).all()
    np.testing.assert_array_equal(forecaster.fit(data.train, key=3).predict(data.test.context, 40), batch)
    path = forecasters.save(tmp_path / f"{name}.npz", fitted)
    np.testing.assert_array_equal(forecasters.load(path).predict(data.test.context, 40), batch)


def test_errors_name_what_is_wrong(data, tmp_path, monkeypatch):
    monkeypatch.delenv("CHAOSLIT_MAX_MEMORY_GB", raising=False)
    with pytest.raises(ChaoslitError, match="Unknown forecaster 'ens'"):
        forecasters.get("ens")
    with pytest.raises(ChaoslitError, match="no hyperparameter 'units'"):
        forecasters.get("ngrc", units=3)
    fitted = forecasters.get("var").fit(data.train)
    with pytest.raises(ChaoslitError, match=r"context must be \(n_context, 3\)"):
        fitted.predict(data.test.context[..., :2], 10)
    with pytest.raises(ChaoslitError, match="at least 5"):
        fitted.predict(data.test.context[:, :3], 10)
    with pytest.raises(ChaoslitError, match="n_steps"):
        fitted.predict(data.test.context, 0)
    with pytest.raises(ChaoslitError, match="CHAOSLIT_MAX_MEMORY_GB"):  # refused before anything is allocated
        fitted.predict(data.test.context, 10**9)
    bad = data.train.copy()
    bad[10, 1] = np.nan
    with pytest.raises(ChaoslitError, match="NaN"):
        forecasters.get("esn").fit(bad)
    with pytest.raises(ChaoslitError, match="at least"):
        forecasters.get("esn").fit(data.train[:50])
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    with pytest.raises(ChaoslitError, match="cannot read"):
        forecasters.load(junk)


def test_diverging_forecast_is_reported(data):
    "A model made unstable must raise, or return the divergence when asked."
    fitted = forecasters.get("dmd").fit(data.train)
    import equinox as eqx

    from chaoslit.core import float64_mode

    with float64_mode():
        exploding = eqx.tree_at(lambda m: m.koopman, fitted, fitted.koopman * 1e3)
    with pytest.raises(forecasters.DivergedForecast, match="diverged"):
        exploding.predict(data.test.context, 400)
    kept = exploding.predict(data.test.context, 400, on_divergence="keep")
    assert not np.isfinite(kept).all()


def test_fit_takes_a_legacy_prng_key():
    # jax.random.PRNGKey, the key most JAX code still makes, is accepted beside jax.random.key and integer seeds
    import jax
    y = trajectory(systems.get("Lorenz"), 1500)[1]
    forecaster = forecasters.get("esn", units=50)
    forecasts = [forecaster.fit(y, key=key).predict(y[-100:], 5) for key in (4, jax.random.key(4), jax.random.PRNGKey(4))]
    assert all(np.array_equal(forecasts[0], other) for other in forecasts[1:])

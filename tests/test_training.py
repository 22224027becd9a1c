"The shared training loop and the gradient-trained forecasters: reproducibility, checkpoints, early stopping, errors, and the models' pieces against exact results."
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from chaoslit import forecasters, systems, trajectory
from chaoslit.core import ChaoslitError, float64_mode
from chaoslit.forecasters.base import Standardizer
from chaoslit.forecasters.neural_ode import HybridField, _integrate, collocation_targets
from chaoslit.forecasters.plrnn import AlmostLinearRNN, FittedPLRNN, ShallowPLRNN, forcing_strength, teacher_forced_loss
from chaoslit.forecasters.trained import mlp, reconstruction_quality
from chaoslit.forecasters.training import train, training_set
from chaoslit.protocol import Protocol, make_data


class Scalar(eqx.Module):
    value: jax.Array


def _mean_loss(model, windows, key):
    return jnp.mean((windows - model.value) ** 2)


def _white_noise(n=600, seed=0):
    "One training series of independent standard normal draws in two coordinates."
    return [np.random.default_rng(seed).standard_normal((n, 2))]


def _train(checkpoint=None, callback=None, steps=60, patience=0, loss=_mean_loss, lbfgs=0, validation_fraction=0.2,
           sampling="uniform"):
    with float64_mode():
        data = training_set(_white_noise(), 5, validation_fraction)
        return train(Scalar(jnp.zeros(2)), loss, data, optax.adam(0.05), steps=steps, batch_size=4, window=5,
                     key=jax.random.key(7), eval_every=10, patience=patience, checkpoint=checkpoint, callback=callback,
                     lbfgs=lbfgs, sampling=sampling)


def test_same_seed_same_parameters():
    first, second = _train(), _train()
    np.testing.assert_array_equal(first.model.value, second.model.value)
    # and the loop learned the data's mean
    np.testing.assert_allclose(first.model.value, _white_noise()[0][:480].mean(axis=0), atol=0.1)


def test_interrupted_run_resumes_to_the_same_parameters(tmp_path):
    path = tmp_path / "run.ckpt"
    calls = []

    def interrupt(record):
        calls.append(record["step"])
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _train(checkpoint=path, callback=interrupt)
    assert path.exists() and calls == [10, 20]
    resumed = _train(checkpoint=path, callback=lambda record: calls.append(record["step"]))
    assert calls == [10, 20, 30, 40, 50, 60]  # it went on from step 20, not from the start
    np.testing.assert_array_equal(resumed.model.value, _train().model.value)
    np.testing.assert_array_equal(resumed.history["step"], [10, 20, 30, 40, 50, 60])
    # a finished checkpoint returns at once; another run's checkpoint is refused
    np.testing.assert_array_equal(_train(checkpoint=path).model.value, resumed.model.value)
    with pytest.raises(ChaoslitError, match="belongs to another training run"):
        _train(checkpoint=path, steps=70)
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"nothing\n")
    with pytest.raises(ChaoslitError, match="not a chaoslit checkpoint"):
        _train(checkpoint=junk)


@pytest.mark.parametrize("sampling", ["loss", "gradient"])
def test_importance_sampled_run_resumes_to_the_same_parameters_and_scores(tmp_path, sampling):
    path = tmp_path / "run.ckpt"

    def interrupt(record):
        if record["step"] == 30:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _train(checkpoint=path, callback=interrupt, sampling=sampling)
    resumed, whole = _train(checkpoint=path, sampling=sampling), _train(sampling=sampling)
    np.testing.assert_array_equal(resumed.model.value, whole.model.value)
    np.testing.assert_array_equal(resumed.scores, whole.scores)  # the scores were carried across the interruption
    assert np.isfinite(whole.scores).sum() > 100  # 60 steps of 4 windows drew many of the 476 starts
    assert not np.array_equal(whole.model.value, _train().model.value)  # other draws than uniform sampling's
    with pytest.raises(ChaoslitError, match="belongs to another training run"):
        _train(checkpoint=path, sampling="uniform")


@pytest.mark.parametrize("sampling", ["loss", "gradient"])
def test_importance_sampling_finds_the_same_minimum_in_the_parameters_dtype(sampling):
    "Shifted data, so that only a trained model is near their mean; float32 parameters on float64 data stay float32."
    series = [_white_noise()[0] + 3.0]
    with float64_mode():
        data = training_set(series, 5, 0.2)
        for dtype in (jnp.float64, jnp.float32):
            result = train(Scalar(jnp.zeros(2, dtype)), _mean_loss, data, optax.adam(0.05), steps=300, batch_size=4,
                           window=5, key=jax.random.key(7), eval_every=100, sampling=sampling)
            assert result.model.value.dtype == dtype
            np.testing.assert_allclose(result.model.value, series[0][:480].mean(axis=0), atol=0.15)


def test_a_checkpoint_of_an_older_format_is_named(tmp_path):
    path = tmp_path / "old.ckpt"
    path.write_bytes(b'{"format": "chaoslit-checkpoint-2", "fingerprint": "x"}\n')
    with pytest.raises(ChaoslitError, match="written in format 'chaoslit-checkpoint-2'; this version reads"):
        _train(checkpoint=path)


def test_training_run_is_what_fit_trains():
    forecaster = forecasters.get("gru", steps=20, eval_every=10, sampling="loss", hidden=8)
    data = make_data(Protocol(n_train=600, n_test=1, n_validation=1, context=60, horizon=30))
    run, fitted = forecaster.training_run(data.train, key=3), forecaster.fit(data.train, key=3)
    np.testing.assert_array_equal(run.fitted.predict(data.test.context, 30), fitted.predict(data.test.context, 30))
    assert run.fitted.forecaster == forecaster and np.isfinite(run.result.scores).any()


def test_lbfgs_finish_reaches_the_full_batch_minimum():
    "The minimizer of the mean loss over the full batch (windows every half window) is those windows' mean, exactly."
    series = _white_noise()[0]
    full_batch = np.stack([series[s: s + 5] for s in range(0, len(series) - 5 + 1, 2)])
    adam_only = _train(validation_fraction=0)
    finished = _train(lbfgs=20, validation_fraction=0)
    assert np.abs(np.asarray(adam_only.model.value) - full_batch.mean(axis=(0, 1))).max() > 1e-4  # Adam alone is not there
    np.testing.assert_allclose(np.asarray(finished.model.value), full_batch.mean(axis=(0, 1)), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(finished.history["step"], [10, 20, 30, 40, 50, 60, 70, 80])
    np.testing.assert_allclose(finished.history["train_loss"][-1], np.mean((full_batch - np.asarray(finished.model.value)) ** 2), rtol=1e-12)
    # L-BFGS alone (no steps) starts from the initial model and gets there too; no steps and no iterations is refused
    alone = _train(steps=0, lbfgs=20, validation_fraction=0)
    np.testing.assert_allclose(np.asarray(alone.model.value), full_batch.mean(axis=(0, 1)), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(alone.history["step"], [10, 20])
    with pytest.raises(ChaoslitError, match="steps \\(0\\) and lbfgs \\(0\\) are both 0"):
        _train(steps=0)


def test_interrupted_lbfgs_finish_resumes_to_the_same_parameters(tmp_path):
    path, calls = tmp_path / "run.ckpt", []

    def interrupt(record):
        calls.append(record["step"])
        if record["step"] == 70:  # inside the L-BFGS stage
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _train(checkpoint=path, callback=interrupt, lbfgs=25)
    resumed = _train(checkpoint=path, callback=lambda record: calls.append(record["step"]), lbfgs=25)
    assert calls == [10, 20, 30, 40, 50, 60, 70, 80, 85]
    np.testing.assert_array_equal(resumed.model.value, _train(lbfgs=25).model.value)


def test_early_stopping_and_a_diverging_loss():
    flat = _train(steps=200, patience=2, loss=lambda model, windows, key: jnp.sum(model.value * 0) + 1.0)
    assert flat.stopped_early and flat.history["step"][-1] == 30  # no improvement after the first evaluation
    # stopping early ends the steps, not the L-BFGS finish after them (which stops early in its turn)
    flat = _train(steps=200, patience=2, loss=lambda model, windows, key: jnp.sum(model.value * 0) + 1.0, lbfgs=50)
    np.testing.assert_array_equal(flat.history["step"], [10, 20, 30, 210, 220])
    assert flat.stopped_early
    with pytest.raises(ChaoslitError, match="training loss became nan"):
        _train(loss=lambda model, windows, key: jnp.log(-1.0 - jnp.sum(model.value**2)))


def test_training_set_cuts_and_refuses():
    cut = training_set([np.zeros((100, 1)), np.zeros((50, 1))], 10, 0.2)
    assert cut.series.shape == (80 + 40, 1) and cut.validation.shape == (2 + 1, 10, 1)
    assert int(cut.starts.max()) == 120 - 10 and 80 - 10 + 1 not in set(np.asarray(cut.starts).tolist()[:71])
    with pytest.raises(ChaoslitError, match="fewer than one window"):
        training_set([np.zeros((100, 1))], 30, 0.2)


@pytest.mark.parametrize("name, bad, message", [
    ("neural_ode", dict(learning_rate=-1.0), "learning_rate must be a finite number > 0"),
    ("neural_ode", dict(schedule="linear"), "schedule must be one of"),
    ("neural_ode", dict(collocation=-1), "collocation must be an integer >= 0"),
    ("lstm", dict(window=15), "burn_in \\+ free_steps < window - 1"),
    ("alrnn", dict(n_relu=30), "n_relu must be"),
    ("mamba", dict(burn_in=5), "burn_in must be at least"),
    ("mamba", dict(geometry=0.1), "geometry must be 0 unless free_steps >= 2"),
    ("transformer", dict(n_heads=5), "n_heads must be"),
    ("gru", dict(selection="loss"), "selection must be one of"),
    ("s4d", dict(lbfgs=-1), "lbfgs must be an integer >= 0"),
    ("gru", dict(steps=0), "lbfgs must be at least 1 when steps is 0"),
    ("hybrid_ode", dict(), "physics must be a chaoslit flow"),
    ("hybrid_ode", dict(physics=systems.get("Lorenz"), dt=-1.0), "dt must be the data's sampling interval"),
])
def test_bad_hyperparameters_are_named(name, bad, message):
    train_data = _white_noise(1000)[0][:, :1].repeat(3, axis=1) + np.arange(3)
    with pytest.raises(ChaoslitError, match=message):
        forecasters.get(name, **{"steps": 1, **bad}).fit(train_data)


def test_neural_ode_time_unit_is_one_sample():
    "dz/ds = -z integrates to exp(-s) at s = 1, 2, 3 (Tsit5, 8 substeps)."
    with float64_mode():
        states = _integrate(lambda z: -z, jnp.ones(2), 3, 8)
    np.testing.assert_allclose(np.asarray(states)[:, 0], np.exp(-np.arange(1.0, 4.0)), rtol=1e-7)


def _standardized_lorenz(n_points: int):
    "Lorenz, its sampling interval (100 points per period), a trajectory of `n_points` from its initial condition, and its scaler."
    lorenz = systems.get("Lorenz")
    dt = lorenz.period / 100
    _, y = trajectory(lorenz, n_points, dt=dt, transient=0.0)
    with float64_mode():
        return lorenz, dt, y, Standardizer(jnp.asarray(y.mean(axis=0)), jnp.asarray(y.std(axis=0)))


def test_hybrid_field_with_a_zero_network_is_the_known_model():
    "In standardized coordinates and sample time, the hybrid's known part reproduces the system's trajectory."
    lorenz, dt, y, scaler = _standardized_lorenz(200)
    with float64_mode():
        net = mlp([3, 8, 3], "gelu", jax.random.key(0), final_scale=0.0)
        field = HybridField(net, jnp.ones(3), lorenz, scaler, dt)
        z = _integrate(field, scaler.forward(jnp.asarray(y[0])), 199, 20)
        np.testing.assert_allclose(np.asarray(scaler.inverse(z)), y[1:], atol=1e-6)


def test_collocation_derivatives_are_the_vector_field():
    "The finite-difference derivatives of a sampled Lorenz trajectory are its vector field, in standardized sample units."
    lorenz, dt, y, scaler = _standardized_lorenz(400)
    with float64_mode():
        cut = training_set([np.asarray(scaler.forward(jnp.asarray(y[:250]))), np.asarray(scaler.forward(jnp.asarray(y[250:])))],
                           10, 0.0)
        points, derivatives = collocation_targets(cut, 10)
        exact = jax.vmap(lambda z: dt * lorenz.vector_field(0.0, scaler.inverse(z)) / scaler.std)(points)
    assert points.shape == (250 - 8 + 150 - 8, 3)
    np.testing.assert_allclose(np.asarray(scaler.inverse(points)), np.concatenate([y[4:246], y[254:396]]), atol=1e-12)
    np.testing.assert_allclose(np.asarray(derivatives), np.asarray(exact), atol=1e-4 * float(jnp.abs(exact).max()))


def test_plrnn_jacobians_are_exact():
    with float64_mode():
        k = jax.random.split(jax.random.key(0), 6)
        sh = ShallowPLRNN(jax.random.normal(k[0], (3,)), jax.random.normal(k[1], (3, 7)), jax.random.normal(k[2], (7, 3)),
                          jax.random.normal(k[3], (7,)), jax.random.normal(k[4], (3,)))
        al = AlmostLinearRNN(jax.random.normal(k[0], (6,)), jax.random.normal(k[5], (6, 6)), jnp.zeros(6), jnp.zeros((3, 3)), 2)
        for model, dim in ((sh, 3), (al, 6)):
            for seed in range(5):
                z = jax.random.normal(jax.random.key(seed), (dim,))
                np.testing.assert_allclose(model.jacobian(z), jax.jacfwd(model)(z), atol=1e-12)
        # the AL-RNN is linear in its first M - P units and ignores W's diagonal
        z = jnp.array([1.0, -2.0, 0.5, 3.0, -1.0, 2.0])
        np.testing.assert_allclose(al(z), al.diagonal * z + (al.weights - jnp.diag(jnp.diag(al.weights))) @ z.at[4].set(0.0))


def test_forcing_strength_follows_the_jacobian_bound():
    "alpha = 1 - 1/G: zero for a contracting map, 1 - 1/2 for a map that doubles, capped at alpha_max."
    with float64_mode():
        windows = jax.random.normal(jax.random.key(1), (4, 20, 3))
        linear = lambda a: ShallowPLRNN(jnp.full(3, a), jnp.zeros((3, 2)), jnp.zeros((2, 3)), jnp.zeros(2), jnp.zeros(3))
        assert float(forcing_strength(linear(0.5), windows, 1.0)) == 0.0
        np.testing.assert_allclose(float(forcing_strength(linear(2.0), windows, 1.0)), 0.5, rtol=1e-12)
        np.testing.assert_allclose(float(forcing_strength(linear(10.0), windows, 0.3)), 0.3)


def test_reconstruction_exponent_of_a_linear_map():
    "A PLRNN with no ReLU coupling is the linear map diag(a): its largest exponent is log(max a) / dt exactly."
    data = make_data(Protocol(n_train=2000, n_validation=1, n_test=1, context=20, horizon=10))
    with float64_mode():
        a = jnp.array([0.9, 0.97, 0.5])
        model = ShallowPLRNN(a, jnp.zeros((3, 2)), jnp.zeros((2, 3)), jnp.zeros(2), jnp.zeros(3))
        fitted = FittedPLRNN(3, 1, Standardizer.of([data.train]), model, {})
    result = reconstruction_quality(fitted, data, n_steps=1000, transient=100)
    np.testing.assert_allclose(result.lyapunov_exponent, math.log(0.97) / data.dt, rtol=1e-9)
    assert result.state_space_divergence > 1.0  # a run that decays to a point has none of the attractor


def test_sequence_loss_aligns_heads_and_free_run():
    "A cell that predicts a ramp's increments exactly has zero loss (every head, the free run, the geometry penalty)."
    from chaoslit.forecasters.sequence import AbstractCell, sequence_loss

    class Ramp(AbstractCell):
        slope: jax.Array
        heads: int = eqx.field(static=True)

        def initial_carry(self, dtype):
            return jnp.zeros((), dtype)

        def __call__(self, carry, x):
            return carry + 1, jnp.arange(1, self.heads + 1)[:, None] * self.slope[None]

    with float64_mode():
        slope, rate = jnp.array([0.1, -0.2]), jnp.array([0.5, 0.25])
        windows = jnp.stack([jnp.arange(30.0)[:, None] * slope, 1.0 + jnp.arange(30.0)[:, None] * slope])
        exact = sequence_loss(Ramp(slope / rate, 3), rate, windows, burn_in=2, free_steps=5, geometry=1.0)
        off = sequence_loss(Ramp(1.01 * slope / rate, 3), rate, windows, burn_in=2, free_steps=5, geometry=0.0)
    assert float(exact) < 1e-28 and float(off) > 1e-6


def test_transformer_is_causal():
    "Its prediction at a position does not depend on later tokens."
    from chaoslit.forecasters.sequence import Transformer
    from chaoslit.forecasters.training import training_set

    with float64_mode():
        data = training_set([np.random.default_rng(0).standard_normal((200, 3))], 9, 0.1)
        model, _ = Transformer(width=8, n_heads=2, window=9).init(data, None, jax.random.key(0))
        tokens = jax.random.normal(jax.random.key(1), (8, 3))
        changed = tokens.at[5].add(1.0)
        np.testing.assert_array_equal(model(tokens)[:5], model(changed)[:5])
        assert not np.allclose(model(tokens)[5:], model(changed)[5:])


def test_sparse_teacher_forcing_resets_only_every_interval():
    "Forcing every `interval` steps: between resets the model runs freely; the teacher signal is forced, the data scored."
    with float64_mode():
        a = jnp.array([1.1, 0.9, 1.0])
        model = ShallowPLRNN(a, jnp.zeros((3, 2)), jnp.zeros((2, 3)), jnp.zeros(2), jnp.zeros(3))  # z -> a * z
        x = jax.random.normal(jax.random.key(3), (1, 13, 3))

        def expected(teacher, interval, alpha):
            z, errors = teacher[0, 0], []
            for t in range(1, 13):
                z = a * z
                errors.append((z - x[0, t]) ** 2)
                if t % interval == 0:
                    z = (1 - alpha) * z + alpha * teacher[0, t]
            return jnp.mean(jnp.stack(errors))

        shifted = x + 0.3
        for interval, alpha, teacher in ((1, 1.0, x), (4, 1.0, x), (5, 0.5, shifted), (12, 1.0, x)):
            np.testing.assert_allclose(teacher_forced_loss(model, x, alpha, 0, interval, teacher),
                                       expected(teacher, interval, alpha), rtol=1e-12)
    with pytest.raises(ChaoslitError, match="forcing_interval"):
        forecasters.get("alrnn", forcing_interval=60, window=60).fit(np.zeros((300, 3)) + np.arange(300)[:, None])


def test_newly_fitted_models_reuse_the_compiled_forecast(compilations):
    "The training history is kept as arrays (traced), not as numbers (static): a second fit compiles nothing new."
    y = np.cumsum(np.random.default_rng(0).standard_normal((300, 3)), axis=0) * 0.01
    model = forecasters.get("gru", hidden=4, steps=20, eval_every=10, window=10, burn_in=2, free_steps=2)
    first = model.fit(y, key=0)
    first.predict(y[-20:], 5)
    compiled = compilations()
    second = model.fit(y, key=1)
    second.predict(y[-20:], 5)
    assert compilations() == compiled
    assert all(isinstance(values, np.ndarray) for values in second.history.values())


def test_subregion_analysis_refuses_what_it_cannot_do():
    from chaoslit.forecasters.plrnn import subregions, symbolic_code

    with float64_mode():
        scaler = Standardizer(jnp.zeros(3), jnp.ones(3))
        plrnn = FittedPLRNN(3, 1, scaler, ShallowPLRNN(jnp.ones(3), jnp.zeros((3, 2)), jnp.zeros((2, 3)), jnp.zeros(2),
                                                       jnp.zeros(3)), {})
        wide = FittedPLRNN(3, 1, scaler, AlmostLinearRNN(jnp.ones(20), jnp.zeros((20, 20)), jnp.zeros(20),
                                                         jnp.zeros((17, 3)), 13), {})
    with pytest.raises(ChaoslitError, match="needs a fitted AL-RNN"):
        subregions(plrnn)
    for analysis in (subregions, lambda f: symbolic_code(f, np.zeros((5, 3)), 10)):
        with pytest.raises(ChaoslitError, match="2\\*\\*13"):
            analysis(wide)


def test_flow_multipliers_refuse_maps_and_wrong_points():
    from chaoslit.forecasters.plrnn import flow_multipliers

    with pytest.raises(ChaoslitError, match="needs a chaoslit ODE flow"):
        flow_multipliers(systems.get("Henon"), [0.0, 0.0], 1.0)
    with pytest.raises(ChaoslitError, match="shape \\(2,\\)"):
        flow_multipliers(systems.get("Lorenz"), [0.0, 0.0], 0.01)


def test_attractor_selection_keeps_the_best_free_run():
    "With selection='attractor' the kept model is the one whose free run scored lowest, and that score is reproducible."
    from chaoslit.forecasters.trained import attractor_divergence

    y = np.asarray(trajectory(systems.get("Lorenz"), 1500, dt=0.02)[1])
    fitted = forecasters.get("gru", hidden=8, window=20, burn_in=5, free_steps=5, steps=200, eval_every=40,
                             selection="attractor").fit(y, key=0)
    scores = fitted.history["score"]
    assert len(scores) == 5 and np.ptp(scores) > 0  # the score moved while training
    truth = y[: len(y) - 150]  # the training part: validation_fraction 0.1 holds out the end
    assert attractor_divergence(fitted, truth, transient=len(truth) // 10) == pytest.approx(scores.min(), rel=1e-9)

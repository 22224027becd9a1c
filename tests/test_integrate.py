"The integrator against independent references, its batching, its float64 guarantee and its compile-once behaviour."
import subprocess
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from chaoslit import ChaoslitError, IntegrationError, float64_mode, systems
from chaoslit.integrate import solve, trajectory
from oracles import lorenz_taylor


def test_lorenz_to_t5_matches_30_digit_taylor_reference():
    lorenz = systems.get("Lorenz")
    t, y = trajectory(lorenz, 51, dt=0.1, transient=0.0)  # default solver and tolerances
    reference = lorenz_taylor(lorenz.initial_condition, t)
    assert np.abs(y - reference).max() < 1e-8


def test_batch_equals_loop():
    lorenz = systems.get("Lorenz")
    starts = lorenz.initial_condition + np.random.default_rng(1).standard_normal((4, 3))
    _, batch = trajectory(lorenz, 200, y0=starts, transient=0.0)  # short: chaos amplifies rounding
    for start, row in zip(starts, batch):
        _, single = trajectory(lorenz, 200, y0=start, transient=0.0)
        np.testing.assert_allclose(row, single, rtol=1e-9, atol=1e-9)


def test_parameter_batch_equals_loop():
    rhos = np.array([24.0, 28.0, 35.0])
    _, batch = trajectory(systems.get("Lorenz", rho=rhos), 200, transient=0.0)
    for rho, row in zip(rhos, batch):
        _, single = trajectory(systems.get("Lorenz", rho=rho), 200, transient=0.0)
        np.testing.assert_allclose(row, single, rtol=1e-9, atol=1e-9)


def test_new_parameter_values_do_not_recompile():
    "Parameters are arrays: a new value is new data for the same compiled program."
    counted = eqx.debug.assert_max_traces(max_traces=1)(
        lambda system, y0: solve(system, jnp.linspace(0.0, 1.0, 5), y0).ys
    )
    jitted = eqx.filter_jit(counted)
    with float64_mode():
        for rho in (20.0, 28.0, 35.0):
            lorenz = systems.get("Lorenz", rho=rho)
            jitted(lorenz, jnp.asarray(lorenz.initial_condition))


def test_trajectory_is_float64_and_leaves_global_flag_alone():
    code = (
        "import jax, chaoslit; assert not jax.config.jax_enable_x64;"
        "t, y = chaoslit.trajectory(chaoslit.systems.get('Lorenz'), 20);"
        "assert y.dtype == 'float64' and t.dtype == 'float64', y.dtype;"
        "assert not jax.config.jax_enable_x64; assert jax.numpy.ones(1).dtype == 'float32'; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_blow_up_is_an_error_naming_system_and_time():
    with pytest.raises(IntegrationError, match=r"Integrating Halvorsen failed before t = .*"):
        trajectory(systems.get("Halvorsen", a=-1.4), 500)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=0), "n must be an integer >= 2"),
        (dict(n=10, dt=0.0), "dt must be a finite number > 0"),
        (dict(n=10, points_per_period=-1), "points_per_period must be"),
        (dict(n=10, transient=float("nan")), "transient must be"),
        (dict(n=10, y0=[1.0, np.nan, 0.0]), "must be finite"),
        (dict(n=10, rtol=1e-9, stepsize_controller=object()), "not both"),
        (dict(n=10, noise=-1.0), "noise must be"),
        # options that a group does not use are refused, not ignored (issue 21)
        (dict(n=10, points_per_period=7, dt=0.01), "points_per_period or dt, not both"),
        (dict(n=10, noise=0.1, key=0, rtol=1e-3), "rtol and atol would be ignored"),
        (dict(n=10, key=0), "without noise > 0 it would be ignored"),
        (dict(n=10, noise=0.1, key="seed"), "trajectory's key must be one integer seed"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ChaoslitError, match=message):
        trajectory(systems.get("Lorenz"), **kwargs)


def test_fixed_step_convergence_order_of_tsit5():
    "Global error of a 5th-order method falls like dt^5: the slope on log-log axes."
    import diffrax as dfx

    lorenz = systems.get("Lorenz")
    ts = np.array([0.0, 1.0])
    reference = lorenz_taylor(lorenz.initial_condition, ts)[-1]
    errors = []
    steps = [0.01, 0.005, 0.0025]
    with float64_mode():
        for dt in steps:
            y = solve(lorenz, jnp.asarray(ts), jnp.asarray(lorenz.initial_condition), solver=dfx.Tsit5(),
                      stepsize_controller=dfx.ConstantStepSize(), dt0=dt).ys[-1]
            errors.append(np.abs(np.asarray(y) - reference).max())
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert 4.6 < slope < 5.4, (slope, errors)


def test_a_lorenz96_ring_of_any_size_integrates():
    "Its dimension is its number of sites, known without the forcing (which is traced inside the solver)."
    _, y = trajectory(systems.get("Lorenz96", n=40, f=8.0), 10)
    assert y.shape == (10, 40) and np.isfinite(y).all()


def test_the_lean_stepper_agrees_with_diffrax_on_a_forced_flow():
    "The default (lean) path and diffrax's own Dopri8 on a flow whose field depends on time."
    import diffrax as dfx

    duffing = systems.get("Duffing")
    _, lean = trajectory(duffing, 300, transient=0.0)
    _, through_diffrax = trajectory(duffing, 300, transient=0.0, solver=dfx.Dopri8())
    assert np.abs(lean - through_diffrax).max() < 1e-8


def test_more_outputs_in_one_step_than_a_chunk_holds():
    "Sampled far finer than the steps: one step passes more than a chunk's 64 outputs, which spill into the next chunks."
    lorenz = systems.get("Lorenz")
    t, y = trajectory(lorenz, 2_000, dt=1e-5, transient=0.0)  # 0.02 time units; a step is about 0.01 (1,000 outputs)
    reference = lorenz_taylor(lorenz.initial_condition, t[::50])
    assert np.all(np.isfinite(y)) and np.abs(y[::50] - reference).max() < 1e-9


def test_a_failed_lean_run_reads_as_diffraxs_failure():
    import diffrax as dfx

    messages = []
    for solver in (None, dfx.Dopri8()):  # the lean default falls back to diffrax, whose error it then raises
        with pytest.raises(IntegrationError) as caught:
            trajectory(systems.get("Halvorsen", a=-1.4), 500, solver=solver)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_new_parameters_and_tolerances_reuse_the_lean_program(compilations):
    trajectory(systems.get("Lorenz", rho=20.0), 64, transient=0.0)
    before = compilations()
    trajectory(systems.get("Lorenz", rho=35.0), 64, transient=0.0, rtol=1e-10, atol=1e-10)
    assert compilations() == before


def test_noise_takes_a_seed_or_either_kind_of_key():
    lorenz = systems.get("Lorenz")
    runs = [trajectory(lorenz, 50, noise=0.5, transient=0.0, key=key)[1]
            for key in (3, jax.random.key(3), jax.random.PRNGKey(3))]
    assert all(np.array_equal(runs[0], run) for run in runs[1:])


def test_the_step_after_a_kept_step_may_shrink_by_the_safety_factor_at_most():
    from chaoslit.integrate import next_step_size

    def factor(ratio, **options):
        with float64_mode():
            keep, h = next_step_size(jnp.asarray(1.0), jnp.asarray(ratio), **options)
        return bool(keep), float(h)

    kept, next_step = factor(0.99)  # nearly at the tolerance: a little smaller, as in Hairer's DOP853
    assert kept and 0.9 < next_step < 1.0 and next_step == pytest.approx(0.9 * 0.99 ** (-1 / 8))
    assert factor(0.99, shrink_after_keep=False) == (True, 1.0)  # diffrax's default controller: never smaller
    assert factor(1e-12) == (True, 10.0)  # at most ten times larger
    rejected, shrunk = factor(2.0)
    assert not rejected and shrunk == pytest.approx(0.9 * 2.0 ** (-1 / 8))
    assert factor(1e9) == (False, 0.2) and factor(float("nan")) == (False, 0.2)

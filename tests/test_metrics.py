"Metrics against the reference database's compute_metrics (dysts), scikit-learn and scipy, on real forecasts."
import math

import numpy as np
import pytest
import scipy.stats

from chaoslit import metrics
from chaoslit.integrate import trajectory
from chaoslit.systems import get

# dysts' definitions match ours exactly for these; smape differs only in scale, the others are treated below.
EXACT = ["mse", "mae", "rmse", "nrmse", "marre", "r2_score", "rmsle", "mape", "wape", "spearman", "pearson", "kendall",
         "coefficient_of_variation", "hellinger_distance"]


@pytest.fixture(scope="module")
def pair():
    "A Lorenz truth and a forecast that tracks it, then drifts: a twin started 1e-3 away (600 steps)."
    lorenz = get("Lorenz")
    _, truth = trajectory(lorenz, 600)
    _, twin = trajectory(lorenz, 600, y0=truth[0] + 1e-3, transient=0.0)
    return truth, twin


@pytest.mark.parametrize("name", EXACT)
def test_matches_dysts(pair, name):
    import dysts.metrics

    truth, twin = pair
    reference = dysts.metrics.compute_metrics(truth, twin, include=[name])[name]
    np.testing.assert_allclose(metrics.METRICS[name](truth, twin), reference, rtol=1e-10, atol=1e-14)


def test_smape_scales(pair):
    import dysts.metrics

    truth, twin = pair
    reference = dysts.metrics.compute_metrics(truth, twin, include=["smape"])["smape"]  # dysts 0.96: the 0-100 scale
    np.testing.assert_allclose(metrics.smape(truth, twin, scale=100), reference, rtol=1e-10)
    np.testing.assert_allclose(metrics.smape(truth, twin), 2 * reference, rtol=1e-10)


def test_mutual_information_matches_scikit_learn(pair):
    from sklearn.feature_selection import mutual_info_regression

    truth, twin = pair
    # scikit-learn adds noise of relative size 1e-10 to break ties; on continuous data that changes no neighbour count.
    reference = np.mean([mutual_info_regression(truth[:, [d]], twin[:, d], random_state=0)[0] for d in range(3)])
    np.testing.assert_allclose(metrics.mutual_information(truth, twin), reference, rtol=1e-8)


def test_kl_divergence_agrees_with_dysts_in_distribution(pair):
    "dysts draws its Monte Carlo samples from numpy's global generator: compare means over seeds within their errors."
    import dysts.metrics

    truth, twin = pair
    truth, drifted = truth[::3], twin[::3] + 0.5  # a clearly nonzero divergence
    np.random.seed(0)
    theirs = [dysts.metrics.estimate_kl_divergence(truth, drifted, n_samples=300) for _ in range(8)]
    ours = [metrics.kl_divergence(truth, drifted, n_samples=300, seed=s) for s in range(8)]
    error = math.hypot(np.std(theirs), np.std(ours)) / math.sqrt(8)
    assert abs(np.mean(theirs) - np.mean(ours)) < 4 * error + 1e-3


def test_against_scikit_learn_and_scipy(pair):
    from sklearn import metrics as skm

    truth, twin = pair
    np.testing.assert_allclose(metrics.mse(truth, twin), skm.mean_squared_error(truth, twin), rtol=1e-12)
    np.testing.assert_allclose(metrics.mae(truth, twin), skm.mean_absolute_error(truth, twin), rtol=1e-12)
    # For one coordinate the reference's pooled R² is scikit-learn's.
    np.testing.assert_allclose(metrics.r2_score(truth[:, 0], twin[:, 0]), skm.r2_score(truth[:, 0], twin[:, 0]), rtol=1e-12)
    # One-dimensional Pearson is Pearson's (dysts returns Spearman's there).
    np.testing.assert_allclose(metrics.pearson(truth[:, 0], twin[:, 0]), scipy.stats.pearsonr(truth[:, 0], twin[:, 0])[0])
    assert metrics.pearson(truth[:, 0], twin[:, 0]) != pytest.approx(metrics.spearman(truth[:, 0], twin[:, 0]), rel=1e-6)


def test_mase_by_hand_and_against_dysts(pair):
    import dysts.metrics

    truth, twin = pair
    train = truth[:400]
    naive = np.mean(np.abs(train[2:] - train[:-2]))
    np.testing.assert_allclose(metrics.mase(truth, twin, train, m=2), np.mean(np.abs(truth - twin)) / naive, rtol=1e-9)
    # dysts takes seasonal differences along the last axis (time along it means time_dim=0) and asks for a training
    # series of the forecast's shape.
    reference = dysts.metrics.mase(truth, twin, truth[::-1], m=2, time_dim=0)
    np.testing.assert_allclose(metrics.mase(truth, twin, truth[::-1], m=2), reference, rtol=1e-9)


def test_batches_are_scored_one_by_one(pair):
    truth, twin = pair
    batch_true = np.stack([truth[:300], truth[300:]]).reshape(2, 1, 300, 3)
    batch_pred = np.stack([twin[:300], twin[300:]]).reshape(2, 1, 300, 3)
    scores = metrics.compute_metrics(batch_true, batch_pred)
    for name, values in scores.items():
        assert values.shape == (2, 1), name
        for i, sl in enumerate((slice(0, 300), slice(300, 600))):
            np.testing.assert_allclose(values[i, 0], metrics.METRICS[name](truth[sl], twin[sl]), rtol=1e-9, err_msg=name)
    vpt = metrics.valid_prediction_time(batch_true, batch_pred, dt=0.01)
    assert vpt.steps.shape == (2, 1)


def test_vpt_of_twin_experiments_follows_the_lyapunov_exponent():
    "Twins started 1e-8 away lose track after about ln(0.5 sigma / 1e-8) / lambda, on average over starts."
    lorenz = get("Lorenz")
    _, starts = trajectory(lorenz, 8, points_per_period=0.3)
    rng = np.random.default_rng(1)
    offsets = 1e-8 * rng.standard_normal(starts.shape)
    t, truth = trajectory(lorenz, 4000, y0=starts, transient=0.0)
    _, twins = trajectory(lorenz, 4000, y0=starts + offsets, transient=0.0)
    sigma = truth.reshape(-1, 3).std(axis=0)
    lam = lorenz.metadata.invariants["lyapunov_spectrum"][0]
    vpt = metrics.valid_prediction_time(truth, twins, dt=t[1] - t[0], lyapunov_exponent=lam, scale=sigma)
    expected = math.log(0.5 * sigma.mean() / (1e-8 * math.sqrt(3))) / lam
    assert not vpt.censored.any()
    assert abs(np.median(vpt.time) - expected) < 0.25 * expected


def test_clear_errors(pair):
    truth, twin = pair
    with pytest.raises(metrics.ChaoslitError, match="same shape"):
        metrics.rmse(truth, twin[:-1])
    bad = twin.copy()
    bad[5:, 0] = np.inf
    with pytest.raises(metrics.ChaoslitError, match="NaN or infinite"):
        metrics.compute_metrics(truth, bad)
    with pytest.raises(metrics.ChaoslitError, match="bins"):
        metrics.state_space_divergence(np.zeros((10, 8)), np.zeros((10, 8)), bins=30)


def test_state_space_divergence_treats_both_sides_of_the_range_alike():
    """A forecast point beyond the truth's range, above or below, falls in no bin (it is not clamped into the edge bin),
    even a huge finite one; the truth's own maximum is counted in the last bin. Checked against a histogram by hand."""
    truth = np.linspace(0.0, 1.0, 101)[:, None]
    for outside in (2.0, -1.0, 1e300):
        forecast = np.concatenate([truth[:51], np.full((50, 1), outside)])
        p = np.histogram(truth[:, 0], bins=30, range=(0.0, 1.0))[0] / 101 + 1e-6
        q = np.histogram(forecast[:51, 0], bins=30, range=(0.0, 1.0))[0] / 101 + 1e-6
        p, q = p / p.sum(), q / q.sum()
        with np.errstate(all="raise"):
            ours = metrics.state_space_divergence(truth, forecast, bins=30)
        assert ours == pytest.approx(np.sum(p * np.log(p / q)), rel=1e-12)

"""Benchmark: fit and forecast time, on 2 CPU cores, of the reference comparison's model families in chaoslit.

    python bench/bench_reference_models.py [name ...]

The largest published comparison of forecasters on chaotic systems (Gilpin 2021, the dysts benchmark) ran, through
darts, N-BEATS, N-HiTS, a TCN, DLinear/NLinear, a random forest, gradient-boosted trees (XGBoost), linear regression on
lags, a Kalman filter and the classical univariate forecasters (ARIMA, exponential smoothing, Theta, FFT). This script
fits each of chaoslit's versions with its defaults on the standard protocol (Lorenz, 100 points per period, 10,000
training points, 50 test windows from held-out initial conditions, 500-point contexts, 1,500-point forecasts) and
reports:

- fit time: the first call (compilation included) and, for the models fitted in closed form, the median of two more
  (a gradient-trained model is fitted once: its fit is minutes, and compilation a few seconds of it);
- forecast time for all 50 windows (compiled, the second call);
- the median valid prediction time in Lyapunov times (normalized-RMSE threshold 0.5).

The peer here is chaoslit's own VAR (the least-squares linear model on lags that the reference calls
`LinearRegressionModel`): the ratio column is each model's fit time over the VAR's. The reference published its
hyperparameters and forecasts but no per-model training times for this setting, so no published cost stands beside
these (its neural models were trained for a fixed number of epochs on GPUs). Writes
bench/results/reference_models-<python>-cpu.json for the docs' Performance page, keeping rows of models not run.
"""
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

from timing import timed

from chaoslit import forecasters
from chaoslit.metrics import valid_prediction_time
from chaoslit.protocol import Protocol, make_data

CLOSED_FORM = ("var", "arima", "exponential_smoothing", "theta", "fourier", "kalman", "random_forest",
               "gradient_boosting", "dlinear", "nlinear")
TRAINED = ("nbeats", "nhits", "tcn")


def median_vpt(data, forecasts) -> float:
    forecasts = np.where(np.isfinite(forecasts), forecasts, 1e100)
    v = valid_prediction_time(data.test.target, forecasts, dt=data.dt, lyapunov_exponent=data.lyapunov_exponent,
                              scale=data.scale)
    return float(np.median(v.lyapunov_times))


def row(name, data):
    print(f"{name} ...", flush=True)
    forecaster = forecasters.get(name)
    repeats = 2 if name in CLOSED_FORM else 0
    first, fit_s, fitted = timed(lambda: forecaster.fit(data.train, key=0), repeats)
    n_steps = data.test.target.shape[1]
    fitted.predict(data.test.context, n_steps, on_divergence="keep")  # compile
    start = time.perf_counter()
    forecasts = fitted.predict(data.test.context, n_steps, on_divergence="keep")
    forecast_s = time.perf_counter() - start
    out = dict(model=name, trained=name in TRAINED, fit_first_s=first, fit_s=fit_s, forecast_s=forecast_s,
               vpt=median_vpt(data, forecasts))
    print(f"  fit {first:.2f} s first, {fit_s:.3f} s; forecast {forecast_s:.2f} s; VPT {out['vpt']:.2f}", flush=True)
    return out


def main(names):
    data = make_data(Protocol())
    major, minor, _ = platform.python_version_tuple()
    path = Path(__file__).parent / "results" / f"reference_models-py{major}{minor}-cpu.json"
    rows = {r["model"]: r for r in json.loads(path.read_text())["rows"]} if path.exists() else {}
    for name in names or ("var",) + CLOSED_FORM[1:] + TRAINED:
        rows[name] = row(name, data)
        path.write_text(json.dumps(dict(python=platform.python_version(), machine=platform.machine(),
                                        rows=list(rows.values())), indent=1))  # after each model: nothing lost
    if "var" in rows:
        print("\nfit time / VAR's:")
        for r in rows.values():
            print(f"  {r['model']:22} {r['fit_s'] / rows['var']['fit_s']:10.1f}")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])

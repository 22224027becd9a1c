"""Benchmark: fitting and forecasting Lorenz with chaoslit's closed-form forecasters and their peers.

    python bench/bench_forecasters.py

The standard protocol (chaoslit.protocol.Protocol(): Lorenz, 100 points per period, 10,000 training points, 50 test
windows from held-out initial conditions, 500-point contexts, 1,500-point forecasts). Pairs compared on the same
standardized data with the same hyperparameters:

- echo state network, 500 units, 3 connections per unit, spectral radius 0.9, input scaling 0.2, ridge 1e-8: chaoslit
  `esn` vs reservoirpy's Reservoir >> Ridge (reservoirpy reads out the state only and its reservoir has no bias by
  default; chaoslit's readout adds the squared states, and a second chaoslit row reads out the state only);
- NG-RC, 2 taps, quadratic monomials, ridge 1e-6, learning the increment: chaoslit `ngrc` vs reservoirpy's NVAR >> Ridge;
- SINDy, quadratic library: chaoslit `sindy` (8th-order differences, relative threshold 0.05) vs pysindy's defaults
  (STLSQ threshold 0.1, second-order finite differences), both with the sampling interval. pysindy's equations are
  integrated with chaoslit's integrator for its VPT (so the two VPTs compare the identified coefficients); its own
  `simulate` is timed on 3 windows and scaled to 50.

Fit time is the wall time of `fit` on the 10,000 points: the first call (compilation included for chaoslit) and the
median of two more. Forecast time is the time to forecast all 50 windows. VPT: median valid prediction time in Lyapunov
times (normalized-RMSE threshold 0.5). Writes bench/results/forecasters-<python>-cpu.json for the docs.
"""
import platform
import time

import numpy as np

from timing import timed, write_results

from chaoslit import forecasters
from chaoslit.metrics import valid_prediction_time
from chaoslit.protocol import Protocol, make_data

ESN = dict(units=500, spectral_radius=0.9, input_scaling=0.2, ridge=1e-8)
NGRC = dict(taps=2, degree=2, ridge=1e-6)


def vpt(data, forecasts):
    forecasts = np.where(np.isfinite(forecasts), forecasts, 1e100)
    v = valid_prediction_time(data.test.target, forecasts, dt=data.dt, lyapunov_exponent=data.lyapunov_exponent, scale=data.scale)
    return float(np.median(v.lyapunov_times))


def chaoslit_row(label, forecaster, data):
    print(f"chaoslit {label} ...", flush=True)
    first, fit_time, fitted = timed(lambda: forecaster.fit(data.train, key=0), 2)
    start = time.perf_counter()
    forecasts = fitted.predict(data.test.context, data.test.target.shape[1], on_divergence="keep")
    return dict(method=label, library="chaoslit", fit_first_s=first, fit_s=fit_time,
                forecast_s=time.perf_counter() - start, vpt=vpt(data, forecasts))


def reservoirpy_rows(data):
    import reservoirpy
    from reservoirpy.nodes import NVAR, Reservoir, Ridge

    mean, std = data.train.mean(axis=0), data.train.std(axis=0)
    z = (data.train - mean) / std
    contexts = (data.test.context - mean) / std
    horizon = data.test.target.shape[1]
    rows = []

    def esn():
        reservoir = Reservoir(units=ESN["units"], sr=ESN["spectral_radius"], lr=1.0, input_scaling=ESN["input_scaling"],
                              input_connectivity=1.0, rc_connectivity=3 / ESN["units"], seed=0)
        return (reservoir >> Ridge(ridge=ESN["ridge"])).fit(z[:-1], z[1:], warmup=100)

    def esn_forecast(model):
        out = []
        for context in contexts:
            u = model.run(context)[-1]
            steps = [u]
            for _ in range(horizon - 1):
                u = model.step(u)
                steps.append(u)
            out.append(steps)
        return np.array(out) * std + mean

    def nvar():
        model = NVAR(delay=NGRC["taps"], order=NGRC["degree"], strides=1) >> Ridge(ridge=NGRC["ridge"])
        return model.fit(z[:-1], z[1:] - z[:-1], warmup=NGRC["taps"])

    def nvar_forecast(model):
        out = []
        for context in contexts:
            increments = model.run(context)
            u = context[-1] + increments[-1]
            steps = [u]
            for _ in range(horizon - 1):
                u = u + model.step(u)
                steps.append(u)
            out.append(steps)
        return np.array(out) * std + mean

    for label, fit, forecast in (("esn", esn, esn_forecast), ("ngrc", nvar, nvar_forecast)):
        print(f"reservoirpy {label} ...", flush=True)
        first, fit_time, model = timed(fit, 2)
        start = time.perf_counter()
        forecasts = forecast(model)
        rows.append(dict(method=label, library=f"reservoirpy {reservoirpy.__version__}", fit_first_s=first, fit_s=fit_time,
                         forecast_s=time.perf_counter() - start, vpt=vpt(data, forecasts)))
    return rows


def pysindy_row(data):
    """pysindy's identification, scored by integrating its equations with chaoslit's integrator on all 50 windows (the
    same integrator as chaoslit's SINDy, so the VPTs compare the identified coefficients); its own `simulate` (LSODA
    with a Python right-hand side, seconds per window) is timed on 3 windows and scaled to 50."""
    import equinox as eqx
    import pysindy

    from chaoslit.core import float64_mode

    def fit():
        model = pysindy.SINDy(feature_library=pysindy.PolynomialLibrary(degree=2))
        return model.fit(data.train, t=data.dt)

    print("pysindy sindy ...", flush=True)
    first, fit_time, model = timed(fit, 2)
    horizon = data.test.target.shape[1]
    times = np.arange(horizon + 1) * data.dt
    start = time.perf_counter()
    for context in data.test.context[:3]:
        model.simulate(context[-1], times)
    simulate_time = (time.perf_counter() - start) * len(data.test.context) / 3
    # pysindy's degree-2 library orders its terms 1, x0, x1, x2, x0^2, x0 x1, x0 x2, x1^2, x1 x2, x2^2: chaoslit's order.
    ours = forecasters.get("sindy", dt=data.dt).fit(data.train)
    assert model.get_feature_names() == ["1", "x0", "x1", "x2", "x0^2", "x0 x1", "x0 x2", "x1^2", "x1 x2", "x2^2"]
    with float64_mode():
        theirs = eqx.tree_at(lambda m: m.coefficients, ours, np.asarray(model.coefficients()).T.copy())
    forecasts = theirs.predict(data.test.context, horizon, on_divergence="keep")
    return dict(method="sindy", library=f"pysindy {pysindy.__version__}", fit_first_s=first, fit_s=fit_time,
                forecast_s=simulate_time, vpt=vpt(data, forecasts),
                equations=[str(e) for e in model.equations(precision=4)], chaoslit_equations=ours.equations())


def main():
    data = make_data(Protocol())
    rows = [chaoslit_row("esn", forecasters.get("esn", **ESN), data),
            chaoslit_row("esn [1, r]", forecasters.get("esn", **ESN, squared_readout=False), data),
            chaoslit_row("ngrc", forecasters.get("ngrc", **NGRC), data),
            chaoslit_row("sindy", forecasters.get("sindy", dt=data.dt), data)]
    rows += reservoirpy_rows(data)
    rows.append(pysindy_row(data))
    print(f"{'method':>10} {'library':>18} {'fit (first) s':>14} {'fit s':>8} {'forecast s':>11} {'VPT':>6}")
    for row in rows:
        print(f"{row['method']:>10} {row['library']:>18} {row['fit_first_s']:14.3f} {row['fit_s']:8.3f} "
              f"{row['forecast_s']:11.3f} {row['vpt']:6.2f}")
    print("\nratios, peer / chaoslit (above 1: chaoslit faster or longer-lived)")
    ours = {r["method"]: r for r in rows if r["library"] == "chaoslit"}
    for row in rows:
        if row["library"] != "chaoslit":
            mine = ours[row["method"]]
            print(f"{row['method']:>6} vs {row['library']}: fit {row['fit_s'] / mine['fit_s']:.2f}x, "
                  f"forecast {row['forecast_s'] / mine['forecast_s']:.2f}x, VPT chaoslit/peer "
                  f"{mine['vpt'] / max(row['vpt'], 1e-9):.2f}")
    write_results("forecasters", dict(machine=platform.machine(), rows=rows))

if __name__ == "__main__":
    main()

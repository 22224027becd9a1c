"""Benchmark: Lyapunov exponents of Lorenz, Rossler and Henon with chaoslit, dysts' estimator and nolds.

    python bench/bench_lyapunov.py                  # everything
    python bench/bench_lyapunov.py --chaoslit-only  # only chaoslit's side (e.g. on another Python); keeps earlier peer rows
    python bench/bench_lyapunov.py --seeds 80       # only Lorenz at the defaults over seeds 0-79; keeps the other rows

Accuracy is measured against the literature (Sprott 2003): Lorenz 0.9056, 0, -14.5723; Rossler 0.0714, 0, -5.3943;
Henon 0.41922, -1.62319. Times are medians of repeated runs after the first (which includes compilation for chaoslit
and numba); the peers run once (dysts' estimator with LSODA: with its default Radau it takes minutes per system). Prints a table and the ratios, and writes bench/results/lyapunov-<python>-<device>.json for the docs.
"""
import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from timing import timed

LORENZ_HIGH_PRECISION = 0.90563  # Lorenz's largest exponent to five digits (high-precision computations; Sprott's 0.9056)
REFERENCE = {"Lorenz": [0.9056, 0.0, -14.5723], "Rossler": [0.0714, 0.0, -5.3943], "Henon": [0.41922, -1.62319]}
SERIES_POINTS = 10_000  # samples of the x coordinate given to the estimators from data
HORIZON = {"Lorenz": 300, "Rossler": 1000, "Henon": 20}  # samples followed: long enough for a tenfold divergence


def relative_error(estimate, name, count=None):
    "Largest error relative to the largest exponent's magnitude, over the exponents estimated."
    reference = np.asarray(REFERENCE[name][: len(estimate) if count is None else count])
    return float(np.max(np.abs(np.asarray(estimate)[: len(reference)] - reference)) / abs(reference[0]))


def series(name):
    from chaoslit import systems
    from chaoslit.integrate import iterate, trajectory

    system = systems.get(name)
    if system.kind == "map":
        return iterate(system, SERIES_POINTS)[:, 0], 1.0
    t, y = trajectory(system, SERIES_POINTS, points_per_period=100)
    return y[:, 0], t[1] - t[0]


def chaoslit_rows():
    from chaoslit import systems
    from chaoslit.invariants import embedding_lag, lyapunov_spectrum, rosenstein

    rows = []
    for name in REFERENCE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first, steady, result = timed(lambda name=name: lyapunov_spectrum(systems.get(name)), 3)
        rows.append(dict(system=name, method="chaoslit lyapunov_spectrum (Jacobian, 16 replicas)", first=first,
                         steady=steady, exponents=result.exponents.tolist(), stderr=result.stderr.tolist(),
                         error=relative_error(result.exponents, name)))
        if systems.get(name).kind != "map":  # the same call on diffrax's vmapped solves, the path before the lean loop
            import diffrax

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                first, steady, result = timed(lambda name=name: lyapunov_spectrum(systems.get(name), solver=diffrax.Tsit5()), 3)
            rows.append(dict(system=name, method="chaoslit lyapunov_spectrum, diffrax's solves (solver=Tsit5())",
                             first=first, steady=steady, exponents=result.exponents.tolist(),
                             stderr=result.stderr.tolist(), error=relative_error(result.exponents, name)))
        x, dt = series(name)
        dim, lag = (2, 1) if name == "Henon" else (3, embedding_lag(x))
        first, steady, result = timed(lambda x=x, dim=dim, lag=lag, dt=dt, name=name: rosenstein(x, dim=dim, lag=lag, dt=dt, horizon=HORIZON[name],
                                                         theiler=5 if name == "Henon" else 100), 3)
        rows.append(dict(system=name, method="chaoslit rosenstein (from x, 10,000 samples)", first=first, steady=steady,
                         exponents=[result.exponent], error=relative_error([result.exponent], name, 1)))
    return rows


def lorenz_seeds(n_seeds: int) -> list:
    """Lorenz's spectrum at the defaults for seeds 0 to `n_seeds - 1`, after one call that compiles: each run's wall
    time, largest exponent, its standard error, averaging time (per replica) and whether it converged. One seed's time
    says little: the run stops when its error bar is small enough, after 5,000 to 8,000 time units for most seeds."""
    from chaoslit import systems
    from chaoslit.invariants import lyapunov_spectrum

    lorenz, runs = systems.get("Lorenz"), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lyapunov_spectrum(lorenz, seed=n_seeds)
        for seed in range(n_seeds):
            start = time.perf_counter()
            result = lyapunov_spectrum(lorenz, seed=seed)
            runs.append(dict(seed=seed, seconds=time.perf_counter() - start, largest=float(result.exponents[0]),
                             stderr=float(result.stderr[0]), averaging_time=float(result.time),
                             converged=bool(result.converged)))
    return runs


def seeds_summary(runs: list) -> dict:
    "The sweep's median time, its 10th and 90th percentiles, and how many runs land near the literature's value."
    seconds, largest = np.array([r["seconds"] for r in runs]), np.array([r["largest"] for r in runs])
    stderr = np.array([r["stderr"] for r in runs])
    return dict(runs=len(runs), median_seconds=float(np.median(seconds)),
                percentile_10_90=np.percentile(seconds, [10, 90]).tolist(), under_one_second=int((seconds < 1).sum()),
                median_averaging_time=float(np.median([r["averaging_time"] for r in runs])),
                shortest_averaging_time=float(min(r["averaging_time"] for r in runs)), largest_stderr=float(stderr.max()),
                mean_largest=float(largest.mean()), stderr_of_mean=float(largest.std(ddof=1) / np.sqrt(len(runs))),
                within_0_1_percent=int((np.abs(largest / REFERENCE["Lorenz"][0] - 1) < 1e-3).sum()),
                within_two_stderr=int((np.abs(largest - LORENZ_HIGH_PRECISION) < 2 * stderr).sum()))


def describe_sweep(sweep: dict) -> str:
    "The sweep in one sentence, for the terminal and the performance page."
    s = sweep["summary"]
    low, high = s["percentile_10_90"]
    return (f"Lorenz at the defaults over seeds 0-{s['runs'] - 1} (`--seeds {s['runs']}`, {sweep['date']}, "
            f"jax {sweep['jax']}): a median of {s['median_seconds']:.2f} s after compilation ({low:.2f} to "
            f"{high:.2f} s from the 10th to the 90th percentile; {s['under_one_second']} of {s['runs']} under a "
            f"second), a median averaging time of {s['median_averaging_time']:,.0f} time units per replica "
            f"(the shortest {s['shortest_averaging_time']:,.0f}; the largest standard error "
            f"{s['largest_stderr']:.4f}); $\\lambda_1$ averages {s['mean_largest']:.5f} ± {s['stderr_of_mean']:.5f}, "
            f"{s['within_0_1_percent']} of {s['runs']} within 0.1% of {REFERENCE['Lorenz'][0]} and "
            f"{s['within_two_stderr']} within two of their own standard errors of {LORENZ_HIGH_PRECISION}.")


def peer_rows():
    import dysts.flows
    import nolds
    from dysts.analysis import find_lyapunov_exponents

    rows = []
    for name in REFERENCE:
        if name != "Henon":  # dysts' estimator is for flows
            model = getattr(dysts.flows, name)()
            for points, per_period in ((10_000, 100), (20_000, 500)):  # chaoslit's sampling, and dysts' default
                first, steady, result = timed(lambda model=model, points=points, per_period=per_period: find_lyapunov_exponents(model, points, pts_per_period=per_period,
                                                                              method="LSODA"), 0)
                rows.append(dict(system=name, method=f"dysts find_lyapunov_exponents ({points:,} points, {per_period} "
                                 "per period, LSODA)", first=first, steady=steady, exponents=list(map(float, result)),
                                 error=relative_error(result, name)))
        x, dt = series(name)
        lag = 1 if name == "Henon" else 11
        first, steady, result = timed(lambda x=x, name=name, lag=lag: nolds.lyap_r(x, emb_dim=2 if name == "Henon" else 3, lag=lag,
                                                           min_tsep=5 if name == "Henon" else 100,
                                                           trajectory_len=10 if name == "Henon" else HORIZON[name] // 3), 0)
        rows.append(dict(system=name, method="nolds lyap_r (from x, 10,000 samples)", first=first, steady=steady,
                         exponents=[float(result) / dt], error=relative_error([float(result) / dt], name, 1)))
        first, steady, result = timed(lambda x=x, name=name: nolds.lyap_e(x, emb_dim=4 if name != "Henon" else 3, matrix_dim=2), 0)
        rows.append(dict(system=name, method="nolds lyap_e (Eckmann, from x, 10,000 samples)", first=first,
                         steady=steady, exponents=(np.asarray(result) / dt).tolist(),
                         error=relative_error(np.asarray(result) / dt, name, 1)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chaoslit-only", action="store_true", help="only chaoslit's side; keep earlier peer rows")
    parser.add_argument("--seeds", type=int, help="only Lorenz at the defaults over this many seeds (at least 2); keep the other rows")
    args = parser.parse_args()
    if args.seeds is not None and args.seeds < 2:
        parser.error(f"--seeds takes at least 2 seeds (a spread needs two), not {args.seeds}")
    import jax

    device = jax.devices()[0].platform
    out = Path(__file__).parent / "results" / f"lyapunov-py{sys.version_info.major}{sys.version_info.minor}-{device}.json"
    earlier = json.loads(out.read_text()) if out.exists() else {}
    previous = earlier.get("rows", [])
    machine = dict(python=platform.python_version(), jax=jax.__version__, device=device, machine=platform.machine(),
                   cores=__import__("os").cpu_count())
    if args.seeds is not None:
        runs = lorenz_seeds(args.seeds)
        summary = seeds_summary(runs)
        sweep = dict(summary=summary, runs=runs, date=time.strftime("%Y-%m-%d"), **machine)
        print(describe_sweep(sweep))
        out.write_text(json.dumps({**machine, "rows": [], **earlier, "lorenz_seeds": sweep}, indent=1))
        print("wrote", out)
        return
    rows = chaoslit_rows()
    rows += [r for r in previous if not r["method"].startswith("chaoslit")] if args.chaoslit_only else peer_rows()
    print(f"{'system':8s} {'method':64s} {'first s':>8s} {'steady s':>9s} {'rel. error':>10s}  exponents")
    for r in rows:
        print(f"{r['system']:8s} {r['method']:64s} {r['first']:8.2f} {r['steady']:9.3f} {r['error']:10.2%}  "
              f"{np.round(r['exponents'], 4).tolist()}")
    for name in REFERENCE:
        ours = next(r for r in rows if r["system"] == name and r["method"].startswith("chaoslit lyapunov"))
        for r in rows:
            if r["system"] == name and "diffrax's solves" in r["method"]:
                print(f"{name}: the lean loop takes {ours['steady'] / r['steady']:.2f}x the time of diffrax's solves")
            if r["system"] == name and not r["method"].startswith("chaoslit"):
                print(f"{name}: {r['method'].split(' (')[0]} takes {r['steady'] / ours['steady']:.2f}x chaoslit's time, "
                      f"with {r['error'] / max(ours['error'], 1e-12):.1f}x its error")
    out.write_text(json.dumps({**earlier, **machine, "rows": rows}, indent=1))  # a sweep from before stays, with its date
    print("wrote", out)


if __name__ == "__main__":
    main()

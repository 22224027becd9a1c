"""Benchmark: a 10,000-point Lorenz trajectory, and 1,000 of them, with chaoslit (its lean stepper, the default, and
its diffrax path) and with dysts, against a compiled fixed-step loop making as many evaluations (the floor).

    python bench/bench_integrate.py                 # everything (dysts' Radau default takes minutes)
    python bench/bench_integrate.py --skip-radau    # without dysts' slow default
    python bench/bench_integrate.py --chaoslit-only # only chaoslit's side (e.g. on another Python or a GPU)

Prints a table and the ratios, and writes bench/results/integrate-<python>-<device>.json for the docs' Performance page.
Accuracy is the largest error over the first 10 time units (about 9 Lyapunov times) against a 30-digit Taylor-series
solution (mpmath): over longer horizons no two integrations of a chaotic system agree.
"""
import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

from timing import lean_steps, paired_ratio, timed, timing_row

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

N, PTS_PER_PERIOD, BATCH = 10_000, 100, 1_000
ACCURACY_WINDOW = 10.0  # time units compared with the reference


ONE = "chaoslit one (lean Dopri8, the default; rtol=atol=1e-12)"
COMPILED_ONLY = "chaoslit one, the lean stepper's compiled call alone (no checks)"
BATCH_LEAN = f"chaoslit {BATCH} (lean: one ({BATCH}, 3) state)"
RADAU = "dysts one (Radau"  # the start of its row's label: the row that --skip-radau keeps from an earlier run
BATCH_DIFFRAX = f"chaoslit {BATCH} (diffrax: one vmapped call)"


def chaoslit_side(reference, times):
    import diffrax as dfx
    import jax
    import jax.numpy as jnp

    from chaoslit import float64_mode, systems
    from chaoslit.integrate import Batch, _lean_batch, default_controller, solve, trajectory

    lorenz = systems.get("Lorenz", beta=2.667)  # dysts' rounded value, so both integrate the same equations
    rng = np.random.default_rng(0)
    starts = lorenz.initial_condition + rng.standard_normal((BATCH, 3))
    starts[0] = lorenz.initial_condition  # the member whose error against the reference is measured
    runs = {  # label: (keywords of trajectory, repeats)
        ONE: (dict(), 100),  # milliseconds each: many repeats, so that the median is not one slow run's
        "chaoslit one (lean Dopri8, rtol=atol=1e-14)": (dict(rtol=1e-14, atol=1e-14), 50),
        "chaoslit one (diffrax Dopri8, rtol=atol=1e-12)": (dict(solver=dfx.Dopri8()), 50),
        BATCH_LEAN: (dict(y0=starts), 2),
        BATCH_DIFFRAX: (dict(y0=starts, solver=dfx.Dopri8()), 1),
    }
    rows = {}
    solve_with = lambda **keywords: trajectory(lorenz, N, points_per_period=PTS_PER_PERIOD, transient=0.0, **keywords)
    for label, (keywords, repeats) in runs.items():
        rows[label], (t, y) = timing_row(lambda keywords=keywords: solve_with(**keywords), repeats)
        rows[label]["error"] = error_of(t, y[0] if y.ndim == 3 else y, reference, times)
        print(f"{label}: {rows[label]['steady']:.4f} s", flush=True)
        if label == ONE:  # the same solve without trajectory's checks and conversions: what they cost
            with float64_mode():
                one, controller = Batch.of(lorenz), default_controller(lorenz)
                arguments = (one.systems(), np.asarray(t), one.initial_states(), controller.rtol, controller.atol,
                             controller.dtmin, np.asarray(10**8))
                rows[COMPILED_ONLY], _ = timing_row(lambda arguments=arguments: _lean_batch(*arguments)[0].block_until_ready(), repeats)

    # steps taken: diffrax's from its statistics, the lean stepper's from its own count
    with float64_mode():
        ts = jnp.asarray(t)
        diffrax_steps = int(jax.jit(lambda y0: solve(lorenz, ts, y0).stats["num_steps"])(jnp.asarray(lorenz.initial_condition)))
        for label, y0 in ((ONE, None), (BATCH_LEAN, starts)):
            rows[label]["steps"] = lean_steps(lorenz, ts, y0)
    rows["chaoslit one (diffrax Dopri8, rtol=atol=1e-12)"]["steps"] = diffrax_steps
    rows[BATCH_DIFFRAX]["steps"] = diffrax_steps  # each member takes its own, about as many as the one trajectory

    # The floor: a compiled fixed-step RK4 loop making as many right-hand-side evaluations as the adaptive solve.
    with float64_mode():
        y0 = jnp.asarray(lorenz.initial_condition)
        evaluations = rows[ONE]["steps"] * 13  # the lean default's steps; Dopri8: 14 stages, the first the same as the last step's last
        steps = evaluations // 4
        h = float(ts[-1]) / steps

        @jax.jit
        def rk4(y0):
            f = lambda y: lorenz(0.0, y)
            def step(y, _):
                k1 = f(y); k2 = f(y + h / 2 * k1); k3 = f(y + h / 2 * k2); k4 = f(y + h * k3)
                return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), None
            return jax.lax.scan(step, y0, None, length=steps)[0]

        floor = lambda: rk4(y0).block_until_ready()
        rows[f"floor: compiled RK4 loop, {evaluations:,} evaluations"], _ = timing_row(floor, 100)
        # the default trajectory and the floor in turn, so that a drift of the machine's speed moves both
        rows[ONE]["over_floor_paired"] = paired_ratio(solve_with, floor, 200)
    return rows, dict(jax=jax.__version__, device=str(jax.devices()[0].platform), diffrax=dfx.__version__)


def dysts_side(reference, times, skip_radau):
    import dysts.flows

    lorenz = dysts.flows.Lorenz()
    rows = {}
    methods = ["LSODA", "DOP853"] + ([] if skip_radau else ["Radau"])
    for method in methods:
        run = lambda method=method: lorenz.make_trajectory(N, pts_per_period=PTS_PER_PERIOD, method=method, return_times=True)
        first, steady, (t, y) = timed(run, 0 if method == "Radau" else 3)
        label = f"{RADAU}, its default, rtol=atol=1e-12)" if method == "Radau" else f"dysts one ({method}, rtol=atol=1e-12)"
        rows[label] = dict(first=first, steady=steady, compile=0.0, error=error_of(t, y, reference, times))
    return rows


def error_of(t, y, reference, times):
    window = np.asarray(t) <= ACCURACY_WINDOW
    return float(np.abs(np.asarray(y)[window] - reference[: window.sum()]).max())


def taylor_reference(ic, times):
    """The 30-digit Taylor-series solution (mpmath), computed in a child process: computed here, it left this process
    slower at the millisecond timings that follow (a 10,000-point trajectory's median went from 2.9 to 4.1 ms)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from oracles import lorenz_taylor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(lorenz_taylor, ic, times, beta=2.667).result()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-radau", action="store_true", help="skip dysts' default Radau (minutes)")
    parser.add_argument("--chaoslit-only", action="store_true", help="measure only chaoslit")
    args = parser.parse_args()

    period = 1.5008
    dt = period * (N / PTS_PER_PERIOD) / (N - 1)  # dysts' sample spacing (linspace over n points)
    dt_ours = period / PTS_PER_PERIOD
    ic = np.array([-9.7869288, -15.03852, 20.533978])
    print("computing the 30-digit reference ...", flush=True)
    times = np.arange(0.0, ACCURACY_WINDOW + 1e-9, dt_ours)
    reference = taylor_reference(ic, times)
    rows, versions = chaoslit_side(reference, times)
    out = Path(__file__).parent / "results" / f"integrate-py{sys.version_info.major}{sys.version_info.minor}-{versions['device']}.json"
    if not args.chaoslit_only:
        times_d = np.arange(0.0, ACCURACY_WINDOW + 1e-9, dt)
        rows.update(dysts_side(taylor_reference(ic, times_d), times_d, args.skip_radau))
    skipped = ("dysts" if args.chaoslit_only else RADAU if args.skip_radau else None)
    if skipped and out.exists():  # keep the skipped dysts rows measured earlier on this Python, with their versions
        earlier = json.loads(out.read_text())
        measured_in = {"python": earlier["python"], "jax": earlier["jax"]}
        kept = {label: {**row, "earlier_run": row.get("earlier_run", measured_in)}
                for label, row in earlier["rows"].items() if label.startswith(skipped)}
        rows.update(kept)
        print(f"({len(kept)} dysts rows kept from an earlier run in {out.name})")

    print(f"\nPython {platform.python_version()}, jax {versions['jax']} on {versions['device']}, {N} points")
    print(f"{'run':58s} {'compile s':>10s} {'steady s':>10s} {'steps':>8s} {'us/step':>8s} {'max error t<=10':>16s}")
    for label, row in rows.items():
        error = f"{row['error']:.2e}" if "error" in row else ""
        steps = f"{row['steps']:8d} {1e6 * row['steady'] / row['steps']:8.2f}" if "steps" in row else " " * 17
        print(f"{label:58s} {row['compile']:10.3f} {row['steady']:10.4f} {steps} {error:>16s}")
    ours, batch = rows[ONE]["steady"], rows[BATCH_LEAN]["steady"]
    print()
    for label, row in rows.items():
        if label.startswith("dysts"):
            print(f"speed-up of chaoslit over {label}: {row['steady'] / ours:,.0f}x;"
                  f" {BATCH} trajectories vs looping it {BATCH} times: {BATCH * row['steady'] / batch:,.0f}x")
    floor = next(row for label, row in rows.items() if label.startswith("floor"))
    diffrax_one = rows['chaoslit one (diffrax Dopri8, rtol=atol=1e-12)']
    print(f"chaoslit's time over the fixed-step floor: {ours / floor['steady']:.1f}x by the medians, "
          f"{rows[ONE]['best'] / floor['best']:.1f}x by the fastest runs "
          f"(diffrax's path: {diffrax_one['steady'] / floor['steady']:.1f}x, {diffrax_one['best'] / floor['best']:.1f}x); "
          f"{rows[ONE]['over_floor_paired']:.2f}x by the median of 200 calls of each in turn")
    print(f"{BATCH} trajectories, lean over diffrax's vmapped call: {rows[BATCH_DIFFRAX]['steady'] / batch:.1f}x faster")
    out.write_text(json.dumps(dict(python=platform.python_version(), **versions, n=N, batch=BATCH, rows=rows,
                                   machine=f"{platform.machine()}, {__import__('os').cpu_count()} cores"), indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

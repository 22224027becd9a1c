"""Benchmark: many Lorenz trajectories as one (B, 3) state (the lean stepper's batch), against the batch size B, on the
device JAX runs on: the CPU here, a GPU where one is lent. Trajectories a second, steps taken (the batch's step size is
set by its hardest member, so steps grow with B), and the call's time divided by its steps (each step's cost plus its
share of the call's own: checks, and the copy of the (B, 1000, 3) result to the host).

    python bench/bench_batch.py                        # B = 1, 10, 100, 1,000, 10,000
    python bench/bench_batch.py --sizes 1 1000 100000  # other sizes

Writes bench/results/batch-py<XY>-<device>.json for the Performance page.
"""
import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from timing import lean_steps, timed_runs, timing_row

N, PTS_PER_PERIOD = 1_000, 100  # ten periods a trajectory


def measure(sizes, budget_seconds):
    import jax

    from chaoslit import systems
    from chaoslit.integrate import trajectory

    lorenz = systems.get("Lorenz")
    rng = np.random.default_rng(0)
    rows = {}
    for size in sizes:
        starts = lorenz.initial_condition + rng.standard_normal((size, 3))
        run = lambda starts=starts: trajectory(lorenz, N, points_per_period=PTS_PER_PERIOD, transient=0.0, y0=starts)
        once = timed_runs(run, 1)[1][0]  # after compiling
        repeats = int(min(50, max(2, budget_seconds / once)))
        timed, (t, y) = timing_row(run, repeats)
        steps = lean_steps(lorenz, t, starts)
        row = dict(steady=timed["steady"], best=timed["best"], steps=steps, size=size, repeats=repeats,
                   trajectories_per_second=size / timed["steady"], us_per_batch_step=1e6 * timed["steady"] / steps,
                   finite=bool(np.isfinite(y).all()))
        rows[str(size)] = row
        print(f"B={size:>9,d}: {row['steady']:9.4f} s ({repeats} repeats), {row['steps']:6d} steps, "
              f"{row['us_per_batch_step']:9.1f} us a batch step, {row['trajectories_per_second']:12,.0f} trajectories/s",
              flush=True)
    device = jax.devices()[0]
    return rows, dict(jax=jax.__version__, device=device.platform, device_kind=device.device_kind)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1_000, 10_000])
    parser.add_argument("--budget-seconds", type=float, default=10.0, help="about this long a size's repeats")
    args = parser.parse_args()
    if any(size < 1 for size in args.sizes):
        parser.error(f"--sizes must be positive integers, got {args.sizes}")
    rows, versions = measure(sorted(args.sizes), args.budget_seconds)
    major, minor = sys.version_info[:2]
    out = Path(__file__).parent / "results" / f"batch-py{major}{minor}-{versions['device']}.json"
    out.write_text(json.dumps(dict(python=platform.python_version(), **versions, n=N, points_per_period=PTS_PER_PERIOD,
                                   machine=platform.machine(), cores=os.cpu_count(), date=time.strftime("%Y-%m-%d"),
                                   rows=rows), indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

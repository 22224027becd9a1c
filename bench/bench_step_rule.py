"""Benchmark: the lean stepper's step after a kept step, allowed to shrink (Hairer's DOP853, chaoslit's default) or
never smaller (diffrax's default controller), on every flow the lean stepper integrates.

    python bench/bench_step_rule.py                         # every ordinary, non-stiff flow of the catalogue
    python bench/bench_step_rule.py --systems Lorenz Rossler   # some flows only; keeps the other stored rows

For each flow, `trajectory`'s benchmark data (100 periods from the flow's initial condition, 100 points a period, no
transient) both ways at the flow's default tolerances:

- the steps taken (accepted and rejected, the stepper's own count);
- the wall time of the compiled solve (the median of repeated calls; the two rules are timed one after the other, not
  in turn, so the time ratio moves with the machine more than the step ratio does);
- the error over the first period: the largest deviation from one solution at rtol = atol = 1e-14 (the default rule;
  a hundred times tighter than the default tolerance, 1e-12, more for a flow with a looser tolerance of its own), in
  units of each coordinate's spread over the whole trajectory (none where that solve fails). One period, because over
  ten a chaotic flow's amplification of the first local errors (Lorenz's about e^13) decides the error, not the stepper.

Prints a row per flow and the medians of the ratios (shrinking / never smaller), and writes
bench/results/step_rule-py<XY>-cpu.json for the Performance page; rows of flows not measured this time are kept.
"""
import argparse
import datetime
import functools
import json
import statistics
import time

import numpy as np

from timing import results_path, write_results

PERIODS, POINTS_PER_PERIOD, COMPARED_PERIODS, REFERENCE_TOLERANCE = 100, 100, 1, 1e-14


def reference(name: str) -> np.ndarray | None:
    "`name`'s benchmark trajectory at rtol = atol = REFERENCE_TOLERANCE (None if the solve fails)."
    from chaoslit import float64_mode, systems
    from chaoslit.integrate import Batch, _lean_batch, default_tolerances

    system = systems.get(name)
    with float64_mode():
        batch = Batch.of(system)
        tolerances = default_tolerances(system, rtol=REFERENCE_TOLERANCE, atol=REFERENCE_TOLERANCE)
        ys, failed, _ = _lean_batch(batch.systems(), times(system), batch.initial_states(), *tolerances,
                                    np.asarray(10**9))
    return None if bool(failed) else np.asarray(ys[0])


def times(system) -> np.ndarray:
    "The benchmark trajectory's output times."
    return np.arange(PERIODS * POINTS_PER_PERIOD) * (system.period / POINTS_PER_PERIOD)


def measure(name: str, shrink: bool, exact: np.ndarray | None) -> dict:
    """Steps, seconds and error against `exact` (None without it) of `name`'s benchmark trajectory with the step rule
    `shrink` (see the docstring above)."""
    import jax

    import chaoslit.integrate as integrate
    from chaoslit import float64_mode, systems

    system = systems.get(name)
    original = integrate.next_step_size
    integrate.next_step_size = functools.partial(original, shrink_after_keep=shrink)  # read when the loop is traced
    jax.clear_caches()
    try:
        with float64_mode():
            batch = integrate.Batch.of(system)
            arguments = (batch.systems(), times(system), batch.initial_states(), *integrate.default_tolerances(system),
                         np.asarray(10**8))
            solve = lambda: jax.block_until_ready(integrate._lean_batch(*arguments))
            ys, failed, steps = solve()
            seconds = []
            while len(seconds) < 3 or (sum(seconds) < 1.0 and len(seconds) < 50):
                began = time.perf_counter(); solve(); seconds.append(time.perf_counter() - began)
    finally:
        integrate.next_step_size = original
        jax.clear_caches()
    if bool(failed):
        return dict(system=name, failed=True)
    error = None
    if exact is not None:
        compared = slice(0, COMPARED_PERIODS * POINTS_PER_PERIOD + 1)
        spread = np.where(exact.std(axis=0) > 0, exact.std(axis=0), 1.0)
        error = float(np.max(np.abs(np.asarray(ys[0])[compared] - exact[compared]) / spread))
    return dict(system=name, failed=False, steps=int(steps), seconds=statistics.median(seconds), error=error)


def main():
    from chaoslit import systems

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", help="flows to measure (default: every one the lean stepper integrates)")
    args = parser.parse_args()
    names = args.systems or [name for name in systems.names(kind="flow")
                             if not systems.get(name).delay and not systems.get(name).stiff]
    out = results_path("step_rule")
    rows = {row["system"]: row for row in (json.loads(out.read_text())["rows"] if out.exists() else [])}
    print(f"{'system':24s} {'steps (never smaller, shrinking)':>34s} {'ms':>16s} {'error':>20s}")
    for name in names:
        exact = reference(name)
        never, shrinking = measure(name, False, exact), measure(name, True, exact)
        if never["failed"] or shrinking["failed"]:
            print(f"{name:24s} failed (never smaller: {never['failed']}, shrinking: {shrinking['failed']})")
            rows[name] = dict(system=name, never_smaller=never, shrinking=shrinking)
            continue
        errors = (never["error"], shrinking["error"])
        rows[name] = dict(system=name, never_smaller=never, shrinking=shrinking,
                          steps_ratio=shrinking["steps"] / never["steps"], seconds_ratio=shrinking["seconds"] / never["seconds"],
                          error_ratio=errors[1] / errors[0] if errors[0] else None)
        shown = " ".join(f"{error:9.2e}" if error is not None else "   (none)" for error in errors)
        print(f"{name:24s} {never['steps']:>16,d} {shrinking['steps']:>16,d} {1e3 * never['seconds']:7.2f} "
              f"{1e3 * shrinking['seconds']:7.2f} {shown}", flush=True)
    rows = sorted(rows.values(), key=lambda row: row["system"])
    summary = {key: statistics.median([row[key] for row in rows if row.get(key) is not None] or [float("nan")])
               for key in ("steps_ratio", "seconds_ratio", "error_ratio")}
    print(f"\nshrinking / never smaller, medians over {sum('steps_ratio' in row for row in rows)} flows: steps "
          f"{summary['steps_ratio']:.3f}, seconds {summary['seconds_ratio']:.3f}, error {summary['error_ratio']:.3f} "
          f"(over {sum(row.get('error_ratio') is not None for row in rows)} with a reference)")
    write_results("step_rule", dict(date=datetime.date.today().isoformat(), periods=PERIODS,
                                    points_per_period=POINTS_PER_PERIOD, compared_periods=COMPARED_PERIODS,
                                    reference_tolerance=REFERENCE_TOLERANCE,
                                    rows=rows, medians=summary))


if __name__ == "__main__":
    main()

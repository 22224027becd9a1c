"""Benchmark: the lean Lyapunov loop's replicas stepped alone or sharing a step size, on flows that switch and on smooth ones.

    python bench/bench_replica_groups.py                       # the catalogue's switching flows and eight smooth ones
    python bench/bench_replica_groups.py --systems Chua Lorenz # some flows only; keeps the other stored rows
    python bench/bench_replica_groups.py --systems MacArthur --intervals 100   # the slowest: a tenth of the intervals
    python bench/bench_replica_groups.py --systems BelousovZhabotinsky SprottMore --transient 100

`lyapunov_spectrum`'s lean loop steps its sixteen replicas in groups whose members share one step size, set by the
member whose error is largest. On a smooth flow that costs steps and saves per-step work, which weighs more depending
on the flow; where the field switches (`chaoslit.invariants.lyapunov.piecewise_smooth`: a min, max, abs, sign or branch of the state), every
member's crossing of a switching surface shortens the whole group's step. For each flow, both ways from the same
start: the default groups (two of eight) and sixteen loops of one member ("alone"). Each runs the transient (compiling
its loop), then runs of `--intervals` re-orthonormalization intervals on the attractor, timed, repeated until they
have taken `--seconds`. Prints the seconds per period of the sixteen replicas each way and their ratio, and writes bench/results/replica_groups-py<XY>-cpu.json. A replica
lost in the timed intervals stands still from then on, which makes the run look cheaper: the lost are counted, and such
a row is not a comparison (Belousov-Zhabotinsky's and SprottMore's transients of ten periods leave their intervals too long for
parts of their orbits, which lyapunov_spectrum corrects by starting again; here a transient of 100 periods does).
"""
import argparse
import concurrent.futures
import datetime
import inspect
import json
import time
import warnings

from timing import results_path, write_results

SMOOTH = ["Lorenz", "Rossler", "Chen", "Halvorsen", "Thomas", "HyperRossler", "LorenzCoupled", "Lorenz96"]  # for contrast


def measure(name: str, alone: bool, n_intervals: int, transient: float | None, min_seconds: float) -> dict:
    """The wall times of the transient and of runs of `n_intervals` intervals of `name`'s sixteen replicas, alone or in
    shared groups, the runs repeated until they have taken `min_seconds` (`transient` in periods: lyapunov_spectrum's
    default if None)."""
    from chaoslit import systems
    from chaoslit.core import float64_mode
    from chaoslit.invariants.lyapunov import (_advancer, _Ensemble, _make_plan, _replica_start, _settle,
                                              available_cores, lyapunov_spectrum)

    options = {key: p.default for key, p in inspect.signature(lyapunov_spectrum).parameters.items()
               if p.kind is inspect.Parameter.KEYWORD_ONLY}
    system = systems.get(name)
    plan = _make_plan(system, options.pop("y0"), **{**options, "transient": transient})
    if plan.path != "lean":
        raise SystemExit(f"{name}'s spectrum is not computed by the lean loop ({plan.path}).")
    plan = plan._replace(piecewise=alone)
    with float64_mode(), concurrent.futures.ThreadPoolExecutor(max_workers=available_cores()) as pool:
        replicas, start = _replica_start(system, plan, None, options["replicas"], options["seed"])
        ensemble = _Ensemble(system, plan, _advancer(system, plan, options["rtol"], options["atol"]), replicas,
                             options["replicas"], pool)
        began = time.perf_counter()
        carry, _, interval, n_transient = _settle(ensemble, ensemble.split(start))
        seconds_before = time.perf_counter() - began
        began, runs = time.perf_counter(), 0
        while runs == 0 or time.perf_counter() - began < min_seconds:  # long enough that one slow moment does not decide
            carry, _ = ensemble.run(carry, n_intervals, interval, done_time=0.0, side_by_side=True, min_blocks_done=True,
                                    collapse_is_error=False)
            runs += 1
        seconds = time.perf_counter() - began
    periods = runs * n_intervals * interval / plan.period
    return dict(system=name, groups=len(ensemble.slices), intervals=runs * n_intervals, transient_seconds=seconds_before,
                transient_periods=n_transient * interval / plan.period, seconds=seconds, periods=periods,
                seconds_per_period=seconds / periods, lost=int((~ensemble.alive).sum()))


def main():
    from chaoslit import systems
    from chaoslit.invariants.lyapunov import available_cores, switching_flows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", help="flows to measure (default: every switching flow and eight smooth)")
    parser.add_argument("--intervals", type=int, default=1000, help="intervals timed after the transient (default 1000)")
    parser.add_argument("--transient", type=float, help="periods of transient (default: lyapunov_spectrum's)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="repeat the timed intervals until they take this long (default 5)")
    args = parser.parse_args()
    switching = [name for name in switching_flows() if not systems.get(name).stiff]
    names = args.systems or switching + SMOOTH
    out = results_path("replica_groups")
    earlier = json.loads(out.read_text()) if out.exists() else {}
    rows = {row["system"]: row for row in earlier.get("rows", [])}
    print(f"{'system':22s} {'switches':>8s} {'shared ms/period':>16s} {'alone ms/period':>15s} {'shared / alone':>15s} lost")
    for name in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shared, alone = (measure(name, way, args.intervals, args.transient, args.seconds) for way in (False, True))
        rows[name] = dict(system=name, switches=name in switching, shared=shared, alone=alone,
                          ratio=shared["seconds_per_period"] / alone["seconds_per_period"])
        print(f"{name:22s} {str(name in switching):>8s} {1e3 * shared["seconds_per_period"]:16.3f} "
              f"{1e3 * alone["seconds_per_period"]:15.3f} {rows[name]['ratio']:15.2f} {shared['lost']}, {alone['lost']}",
              flush=True)
        write_results("replica_groups", dict(date=datetime.date.today().isoformat(), cores=available_cores(),
                                             rows=list(rows.values())))


if __name__ == "__main__":
    main()

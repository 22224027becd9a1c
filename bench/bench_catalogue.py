"""Benchmark: a 10,000-point trajectory of every flow of the reference database, with chaoslit and with dysts.

    python bench/bench_catalogue.py                    # dysts with DOP853 (explicit, like chaoslit's Dopri8)
    python bench/bench_catalogue.py --method Radau     # dysts' default (implicit): hours for the whole catalogue
    python bench/bench_catalogue.py --only Lorenz Rossler

For each of the 135 flows (129 ordinary, 6 delay equations), each library generates 10,000 points at 100 points per
period from its default initial condition with its default transient, at rtol = atol = 1e-12 (dysts' default
tolerance and chaoslit's); delay equations use each library's own delay integrator. chaoslit's time is the second call
(the first compiles); dysts runs each system in a child process, killed after --timeout seconds (a failure). A
failure is an exception, a timeout or a non-finite result. Prints the table and the summary ratios, and writes
bench/results/catalogue-<python>-cpu.json for the docs' Performance page.
"""
import argparse
import json
import multiprocessing as mp
import pathlib
import time

import numpy as np

from timing import write_results

N, PTS_PER_PERIOD = 10_000, 100


def chaoslit_run(name):
    from chaoslit import systems
    from chaoslit.integrate import trajectory

    system = systems.get(name)
    start = time.perf_counter()
    try:
        trajectory(system, N, points_per_period=PTS_PER_PERIOD)
        first = time.perf_counter() - start
        start = time.perf_counter()
        _, y = trajectory(system, N, points_per_period=PTS_PER_PERIOD)
        steady = time.perf_counter() - start
        ok = bool(np.isfinite(y).all())
        return dict(first=first, steady=steady, ok=ok, error=None if ok else "non-finite")
    except Exception as error:  # a failure is a result here, not a crash of the benchmark
        return dict(first=time.perf_counter() - start, steady=None, ok=False, error=f"{type(error).__name__}: {error}"[:200])


def _dysts_child(name, method, queue):
    import warnings

    import dysts.flows

    warnings.simplefilter("ignore")
    system = getattr(dysts.flows, name)()
    start = time.perf_counter()
    try:
        y = system.make_trajectory(N, pts_per_period=PTS_PER_PERIOD, method=method)
        elapsed = time.perf_counter() - start
        ok = y is not None and bool(np.isfinite(y).all())
        queue.put(dict(seconds=elapsed, ok=ok, error=None if ok else "non-finite or None"))
    except Exception as error:
        queue.put(dict(seconds=time.perf_counter() - start, ok=False, error=f"{type(error).__name__}: {error}"[:200]))


def dysts_run(name, method, timeout):
    queue = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(target=_dysts_child, args=(name, method, queue))
    child.start()
    child.join(timeout + 30)  # the child's imports take a few seconds
    if child.is_alive():
        child.terminate()
        child.join()
        return dict(seconds=None, ok=False, error=f"timeout after {timeout} s")
    try:
        result = queue.get(timeout=5)
    except Exception:
        return dict(seconds=None, ok=False, error=f"crashed (exit code {child.exitcode})")
    if result["ok"] and result["seconds"] > timeout:
        return dict(seconds=result["seconds"], ok=False, error=f"timeout: took {result['seconds']:.0f} s")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", default="DOP853", help="dysts' integration method (its default is Radau)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed to dysts per system")
    parser.add_argument("--only", nargs="*", help="only these systems")
    args = parser.parse_args()

    import dysts
    import jax

    names = sorted(json.loads((pathlib.Path(dysts.__file__).parent / "data" / "chaotic_attractors.json").read_text()))
    names = [n for n in names if not args.only or n in args.only]
    rows = {}
    print(f"{'system':28s} {'chaoslit s':>11s} {'(compile)':>10s} {'dysts s':>9s} {'ratio':>7s}  failures")
    for name in names:
        ours, theirs = chaoslit_run(name), dysts_run(name, args.method, args.timeout)
        rows[name] = dict(chaoslit=ours, dysts=theirs)
        ratio = theirs["seconds"] / ours["steady"] if ours["ok"] and theirs["ok"] else float("nan")
        failures = "; ".join(f"{who}: {r['error']}" for who, r in (("chaoslit", ours), ("dysts", theirs)) if not r["ok"])
        print(f"{name:28s} {ours['steady'] or float('nan'):11.3f} {ours['first'] - (ours['steady'] or 0):10.2f} "
              f"{theirs['seconds'] or float('nan'):9.2f} {ratio:7.1f}  {failures}", flush=True)

    both = [r for r in rows.values() if r["chaoslit"]["ok"] and r["dysts"]["ok"]]
    ratios = np.array([r["dysts"]["seconds"] / r["chaoslit"]["steady"] for r in both])
    summary = dict(
        systems=len(rows), method=args.method, timeout=args.timeout,
        chaoslit_failures=sorted(n for n, r in rows.items() if not r["chaoslit"]["ok"]),
        dysts_failures=sorted(n for n, r in rows.items() if not r["dysts"]["ok"]),
        chaoslit_total_steady=float(sum(r["chaoslit"]["steady"] for r in rows.values() if r["chaoslit"]["ok"])),
        chaoslit_total_first=float(sum(r["chaoslit"]["first"] for r in rows.values())),
        dysts_total=float(sum(r["dysts"]["seconds"] or 0 for r in rows.values() if r["dysts"]["ok"])),
        median_ratio=float(np.median(ratios)) if len(ratios) else None,
        ratio_quartiles=[float(q) for q in np.percentile(ratios, [25, 75])] if len(ratios) else None,
    )
    print(f"\n{len(rows)} flows. Failures: chaoslit {len(summary['chaoslit_failures'])} {summary['chaoslit_failures']}, "
          f"dysts ({args.method}) {len(summary['dysts_failures'])} {summary['dysts_failures']}")
    print(f"Total time: chaoslit {summary['chaoslit_total_steady']:.1f} s compiled ({summary['chaoslit_total_first']:.1f} s "
          f"with compilation), dysts {summary['dysts_total']:.1f} s on the systems it finished")
    if summary["median_ratio"]:
        print(f"dysts time / chaoslit time, per system: median {summary['median_ratio']:.1f}x "
              f"(quartiles {summary['ratio_quartiles'][0]:.1f}x-{summary['ratio_quartiles'][1]:.1f}x), over {len(ratios)} systems")
    if not args.only:
        write_results(f"catalogue-{args.method.lower()}", dict(jax=jax.__version__, n=N, summary=summary, rows=rows))


if __name__ == "__main__":
    main()

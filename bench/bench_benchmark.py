"""Benchmark of the benchmark: tasks per minute on this machine, how a run's time grows with systems and forecasters,
and the same run on a local Dask cluster.

    python bench/bench_benchmark.py

Runs `chaoslit.benchmark.run` (the `standard` setting, one seed) on growing grids: 1, 3 and 6 systems with 3 forecasters
(last, var, ngrc), and 6 systems with 6 forecasters (adding esn, sindy, random_features), each into a fresh folder in
one new process (so each grid pays its own compilation, as a user's run does). Then the 6 x 3 grid on a local Dask
cluster of 2 single-threaded worker processes. Writes bench/results/benchmark-<python>-cpu.json for the docs.
"""
import os
import subprocess
import sys
import tempfile
import time

from timing import write_results

SYSTEMS = ["Lorenz", "Rossler", "Thomas", "Halvorsen", "Chen", "Aizawa"]
FAST = ["last", "var", "ngrc"]
MORE = FAST + ["esn", "sindy", "random_features"]

RUN = """
import sys, time
from chaoslit import benchmark
systems, models, out, scheduler = sys.argv[1].split(","), sys.argv[2].split(","), sys.argv[3], sys.argv[4] or None
cluster = None
if scheduler == "local-dask":
    from distributed import LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    scheduler = cluster.scheduler_address
start = time.perf_counter()
benchmark.run(benchmark.tasks(systems, models), out, scheduler=scheduler, progress=False)
print(time.perf_counter() - start)
if cluster is not None:
    cluster.close()
"""


def timed_run(systems, models, scheduler=""):
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", RUN, ",".join(systems), ",".join(models), f"{folder}/run", scheduler],
                             capture_output=True, text=True, check=True)
        total = time.perf_counter() - start
    inner = float(out.stdout.strip().splitlines()[-1])
    tasks = len(systems) * len(models)
    return dict(systems=len(systems), models=len(models), tasks=tasks, engine=scheduler or "local",
                seconds=inner, seconds_with_startup=total, tasks_per_minute=60 * tasks / inner)


def main():
    rows = [timed_run(SYSTEMS[:n], FAST) for n in (1, 3, 6)]
    rows.append(timed_run(SYSTEMS, MORE))
    rows.append(timed_run(SYSTEMS, FAST, "local-dask"))
    print(f"{'engine':>10} {'systems':>7} {'models':>6} {'tasks':>5} {'seconds':>8} {'tasks/min':>9}")
    for r in rows:
        print(f"{r['engine']:>10} {r['systems']:7d} {r['models']:6d} {r['tasks']:5d} {r['seconds']:8.1f} {r['tasks_per_minute']:9.1f}")
    local = next(r for r in rows if r["engine"] == "local" and r["systems"] == 6 and r["models"] == 3)
    dask = rows[-1]
    print(f"\nDask (2 workers) / local time for the 6 x 3 grid: {dask['seconds'] / local['seconds']:.2f}")
    write_results("benchmark", dict(cores=os.cpu_count(), rows=rows))

if __name__ == "__main__":
    main()

"""Run `chaoslit bench` on many systems in P processes at once, one system at a time each, every system into its own
folder OUT/parts/SYSTEM, and merge the parts' rows into OUT/results.csv; start no system after --stop-starting seconds
and stop every process at --stop-all (finished tasks are kept: each part appends its rows as tasks finish).

    python tools/bench_in_processes.py --out OUT --processes 8 --systems A B C -- --models nbeats nhits tcn
    python tools/bench_in_processes.py --out OUT --merge-only     # merge the parts again

For a machine lent for minutes, where a Dask cluster (`chaoslit bench --scheduler`) is not worth setting up: it was
written for a GPU lent to one session, which had no Dask. A merged task already in OUT/results.csv is kept as it is.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

COMMAND = "import sys; from chaoslit.cli import main; sys.exit(main(sys.argv[1:]))"
OWN_OPTIONS = ("--systems", "--out")  # this script's: refused among chaoslit bench's arguments after --


def run_parts(out: Path, systems: list, bench: list, processes: int, stop_starting: float, stop_all: float) -> list:
    """Run each system's `chaoslit bench` in its own process, `processes` at a time, printing as each starts and ends;
    return the systems whose process failed or was stopped."""
    start, queue, lock, failed = time.time(), list(systems), threading.Lock(), []
    cutoff = min(stop_starting, stop_all)
    elapsed = lambda: f"{time.time() - start:6.0f} s"
    environment = dict(os.environ)
    environment.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # processes sharing one GPU take memory as needed

    def worker(i):
        while True:
            with lock:
                if not queue or time.time() - start > cutoff:
                    return
                system = queue.pop(0)
            folder = out / "parts" / system
            folder.mkdir(parents=True, exist_ok=True)
            print(f"{elapsed()}  process {i}: {system}", flush=True)
            with open(folder / "log.txt", "a") as log:
                process = subprocess.Popen([sys.executable, "-c", COMMAND, "bench", "--systems", system, "--out",
                                            str(folder), "--resume", "--no-progress", *bench], stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True, env=environment)
                try:
                    process.wait(timeout=None if stop_all == float("inf") else max(1.0, stop_all - (time.time() - start)))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
                    process.wait()
                    print(f"{elapsed()}  process {i}: {system} stopped (--stop-all)", flush=True)
                    failed.append(system)
                    return
            if process.returncode:
                failed.append(system)
            print(f"{elapsed()}  process {i}: {system} done (exit {process.returncode})", flush=True)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{elapsed()}  stopped; {len(queue)} systems not started: {' '.join(queue)}", flush=True)
    return failed + queue


def merge(out: Path) -> int:
    """Store in OUT, through its writer lock, the complete tasks of every part that OUT does not hold yet, with their
    arrays, and add the parts' fingerprints (`chaoslit report` then warns if they differ); return how many tasks."""
    from chaoslit import benchmark
    from chaoslit.core import write_atomic

    target = benchmark.Results.open(out, resume=True)
    try:
        known, added = target.done(), 0
        fingerprints = benchmark._fingerprints(out)
        for table in sorted((out / "parts").glob("*/results.csv")):
            part = benchmark.Results(table.parent)
            tasks = {}
            for row in part.rows():  # complete tasks only: an attempt stopped halfway is not merged
                tasks.setdefault(row["task"], []).append(row)
            for task, rows in tasks.items():
                if task not in known:
                    target.append(dict(rows=rows, arrays=part.load_arrays(task)))
                    known.add(task)
                    added += 1
            for entry in benchmark._fingerprints(table.parent):
                if not fingerprints or benchmark._without_time(fingerprints[-1]) != benchmark._without_time(entry):
                    fingerprints.append(entry)
        if fingerprints:
            write_atomic(out / "fingerprints.json", lambda file: file.write(json.dumps(fingerprints, indent=1) + "\n"))
    finally:
        target.release()
    return added


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     allow_abbrev=False)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--systems", nargs="+", default=[])
    parser.add_argument("--processes", type=int, default=os.cpu_count(), help="at a time (default: the cores)")
    parser.add_argument("--stop-starting", type=float, default=float("inf"), help="start no system after S seconds")
    parser.add_argument("--stop-all", type=float, default=float("inf"), help="stop every process after S seconds")
    parser.add_argument("--merge-only", action="store_true")
    arguments, bench = parser.parse_known_args()
    bench = [b for b in bench if b != "--"]
    failed = []
    if arguments.merge_only:
        if arguments.systems or bench:
            parser.error("--merge-only runs nothing: give no --systems and no chaoslit bench arguments")
    else:
        if not arguments.systems or "all" in arguments.systems:
            parser.error("--systems: name each system (one process each at a time); 'all' is chaoslit bench's own")
        if len(set(arguments.systems)) != len(arguments.systems):
            parser.error("--systems: a system is named twice")
        if arguments.processes < 1:
            parser.error(f"--processes must be at least 1, got {arguments.processes}")
        clashing = [b for b in bench if b.startswith("--") and any(own.startswith(b.split("=")[0]) for own in OWN_OPTIONS)]
        if clashing:
            parser.error(f"{' '.join(clashing)}: give --systems and --out to this script, not to chaoslit bench after --")
        failed = run_parts(arguments.out, arguments.systems, bench, arguments.processes, arguments.stop_starting,
                           arguments.stop_all)
    print(f"merged {merge(arguments.out)} tasks into {arguments.out / 'results.csv'}")
    if failed:
        print(f"not finished (failed, stopped or not started): {' '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

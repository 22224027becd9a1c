"""Run `chaoslit bench` on many systems in P processes at once, one system at a time each, every system into its own
folder OUT/parts/SYSTEM, and merge the parts' rows into OUT/results.csv; start no system after --stop-starting seconds
and stop every process at --stop-all (finished tasks are kept: each part appends its rows as tasks finish).

    python tools/bench_in_processes.py --out OUT --processes 8 --systems A B C -- --models nbeats nhits tcn
    python tools/bench_in_processes.py --out OUT --merge-only     # merge the parts again

For a machine lent for minutes, where a Dask cluster (`chaoslit bench --scheduler`) is not worth setting up: it was
written for a GPU lent to one session, which had no Dask. A merged task already in OUT/results.csv is kept as it is.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

COMMAND = "import sys; from chaoslit.cli import main; sys.argv = ['chaoslit'] + sys.argv[1:]; main()"


def run_parts(out: Path, systems: list, bench: list, processes: int, stop_starting: float, stop_all: float):
    "Run each system's `chaoslit bench` in its own process, `processes` at a time, printing as each starts and ends."
    start, queue, lock = time.time(), list(systems), threading.Lock()
    elapsed = lambda: f"{time.time() - start:6.0f} s"

    def worker(i):
        while True:
            with lock:
                if not queue or time.time() - start > stop_starting:
                    return
                system = queue.pop(0)
            folder = out / "parts" / system
            folder.mkdir(parents=True, exist_ok=True)
            print(f"{elapsed()}  process {i}: {system}", flush=True)
            with open(folder / "log.txt", "a") as log:
                process = subprocess.Popen([sys.executable, "-c", COMMAND, "bench", "--systems", system, "--out",
                                            str(folder), "--resume", "--no-progress", *bench], stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
                try:
                    process.wait(timeout=max(1.0, stop_all - (time.time() - start)))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
                    print(f"{elapsed()}  process {i}: {system} stopped (--stop-all)", flush=True)
                    return
            print(f"{elapsed()}  process {i}: {system} done (exit {process.returncode})", flush=True)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{elapsed()}  stopped; {len(queue)} systems not started: {' '.join(queue)}", flush=True)


def merge(out: Path) -> int:
    "Append the parts' rows of tasks not yet in OUT/results.csv to it, with their arrays; return how many tasks."
    target = out / "results.csv"
    rows = list(csv.DictReader(open(target))) if target.exists() else []
    header = list(rows[0]) if rows else None
    known, added = {r["task"] for r in rows}, set()
    for part in sorted((out / "parts").glob("*/results.csv")):
        part_rows = list(csv.DictReader(open(part)))
        if not part_rows:
            continue
        if header is None:
            header = list(part_rows[0])
        elif list(part_rows[0]) != header:
            sys.exit(f"bench_in_processes: {part} has other columns than {target}; not merged")
        new = [r for r in part_rows if r["task"] not in known]
        rows += new
        added |= {r["task"] for r in new}
        for array in (part.parent / "arrays").glob("*.npz"):
            (out / "arrays").mkdir(exist_ok=True)
            shutil.copy2(array, out / "arrays" / array.name)
        fingerprints = part.parent / "fingerprints.json"
        if fingerprints.exists() and not (out / "fingerprints.json").exists():
            shutil.copy2(fingerprints, out / "fingerprints.json")
        elif fingerprints.exists() and json.loads(fingerprints.read_text())[-1]["code_and_data"] != json.loads(
                (out / "fingerprints.json").read_text())[-1]["code_and_data"]:
            print(f"warning: {part.parent.name} ran under another fingerprint than {out / 'fingerprints.json'}")
    if header is not None:
        temporary = target.with_suffix(".csv.tmp")
        with open(temporary, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        temporary.replace(target)
    return len(added)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--systems", nargs="+", default=[])
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    parser.add_argument("--stop-starting", type=float, default=float("inf"), help="start no system after S seconds")
    parser.add_argument("--stop-all", type=float, default=float("inf"), help="stop every process after S seconds")
    parser.add_argument("--merge-only", action="store_true")
    arguments, bench = parser.parse_known_args()
    bench = [b for b in bench if b != "--"]
    if not arguments.merge_only:
        if not arguments.systems:
            parser.error("--systems is required (the systems to run, one process each at a time)")
        if arguments.processes < 1:
            parser.error(f"--processes must be at least 1, got {arguments.processes}")
        if "--systems" in bench or "--out" in bench:
            parser.error("give --systems and --out to this script, not to chaoslit bench after --")
        run_parts(arguments.out, arguments.systems, bench, arguments.processes, arguments.stop_starting,
                  arguments.stop_all)
    print(f"merged {merge(arguments.out)} tasks into {arguments.out / 'results.csv'}")


if __name__ == "__main__":
    main()

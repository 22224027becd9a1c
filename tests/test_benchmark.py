"The benchmark runner: a killed run resumed gives the same table; a Dask cluster, with a worker killed, gives the same results."
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chaoslit import benchmark

SMALL = dict(systems_=["Lorenz", "Rossler"], models=["mean", "var", "ngrc"], seeds=2, settings=["smoke"])  # 12 tasks


def table(folder):
    "The results table as a sorted list of rows, without the timing columns."
    rows = benchmark.Results(folder).rows()
    return sorted(tuple((k, v) for k, v in row.items() if k not in benchmark.TIMING) for row in rows)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uninterrupted") / "run"
    benchmark.run(benchmark.tasks(**SMALL), folder, progress=False)
    return table(folder)


def test_killed_run_resumes_to_the_same_table(tmp_path, uninterrupted):
    folder = tmp_path / "run"
    argv = ["bench", "--systems", "Lorenz", "Rossler", "--models", "mean", "var", "ngrc", "--seeds", "2",
            "--settings", "smoke", "--out", str(folder), "--no-progress"]
    process = subprocess.Popen([sys.executable, "-c", f"from chaoslit.cli import main; main({argv!r})"])
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        if (folder / "results.csv").exists() and len(benchmark.Results(folder).done()) >= 3:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = len(benchmark.Results(folder).done())
    assert 3 <= finished < 12
    with pytest.raises(benchmark.ChaoslitError, match="--resume"):
        benchmark.run(benchmark.tasks(**SMALL), folder, progress=False)
    benchmark.run(benchmark.tasks(**SMALL), folder, resume=True, progress=False)
    assert table(folder) == uninterrupted


def test_dask_cluster_with_a_killed_worker_gives_the_same_results(tmp_path, uninterrupted):
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        errors = []

        def go():
            try:
                benchmark.run(benchmark.tasks(**SMALL), folder, scheduler=cluster.scheduler_address, progress=False)
            except Exception as error:  # reported below
                errors.append(error)

        runner = threading.Thread(target=go)
        runner.start()
        deadline = time.time() + 300
        while time.time() < deadline and runner.is_alive():
            if (folder / "results.csv").exists() and len(benchmark.Results(folder).done()) >= 2:
                break
            time.sleep(0.05)
        nanny = next(iter(cluster.workers.values()))
        os.kill(nanny.process.process.pid, signal.SIGKILL)  # the worker process dies mid-run
        runner.join(timeout=600)
        assert not runner.is_alive() and not errors, errors
    rows = benchmark.Results(folder).rows()
    statuses = [row["task"] for row in rows if row["metric"] == "status"]
    assert sorted(statuses) == sorted(task.id for task in benchmark.tasks(**SMALL))  # every task exactly once
    assert table(folder) == uninterrupted


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    with pytest.raises(benchmark.ChaoslitError, match="Cannot reach the Dask scheduler"):
        benchmark.run(benchmark.tasks(["Lorenz"], ["mean"], settings=["smoke"]), tmp_path / "x",
                      scheduler="tcp://127.0.0.1:9", progress=False)
    assert not (tmp_path / "x").exists()  # refused before the results folder is made


def test_time_limit_on_a_dask_cluster(tmp_path):
    "Each task runs in a child of its worker, stopped at the limit: failed with the limit as its reason."
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        task_list = benchmark.tasks(["Lorenz"], ["mean", "var"], settings=["smoke"])
        stopped = benchmark.run(task_list[:1], tmp_path / "stopped", scheduler=cluster.scheduler_address,
                                progress=False, task_seconds=1e-3)
        finished = benchmark.run(task_list[1:], tmp_path / "finished", scheduler=cluster.scheduler_address,
                                 progress=False, task_seconds=600)
    [status] = [row for row in stopped.rows() if row["metric"] == "status"]
    assert status["status"] == "failed" and status["reason"].startswith("TimeLimit"), status
    assert [row["status"] for row in finished.rows() if row["metric"] == "status"] == ["ok"]


@pytest.mark.parametrize("address", ["not a url", "inproc://x", "tcp://127.0.0.1", "tcp://:8786", 8786])
def test_a_bad_scheduler_address_is_refused_before_any_work(tmp_path, address):
    with pytest.raises(benchmark.ChaoslitError, match="tcp://HOST:PORT"):
        benchmark.run(benchmark.tasks(["Lorenz"], ["mean"], settings=["smoke"]), tmp_path / "x", scheduler=address,
                      progress=False)
    assert not (tmp_path / "x").exists()  # no folder made, so a run without --resume is not refused afterwards


def test_runs_in_processes_merge_into_one_folder(tmp_path):
    "tools/bench_in_processes.py: each system's part runs `chaoslit bench`; the merge adds the new tasks once, with arrays."
    script = Path(__file__).resolve().parents[1] / "tools" / "bench_in_processes.py"
    run = lambda *arguments: subprocess.run([sys.executable, str(script), "--out", str(tmp_path), *arguments],
                                            capture_output=True, text=True, check=True).stdout
    printed = run("--processes", "2", "--systems", "Lorenz", "Rossler", "--", "--models", "mean", "--settings", "smoke")
    assert "merged 2 tasks" in printed, printed
    rows = benchmark.Results(tmp_path).rows()
    assert sorted({r["task"] for r in rows}) == ["Lorenz|mean|smoke|0", "Rossler|mean|smoke|0"]
    assert all(r["status"] == "ok" for r in rows if r["metric"] == "status")
    assert len(list((tmp_path / "arrays").glob("*.npz"))) == 2 and (tmp_path / "fingerprints.json").exists()
    assert "merged 0 tasks" in run("--merge-only")  # merging again adds nothing
    assert benchmark.Results(tmp_path).rows() == rows

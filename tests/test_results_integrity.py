"""Fault injection on a results folder (issue 23): a second writer is refused, a crash during a repair keeps the old
table, and a table with a lost header, duplicated or half-written tasks, or a damaged arrays file still gives each task
once and a leaderboard."""
import shutil
import subprocess
import sys
import time

import pytest

from chaoslit import benchmark

SMALL = dict(systems_=["Lorenz", "Rossler"], models=["mean", "last", "var"], settings=["smoke"])  # 6 tasks


def sorted_rows(folder):
    return sorted(tuple((k, v) for k, v in row.items() if k not in benchmark.TIMING)
                  for row in benchmark.Results(folder).rows())


@pytest.fixture(scope="module")
def single_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("single") / "run"
    benchmark.run(benchmark.tasks(**SMALL), folder, progress=False)
    return folder


def test_a_second_writer_is_refused(tmp_path):
    folder = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from chaoslit.benchmark import Results; "
                               f"held = Results.open({str(folder)!r}); print('ready', flush=True); time.sleep(120)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(benchmark.ChaoslitError, match=f"being written by chaoslit process {holder.pid}"):
            benchmark.Results.open(folder, resume=True)
    finally:
        holder.kill()
        holder.wait()
    benchmark.Results.open(folder, resume=True).release()  # the lock went with the process


def test_two_concurrent_runs_give_a_single_runs_table(tmp_path, single_run):
    folder = tmp_path / "run"
    argv = ["bench", "--systems", "Lorenz", "Rossler", "--models", "mean", "last", "var", "--settings", "smoke",
            "--out", str(folder), "--no-progress"]
    first = subprocess.Popen([sys.executable, "-c", f"from chaoslit.cli import main; main({argv!r})"])
    deadline = time.time() + 300
    while time.time() < deadline and not (folder / "results.csv").exists():
        time.sleep(0.05)
    second = subprocess.run([sys.executable, "-c", f"from chaoslit.cli import main; main({argv + ['--resume']!r})"],
                            capture_output=True, text=True)
    assert first.poll() is None, "the first run ended before the second started"
    assert second.returncode == 2 and "being written by chaoslit process" in second.stderr, second.stderr
    assert first.wait(timeout=600) == 0
    assert sorted_rows(folder) == sorted_rows(single_run)


def test_a_crash_during_a_repair_keeps_the_old_table(tmp_path, single_run, monkeypatch):
    folder = tmp_path / "run"
    folder.mkdir()
    damaged = (single_run / "results.csv").read_text() + "Lorenz|mean|smoke|0,Lor"  # a cut last line: repaired
    (folder / "results.csv").write_text(damaged)

    def crash(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(benchmark.os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        benchmark.Results.open(folder, resume=True)
    assert (folder / "results.csv").read_text() == damaged
    monkeypatch.undo()
    benchmark.Results.open(folder, resume=True).release()
    assert sorted_rows(folder) == sorted_rows(single_run)


def first_task(single_run, tmp_path):
    "An empty folder to write a damaged table into, the single run's lines, and its first task's id and lines."
    folder = tmp_path / "run"
    folder.mkdir()
    lines = (single_run / "results.csv").read_text().splitlines(keepends=True)
    task = lines[1].split(",")[0]
    return folder, lines, task, [line for line in lines if line.startswith(task + ",")]


def test_lost_header_duplicates_and_half_written_tasks(tmp_path, single_run):
    folder, lines, task, block = first_task(single_run, tmp_path)
    # no header; one task written twice, after a half-written attempt of it
    (folder / "results.csv").write_text("".join(block[:3] + lines[1:] + block))
    rows = benchmark.Results(folder).rows()
    statuses = [row["task"] for row in rows if row["metric"] == "status"]
    assert sorted(statuses) == sorted(benchmark.Results(single_run).done())  # each task once
    assert sorted_rows(folder) == sorted_rows(single_run)
    board = benchmark.leaderboard(rows)
    assert {entry["model"] for entry in board} == {"mean", "last", "var"}
    benchmark.Results.open(folder, resume=True).release()  # the repair writes the header and each task once
    assert (folder / "results.csv").read_text().startswith(",".join(benchmark.COLUMNS) + "\n")
    assert len((folder / "results.csv").read_text().splitlines()) == len(lines)


def test_a_damaged_arrays_file_leaves_the_leaderboard(tmp_path, single_run):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(single_run, folder)
    damaged = sorted((folder / "arrays").glob("*.npz"))[0]
    damaged.write_bytes(b"not a zip file")
    with pytest.warns(UserWarning, match="cannot be read"):
        summary = benchmark.report(folder)
    assert summary["leaderboard"]


def test_a_table_not_ours_is_refused_and_left_as_it_is(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "results.csv").write_text("name,score\nalice,3\n")
    with pytest.raises(benchmark.ChaoslitError, match="not a chaoslit results table"):
        benchmark.Results.open(folder)
    assert (folder / "results.csv").read_text() == "name,score\nalice,3\n"


def test_rows_of_an_abandoned_attempt_do_not_join_a_later_one(tmp_path, single_run):
    folder, lines, first, block = first_task(single_run, tmp_path)
    others = [line for line in lines[1:] if not line.startswith(first + ",")]
    failure = block[-1].replace(",ok,", ",failed,", 1)  # a later attempt that failed: its status row alone
    (folder / "results.csv").write_text(lines[0] + "".join(block[:3] + others + [failure]))
    mine = [row for row in benchmark.Results(folder).rows() if row["task"] == first]
    assert [row["metric"] for row in mine] == ["status"] and mine[0]["status"] == "failed"


@pytest.mark.parametrize("address", ["tcp://[::1:8786", "localhost"])
def test_malformed_scheduler_addresses(tmp_path, address):
    with pytest.raises(benchmark.ChaoslitError, match="tcp://HOST:PORT"):
        benchmark.check_scheduler(address)


def test_a_bare_host_and_port_is_read_as_tcp():
    with pytest.raises(benchmark.ChaoslitError, match="Cannot reach the Dask scheduler"):
        benchmark.check_scheduler("127.0.0.1:9", seconds=1)


def test_a_folder_that_cannot_be_written_still_gives_the_leaderboard(tmp_path, single_run):
    "A read-only or full folder: its outputs (findings, figures) are lost with a warning, never the report."
    folder = tmp_path / "run"
    shutil.copytree(single_run, folder)  # the table and the per-task arrays, from which the findings are computed
    shutil.rmtree(folder / "figures", ignore_errors=True)
    (folder / "findings.json").unlink(missing_ok=True)
    (folder / "findings.json").mkdir()  # cannot be written as a file
    (folder / "figures").write_text("not a folder")  # nor can figures go into it
    with pytest.warns(UserWarning, match="cannot write") as caught:
        summary = benchmark.report(folder)
    assert {row["model"] for row in summary["leaderboard"]} == {"mean", "last", "var"}
    assert summary["figures"] == {}
    assert any("findings.json" in str(w.message) for w in caught)
    assert not list(folder.rglob("*.tmp"))  # no half-written file left behind


def test_the_command_line_holds_the_lock_from_its_checks_to_the_end(tmp_path, monkeypatch):
    "No gap between `chaoslit bench`'s check of the folder and the run: the lock it took is the one `run` keeps."
    from chaoslit.cli import main
    opened = []
    original = benchmark.Results.open.__func__

    def counting(cls, folder, **kwargs):
        opened.append(folder)
        return original(cls, folder, **kwargs)

    during = []
    original_run = benchmark.run

    def checking(task_list, out, **kwargs):  # while the run goes on, a second writer is refused
        try:
            original(benchmark.Results, out.folder)
        except benchmark.ChaoslitError as error:
            during.append(str(error))
        return original_run(task_list, out, **kwargs)

    monkeypatch.setattr(benchmark.Results, "open", classmethod(counting))
    monkeypatch.setattr(benchmark, "run", checking)
    assert main(["bench", "--systems", "Lorenz", "--models", "mean", "--settings", "smoke", "--no-progress",
                 "--task-seconds", "0", "--out", str(tmp_path / "run")]) == 0
    assert len(opened) == 1 and len(during) == 1


def test_a_header_left_by_a_failed_start_does_not_block_the_next_run(tmp_path):
    "A start that failed after writing the header (a scheduler gone, a Ctrl-C) holds no task: a fresh run may go on."
    folder = tmp_path / "run"
    benchmark.Results.open(folder).release()  # the header alone, as a failed start leaves it
    assert (folder / "results.csv").read_text().startswith("task,")
    results = benchmark.run(benchmark.tasks(["Lorenz"], ["mean"], settings=["smoke"]), folder, progress=False)
    assert len(results.done()) == 1


def test_run_refuses_results_not_open_for_writing(tmp_path, single_run):
    "A Results read (or released by an earlier run) holds no lock: run must not write through it."
    with pytest.raises(benchmark.ChaoslitError, match="not open for writing"):
        benchmark.run(benchmark.tasks(["Lorenz"], ["mean"], settings=["smoke"]), benchmark.Results(single_run))

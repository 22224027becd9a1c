"The command line as a user runs it: a subprocess, files on disk, exit codes."
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


CHAOSLIT = str(Path(sys.executable).parent / "chaoslit")  # the console script installed beside this Python


def run(*args, cwd):
    return subprocess.run([CHAOSLIT, *args], capture_output=True, text=True, cwd=cwd)


def test_simulate_writes_trajectory_and_plot(tmp_path):
    result = run("simulate", "Lorenz", "--n", "1000", "--out", "lorenz.npz", "--plot", "lorenz.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    saved = np.load(tmp_path / "lorenz.npz")
    assert saved["y"].shape == (1000, 3) and saved["y"].dtype == np.float64
    assert json.loads(str(saved["info"]))["system"] == "Lorenz"
    assert (tmp_path / "lorenz.png").stat().st_size > 10_000


def test_the_old_option_name_still_samples_the_same(tmp_path):
    "--pts-per-period, the old name of --points-per-period, gives the same trajectory for one release."
    for option, out in (("--points-per-period", "new.npz"), ("--pts-per-period", "old.npz")):
        result = run("simulate", "Lorenz", "--n", "50", option, "20", "--out", out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    t = np.load(tmp_path / "old.npz")["t"]
    np.testing.assert_array_equal(np.load(tmp_path / "new.npz")["t"], t)
    from chaoslit import systems
    np.testing.assert_allclose(t[1] - t[0], systems.get("Lorenz").period / 20, rtol=1e-12)  # the option was read


@pytest.mark.parametrize(
    "args, message",
    [
        (["simulate", "Lorentz", "--out", "x.npz"], "Did you mean 'Lorenz'"),
        (["simulate", "Lorenz", "--param", "rh=1", "--out", "x.npz"], "Did you mean 'rho'"),
        (["simulate", "Lorenz", "--param", "rho=abc", "--out", "x.npz"], "expected a number"),
        (["simulate", "Lorenz", "--out", "missing/x.npz"], "does not exist"),
        (["simulate", "Lorenz", "--n", "1", "--out", "x.npz"], "n must be an integer >= 2"),
        (["simulate", "Lorenz"], "required: --out"),
        (["simulate", "Lorenz", "--out", "x.npz", "--plot", "z.xyz"], "the suffix names the image format"),
        (["simulate", "Lorenz", "--out", "x.npz", "--plot", "."], "is a folder"),
        (["simulate", "Lorenz", "--out", "."], "is a folder"),
        (["simulate", "Lorenz", "--out", "newfolder/"], "is a folder"),
        (["simulate", "Henon", "--out", "h", "--dt", "7", "--rtol", "1e-3"], "--dt, --rtol do not apply"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path, args, message):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.npz").exists()


@pytest.mark.skipif(not (Path("/proc").is_dir() and hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="root on Linux: the permission check passes and only creating the file can fail")
def test_an_output_path_that_cannot_be_created_is_refused_before_work(tmp_path):
    result = run("simulate", "Lorenz", "--out", "/proc/x.npz", cwd=tmp_path)
    assert result.returncode == 2 and "cannot be written" in result.stderr and "Traceback" not in result.stderr


def test_checking_an_output_path_leaves_what_is_there_untouched(tmp_path):
    "An existing file keeps its bytes and its time; a link to a file not yet made stays a link; nothing new is left."
    existing = tmp_path / "store.npz"
    existing.write_bytes(b"kept")
    os.utime(existing, (1_000_000_000, 1_000_000_000))
    link = tmp_path / "link.npz"
    link.symlink_to(tmp_path / "target.npz")
    for out in ("store.npz", "link.npz", "new.npz"):
        result = run("simulate", "Lorenz", "--n", "0", "--out", out, cwd=tmp_path)  # refused after the path check
        assert result.returncode == 2 and "n must be" in result.stderr, result.stderr
    # a guard: no probe so far writes to an existing file, but one that truncated or touched it would fail here
    assert existing.read_bytes() == b"kept" and existing.stat().st_mtime == 1_000_000_000
    # these two tell a probe that creates what it checks (and leaves it, or follows the link) from one that does not
    assert link.is_symlink() and not (tmp_path / "target.npz").exists()
    assert not (tmp_path / "new.npz").exists()


def test_failed_integration_exits_1(tmp_path):
    result = run("simulate", "Halvorsen", "--param", "a=-1.4", "--n", "500", "--out", "h.npz", cwd=tmp_path)
    assert result.returncode == 1
    assert "Integrating Halvorsen failed" in result.stderr


def test_a_second_command_loads_what_the_first_compiled(tmp_path):
    """The persistent compilation cache (issue 20): the first `chaoslit lyapunov Lorenz` writes its compiled programs,
    the second, a new process, loads them (JAX's own count of cache hits) instead of compiling again."""
    counting = ("import jax, sys; from chaoslit.cli import main; hits = []; "
                "jax.monitoring.register_event_listener("
                "lambda event, **kw: hits.append(event) if event == '/jax/compilation_cache/cache_hits' else None); "
                "main(['lyapunov', 'Lorenz', '--max-periods', '20']); print('HITS', len(hits))")
    env = {**os.environ, "CHAOSLIT_COMPILATION_CACHE": str(tmp_path / "cache")}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    runs = [subprocess.run([sys.executable, "-c", counting], env=env, capture_output=True, text=True, timeout=600)
            for _ in range(2)]
    assert all(run.returncode == 0 and "HITS" in run.stdout for run in runs), [run.stderr[-2000:] for run in runs]
    hits = [int(run.stdout.rsplit("HITS", 1)[1]) for run in runs]
    assert hits[0] == 0 and any((tmp_path / "cache").iterdir()), (hits, runs[0].stderr[-2000:])
    assert hits[1] > 0, runs[1].stderr[-2000:]


def test_help_and_argument_errors_do_not_import_the_library(tmp_path):
    # the parser is built from names that import nothing, so `chaoslit --help` answers without loading JAX
    probe = ("import sys; from chaoslit.cli import main\n"
             "for argv in (['--help'], ['simulate', 'Lorenz']):\n"
             "    try: main(argv)\n"
             "    except SystemExit: pass\n"
             "assert 'jax' not in sys.modules and 'chaoslit.core' not in sys.modules, sorted(sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--out" in result.stderr  # the argument error was printed


def test_version(tmp_path):
    import chaoslit

    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"chaoslit {chaoslit.__version__}"


def test_simulate_names_the_file_it_writes(tmp_path):
    result = run("simulate", "Lorenz", "--n", "100", "--out", "run1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote run1.npz" in result.stdout and (tmp_path / "run1.npz").exists()



def test_systems_filters(tmp_path):
    maps = run("systems", "--kind", "map", cwd=tmp_path)
    assert maps.returncode == 0 and "Henon" in maps.stdout and "Lorenz " not in maps.stdout
    assert all(" map " in line for line in maps.stdout.splitlines())
    four = run("systems", "--kind", "flow", "--dim", "4", cwd=tmp_path)
    assert all("dim=4 " in line for line in four.stdout.splitlines()) and "HyperRossler" in four.stdout
    delays = run("systems", "--delay", cwd=tmp_path)
    assert "MackeyGlass" in delays.stdout and all(" delay " in line for line in delays.stdout.splitlines())
    none = run("systems", "--kind", "map", "--dim", "7", cwd=tmp_path)
    assert none.returncode == 1 and "no system" in none.stderr


def test_a_commands_error_shows_that_commands_usage(tmp_path):
    result = run("simulate", "Lorenz", "--n", "1", "--out", "x", cwd=tmp_path)
    assert result.returncode == 2 and "usage: chaoslit simulate" in result.stderr


def test_bench_lists_its_failed_tasks_with_their_reasons(tmp_path):
    # a time limit that tuning cannot meet: the task fails, and the console says which and why
    result = run("bench", "--systems", "Lorenz", "--models", "ngrc", "--settings", "smoke", "--tuning", "tuned",
                 "--trials", "200", "--task-seconds", "2", "--out", "run", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 of this command's 1 failed" in result.stdout
    assert "failed: Lorenz|ngrc|smoke|0|tuned: TimeLimit" in result.stdout


def test_tuned_tasks_the_hyperparameter_file_lacks_are_named():
    "A file written part way through a run covers the systems reached: the others would be searched anew, silently."
    from chaoslit import benchmark
    from chaoslit.cli import lacking_hyperparameters

    task_list = benchmark.tasks(["Lorenz", "Rossler"], ["esn", "last"], tunings=["default", "tuned"])
    table = {"standard": {"Lorenz": {"esn": {"ridge": 1e-6}}}}
    lacking = lacking_hyperparameters(task_list, table)
    # Rossler's tuned ESN only: Lorenz's is in the file, untuned tasks need none, persistence has nothing to tune
    assert [(task.system, task.model, task.tuning) for task in lacking] == [("Rossler", "esn", "tuned")]
    assert lacking_hyperparameters(task_list, {"noisy": table["standard"]}) == [t for t in task_list
                                                                               if t.tuning == "tuned" and t.model == "esn"]

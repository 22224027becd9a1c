"Timing shared by the benchmark scripts."
import statistics
import time


def timed_runs(fn, repeats):
    "Wall time of the first call of `fn` (compilation included), the wall times of `repeats` more, and the last result."
    start = time.perf_counter(); out = fn(); first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); out = fn(); times.append(time.perf_counter() - start)
    return first, times, out


def timing_row(fn, repeats):
    """`fn` timed as a benchmark table's row, `{first, steady, best, compile}` (`steady`: the median of `repeats` calls
    after the first; `best`: the fastest of them; `compile`: what the first took beyond `steady`), and its last result."""
    first, times, out = timed_runs(fn, repeats)
    steady = statistics.median(times)
    return dict(first=first, steady=steady, best=min(times), compile=first - steady), out


def paired_ratio(fn, reference, repeats):
    """`fn`'s time over `reference`'s, the two called in turn `repeats` times (after a first call of each, which may
    compile): the median of the ratios of neighbouring calls. Both see the machine as it was at that moment; two
    separate series of calls, minutes apart, see it at different moments, and their ratio of medians moves with it.
    Which goes first alternates, so that neither always runs on a cache the other left warm."""
    fn(), reference()
    ratios = []
    for i in range(repeats):
        first, second = (fn, reference) if i % 2 == 0 else (reference, fn)
        start = time.perf_counter(); first(); middle = time.perf_counter(); second(); end = time.perf_counter()
        ratio = (middle - start) / (end - middle)
        ratios.append(ratio if i % 2 == 0 else 1 / ratio)
    return statistics.median(ratios)


def timed(fn, repeats):
    "Wall time of the first call of `fn` (compilation included), the median of `repeats` more, and the last result."
    first, times, out = timed_runs(fn, repeats)
    return first, statistics.median(times) if times else first, out


def results_path(name: str):
    "bench/results/<name>-py<XY>-cpu.json: where a benchmark's results go on this Python (the Performance page reads them)."
    import platform
    from pathlib import Path

    major, minor, _ = platform.python_version_tuple()
    return Path(__file__).parent / "results" / f"{name}-py{major}{minor}-cpu.json"


def write_results(name: str, payload: dict):
    "Write a benchmark's results to `results_path(name)`."
    import json
    import platform

    out = results_path(name)
    out.write_text(json.dumps(dict(python=platform.python_version(), **payload), indent=1))
    print(f"\nwrote {out}")
    return out


def lean_steps(system, times, y0=None) -> int:
    """The steps (accepted and rejected) that `trajectory`'s lean stepper takes for `system` from `y0` (one start or a
    batch) over `times`, at the system's default tolerances; an error if the solve fails."""
    import numpy as np

    from chaoslit import float64_mode
    from chaoslit.integrate import Batch, _lean_batch, default_tolerances

    with float64_mode():
        batch = Batch.of(system, y0)
        _, failed, steps = _lean_batch(batch.systems(), np.asarray(times), batch.initial_states(),
                                       *default_tolerances(system), np.asarray(10**8))
    if bool(failed):
        raise RuntimeError(f"the lean solve of {system.name} failed")
    return int(steps)

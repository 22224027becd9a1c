"Timing shared by the benchmark scripts."
import statistics
import time


def timed(fn, repeats):
    "Wall time of the first call of `fn` (compilation included), the median of `repeats` more, and the last result."
    start = time.perf_counter(); out = fn(); first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); out = fn(); times.append(time.perf_counter() - start)
    return first, statistics.median(times) if times else first, out

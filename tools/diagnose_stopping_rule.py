"""Why the Lyapunov stopping rule stops where it does: Lorenz at the defaults over seeds 0 to N-1, without the spread
guard, recording at each run's stop the rule's running statistics for lambda_1 (the block rates' variance, their lag-one
covariance, the diffusive part var + 2 cov, which the rule clips at zero) beside the replicas' own spread.

    python tools/diagnose_stopping_rule.py 80    # about two minutes on two cores

Read in nbs/03_lyapunov.ipynb (the stopping rule's flaw): the ratio of the reported standard error to the rule's estimate
should look like sixteen replicas' noise; a run whose diffusive part was clipped when it stopped had only the boundary
terms left, which fall like 1/n.
"""
import sys
import warnings

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

from chaoslit import systems  # noqa: E402
from chaoslit.invariants import lyapunov  # noqa: E402


def recorded_runs(n_seeds: int) -> list:
    "Each seed's stop: the rule's statistics at its last block, and the result's standard error and averaging time."
    rule, last = lyapunov._expected_stderr, {}

    def recording(sums, first, final, n_blocks, alive):
        live, ends = sums.sum(axis=2), (first + final).sum(axis=1)
        count = alive.sum(axis=1)[:, None]
        mean = live[0] / (count * n_blocks)
        variance = live[1] / (count * n_blocks) - mean**2
        covariance = (live[2] - mean * (2 * live[0] - ends)) / (count * (n_blocks - 1)) + mean**2 if n_blocks > 1 else 0 * mean
        expected = rule(sums, first, final, n_blocks, alive)
        last.update(blocks=n_blocks, variance=float(variance[0, 0]), covariance=float(covariance[0, 0]),
                    expected=float(expected[0, 0]))
        return expected

    lyapunov._expected_stderr, lyapunov.SPREAD_GUARD = recording, np.inf
    runs, lorenz = [], systems.get("Lorenz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(n_seeds):
            result = lyapunov.lyapunov_spectrum(lorenz, seed=seed)
            runs.append(dict(seed=seed, **last, stderr=float(result.stderr[0]), time=float(result.time),
                             replicas=int(np.isfinite(result.replicas[:, 0]).sum())))
    return runs


def main():
    runs = recorded_runs(int(sys.argv[1]) if len(sys.argv) > 1 else 80)
    for r in runs:
        print(f"seed {r['seed']:3d}: {r['time']:7.0f} time units, {r['blocks']:4d} blocks, var {r['variance']:.2e}, "
              f"cov {r['covariance']:+.2e}, diffusive {r['variance'] + 2 * r['covariance']:+.2e}, "
              f"rule {r['expected']:.2e}, spread {r['stderr']:.2e}")
    ratio = np.array([r["stderr"] / r["expected"] for r in runs])
    clipped = [r["seed"] for r in runs if r["variance"] + 2 * r["covariance"] <= 0]
    typical = [r for r in runs if r["seed"] not in clipped]
    diffusion = np.mean([r["stderr"] ** 2 * r["replicas"] * r["time"] for r in typical])  # a replica's variance times T
    print(f"spread / rule: median {np.median(ratio):.2f}, 95th percentile {np.percentile(ratio, 95):.2f}, largest "
          f"{ratio.max():.2f}; clipped at the stop: seeds {clipped}; the diffusion of lambda_1 from the others {diffusion:.4f} "
          "per time unit; medians over all: var "
          f"{np.median([r['variance'] for r in runs]):.2e}, cov {np.median([r['covariance'] for r in runs]):.2e}")


if __name__ == "__main__":
    main()

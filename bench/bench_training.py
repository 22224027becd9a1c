"""Benchmark: how fast each gradient-trained forecaster trains on Lorenz.

    python bench/bench_training.py [--steps N] [--lbfgs N] [name ...]

The standard protocol (chaoslit.protocol.Protocol(): Lorenz, 100 points per period, 10,000 training points). Each model
is trained once with its default hyperparameters but `--steps` optimizer steps (default 600; its notebook trains for
the full default) and then `--lbfgs` full-batch L-BFGS iterations (default 200, the quasi-Newton finish of the training
loop, for every model alike), with a validation loss every 50 steps or iterations deciding which parameters are kept
(`selection="validation"`, so that no free runs of a model chosen by its attractor enter the timings), and the script
reports from the training history:

- the time spent before the training loop starts (`setup_s`: for the neural ODE, its collocation fit to the data's
  derivatives, by default 4,000 L-BFGS iterations; for the others, cutting the data);
- the first evaluation's wall time (compilation of the training step included) and the time per step after it;
- the time per L-BFGS iteration (its compilation included: it compiles once, in its first chunk);
- the time from the call to `fit` (setup included) and the steps to reach a validation loss of 1e-2, 1e-3 and 1e-5. Every model's loss is a mean squared error of
  standardized predictions (over a neural ODE's segments, a PLRNN's teacher-forced window, a sequence model's
  teacher-forced and free-running points), so the same targets apply to all, though the losses are not identical.

There is no peer library here (no PyTorch or JAX implementation of these models is installed to compare with), so the
ratio printed is each model's time per step against the fastest one's. The device is JAX's default backend: run it on
a GPU machine for GPU figures. Writes bench/results/training-<python>-<device>.json for the docs' Performance page,
keeping the rows of models not named in this run.
"""
import argparse
import json
import platform
import time
from pathlib import Path

import jax
import numpy as np

from chaoslit import forecasters
from chaoslit.protocol import Protocol, make_data

MODELS = ("neural_ode", "shplrnn", "alrnn", "lstm", "gru", "s4d", "transformer", "mamba")
TARGETS = (1e-2, 1e-3, 1e-5)


def row(name, data, steps, lbfgs):
    print(f"{name} ...", flush=True)
    start = time.perf_counter()
    fitted = forecasters.get(name, steps=steps, lbfgs=lbfgs, eval_every=50, selection="validation").fit(data.train, key=0)
    total = time.perf_counter() - start
    history = {k: np.asarray(v) for k, v in fitted.history.items()}
    step, seconds, loss = history["step"], history["seconds"], history["validation_loss"]
    reached = {target: np.flatnonzero(loss <= target) for target in TARGETS}
    setup = total - float(seconds[-1])  # fit's time outside the training loop (the loop's clock ends at its last evaluation)
    last = int(np.flatnonzero(step <= steps)[-1])  # the last evaluation of the steps, before L-BFGS
    return dict(model=name, steps=int(step[last]), lbfgs=int(step[-1] - step[last]), fit_s=total, setup_s=setup,
                first_evaluation_s=float(seconds[0]),
                ms_per_step=1e3 * (seconds[last] - seconds[0]) / max(step[last] - step[0], 1),
                ms_per_lbfgs_iteration=1e3 * (seconds[-1] - seconds[last]) / max(step[-1] - step[last], 1),
                loss_after_steps=float(loss[last]), final_loss=float(loss[-1]),
                to_target={f"{t:.0e}": None if not r.size else dict(seconds=setup + float(seconds[r[0]]), steps=int(step[r[0]]))
                           for t, r in reached.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--lbfgs", type=int, default=200)
    args = parser.parse_args()
    data = make_data(Protocol())
    device = jax.default_backend()
    rows = [row(name, data, args.steps, args.lbfgs) for name in args.models]
    fastest = min(r["ms_per_step"] for r in rows)
    print(f"\n{'model':12} {'setup s':>8} {'first eval s':>12} {'ms/step':>8} {'x fastest':>9} {'ms/L-BFGS':>9} "
          f"{'loss steps':>10} {'loss end':>8} " + " ".join(f"{'s to ' + f'{t:.0e}':>10}" for t in TARGETS))
    for r in rows:
        reach = [r["to_target"][f"{t:.0e}"] for t in TARGETS]
        print(f"{r['model']:12} {r['setup_s']:>8.1f} {r['first_evaluation_s']:>12.1f} {r['ms_per_step']:>8.1f} "
              f"{r['ms_per_step'] / fastest:>9.1f} {r['ms_per_lbfgs_iteration']:>9.1f} {r['loss_after_steps']:>10.1e} "
              f"{r['final_loss']:>8.1e} " + " ".join(f"{'-' if x is None else format(x['seconds'], '.0f'):>10}" for x in reach))
    major, minor, _ = platform.python_version_tuple()
    out = Path(__file__).parent / "results" / f"training-py{major}{minor}-{device}.json"
    if out.exists():  # keep the rows of models not rerun now (same settings only), in the order of MODELS
        previous = json.loads(out.read_text())
        if (previous.get("steps"), previous.get("lbfgs"), previous.get("jax")) == (args.steps, args.lbfgs, jax.__version__):
            kept = {r["model"]: r for r in previous["rows"]}
            kept.update({r["model"]: r for r in rows})
            rows = sorted(kept.values(), key=lambda r: MODELS.index(r["model"]) if r["model"] in MODELS else len(MODELS))
    out.write_text(json.dumps(dict(python=platform.python_version(), jax=jax.__version__, device=device,
                                   steps=args.steps, lbfgs=args.lbfgs, targets=list(TARGETS), rows=rows), indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()

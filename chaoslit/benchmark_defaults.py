"""The names the benchmark's command line offers (settings, default systems and forecasters, tunings, the time limit), in a
module that imports nothing, so that `chaoslit --help` answers at once. Written in nbs/07_benchmark.ipynb."""

__all__ = ['SETTINGS', 'DEFAULT_SYSTEMS', 'DEFAULT_MODELS', 'TUNINGS', 'TASK_SECONDS', 'SETTINGS', 'DEFAULT_SYSTEMS', 'DEFAULT_MODELS', 'TUNINGS', 'TASK_SECONDS']

# %% ../nbs/07_benchmark.ipynb #2dd41554
# The names the command line offers, in a module that imports nothing, so that `chaoslit --help` answers at once
SETTINGS = {
    "standard": {},
    "noisy": dict(noise=0.05),
    "data_limited": dict(n_train=1000),
    "univariate": dict(observe=(0,)),  # the first observed coordinate alone, as the reference database's univariate series
    "coarse": dict(points_per_period=15.0),  # the reference database's coarse granularity
    "smoke": dict(n_train=600, n_test=3, context=120, horizon=120),
}
DEFAULT_SYSTEMS = ("Lorenz", "Rossler", "Thomas", "Halvorsen", "Chen", "Aizawa")  # the default run: every 3-D flow
DEFAULT_MODELS = ("last", "mean", "var", "parrot", "esn", "ngrc", "sindy", "dmd", "hankel_dmd", "edmd", "random_features")
TUNINGS = ("default", "tuned")
TASK_SECONDS = 1200.0  # the time limit of one task that `chaoslit bench` sets by default (see `run`)

# %% ../nbs/07_benchmark.ipynb #2dd41554
# The names the command line offers, in a module that imports nothing, so that `chaoslit --help` answers at once
SETTINGS = {
    "standard": {},
    "noisy": dict(noise=0.05),
    "data_limited": dict(n_train=1000),
    "univariate": dict(observe=(0,)),  # the first observed coordinate alone, as the reference database's univariate series
    "coarse": dict(points_per_period=15.0),  # the reference database's coarse granularity
    "smoke": dict(n_train=600, n_test=3, context=120, horizon=120),
}
DEFAULT_SYSTEMS = ("Lorenz", "Rossler", "Thomas", "Halvorsen", "Chen", "Aizawa")  # the default run: every 3-D flow
DEFAULT_MODELS = ("last", "mean", "var", "parrot", "esn", "ngrc", "sindy", "dmd", "hankel_dmd", "edmd", "random_features")
TUNINGS = ("default", "tuned")
TASK_SECONDS = 1200.0  # the time limit of one task that `chaoslit bench` sets by default (see `run`)
"chaoslit: chaotic systems, their invariants and their forecasters, in JAX."
__version__ = "0.1.0"

import importlib as _importlib

# Submodules and names load on first use (PEP 562), so that `import chaoslit` and `chaoslit --help` do not import JAX.
_SUBMODULES = ("benchmark", "benchmark_defaults", "cli", "core", "experiments", "forecasters", "integrate", "invariants", "metrics",
               "protocol", "systems", "tuning")
_NAMES = {"ChaoslitError": "core", "IntegrationError": "core", "float64_mode": "core", "trajectory": "integrate",
          "iterate": "integrate", "lyapunov_spectrum": "invariants"}  # the everyday names, at the top
__all__ = ["core", "integrate", "invariants", "systems",
           "ChaoslitError", "IntegrationError", "float64_mode", "trajectory", "iterate", "lyapunov_spectrum"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(_importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_SUBMODULES, *_NAMES})

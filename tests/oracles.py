"Independent references for tests and benchmarks: dysts' right-hand sides and a high-precision Taylor solution."
import mpmath
import numpy as np


def dysts_system(name: str, parameters: dict):
    "The dysts system `name` with `parameters` (chaoslit's names and values)."
    import dysts.flows

    return getattr(dysts.flows, name)(parameters={k: _plain(v) for k, v in parameters.items()})


def dysts_map(name: str, parameters: dict):
    "The dysts discrete map `name` with `parameters` (chaoslit's names and values)."
    import dysts.maps

    return getattr(dysts.maps, name)(parameters={k: _plain(v) for k, v in parameters.items()})


def _plain(value):
    "A parameter as dysts stores it: a float, or a NumPy array for array-valued parameters."
    value = np.asarray(value, dtype=np.float64)
    return float(value) if value.ndim == 0 else value


def lorenz_taylor(y0, times, *, sigma=10.0, rho=28.0, beta=mpmath.mpf(8) / 3, digits=30):
    "Lorenz at `times` by mpmath's arbitrary-precision Taylor-series integrator, to about `digits` digits."
    with mpmath.workdps(digits):
        sigma, rho, beta = mpmath.mpf(sigma), mpmath.mpf(rho), mpmath.mpf(beta)
        f = lambda t, s: [sigma * (s[1] - s[0]), s[0] * (rho - s[2]) - s[1], s[0] * s[1] - beta * s[2]]
        solution = mpmath.odefun(f, 0, [mpmath.mpf(float(v)) for v in y0])
        return np.array([[float(v) for v in solution(mpmath.mpf(float(t)))] for t in times])

"""Every flow of the catalogue gives benchmark data: `make_data` at the benchmark's standard sizes succeeds, which means
no validation or test window stands still or leaves the attractor (make_data refuses those by name)."""
import jax
import pytest

from chaoslit import systems
from chaoslit.benchmark import Task
from chaoslit.core import ChaoslitError
from chaoslit.protocol import make_data

# at its published parameters this flow's orbit settles on a fixed point (its largest exponent is negative)
SETTLES = {"PanXuZhou": "does not move"}


@pytest.mark.slow
@pytest.mark.parametrize("name", systems.names(kind="flow"))
def test_make_data_on_every_flow(name):
    protocol = Task(name, "last", 0).protocol()
    try:
        if name in SETTLES:
            with pytest.raises(ChaoslitError, match=SETTLES[name]):
                make_data(protocol)
            return
        data = make_data(protocol)
        assert data.test.target.shape[0] == protocol.n_test
        assert data.unit_time > 0
    finally:
        jax.clear_caches()  # 137 systems compile 137 programs: release them

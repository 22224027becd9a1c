import os

import pytest

# The command line turns on JAX's persistent compilation cache (in ~/.cache) for its process; tests that call it
# in this process leave the user's cache alone. A test of the cache gives its own folder to the processes it starts.
os.environ.setdefault("CHAOSLIT_COMPILATION_CACHE", "off")


def pytest_collection_modifyitems(config, items):
    "Skip tests marked slow unless CHAOSLIT_SLOW=1."
    if os.environ.get("CHAOSLIT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set CHAOSLIT_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def compilations():
    "A counter of the programs XLA compiles while a test runs (JAX's own monitoring event), read as `compilations()`."
    import jax.monitoring

    events = []
    listener = lambda event, duration, **kwargs: events.append(event) if event.endswith("backend_compile_duration") else None
    jax.monitoring.register_event_duration_secs_listener(listener)
    yield lambda: len(events)
    jax.monitoring.unregister_event_duration_listener(listener)

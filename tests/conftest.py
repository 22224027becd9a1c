import os

import pytest


def pytest_collection_modifyitems(config, items):
    "Skip tests marked slow unless CHAOSLIT_SLOW=1."
    if os.environ.get("CHAOSLIT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set CHAOSLIT_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)

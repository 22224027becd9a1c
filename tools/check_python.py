"""Stop with a clear message unless this Python can run chaoslit (>= 3.12, as pyproject.toml requires).

    python3 tools/check_python.py && python3 -m venv .venv && ...

The repository's `.python-version` asks pyenv and uv for Python 3.12, so `python3` is 3.12 where either is set up. This
script is the first step of the README's two commands: written for any Python 3, it names what was found and how to
get a supported one, instead of the resolver error pip gives later.
"""
import sys

REQUIRED = (3, 12)

if sys.version_info[:2] < REQUIRED:
    found = "%d.%d.%d" % sys.version_info[:3]
    sys.exit(
        "chaoslit needs Python >= %d.%d (SPEC 0 support window; JAX >= 0.12, which integrates about ten times faster on "
        "a CPU, needs it too), but `python3` here is Python %s (%s).\n"
        "Install Python 3.12 or newer: `pyenv install 3.12` (this repository's .python-version then selects it), "
        "`uv python install 3.12`, or your system's package, and run the command again."
        % (REQUIRED + (found, sys.executable))
    )

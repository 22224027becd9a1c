"How the package is put together: what loads, and what each module may import from another."
import ast
import pkgutil
from pathlib import Path

import chaoslit


def test_every_module_loads_as_an_attribute_of_the_package():
    # the lazy loader's list must name each module of the package, or `chaoslit.<module>` fails until imported
    modules = {info.name for info in pkgutil.iter_modules(chaoslit.__path__) if not info.name.startswith("_")}
    assert modules == set(chaoslit._SUBMODULES), modules ^ set(chaoslit._SUBMODULES)
    for name in modules:
        assert getattr(chaoslit, name).__name__ == f"chaoslit.{name}"


def test_no_module_imports_another_modules_private_name():
    # a name with an underscore is its module's own business; what is shared is public (issue 21)
    crossings = []
    for path in Path(chaoslit.__file__).parent.rglob("*.py"):
        if path.name == "_modidx.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("chaoslit")):
                crossings += [f"{path.name}: {node.module}.{alias.name}" for alias in node.names if alias.name.startswith("_")]
    assert not crossings, crossings


def test_committed_notebook_outputs_hold_no_machine_path_or_float32_warning():
    # what a reader of the docs sees must not show where a notebook happened to run, nor a silent float32 truncation
    import json
    import re

    leaks = []
    for notebook in sorted((Path(chaoslit.__file__).parents[1] / "nbs").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            for output in cell.get("outputs", []):
                text = json.dumps(output)
                for pattern in (r"/(?:work|home|tmp|Users)/", r"site-packages", r"\.venv/", r"truncated to float32"):
                    if re.search(pattern, text):
                        leaks.append(f"{notebook.name}: {pattern}")
    assert not leaks, sorted(set(leaks))

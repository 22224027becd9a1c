"""Every parameter of every system in the catalogue says what it means: the comment after its field in the class
(`a: Scalar = parameter(1.32)  # damping of ...`), which the docs' family pages show in each system's parameter table."""
from fastcore.docments import docments

from chaoslit import systems
from chaoslit.systems.describe import system_card


def test_every_parameter_has_a_meaning():
    missing = {}
    for name in systems.names():
        system = systems.get(name)
        meanings = docments(type(system))  # the reading the docs' parameter tables use (chaoslit.systems.describe)
        if without := [p for p in system.metadata.parameters if not (meanings.get(p) or "").strip()]:
            missing[name] = without
    assert not missing, f"parameters without a comment after their field: {missing}"


def test_the_meanings_reach_the_parameter_table():
    card = system_card(systems.get("Lorenz84"))
    assert "| meaning |" in card
    assert "damping of the westerly current relative to the waves'" in card


def test_a_class_defined_in_a_notebook_shows_the_packaged_meanings():
    "A family page defines its classes in the notebook's kernel (module `__main__`, no source file to read)."
    packaged = type(systems.get("Lorenz84"))
    in_notebook = type("Lorenz84", (packaged,), {"__module__": "__main__"})
    card = system_card(in_notebook())
    assert "damping of the westerly current relative to the waves'" in card

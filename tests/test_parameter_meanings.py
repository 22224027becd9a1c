"""Every parameter of every system in the catalogue says what it means: the comment after its field in the class
(`a: Scalar = parameter(1.32)  # damping of ...`), which the docs' family pages show in each system's parameter table."""
import dataclasses

from chaoslit import systems
from chaoslit.core import Scalar, parameter
from chaoslit.systems.describe import parameter_meanings, system_card


def test_every_parameter_has_a_meaning():
    missing = {}
    for name in systems.names():
        system = systems.get(name)
        meanings = parameter_meanings(system)  # the reading the docs' parameter tables use
        if without := [p for p in system.metadata.parameters if not meanings.get(p, "").strip()]:
            missing[name] = without
    assert not missing, f"parameters without a comment after their field: {missing}"


def test_the_meanings_reach_the_parameter_table():
    card = system_card(systems.get("Lorenz84"))
    assert "| meaning |" in card
    assert "damping of the westerly current relative to the waves'" in card


def test_a_class_defined_in_a_notebook_shows_the_packaged_meanings():
    "A family page defines its classes in the notebook's kernel (module `__main__`, no source file to read)."
    packaged = type(systems.get("Lorenz84"))
    own = packaged.__dict__["__annotations__"]
    fields = {f.name: dataclasses.field(default=f.default, metadata=f.metadata) for f in dataclasses.fields(packaged)
              if f.name in own}
    # the class as a family page defines it: the same fields and equations, but not a subclass of the packaged one, so
    # only the fallback to the package's class of that name can find the comments
    in_notebook = type("Lorenz84", packaged.__bases__, {"__module__": "__main__", "__doc__": packaged.__doc__,
                                                        "__annotations__": dict(own), **fields,
                                                        "vector_field": packaged.vector_field})
    assert packaged not in in_notebook.__mro__
    card = system_card(in_notebook())
    assert "damping of the westerly current relative to the waves'" in card


class _Lorenz84Variant(type(systems.get("Lorenz84"))):
    "A variant that only changes a value: its field has no comment of its own."

    reference_name = "Lorenz84"  # the published entry its metadata come from

    a: Scalar = parameter(0.25)
    g: Scalar = parameter(1.0)  # here, the land-sea contrast is weak


def test_a_variant_reads_the_meanings_it_does_not_restate_from_its_parent():
    meanings = parameter_meanings(_Lorenz84Variant())
    assert meanings["a"] == "damping of the westerly current relative to the waves'"  # the parent's
    assert meanings["g"] == "here, the land-sea contrast is weak"  # its own wins
    assert set(meanings) == {"a", "b", "f", "g"}

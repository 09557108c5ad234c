"""The public surface: ``qbank.__all__`` is exactly what the package documents and exports."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import qbank


def test_all_matches_public_names() -> None:
    # names are resolved on first use; each one in __all__, nothing else public
    assert set(qbank.__all__) == set(qbank._LAZY) | {"__version__"}
    assert len(qbank.__all__) == len(set(qbank.__all__))
    for name in qbank.__all__:
        assert name in dir(qbank)
        getattr(qbank, name)
    public = {
        name
        for name, value in vars(qbank).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and name not in ("annotations", "TYPE_CHECKING", "Any")
    }
    assert set(qbank.__all__) == public | {"__version__"}


def test_each_name_is_the_object_its_module_defines() -> None:
    for name, target in qbank._LAZY.items():
        module, _, attr = target.partition(":")
        assert getattr(qbank, name) is getattr(importlib.import_module(module), attr or name), name


def test_functions_keep_their_names_when_submodules_of_the_same_name_load_first() -> None:
    probe = (
        "import qbank.check, qbank.lint.engine, inspect, qbank\n"
        "assert inspect.isfunction(qbank.check) and qbank.check.__module__ == 'qbank.check'\n"
        "assert inspect.isfunction(qbank.lint) and qbank.lint.__module__ == 'qbank.lint.engine'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        qbank.no_such_thing  # noqa: B018


def test_every_public_callable_is_documented() -> None:
    for name in qbank.__all__:
        value = getattr(qbank, name)
        if callable(value):
            assert inspect.getdoc(value), f"qbank.{name} has no docstring"

"""The public surface: ``qbank.__all__`` is exactly what the package documents and exports."""

from __future__ import annotations

import inspect

import qbank


def test_all_matches_public_names() -> None:
    public = {
        name
        for name, value in vars(qbank).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert set(qbank.__all__) == public | {"__version__"}


def test_every_public_callable_is_documented() -> None:
    for name in qbank.__all__:
        value = getattr(qbank, name)
        if callable(value):
            assert inspect.getdoc(value), f"qbank.{name} has no docstring"

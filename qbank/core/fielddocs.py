"""Field descriptions from attribute docstrings, read once per module.

The models document each field with a docstring under it (the convention pydantic's
``use_attribute_docstrings`` reads). Pydantic looks those up class by class through the calling
frames and the source, which made importing the models several times slower than building them.
:func:`describe_fields` gives the same descriptions from one parse of the module's source; a model
base calls it from ``__pydantic_init_subclass__`` and defers building its schema
(``defer_build=True``), so the descriptions are in place before any schema is built.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from pathlib import Path
from typing import Any

__all__ = ["describe_fields"]


def _class_docs(node: ast.ClassDef, prefix: str, out: dict[str, dict[str, str]]) -> None:
    qualname = f"{prefix}{node.name}"
    docs: dict[str, str] = {}
    for previous, statement in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(previous, ast.AnnAssign)
            and isinstance(previous.target, ast.Name)
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            docs[previous.target.id] = inspect.cleandoc(statement.value.value)
    out[qualname] = docs
    for child in node.body:
        if isinstance(child, ast.ClassDef):
            _class_docs(child, f"{qualname}.", out)


@functools.cache
def _module_docs(module: str) -> dict[str, dict[str, str]]:
    """Class qualified name -> field name -> docstring, for the classes of a module's source."""
    path = getattr(sys.modules.get(module), "__file__", None)
    if not path or not path.endswith(".py"):
        return {}
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            _class_docs(node, "", out)
    return out


def describe_fields(cls: Any) -> None:
    """Give each field of a just-created pydantic model without a description the docstring written
    under it in the class body (as ``use_attribute_docstrings`` does; inherited fields keep theirs)."""
    docs = _module_docs(cls.__module__).get(cls.__qualname__, {})
    for name, info in cls.__pydantic_fields__.items():
        if info.description is None and name in docs:
            info.description = docs[name]

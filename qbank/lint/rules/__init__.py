"""Item-writing lint rules: the registry.

Each module named in ``RULE_MODULES`` defines :class:`~qbank.lint.rules.base.Rule` subclasses; every
subclass with a ``code`` is a rule. ``registry()`` maps codes to rule classes, in code order.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from qbank.lint.rules.base import DOC_SECTIONS, Finding, NoOptions, Rule, RuleContext

__all__ = ["DOC_SECTIONS", "RULE_MODULES", "Finding", "NoOptions", "Rule", "RuleContext", "registry"]

#: Modules under ``qbank.lint.rules`` that define rules.
RULE_MODULES: tuple[str, ...] = (
    "blueprint",
    "structure",
    "stem",
    "options",
    "cues",
    "explanations",
    "hygiene",
    "math",
    "bank",
    "duplicates",
    "stats",
)


def _subclasses(cls: type[Rule[Any]]) -> list[type[Rule[Any]]]:
    out: list[type[Rule[Any]]] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


@cache
def registry() -> dict[str, type[Rule[Any]]]:
    """Every rule class by code."""
    for module in RULE_MODULES:
        importlib.import_module(f"qbank.lint.rules.{module}")
    rules = {sub.code: sub for sub in _subclasses(Rule) if "code" in sub.__dict__}
    return dict(sorted(rules.items()))

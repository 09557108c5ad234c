"""Lint over the real third-party corpora: no crash on 70,000+ questions (``-m corpus``)."""

from __future__ import annotations

from collections import Counter

import pytest

from qbank.core.config import Config, ConfigModel
from qbank.core.model import Bank, Question
from qbank.lint.engine import lint
from tests.conftest import need_shared

pytestmark = pytest.mark.corpus


def test_lint_whole_corpora() -> None:
    need_shared("corpora", "normalized")
    from corpora import load_corpus

    questions: list[Question] = []
    for name in ("linkedin-skill-assessments", "opentriviaqa", "kananinirav-aws-ccp"):
        found, _ = load_corpus(name)
        questions.extend(q.model_copy(update={"id": f"{name[:4]}-{q.id}"}) for q in found)
    assert len(questions) > 70_000
    # duplicate detection (QB704/QB705) has its own corpus test; this one exercises the catalogue
    config = Config(ConfigModel(ignore=["QB704", "QB705"]))
    diagnostics = lint(Bank(questions=questions), config)
    by_code = Counter(d.code for d in diagnostics)
    assert all(d.path == "<memory>" for d in diagnostics)
    assert by_code["QB501"] > 50_000  # the corpora barely have explanations
    assert by_code["QB014"] == 0

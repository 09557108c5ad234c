"""Item analysis from learner responses: classical test theory figures per question and per form.

Responses are read into a columnar :class:`ResponseTable` (by the readers of
:mod:`qbank.importers.responses`), analysed by :func:`analyse` into :class:`ItemStats` and
:class:`FormStats`. The formulas are in
``docs/stats.md`` and in :mod:`qbank.analysis.stats.compute`.
"""

from qbank.analysis.stats.compute import (
    UPPER_LOWER_SHARE,
    FormStats,
    ItemStats,
    OptionStats,
    StatsResult,
    analyse,
    stored_form,
    stored_item,
)
from qbank.analysis.stats.responses import Interpretation, encode_choices, interpret
from qbank.analysis.stats.table import ResponseTable, TableBuilder

__all__ = [
    "UPPER_LOWER_SHARE",
    "FormStats",
    "Interpretation",
    "ItemStats",
    "OptionStats",
    "ResponseTable",
    "StatsResult",
    "TableBuilder",
    "analyse",
    "encode_choices",
    "interpret",
    "stored_form",
    "stored_item",
]

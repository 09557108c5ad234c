"""Item analysis from learner responses: classical test theory figures per question and per form.

Responses are read into a columnar :class:`ResponseTable` (:func:`read_responses`), analysed by
:func:`analyse` into :class:`ItemStats` and :class:`FormStats`. The formulas are in
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
from qbank.analysis.stats.readers import FORMATS, ReadResult, detect_format, read_responses
from qbank.analysis.stats.responses import Interpretation, encode_choices, interpret
from qbank.analysis.stats.table import ResponseTable, TableBuilder

__all__ = [
    "FORMATS",
    "UPPER_LOWER_SHARE",
    "FormStats",
    "Interpretation",
    "ItemStats",
    "OptionStats",
    "ReadResult",
    "ResponseTable",
    "StatsResult",
    "TableBuilder",
    "analyse",
    "detect_format",
    "encode_choices",
    "interpret",
    "read_responses",
    "stored_form",
    "stored_item",
]

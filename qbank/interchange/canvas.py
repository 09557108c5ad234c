"""Canvas Classic Quizzes conventions shared by the Canvas exporter and importer (QTI 1.2).

* question types: Canvas's ``question_type`` item metadata names the type (:data:`QUESTION_TYPES`);
  ``points_possible`` carries the points, ``objective`` the objective id (:data:`OBJECTIVE_FIELD`;
  the domain is the question group's, as in QTI 2.1/3.0);
* the quiz file is a resource of type ``imsqti_xmlv1p2``; every item sits in one ``root_section``,
  question groups (random draws) are sections inside it;
* images live under ``web_resources/`` and are referred to as ``$IMS-CC-FILEBASE$/<path>``;
* a choice's feedback is the item feedback ``<choice>_fb``; the general feedback is ``general_fb``
  (:data:`qbank.interchange.qti.GENERAL_FEEDBACK_ID`);
* a cloze question is a ``fill_in_multiple_blanks_question`` (or a ``multiple_dropdowns_question``
  when every gap is a drop-down, :data:`DROPDOWNS_TYPE`): the text holds ``[<blank>]`` where a gap
  is, each blank is a ``response_lid`` named ``response_<blank>`` (:func:`blank_response`), and a
  blank is the gap's QTI response identifier (:func:`qbank.interchange.qti.gap_identifier`).
"""

from __future__ import annotations

__all__ = [
    "DROPDOWNS_TYPE",
    "FILEBASE",
    "MEDIA_FOLDER",
    "OBJECTIVE_FIELD",
    "QTI12_RESOURCE_TYPE",
    "QUESTION_TYPES",
    "RESPONSE_PREFIX",
    "ROOT_SECTION",
    "blank_of_response",
    "blank_response",
    "choice_feedback_id",
]

OBJECTIVE_FIELD = "objective"
"""Item metadata field (``qtimetadatafield``) holding the question's objective id."""

#: qbank type -> Canvas ``question_type`` (ordering has no Classic Quizzes type).
QUESTION_TYPES: dict[str, str] = {
    "single_choice": "multiple_choice_question",
    "multiple_response": "multiple_answers_question",
    "true_false": "true_false_question",
    "short_answer": "short_answer_question",
    "numerical": "numerical_question",
    "matching": "matching_question",
    "essay": "essay_question",
    "cloze": "fill_in_multiple_blanks_question",
}

DROPDOWNS_TYPE = "multiple_dropdowns_question"
"""The Canvas type of a cloze question whose gaps are all drop-downs."""

FILEBASE = "$IMS-CC-FILEBASE$/"
"""How quiz text refers to the package's ``web_resources`` folder."""
MEDIA_FOLDER = "web_resources"
"""The package folder of images."""
QTI12_RESOURCE_TYPE = "imsqti_xmlv1p2"
"""Manifest resource type of the quiz (QTI 1.2) file."""
ROOT_SECTION = "root_section"
"""``ident`` of the section that holds a quiz's items and question groups."""


RESPONSE_PREFIX = "response_"
"""Put before a blank's name to make the identifier of its ``response_lid``."""


def blank_response(blank: str) -> str:
    """The ``response_lid`` identifier of a fill-in or drop-down blank."""
    return f"{RESPONSE_PREFIX}{blank}"


def blank_of_response(ident: str) -> str:
    """The blank a ``response_lid`` identifier names, undoing :func:`blank_response`."""
    return ident.removeprefix(RESPONSE_PREFIX)


def choice_feedback_id(choice_ident: str) -> str:
    """The item feedback identifier of a choice's feedback."""
    return f"{choice_ident}_fb"

"""Field descriptions come from the docstrings under the fields, as pydantic's own option gives them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from qbank.core.fielddocs import describe_fields
from qbank.core.model import Choice, QuestionFile


class _Base(BaseModel):
    model_config = ConfigDict(defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        describe_fields(cls)


class _Parent(_Base):
    kept: int = 0
    """Written
       over two lines."""
    explicit: int = Field(default=0, description="from Field")
    """not used: Field's description wins"""
    bare: int = 0


class _Child(_Parent):
    bare: int = 1
    """now documented"""
    kept: int = 2


class _Same(BaseModel):
    """The same fields, described by pydantic's own (slower) option."""

    model_config = ConfigDict(use_attribute_docstrings=True)
    kept: int = 0
    """Written
       over two lines."""
    explicit: int = Field(default=0, description="from Field")
    """not used: Field's description wins"""
    bare: int = 0


class _SameChild(_Same):
    bare: int = 1
    """now documented"""
    kept: int = 2


def _descriptions(model: type[BaseModel]) -> dict[str, str | None]:
    return {name: info.description for name, info in model.model_fields.items()}


def test_descriptions_match_pydantics_attribute_docstrings() -> None:
    assert _descriptions(_Parent) == _descriptions(_Same)
    assert _descriptions(_Parent) == {
        "kept": "Written\nover two lines.",
        "explicit": "from Field",
        "bare": None,
    }


def test_a_subclass_describes_its_own_fields_and_keeps_inherited_ones() -> None:
    # a field redeclared without a docstring has none (as with pydantic's option); one inherited keeps its own
    assert _descriptions(_Child) == {"kept": None, "explicit": "from Field", "bare": "now documented"}
    assert _descriptions(_Child) == _descriptions(_SameChild)


def test_the_models_and_their_schema_carry_the_descriptions() -> None:
    assert Choice.model_fields["correct"].description
    schema = QuestionFile.model_json_schema()
    assert schema["properties"]["questions"]
    assert (
        schema["$defs"]["Choice"]["properties"]["correct"]["description"]
        == Choice.model_fields["correct"].description
    )

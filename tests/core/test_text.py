"""Text helpers: masking commands and identifiers keeps offsets and hides only what is not prose."""

from __future__ import annotations

import pytest

from qbank.core.text import mask_literals


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        (
            "Package it with aws cloudformation package and an S3 bucket.",
            ["cloudformation", " package "],
            ["and an S3 bucket", "Package it with"],
        ),
        ("Run sam local generate-event apigateway aws-proxy to test.", ["apigateway"], ["Run", "to test."]),
        ("Allow dynamodb:* and dynamodb:GetItem on the table.", ["dynamodb"], ["Allow", "on the table."]),
        (
            "Use AWS::CloudFormation::Stack with event.body and my_table.",
            ["CloudFormation", "body", "my_table"],
            ["Use"],
        ),
        ("Run git add --all, then `npm ci`.", ["--all", "npm ci"], ["Run", ", then"]),
        ("See https://docs.aws.amazon.com/x.html for DynamoDB.", ["docs"], ["See", "for DynamoDB."]),
    ],
)
def test_mask_literals_hides_commands_and_identifiers(text: str, hidden: list[str], kept: list[str]) -> None:
    masked = mask_literals(text)
    assert len(masked) == len(text)
    for word in hidden:
        assert word not in masked
    for words in kept:
        assert words in masked


def test_mask_literals_keeps_prose_and_line_breaks() -> None:
    text = "The CloudFormation stack\nfails when the cloudformation role lacks access."
    assert mask_literals(text) == text

"""A small bank for the Moodle XML, GIFT, Aiken and JSON exporter tests.

It covers all eight question types, per-choice feedback, explanations, references, follow-ups, an
image, a blueprint (with a ``/`` in an objective title) and the characters each text format must
escape. ``write_bank(folder)`` writes it and returns the loaded bank.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import qbank
from qbank.core.model import Bank

# a 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

BLUEPRINT = """\
blueprint:
  id: demo
  title: Demo exam
  exam: {questions: 8, minutes: 20, passing_score: 70}
  domains:
    - id: "1"
      title: Development
      weight: 60
      objectives:
        - {id: "1.1", title: Messaging/queues, description: Queues and topics.}
        - {id: "1.2", title: Storage}
    - id: "2"
      title: Security
      weight: 40
      objectives:
        - {id: "2.1", title: Secrets}
"""

QUESTIONS = r"""
defaults:
  tags: [demo]
questions:
  - id: sc-queue
    objective: "1.1"
    difficulty: easy
    stem: |
      Which service is a **pull-based** queue? See the diagram:

      ![architecture](img/arch.png)

      Special characters: ~ = # { } : \ and ]]> end.
    choices:
      - text: Amazon SQS
        correct: true
        feedback: SQS is a queue; consumers poll it.
      - text: Amazon SNS
        feedback: SNS pushes to subscribers.
      - text: "AWS Step Functions {state: machine}"
    explanation: |
      SQS decouples producers and consumers.
    references:
      - https://docs.aws.amazon.com/sqs/
    followups:
      - How does a FIFO queue keep order?
  - id: mr-storage
    type: multiple_response
    objective: "1.2"
    shuffle: false
    stem: Which TWO stores are key-value or document databases? (Select TWO.)
    choices:
      - {text: Amazon DynamoDB, correct: true}
      - {text: Amazon DocumentDB, correct: true}
      - text: Amazon Redshift
        feedback: "A data warehouse: columnar, SQL."
      - {text: Amazon EBS}
  - id: mr-three
    type: multiple_response
    objective: "1.2"
    stem: Which THREE are S3 storage classes? (Select THREE.)
    choices:
      - {text: S3 Standard, correct: true}
      - {text: S3 Glacier Flexible Retrieval, correct: true}
      - {text: S3 One Zone-IA, correct: true}
      - {text: S3 Turbo}
  - id: tf-kms
    type: true_false
    objective: "2.1"
    stem: AWS KMS keys can be rotated automatically.
    answer: true
    explanation: Automatic rotation is available for symmetric customer managed keys.
  - id: sa-queue-name
    type: short_answer
    objective: "1.1"
    stem: Name the AWS queue service (acronym).
    accept: [SQS, Amazon SQS]
    explanation: Simple Queue Service.
  - id: num-visibility
    type: numerical
    objective: "1.1"
    points: 2
    stem: What is the default SQS visibility timeout in seconds?
    answer: 30
    tolerance: 0.5
  - id: match-services
    type: matching
    domain: "2"
    stem: Match each service to its purpose.
    pairs:
      - {prompt: AWS Secrets Manager, match: Store and rotate secrets}
      - {prompt: AWS KMS, match: Manage encryption keys}
    distractors: [Deliver email]
    explanation: Secrets Manager uses KMS to encrypt secrets.
  - id: ord-deploy
    type: ordering
    objective: "1.2"
    stem: Put the CodePipeline stages in order.
    order: [Source, Build, Deploy]
  - id: essay-design
    type: essay
    stem: |
      Describe a design for processing uploads:

      ```python
      def handler(event, context):
          return event["Records"]
      ```
    explanation: A good answer mentions S3 events, SQS and Lambda.
  - id: sc-retired
    status: retired
    stem: This retired question is never exported.
    choices:
      - {text: "Yes", correct: true}
      - {text: "No"}
"""


def write_bank(folder: Path) -> Bank:
    """Write the fixture bank under ``folder`` and load it (fails the test on any load error)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "blueprint.yaml").write_text(BLUEPRINT, encoding="utf-8")
    (folder / "questions.yaml").write_text(QUESTIONS.lstrip("\n"), encoding="utf-8")
    (folder / "img").mkdir(exist_ok=True)
    (folder / "img" / "arch.png").write_bytes(PNG)
    result = qbank.load(folder)
    errors = [d for d in result.diagnostics if d.severity == qbank.Severity.ERROR]
    assert not errors, errors
    assert result.bank.blueprint is not None
    return result.bank


GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE_BANK = Path(__file__).resolve().parents[2] / "questions"


def check_golden(name: str, data: bytes) -> None:
    """Compare ``data`` with ``golden/<name>``; ``QBANK_UPDATE_GOLDEN=1`` rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("QBANK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} missing: run with QBANK_UPDATE_GOLDEN=1 once and review it"
    assert data == path.read_bytes(), f"export differs from {path} (QBANK_UPDATE_GOLDEN=1 to accept)"


def example_bank() -> Bank:
    """The project's DVA-C02 example bank (it must load cleanly)."""
    result = qbank.load(EXAMPLE_BANK)
    assert result.ok, [d.location for d in result.diagnostics]
    return result.bank

"""The bank the practice-page browser tests take: three weighted domains, every question type.

``write_bank(folder)`` writes a blueprint and question files (21 questions, one of them an essay,
one with a local image and one with a remote image) and returns the folder. ``write_form(folder)``
writes an assembled form of four questions with a 7-minute limit.
"""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path

# a 1x1 PNG, inlined by the exporter as a data: URI
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

BLUEPRINT = """\
blueprint:
  id: demo
  title: Demo practice exam
  exam: {questions: 20, minutes: 40, passing_score: 70}
  domains:
    - id: "1"
      title: Development
      weight: 50
      objectives:
        - {id: "1.1", title: Write code}
        - {id: "1.2", title: Use data stores}
    - id: "2"
      title: Security
      weight: 30
      objectives:
        - {id: "2.1", title: Protect secrets}
    - id: "3"
      title: Deployment
      weight: 20
      objectives:
        - {id: "3.1", title: Ship it}
"""


def _single(qid: str, objective: str, n: int, extra: str = "") -> str:
    return f"""
  - id: {qid}
    objective: "{objective}"
    stem: "Question {qid}: which option is number {n}?{extra}"
    choices:
      - text: "Option {n} of {qid}"
        correct: true
        feedback: "Right: {qid} wants option {n}."
      - text: "Not {n} (a) of {qid}"
        feedback: "Wrong pick (a) for {qid}."
      - text: "Not {n} (b) of {qid}"
      - text: "Not {n} (c) of {qid}"
    explanation: "Explanation of {qid}: option {n} is the key."
    references: ["https://example.com/docs/{qid}"]
    followups: ["What else should you know about {qid}?"]
"""


def _development() -> str:
    parts = ['defaults:\n  domain: "1"\nquestions:']
    for i in range(4):
        extra = (
            "\\n\\n![a tiny diagram](img/dot.png)"
            if i == 0
            else "\\n\\n![remote](https://example.com/remote.png)"
            if i == 1
            else ""
        )
        parts.append(_single(f"dev-code-{i}", "1.1", i + 1, extra))
    for i in range(4):
        parts.append(_single(f"dev-data-{i}", "1.2", i + 1))
    parts.append("""
  - id: dev-multi
    type: multiple_response
    objective: "1.1"
    stem: "Which two services store objects? (Select TWO.)"
    choices:
      - {text: Amazon S3, correct: true, feedback: S3 is object storage.}
      - {text: Amazon S3 Glacier, correct: true}
      - {text: Amazon EC2}
      - {text: AWS Lambda}
      - {text: Amazon SQS}
    explanation: "Explanation of dev-multi: S3 and Glacier store objects."
  - id: dev-order
    type: ordering
    objective: "1.2"
    stem: "Put the deployment steps in order."
    order: [Build the artifact, Run the tests, Deploy to staging, Deploy to production]
    explanation: "Explanation of dev-order: build, test, stage, ship."
  - id: dev-match
    type: matching
    objective: "1.2"
    stem: "Match each store to its kind."
    pairs:
      - {prompt: DynamoDB, match: key-value}
      - {prompt: Aurora, match: relational}
      - {prompt: ElastiCache, match: in-memory}
    distractors: [graph]
    explanation: "Explanation of dev-match: one kind each."
""")
    return "".join(parts)


def _security() -> str:
    parts = ['defaults:\n  domain: "2"\n  objective: "2.1"\nquestions:']
    for i in range(3):
        parts.append(_single(f"sec-{i}", "2.1", i + 1))
    parts.append("""
  - id: sec-tf
    type: true_false
    stem: "KMS customer managed keys can be rotated."
    answer: true
    explanation: "Explanation of sec-tf: rotation is supported."
  - id: sec-short
    type: short_answer
    stem: "Which service stores secrets and rotates them? (two words)"
    accept: [Secrets Manager, AWS Secrets Manager]
    explanation: "Explanation of sec-short: AWS Secrets Manager."
  - id: sec-num
    type: numerical
    stem: "How many days is the default KMS key deletion waiting period?"
    answer: 30
    tolerance: 0.5
    explanation: "Explanation of sec-num: 30 days."
""")
    return "".join(parts)


def _deployment() -> str:
    parts = ['defaults:\n  domain: "3"\nquestions:']
    for i in range(3):
        parts.append(_single(f"dep-{i}", "3.1", i + 1))
    parts.append("""
  - id: dep-essay
    type: essay
    objective: "3.1"
    stem: "Describe a blue/green deployment."
    explanation: "Explanation of dep-essay: two environments, switch traffic."
""")
    return "".join(parts)


def write_bank(folder: Path) -> Path:
    """Write the bank under ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "img").mkdir(exist_ok=True)
    (folder / "img" / "dot.png").write_bytes(PNG)
    (folder / "blueprint.yaml").write_text(BLUEPRINT, encoding="utf-8")
    (folder / "1-development.yaml").write_text(_development(), encoding="utf-8")
    (folder / "2-security.yaml").write_text(_security(), encoding="utf-8")
    (folder / "3-deployment.yaml").write_text(_deployment(), encoding="utf-8")
    return folder


FORM_IDS = ("form-b", "form-a", "form-tf", "form-c")


def write_form(folder: Path) -> Path:
    """Write an assembled form (four questions, 7 minutes, pass at 75%) and its blueprint."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "blueprint.yaml").write_text(BLUEPRINT, encoding="utf-8")
    body = [
        textwrap.dedent("""\
        form:
          title: Fixed form 7
          count: 4
          time_limit: 7
          seed: 7
          passing_score: 75
        questions:""")
    ]
    body.append(_single("form-b", "1.1", 2))
    body.append(_single("form-a", "2.1", 1))
    body.append("""
  - id: form-tf
    type: true_false
    domain: "3"
    stem: "The form keeps its order."
    answer: true
""")
    body.append(_single("form-c", "3.1", 3))
    (folder / "form.yaml").write_text("".join(body), encoding="utf-8")
    return folder

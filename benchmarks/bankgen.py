"""Synthetic AWS-flavoured question banks for benchmarks and scale tests.

Questions are built from a few dozen scenario templates filled with services, limits and
numbers, so stems look alike the way real certification banks do (template siblings), while
every generated question is valid and has a unique id.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

SERVICES = [
    "Amazon S3", "Amazon DynamoDB", "AWS Lambda", "Amazon SQS", "Amazon SNS", "Amazon Kinesis Data Streams",
    "Amazon API Gateway", "AWS Step Functions", "Amazon ElastiCache", "Amazon RDS", "Amazon Aurora",
    "AWS Secrets Manager", "AWS Systems Manager Parameter Store", "AWS KMS", "Amazon Cognito", "AWS X-Ray",
    "Amazon CloudWatch", "AWS CodePipeline", "AWS CodeBuild", "AWS CodeDeploy", "AWS CloudFormation",
    "AWS SAM", "Amazon EventBridge", "AWS AppConfig", "Amazon ECR", "Amazon ECS", "AWS Fargate",
]  # fmt: skip
NEEDS = [
    "store session state for a web application", "decouple an order service from a billing service",
    "rotate database credentials automatically", "trace requests across several microservices",
    "cache the results of expensive queries", "run code in response to object uploads",
    "fan out one event to several consumers", "deploy a new function version to 10 percent of traffic",
    "encrypt data with a customer managed key", "authenticate users of a mobile application",
    "query logs for error messages", "process a stream of click events in order",
    "store configuration values that change at runtime", "build and test code on every commit",
    "orchestrate a workflow with retries and branches", "serve static assets with low latency",
]  # fmt: skip
CONSTRAINTS = [
    "with the least operational overhead", "at the lowest cost", "without changing the application code",
    "while keeping the data encrypted at rest", "within {n} milliseconds", "for up to {n} requests per second",
    "across {n} AWS Regions", "with a retention period of {n} days",
]  # fmt: skip
LEADS = [
    "A developer needs to {need} {constraint}. Which solution meets these requirements?",
    "A company wants to {need} {constraint}. Which AWS service should the developer use?",
    "An application must {need} {constraint}. What should the developer do?",
    "A team is building a serverless application that must {need} {constraint}. Which approach should they use?",
]  # fmt: skip
VERBS = ["Use", "Configure", "Deploy", "Enable"]


def generate_questions(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` valid question mappings (about 85% single_choice, 15% multiple_response)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        need, constraint = (
            rng.choice(NEEDS),
            rng.choice(CONSTRAINTS).format(n=rng.choice([2, 5, 10, 50, 100, 500])),
        )
        stem = rng.choice(LEADS).format(need=need, constraint=constraint)
        multi = rng.random() < 0.15
        picked = rng.sample(SERVICES, 5 if multi else 4)
        choices = [
            {
                "text": f"{rng.choice(VERBS)} {svc} {rng.choice(['for this task', 'with default settings', 'behind a queue', 'with a scheduled job'])}."
            }
            for svc in picked
        ]
        for idx in range(2 if multi else 1):
            choices[idx]["correct"] = True
        rng.shuffle(choices)
        domain = rng.choice(["1", "2", "3", "4"])
        q: dict[str, Any] = {
            "id": f"gen-{i:06d}",
            "objective": f"{domain}.{rng.randint(1, 3)}",
            "difficulty": rng.choice(["easy", "medium", "hard"]),
            "stem": stem + (" (Select TWO.)" if multi else ""),
            "choices": choices,
            "explanation": f"{picked[0]} fits because it lets the team {need} {constraint}.",
            "tags": ["generated"],
        }
        if multi:
            q["type"] = "multiple_response"
        out.append(q)
    return out


def write_bank(
    directory: Path, n: int, per_file: int = 100, seed: int = 7, suffix: str = ".yaml"
) -> list[Path]:
    """Write ``n`` generated questions to ``directory`` in files of ``per_file`` questions."""
    directory.mkdir(parents=True, exist_ok=True)
    questions = generate_questions(n, seed)
    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    paths = []
    for start in range(0, n, per_file):
        path = directory / f"bank-{start // per_file:05d}{suffix}"
        with path.open("w", encoding="utf-8") as handle:
            if suffix == ".json":
                import json

                json.dump({"questions": questions[start : start + per_file]}, handle, indent=1)
            else:
                yaml.dump({"questions": questions[start : start + per_file]}, handle)
        paths.append(path)
    return paths

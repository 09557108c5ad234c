"""A synthetic AWS-like question bank with planted duplicates and hard negatives.

``generate(n)`` builds ``n`` single-choice questions from a few scenario templates:

* base questions: a scenario (team, industry, workload, data, compute, peak: six slots) plus a
  requirement whose key is an AWS service, asked in one of three phrasings; within one requirement
  two bases differ in at least three slots (two parity slots), so distinct bases never differ in
  a phrase or two only. Numeric bases (DynamoDB capacity, Lambda concurrency, SQS
  visibility arithmetic) have computed keys.
* planted duplicates (``dup_rate`` of ``n``): copies of a base with one to three of: rewording (another
  phrasing), synonyms, the first two sentences swapped, typos, shuffled choices.
* hard negatives (``sibling_rate`` of ``n``): the same scenario and wording asking for another
  requirement (a different key fact, often over the same choice set), or a numeric template with
  other numbers. They must not be reported.

``truth`` holds every pair inside one planted group (the base and its copies); ``hard_negatives``
the base-sibling pairs. Deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from qbank.analysis.dupes import DupItem
from qbank.core.model import Choice, SingleChoice

__all__ = ["PlantedBank", "generate"]

# requirement -> key service; the service categories give plausible distractors
REQUIREMENTS: list[tuple[str, str, str]] = [
    ("decouple the order producer from the consumers with a durable queue", "Amazon SQS", "integration"),
    ("fan out each event to several subscriber endpoints at once", "Amazon SNS", "integration"),
    ("route events to targets by matching rules on the event content", "Amazon EventBridge", "integration"),
    ("coordinate a multi-step workflow with retries and human approval", "AWS Step Functions", "integration"),
    (
        "ingest a high-volume ordered stream and replay it for several days",
        "Amazon Kinesis Data Streams",
        "integration",
    ),
    ("store database credentials and rotate them automatically", "AWS Secrets Manager", "security"),
    (
        "keep hierarchical configuration values without rotation at no extra cost",
        "AWS Systems Manager Parameter Store",
        "security",
    ),
    ("encrypt data keys with a customer managed key and audit every use", "AWS KMS", "security"),
    ("let mobile users sign in with social identity providers", "Amazon Cognito user pools", "security"),
    ("give temporary AWS credentials to guest mobile users", "Amazon Cognito identity pools", "security"),
    ("trace a request across several microservices to find latency", "AWS X-Ray", "operations"),
    ("collect custom application metrics and alarm on them", "Amazon CloudWatch", "operations"),
    ("record every API call made in the account for auditing", "AWS CloudTrail", "operations"),
    ("deploy infrastructure as code with change sets and rollback", "AWS CloudFormation", "operations"),
    (
        "shift traffic gradually to a new function version with automatic rollback",
        "AWS CodeDeploy",
        "operations",
    ),
    ("serve millisecond key-value reads at any scale without managing servers", "Amazon DynamoDB", "data"),
    ("cache frequent database query results in memory", "Amazon ElastiCache", "data"),
    ("run relational queries with joins on a managed MySQL engine", "Amazon RDS", "data"),
    ("store large media files durably and serve them over HTTPS", "Amazon S3", "data"),
    ("query log files in object storage with standard SQL and no servers", "Amazon Athena", "data"),
    ("accelerate static content delivery to users around the world", "Amazon CloudFront", "delivery"),
    ("expose a REST API with throttling and request validation", "Amazon API Gateway", "delivery"),
    ("balance HTTP traffic across containers by path", "Application Load Balancer", "delivery"),
    ("run event-driven code without provisioning servers", "AWS Lambda", "compute"),
    ("run containers without managing the underlying instances", "AWS Fargate", "compute"),
]

SERVICES: dict[str, list[str]] = {}
for _req, _svc, _cat in REQUIREMENTS:
    SERVICES.setdefault(_cat, []).append(_svc)
EXTRA_DISTRACTORS = [
    "Amazon MQ", "AWS Batch", "Amazon EC2 Auto Scaling", "AWS Glue", "Amazon Redshift",
    "AWS Config", "AWS Direct Connect", "Amazon Route 53", "AWS Elastic Beanstalk", "Amazon EFS",
]  # fmt: skip

TEAMS = [
    "small platform team", "data engineering group", "mobile development team", "payments squad",
    "machine learning team", "two-person startup team", "central IT department", "game studio team",
    "research lab group", "customer support tooling team", "security operations team",
    "marketing analytics group", "logistics software team",
]  # fmt: skip
INDUSTRIES = [
    "retail", "healthcare", "media streaming", "online banking", "airline", "insurance", "education",
    "travel booking", "food delivery", "ride sharing", "real estate", "energy utility", "telecom",
]  # fmt: skip
WORKLOADS = [
    "an order management backend", "a photo sharing mobile app", "a nightly billing batch job",
    "a customer loyalty portal", "an inventory synchronization service", "a video transcoding pipeline",
    "a chat support widget", "a recommendation engine", "a document signing workflow",
    "a fleet telemetry dashboard", "a ticket reservation system", "a public weather API",
    "a claims processing portal",
]  # fmt: skip
DATA = [
    "customer order records", "clickstream events", "sensor readings from trucks",
    "scanned invoice images", "payment transactions", "user profile documents", "audit log entries",
    "product catalog entries", "shipment status updates", "chat transcripts", "booking requests",
    "medical appointment notes", "price quotes from partners",
]  # fmt: skip
COMPUTES = [
    "Amazon EC2 instances in an Auto Scaling group",
    "AWS Lambda functions behind an API",
    "Amazon ECS tasks on AWS Fargate",
    "an Amazon EKS cluster",
    "AWS Elastic Beanstalk environments",
    "on-premises servers connected by VPN",
    "Amazon EC2 Spot Instances",
    "AWS App Runner services",
    "Amazon Lightsail instances",
    "a single large Amazon EC2 instance",
    "containers on Amazon ECS with EC2",
    "AWS Lambda functions triggered by Amazon S3",
    "AWS Batch compute environments",
]
PEAKS = [
    "during holiday sales", "at the start of each month", "when marketing emails go out",
    "on weekend evenings", "after each software release", "during end-of-quarter reporting",
    "when partners upload their files", "during live sports events", "at the end of every school term",
    "when severe weather is forecast", "during flash sales", "at the start of the business day",
    "when new episodes are published",
]  # fmt: skip
CONSTRAINTS = [
    "with the least operational overhead", "in the most cost-effective way", "with the fewest code changes",
    "while keeping the solution fully managed", "with the highest availability", "as quickly as possible",
]  # fmt: skip

# three phrasings of one question: (context, requirement, ask) with {slots}
PHRASINGS = [
    (
        "A {team} at a {industry} company runs {workload} that handles {data} on {compute}. "
        "Traffic peaks {peak}.",
        "The developers need to {need}.",
        "Which solution will meet these requirements {constraint}?",
    ),
    (
        "At a {industry} company, a {team} operates {workload} that processes {data} on {compute}, "
        "and traffic peaks {peak}.",
        "The application must {need}.",
        "What should a developer do to meet these requirements {constraint}?",
    ),
    (
        "A {team} in the {industry} business hosts {workload} for {data} on {compute}. "
        "Load is highest {peak}.",
        "A developer has been asked to {need}.",
        "Which AWS service should the developer use {constraint}?",
    ),
]

SYNONYMS = {
    "company": "organization", "developer": "engineer", "developers": "engineers",
    "application": "app", "requirements": "needs", "solution": "approach", "handles": "manages",
    "runs": "operates", "processes": "handles", "need": "have", "must": "has to",
    "meet": "satisfy", "hosts": "runs", "asked": "told", "use": "choose",
}  # fmt: skip

NUMERIC = [
    (
        "A DynamoDB table must support {a} strongly consistent reads per second of items that are {b} KB "
        "each. How many read capacity units does the table need?",
        lambda a, b: a * math.ceil(b / 4),
        "read capacity units",
    ),
    (
        "A Lambda function receives {a} requests per second and each invocation runs for {b} seconds on "
        "average. What concurrency does the function need?",
        lambda a, b: a * b,
        "concurrent executions",
    ),
    (
        "A DynamoDB table must support {a} writes per second of items that are {b} KB each. How many "
        "write capacity units does the table need?",
        lambda a, b: a * b,
        "write capacity units",
    ),
]


@dataclass
class PlantedBank:
    """Generated items with the ground truth of what is and is not a duplicate."""

    items: list[DupItem]
    truth: set[frozenset[str]] = field(default_factory=set)
    """Pairs that are duplicates (every pair inside a planted group)."""
    hard_negatives: set[frozenset[str]] = field(default_factory=set)
    """Template siblings: same wording, another key fact or other numbers."""
    mutations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For each planted copy, the mutations applied."""
    facts: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Scenario questions: id -> (requirement number, key). Two bases with the same requirement in
    different scenarios are distinct questions here, but they ask the same fact with the same key:
    a whole-item judge may call them near duplicates (the benchmark counts them separately)."""

    def questions(self) -> list[SingleChoice]:
        """The items as qbank questions."""
        out = []
        for it in self.items:
            keys = set(it.keys)
            out.append(
                SingleChoice(
                    id=it.id,
                    stem=it.stem,
                    choices=[Choice(text=c, correct=c in keys) for c in it.choices],
                )
            )
        return out


@dataclass
class _Base:
    slots: dict[str, str]
    requirement: int
    phrasing: int
    choices: list[str]
    key: str


def _choices(rng: random.Random, key: str, category: str) -> list[str]:
    """The key, one or two distractors of its own category and the rest from anywhere."""
    same = [s for s in SERVICES[category] if s != key]
    anywhere = [s for s in ALL_DISTRACTORS if s != key and s not in same]
    picked = rng.sample(same, min(len(same), rng.choice((1, 2))))
    picked += rng.sample(anywhere, 3 - len(picked))
    options = [key, *picked]
    rng.shuffle(options)
    return options


def _render(base: _Base, *, phrasing: int | None = None, swap: bool = False) -> str:
    context, requirement, ask = PHRASINGS[base.phrasing if phrasing is None else phrasing]
    values = {**base.slots, "need": REQUIREMENTS[base.requirement][0]}
    parts = [context.format(**values), requirement.format(**values)]
    if swap:
        parts.reverse()
    return " ".join([*parts, ask.format(**values)])


def _synonyms(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if w.strip(".,?").lower() in SYNONYMS]
    for i in rng.sample(spots, min(len(spots), 3)):
        word = words[i]
        core = word.strip(".,?")
        replacement = SYNONYMS[core.lower()]
        if core[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        words[i] = word.replace(core, replacement)
    return " ".join(words)


def _typos(rng: random.Random, text: str, count: int) -> str:
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rng.sample(spots, min(len(spots), count)):
        w = words[i]
        pos = rng.randrange(1, len(w) - 1)
        action = rng.randrange(3)
        if action == 0:
            w = w[:pos] + w[pos + 1] + w[pos] + w[pos + 2 :]
        elif action == 1:
            w = w[:pos] + w[pos + 1 :]
        else:
            w = w[:pos] + w[pos] + w[pos:]
        words[i] = w
    return " ".join(words)


ALL_DISTRACTORS = sorted({svc for _, svc, _ in REQUIREMENTS} | set(EXTRA_DISTRACTORS))
_SLOT_VALUES = (TEAMS, INDUSTRIES, WORKLOADS, DATA)
_Q = 13  # every slot list has 13 values (a prime)


def _scenario(code: int) -> dict[str, str]:
    """Scenario number -> six slots. ``compute`` and ``peak`` are parity slots of a [6, 4, 3] code
    over GF(13), so two scenarios of the same requirement differ in at least three slots."""
    idx = []
    for _ in _SLOT_VALUES:
        idx.append(code % _Q)
        code //= _Q
    parity1 = sum(idx) % _Q
    parity2 = sum((k + 1) * v for k, v in enumerate(idx)) % _Q
    return {
        "team": TEAMS[idx[0]],
        "industry": INDUSTRIES[idx[1]],
        "workload": WORKLOADS[idx[2]],
        "data": DATA[idx[3]],
        "compute": COMPUTES[parity1],
        "peak": PEAKS[parity2],
    }


def generate(n: int, *, dup_rate: float = 0.05, sibling_rate: float = 0.05, seed: int = 0) -> PlantedBank:
    """A bank of ``n`` questions: bases, planted duplicates and hard negatives (see the module)."""
    rng = random.Random(seed)
    n_dups = int(n * dup_rate)
    n_sibs = int(n * sibling_rate)
    n_base = max(1, n - n_dups - n_sibs)
    scenarios = _Q**4
    bank = PlantedBank([])
    bases: list[tuple[str, _Base | None]] = []
    used: set[tuple[int, int]] = set()
    numeric_used: set[tuple[int, int, int]] = set()

    def add(qid: str, stem: str, choices: list[str], key: str) -> None:
        bank.items.append(DupItem(qid, stem, "choice", tuple(choices), (key,)))

    for k in range(n_base):
        qid = f"q{k:06d}"
        if rng.random() < 0.1:
            t, a, b = _numeric_params(rng, numeric_used)
            stem, key, choices = _numeric(rng, t, a, b)
            add(qid, stem, choices, key)
            bases.append((qid, None))
            continue
        while True:
            req = rng.randrange(len(REQUIREMENTS))
            code = rng.randrange(scenarios)
            if (req, code) not in used:
                used.add((req, code))
                break
        _, key, category = REQUIREMENTS[req]
        base = _Base(_scenario(code), req, rng.randrange(len(PHRASINGS)), _choices(rng, key, category), key)
        base.slots["constraint"] = rng.choice(CONSTRAINTS)
        add(qid, _render(base), base.choices, key)
        bases.append((qid, base))
        bank.facts[qid] = (req, key)

    textual = [(qid, b) for qid, b in bases if b is not None]
    groups: dict[str, list[str]] = {}
    for k in range(n_dups):
        qid, base = rng.choice(textual)
        assert base is not None
        copy_id = f"{qid}-dup{k}"
        kinds = rng.sample(["reword", "synonyms", "reorder", "typos", "shuffle"], rng.choice((1, 2, 3)))
        phrasing = (base.phrasing + rng.randrange(1, len(PHRASINGS))) if "reword" in kinds else None
        stem = _render(
            base,
            phrasing=None if phrasing is None else phrasing % len(PHRASINGS),
            swap="reorder" in kinds,
        )
        if "synonyms" in kinds:
            stem = _synonyms(rng, stem)
        if "typos" in kinds:
            stem = _typos(rng, stem, rng.choice((1, 2)))
        choices = list(base.choices)
        if "shuffle" in kinds:
            while choices == base.choices:
                rng.shuffle(choices)
        add(copy_id, stem, choices, base.key)
        bank.facts[copy_id] = bank.facts[qid]
        group = groups.setdefault(qid, [qid])
        for other in group:
            bank.truth.add(frozenset((other, copy_id)))
        group.append(copy_id)
        bank.mutations[copy_id] = tuple(kinds)

    for k in range(n_sibs):
        qid, base = rng.choice(bases)
        sib_id = f"{qid}-sib{k}"
        if base is None or rng.random() < 0.3:
            t, a, b = _numeric_params(rng, numeric_used)
            stem, key, choices = _numeric(rng, t, a, b)
            t2, a2, b2 = _numeric_params(rng, numeric_used, template=t, near=(a, b))
            add(f"{sib_id}a", stem, choices, key)
            stem2, key2, choices2 = _numeric(rng, t2, a2, b2)
            add(sib_id, stem2, choices2, key2)
            bank.hard_negatives.add(frozenset((f"{sib_id}a", sib_id)))
            continue
        _, key, category = REQUIREMENTS[base.requirement]
        others = [
            r
            for r, (_, svc, cat) in enumerate(REQUIREMENTS)
            if cat == category and r != base.requirement and svc in base.choices
        ] or [r for r in range(len(REQUIREMENTS)) if r != base.requirement]
        req = rng.choice(others)
        sibling = _Base(dict(base.slots), req, base.phrasing, list(base.choices), REQUIREMENTS[req][1])
        if sibling.key not in sibling.choices:
            sibling.choices[sibling.choices.index(rng.choice([c for c in base.choices if c != key]))] = (
                sibling.key
            )
        add(sib_id, _render(sibling), sibling.choices, sibling.key)
        bank.facts[sib_id] = (req, sibling.key)
        bank.hard_negatives.add(frozenset((qid, sib_id)))
    return bank


def _numeric_params(
    rng: random.Random,
    used: set[tuple[int, int, int]],
    template: int | None = None,
    near: tuple[int, int] | None = None,
) -> tuple[int, int, int]:
    while True:
        t = rng.randrange(len(NUMERIC)) if template is None else template
        if near is None:
            a, b = rng.randrange(2, 400), rng.randrange(1, 30)
        else:
            a, b = near[0] + rng.randrange(1, 40), near[1]
        if (t, a, b) not in used:
            used.add((t, a, b))
            return t, a, b


def _numeric(rng: random.Random, t: int, a: int, b: int) -> tuple[str, str, list[str]]:
    template, formula, unit = NUMERIC[t]
    answer = formula(a, b)
    wrong = {answer * 2, max(1, answer // 2), answer + a, max(1, answer - b)} - {answer}
    options = [answer, *sorted(wrong)[:3]]
    while len(options) < 4:
        options.append(answer + len(options) * 7)
    texts = [f"{v} {unit}" for v in options]
    key = texts[0]
    rng.shuffle(texts)
    return template.format(a=a, b=b), key, texts

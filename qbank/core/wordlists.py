"""Word lists used by the lint rules, in one place so that a team can localise them.

Every list is English. Rules read them as defaults; most rules also accept their own list through
their options (for example ``[tool.qbank.rules.QB201] words = ["not", "nicht"]``). Entries are
lower case unless noted.
"""

from __future__ import annotations

__all__ = [
    "ABSOLUTE_TERMS",
    "ANTONYM_PAIRS",
    "AN_WORDS",
    "A_WORDS",
    "CANONICAL_TERMS",
    "COMMAND_PROGRAMS",
    "IMPERATIVE_VERBS",
    "INDEX_STOP_WORDS",
    "MOJIBAKE",
    "NEGATION_WORDS",
    "NEGATIVE_LEAD_WORDS",
    "NEGATORS",
    "NUMBER_WORDS",
    "ORDINALS",
    "QUALIFIERS",
    "STOP_WORDS",
    "UBIQUITOUS_TERMS",
    "UNITS",
    "VAGUE_TERMS",
    "VOWEL_SOUND_LETTERS",
]


def _split(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Negative words that turn a lead-in around (QB201, QB202, QB206).
NEGATIVE_LEAD_WORDS: tuple[str, ...] = (
    "not", "except", "least", "false", "incorrect", "never", "cannot", "can't", "won't",
    "isn't", "aren't", "doesn't", "don't", "shouldn't", "wouldn't", "untrue",
)  # fmt: skip

#: Explicit negators in option text (QB206, QB310). ``n't`` contractions count as well.
NEGATORS: tuple[str, ...] = ("not", "no", "never", "none", "cannot", "nothing", "neither", "nor")

#: Vague frequency words (QB207).
VAGUE_TERMS: tuple[str, ...] = (
    "usually", "often", "sometimes", "rarely", "frequently", "generally", "typically",
    "may", "might", "occasionally", "seldom",
)  # fmt: skip

#: Absolute determiners (QB404).
ABSOLUTE_TERMS: tuple[str, ...] = (
    "always", "never", "all", "none", "only", "every", "completely", "absolutely", "must",
    "guaranteed", "impossible", "entirely", "totally",
)  # fmt: skip

#: Hedging qualifiers (QB407); multi-word entries are matched as phrases.
QUALIFIERS: tuple[str, ...] = (
    "usually", "in most cases", "can", "may", "might", "typically", "generally", "often",
    "sometimes", "in some cases", "probably", "likely", "if",
)  # fmt: skip

#: Words that carry no content (QB403, QB405 and token comparisons).
STOP_WORDS: frozenset[str] = _split(
    """a an the and or but if then else of to in on at by for with from into onto over under about
    as is are was were be been being am do does did done has have had having it its this that these
    those there their they them he she his her we our you your i me my not no yes so than too very
    can could should would will shall may might must which what who whom whose when where why how
    all any both each few more most other some such only own same just also use used using following
    one two three four five following true false correct incorrect statement statements option options
    answer answers choice choices best"""
)

#: Words that turn a statement round: two texts that differ in one of them are not duplicates
#: (contractions appear without their apostrophe, as the duplicate search splits words).
NEGATION_WORDS: frozenset[str] = _split(
    """not no never none except least incorrect false untrue cannot isn aren don doesn didn won
    shouldn wouldn couldn wasn weren without"""
)

#: Words too common to find a text by (the search index of QB705 leaves them out).
INDEX_STOP_WORDS: frozenset[str] = _split(
    """a an the of to in on for and or is are be by with as at from that this which what it its can
    should will do does how when who why where your you their they these those into than then there
    has have was were use uses used using"""
)

#: Domain words that appear everywhere and are no clue (QB403). Extend per bank in the options.
UBIQUITOUS_TERMS: frozenset[str] = _split(
    """aws amazon service services application applications app data developer developers company
    solution solutions need needs requirement requirements user users system systems"""
)

#: Verbs that open imperative options ("Use ...", "Configure ...") (QB306).
IMPERATIVE_VERBS: frozenset[str] = _split(
    """use configure create enable disable add set deploy store call write run install attach
    assign grant move migrate replace increase decrease reduce turn launch define implement build
    change update modify delete remove apply allow deny encrypt restrict provision schedule send
    invoke subscribe publish monitor specify select choose start stop restart"""
)

#: Pairs of opposites that make a logical cue when two options differ only by them (QB406).
ANTONYM_PAIRS: tuple[tuple[str, str], ...] = (
    ("synchronous", "asynchronous"), ("synchronously", "asynchronously"), ("encrypt", "decrypt"),
    ("increase", "decrease"), ("enable", "disable"), ("public", "private"), ("strongly", "eventually"),
    ("true", "false"), ("allow", "deny"), ("before", "after"), ("inbound", "outbound"),
    ("stateful", "stateless"), ("more", "less"), ("higher", "lower"), ("minimum", "maximum"),
    ("always", "never"), ("can", "cannot"), ("does", "doesn't"), ("is", "isn't"), ("push", "pull"),
)  # fmt: skip

#: Initial letters that are read with a vowel sound when a word is an acronym ("an SQS queue") (QB402).
VOWEL_SOUND_LETTERS: frozenset[str] = frozenset("AEFHILMNORSX")

#: Words starting with a vowel letter that take "a" ("a user", "a unique id") (QB402); prefixes.
A_WORDS: tuple[str, ...] = (
    "uni", "use", "usa", "usu", "uti", "uri", "url", "eu", "ewe", "one", "once", "ubiq", "ufo", "ukr",
)  # fmt: skip

#: Words starting with a consonant letter that take "an" ("an hour") (QB402); prefixes.
AN_WORDS: tuple[str, ...] = ("hour", "honest", "honor", "honour", "heir", "herb")

#: Number words in "(Select TWO.)" instructions (QB103, QB209, QB402).
NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10,
}  # fmt: skip

#: Ordinal words used for positional references ("the first option") (QB304, QB504).
ORDINALS: tuple[str, ...] = ("first", "second", "third", "fourth", "fifth", "last", "previous", "next")

#: Unit spellings -> canonical unit (QB307).
UNITS: dict[str, str] = {
    "ms": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month", "months": "month",
    "year": "year", "years": "year",
    "b": "B", "byte": "B", "bytes": "B", "kb": "KB", "kib": "KiB", "mb": "MB", "mib": "MiB",
    "gb": "GB", "gib": "GiB", "tb": "TB", "tib": "TiB",
    "%": "%", "percent": "%",
}  # fmt: skip

#: Canonical spellings of product names and terms (QB608); case-sensitive.
CANONICAL_TERMS: tuple[str, ...] = (
    "DynamoDB", "CloudFormation", "CloudWatch", "CloudTrail", "CloudFront", "X-Ray", "IAM", "KMS",
    "Elastic Beanstalk", "CodeDeploy", "CodePipeline", "CodeBuild", "CodeCommit", "AppSync",
    "ElastiCache", "EventBridge", "OpenSearch", "Route 53", "API Gateway", "Step Functions",
    "Secrets Manager", "Parameter Store", "JavaScript", "TypeScript", "GitHub", "PostgreSQL", "MySQL",
)  # fmt: skip

#: Command-line programs: a lower-case program name followed by its arguments is a command, not
#: prose (``aws cloudformation package``, ``sam local invoke``), for :func:`qbank.core.text.mask_literals`.
COMMAND_PROGRAMS: tuple[str, ...] = (
    "aws", "sam", "cdk", "eb", "copilot", "amplify", "cfn-lint", "kubectl", "docker", "git", "npm",
    "npx", "yarn", "pip", "pip3", "terraform", "curl", "mvn", "gradle", "dotnet",
)  # fmt: skip

#: Common UTF-8-read-as-cp1252 sequences and what they should be (QB604).
MOJIBAKE: dict[str, str] = {
    "â€™": "’", "â€˜": "‘", "â€œ": "“", "â€\x9d": "”", "â€“": "–", "â€”": "—", "â€¦": "…",
    "Ã©": "é", "Ã¨": "è", "Ã¼": "ü", "Ã¶": "ö", "Ã¤": "ä", "Ã±": "ñ", "Â ": " ", "Â©": "©",
}  # fmt: skip
